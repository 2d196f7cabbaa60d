"""A scalar autograd engine: `Value` and reverse-mode backpropagation.

Every operation on a `Value` creates a new node that remembers three things:
the operands it was computed from (`_prev`), the name of the operation (`_op`)
and the local derivative of its output with respect to each operand
(`_local_grads`), computed right next to the forward value. `backward()` then
needs no knowledge of any operation: it walks the graph from the output back to
the inputs and applies the chain rule, one multiplication and one addition per
edge.

Two consequences of storing numbers, decided on purpose:

- A graph is a record of the forward pass. Assigning new numbers to a leaf's
  `.data` (as an update step does) does not change the local derivatives
  already stored downstream: `backward()` on the old graph gives the gradients
  at the old numbers. Run the forward pass again, as every training loop does.
  (PyTorch re-reads some saved inputs and refuses some in-place changes; a
  record is simpler to reason about.)
- `.data` is a plain attribute that operations trust, not a checked property:
  checking every read would cost every operation (about 15% of an MLP's
  training step, measured). Numbers enter checked through `Value(...)`; an
  operation refuses a result that is not finite; `v.data = "abc"` fails at the
  next operation. Keep `.data` a Python float: `p.data -= lr * p.grad` with a
  NumPy float32 lr makes it a float32.
"""

import math
import numbers
import sys


class Value:
    """A scalar that records how it was computed, so gradients can flow back."""

    # Slots make each node small and fast to create; having no closures means
    # the graph holds no reference cycles, so it is freed as soon as unused.
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local_grads")

    # Makes NumPy hand `numpy_scalar * value` back to Value.__rmul__ instead of
    # trying to build an array of objects.
    __array_ufunc__ = None

    def __init__(self, data, label=""):
        if not isinstance(label, str):  # e.g. karpathy's Value(data, (a, b))
            raise TypeError("Value(data, label): the label must be a string, "
                            f"not {type(label).__name__}; operands are "
                            "recorded by operations such as a + b")
        self.data = _real(data, "Value()")
        self.grad = 0.0
        self.label = label
        self._prev = ()
        self._op = ""
        self._local_grads = ()

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # Each op: the forward value, then d(output)/d(operand) for each operand.

    def __add__(self, other):
        other = _as_value(other)
        return _node(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        return _node(a * b, "*", (self, other), (b, a))

    def __sub__(self, other):
        other = _as_value(other)
        return _node(self.data - other.data, "-", (self, other), (1.0, -1.0))

    def __truediv__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"division by zero in {a!r} / {b!r}")
        out = a / b  # d/db = -a/b**2 computed as -(a/b)/b: b*b may underflow
        d_db = -out / b
        if math.isinf(d_db) and math.isfinite(out):  # as 1e-200 ** -1 does
            raise OverflowError(f"{a!r} / {b!r} is {out!r}, but its derivative "
                                "-a/b**2 is too large for a float")
        return _node(out, "/", (self, other), (1.0 / b, d_db))

    def __neg__(self):
        return _node(-self.data, "neg", (self,), (-1.0,))

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: "
                            "use a plain number exponent")
        n = _real(exponent, "the exponent of **")
        x = self.data
        if x < 0 and not n.is_integer():
            raise ValueError(f"{x!r} ** {n!r} is not a real number "
                             "(negative base, fractional exponent)")
        if x == 0 and n < 1 and n != 0:
            raise ValueError(f"{x!r} ** {n!r}: the derivative n * x**(n-1) "
                             "is infinite at x = 0")
        try:
            out = x**n
        except OverflowError:
            message = f"{x!r} ** {n!r} is too large for a float"
            raise OverflowError(message) from None
        try:  # d/dx x**n = n * x**(n-1), and 0 for n = 0 (even at x = 0)
            local = n * x ** (n - 1) if n else 0.0
        except OverflowError:  # the value may be fine: 1e-200 ** -1 is 1e200
            local = math.inf
        if not math.isfinite(local):
            raise OverflowError(
                f"{x!r} ** {n!r} is {out!r}, but its derivative "
                "n * x**(n-1) is too large for a float")
        # The exact exponent in the op's name, so gradcheck.blame can re-run it.
        op = f"**{int(n) if n.is_integer() else n}"
        return _node(out, op, (self,), (local,))

    def exp(self):
        x = self.data
        try:
            out = math.exp(x)
        except OverflowError:
            message = f"exp({x!r}) is too large for a float"
            raise OverflowError(message) from None
        return _node(out, "exp", (self,), (out,))

    def log(self):
        x = self.data
        if x <= 0:
            raise ValueError("log is only defined for positive numbers, "
                             f"got log({x!r})")
        return _node(math.log(x), "log", (self,), (1.0 / x,))

    def tanh(self):
        t = math.tanh(self.data)
        return _node(t, "tanh", (self,), (1.0 - t * t,))

    def relu(self):
        x = self.data
        positive = x > 0
        return _node(x if positive else 0.0, "ReLU", (self,),
                     (1.0 if positive else 0.0,))

    def sigmoid(self):
        x = self.data
        # Two forms of 1 / (1 + e^-x), each safe from overflow on its side of 0.
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            s = math.exp(x) / (1.0 + math.exp(x))
        return _node(s, "sigmoid", (self,), (s * (1.0 - s),))

    # The mirrored forms, for a plain number on the left: 2 * x, 1 - x, 1 / x.

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def topological_order(self):
        """Every node this value depends on, each listed after its operands."""
        return topological_order(self)

    def backward(self):
        """Add d(self)/d(leaf) to the `.grad` of every leaf self depends on.

        Leaves (values not computed from others) accumulate across calls, like
        PyTorch: a second call adds the same gradients again. Intermediate
        nodes are reset on each call and end up holding d(self)/d(node) for
        this call. `v.grad = None` (PyTorch's way to clear a gradient) means
        "no gradient yet": the next call starts that leaf from 0.
        """
        order = self.topological_order()
        earlier = [node.grad for node in order]
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        # The chain rule, from the output back to the inputs.
        for node in reversed(order):
            for child, local_grad in zip(node._prev, node._local_grads):
                child.grad += local_grad * node.grad
        for node, grad in zip(order, earlier):
            if not node._prev and grad is not None:
                node.grad += grad


def topological_order(root):
    """Every node `root` depends on, each listed after its operands.

    Iterative depth-first search: a graph a million nodes deep needs no
    recursion. Shared by `Value` and `Tensor`: it reads only `_prev`.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev
                         if child not in visited)
    return order


# Freeing a graph. When the last reference to a node goes, CPython frees its
# operands from inside that free, one nested C call per level of the graph, and
# its "trashcan" stops the nesting before the C stack runs out. Compiled to
# WebAssembly (Pyodide, the book's live pages) it watches a stack that is not
# the one running out, so freeing a chain of about 700 operations crashes the
# interpreter. There, a dying node hands its operands to one list instead, which
# the outermost free empties one tuple at a time: one level of nesting, whatever
# the depth. Elsewhere CPython does this itself, and a __del__ on every node
# would cost about 10 % of a training step, so it is set only there.
_orphans = []  # operand tuples of freed nodes, not yet let go
_emptying = [False]  # True while the outermost free empties _orphans


def _free_flat(node):
    """Value.__del__ under WebAssembly: free a node's operands without nesting."""
    operands = getattr(node, "_prev", ())  # unset if Value() raised in __init__
    if not operands:
        return
    node._prev = ()  # Python is destroying the node: nothing reads it again
    _orphans.append(operands)
    del operands  # the list alone holds them now
    if _emptying[0]:
        return  # an outer free is emptying the list: it will let these go
    _emptying[0] = True
    try:
        while _orphans:
            _orphans.pop()  # may free nodes, whose _free_flat only appends
    finally:
        _emptying[0] = False


if sys.platform == "emscripten":
    Value.__del__ = _free_flat


def weighted_sum(weights, inputs, bias):
    """w · x + b as one node: what a neuron computes before its activation.

    From `*` and `+` it would take 2n nodes; here it is one node, whose local
    derivatives are d/dw_i = x_i, d/dx_i = w_i, d/db = 1: same gradients,
    less work.
    """
    if isinstance(inputs, (str, dict)) or not hasattr(inputs, "__len__"):
        kind = type(inputs).__name__
        raise TypeError(f"weighted_sum needs a list of inputs, not {kind}")
    if len(weights) != len(inputs):
        raise ValueError("weighted_sum needs as many weights as inputs, "
                         f"got {len(weights)} and {len(inputs)}")
    weights = [_as_value(w) for w in weights]
    inputs = [_as_value(x) for x in inputs]
    bias = _as_value(bias)
    w_data = [w.data for w in weights]
    x_data = [x.data for x in inputs]
    total = bias.data
    for w, x in zip(w_data, x_data):
        total += w * x
    return _node(total, "w·x+b", (*weights, *inputs, bias),
                 (*x_data, *w_data, 1.0))


def _node(data, op, children, local_grads):
    """A new node: its value, op, operands and d(node)/d(operand) for each."""
    if not -math.inf < data < math.inf:  # never pass inf (or nan) on silently
        operands = ", ".join(repr(c.data) for c in children)
        if math.isnan(data):
            raise ValueError(f"{op} of {operands} is not a number (nan)")
        raise OverflowError(f"{op} of {operands} is too large for a float")
    node = Value.__new__(Value)  # skips __init__'s checks: data is fresh
    node.data, node.grad, node.label = data, 0.0, ""
    node._prev, node._op, node._local_grads = children, op, local_grads
    return node


def _real(x, what):
    """`x` as a finite float, or a TypeError/ValueError naming the problem."""
    if type(x) is not float and type(x) is not int:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            kind = type(x).__name__
            raise TypeError(f"{what} needs an int, float or NumPy real "
                            f"scalar, not {kind}: {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} needs a finite number, got {x!r}")
    return x


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)
