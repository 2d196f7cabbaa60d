"""The same autograd on NumPy arrays: `Tensor` and its vector-Jacobian products.

`engine.py` stores, for every node, the local derivative of its output with
respect to each operand: one number per edge. A tensor op cannot: the Jacobian
of a (100, 16) @ (16, 16) product has 1,600 x 1,856 entries, almost all zero.
So each op here keeps, right next to its forward value, a small function
`vjp(g)`: given g = dL/d(output), it returns dL/d(operand) for each operand
(a vector-Jacobian product, such as `g @ W.T`) without building the Jacobian.
`backward()` is the scalar engine's loop with `vjp(g)` in place of
`local_grad * node.grad`.

Broadcasting copies an operand along some axes, so its gradient sums over
those axes: one helper, `_unbroadcast`, does that for every op.

Ops check their domains as the scalar engine does (log of a number <= 0,
division by zero, a derivative past the float range), and `_node` refuses any
result that is not finite: an error, not a silent nan or inf (PyTorch returns
inf; a diverging run then fails far from its cause).

Decided edges, each under a test (tests/package/test_tensor.py):

- `.data` is always a float64 ndarray, a 0-d one for a single number (never a
  NumPy scalar), and assigning it converts and checks the numbers as
  `Tensor(...)` does. Leaves' gradients are arrays of the leaf's shape.
- `t.grad = None` (PyTorch's way to clear a gradient) means "no gradient
  yet": `t.grad` reads as zeros and the next backward() starts from them.
- A graph records the forward pass: assign new `.data` (or update it in
  place), then run the forward pass again before backward(). The vjps read
  the operand arrays they were built with, so backward() on a stale graph
  mixes old outputs with whatever those arrays hold.
- An index array is copied when a tensor is indexed: changing it afterwards
  cannot send gradients elsewhere.
- The mean of no numbers, and log_softmax or cross_entropy over zero
  classes, are errors (NumPy and PyTorch give nan or empty results); an empty
  batch is an error in cross_entropy, an empty result elsewhere.
"""

import numbers

try:
    import numpy as np
except ModuleNotFoundError as missing:  # micrograd.engine and nn need no NumPy
    raise ModuleNotFoundError(
        "micrograd.tensor needs NumPy: install the package's tensor extra, "
        "pip install -e '.[tensor]' (or pip install numpy)",
        name=missing.name) from missing

from micrograd.engine import topological_order

_EXP_MAX = np.log(np.finfo(np.float64).max)  # about 709.78: exp of more is inf


class Tensor:
    """An array of float64 numbers that records how it was computed."""

    __slots__ = ("_data", "_grad", "label", "_prev", "_op", "_vjp")

    # Makes NumPy hand `array * tensor` to Tensor.__rmul__ instead of looping.
    __array_ufunc__ = None

    def __init__(self, data, label=""):
        if not isinstance(label, str):  # as Value(data, label)
            raise TypeError("Tensor(data, label): the label must be a string, "
                            f"not {type(label).__name__}")
        self._data = _float_array(data)
        self._grad = None
        self.label = label
        self._prev = ()
        self._op = ""
        self._vjp = None

    @property
    def data(self):
        """The numbers: a float64 array (0-d for a single number)."""
        return self._data

    @data.setter
    def data(self, value):
        # Checked as Tensor(...) checks: `t.data = [1, 2]` stays an array.
        array = value if _is_float_array(value) else _float_array(value)
        if self._grad is not None and self._grad.shape != array.shape:
            self._grad = None  # a gradient of the old shape means nothing
        self._data = array

    @property
    def shape(self):
        return self._data.shape

    @property
    def grad(self):
        """dL/d(this tensor), of its shape: zeros until backward() fills it."""
        if self._grad is None:  # made on first use: most nodes never need zeros
            self._grad = np.zeros_like(self._data)
        return self._grad

    @grad.setter
    def grad(self, value):
        # `t.grad = 0.0` (what Module.zero_grad and SGD.zero_grad do): zeros;
        # `t.grad = None`: no gradient yet (zeros when next read).
        self._grad = (None if value is None else
                      np.full(self._data.shape, value, dtype=np.float64))

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=", ",
                               prefix="Tensor(")
        label = f", label={self.label!r}" if self.label else ""
        return f"Tensor({body}{label})"

    def __len__(self):
        return len(self.data)

    def item(self):
        """The value of a one-element tensor, as a Python float."""
        return self.data.item()

    # Each op: the forward value, then vjp(g) -> dL/d(operand) per operand.

    def __add__(self, other):
        other = _as_tensor(other)
        a, b = self.data, other.data
        out = _broadcasting(np.add, a, b, "+")

        def vjp(g):
            return _unbroadcast(g, a.shape), _unbroadcast(g, b.shape)
        return _node(out, "+", (self, other), vjp)

    def __sub__(self, other):
        other = _as_tensor(other)
        a, b = self.data, other.data
        out = _broadcasting(np.subtract, a, b, "-")

        def vjp(g):
            return _unbroadcast(g, a.shape), _unbroadcast(-g, b.shape)
        return _node(out, "-", (self, other), vjp)

    def __mul__(self, other):
        other = _as_tensor(other)
        a, b = self.data, other.data
        out = _broadcasting(np.multiply, a, b, "*")

        def vjp(g):
            return _unbroadcast(g * b, a.shape), _unbroadcast(g * a, b.shape)
        return _node(out, "*", (self, other), vjp)

    def __truediv__(self, other):
        other = _as_tensor(other)
        a, b = self.data, other.data
        if not b.all():
            raise ZeroDivisionError(f"division by a tensor that holds 0: {b!r}")
        out = _broadcasting(np.divide, a, b, "/")
        with np.errstate(over="ignore"):  # d(a/b)/db = -a/b**2 = -out/b
            d_db = _finite_derivative(-out / b, out, "/", "-a/b**2")

        def vjp(g):
            return (_unbroadcast(g / b, a.shape),
                    _unbroadcast(g * d_db, b.shape))
        return _node(out, "/", (self, other), vjp)

    def __matmul__(self, other):
        other = _as_tensor(other)
        a, b = self.data, other.data
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("@ needs operands of at least 1 dimension, got "
                             f"shapes {a.shape} and {b.shape}")
        try:
            out = a @ b
        except ValueError:
            rows = b.shape[-2] if b.ndim > 1 else b.shape[0]
            why = (f"{a.shape[-1]} columns, {rows} rows" if a.shape[-1] != rows
                   else f"the stacks {a.shape[:-2]} and {b.shape[:-2]} "
                        "do not broadcast")
            raise ValueError(f"@ cannot multiply shapes {a.shape} and "
                             f"{b.shape}: {why}") from None

        def vjp(g):
            if a.ndim == 2 and b.ndim == 2:  # dL/dA = G Bᵀ, dL/dB = Aᵀ G
                return g @ b.T, a.T @ g
            return _matmul_vjp(g, a, b)
        return _node(out, "@", (self, other), vjp)

    def __neg__(self):
        def vjp(g):
            return (-g,)
        return _node(-self.data, "neg", (self,), vjp)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            raise TypeError("Tensor ** Tensor is not supported: "
                            "use a plain number exponent")
        n = _number(exponent, "the exponent of **")
        x = self.data
        if not n.is_integer() and (x < 0).any():
            raise ValueError(f"x ** {n!r} is not real for x < 0 "
                             "(negative base, fractional exponent)")
        if n < 1 and n != 0 and (x == 0).any():
            raise ValueError(f"x ** {n!r}: the derivative n * x**(n-1) "
                             "is infinite at x = 0")
        with np.errstate(over="ignore", divide="ignore"):  # _node says so
            out = x ** n
            # d/dx x**n = n * x**(n-1), and 0 for n = 0 (even at x = 0)
            local = (_finite_derivative(n * x ** (n - 1), out, "**",
                                        "n * x**(n-1)") if n else np.zeros_like(x))

        def vjp(g):
            return (g * local,)
        return _node(out, f"**{n:g}", (self,), vjp)

    def exp(self):
        x = self.data
        if (x > _EXP_MAX).any():
            raise OverflowError(f"exp of {x.max()!r} is too large for a float")
        out = np.exp(x)

        def vjp(g):
            return (g * out,)
        return _node(out, "exp", (self,), vjp)

    def log(self):
        x = self.data
        if (x <= 0).any():
            raise ValueError("log is only defined for positive numbers, "
                             f"got log({x.min()!r})")

        def vjp(g):
            return (g / x,)
        return _node(np.log(x), "log", (self,), vjp)

    def tanh(self):
        t = np.tanh(self.data)

        def vjp(g):
            return (g * (1.0 - t * t),)
        return _node(t, "tanh", (self,), vjp)

    def relu(self):
        x = self.data

        def vjp(g):
            return (g * (x > 0),)
        return _node(np.maximum(x, 0.0), "ReLU", (self,), vjp)

    def sigmoid(self):
        x = self.data
        # 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) for x < 0: e never overflows.
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1.0, e) / (1.0 + e)

        def vjp(g):
            return (g * s * (1.0 - s),)
        return _node(s, "sigmoid", (self,), vjp)

    # Reductions and reshapes: gradients go back where their numbers came from.

    def sum(self, axis=None, keepdims=False):
        """The sum over `axis` (an int, a tuple of ints or None: all)."""
        x = self.data
        out = x.sum(axis=axis, keepdims=keepdims)

        def vjp(g):  # each summed element gets the whole of g
            return (np.broadcast_to(_kept_axes(g, axis, keepdims, x), x.shape),)
        return _node(out, "sum", (self,), vjp)

    def mean(self, axis=None, keepdims=False):
        """The mean over `axis` (an int, a tuple of ints or None: all).

        The mean of no numbers is an error (NumPy and PyTorch give nan).
        """
        x = self.data
        total = x.sum(axis=axis, keepdims=keepdims)
        count = x.size // total.size if total.size else 1
        if count == 0:
            raise ValueError(f"mean over no numbers: shape {x.shape} has none "
                             f"along axis {axis}")
        out = total / count

        def vjp(g):  # each averaged element gets 1/count of g
            g = _kept_axes(g, axis, keepdims, x)
            return (np.broadcast_to(g / count, x.shape),)
        return _node(out, "mean", (self,), vjp)

    def reshape(self, *shape):
        """The same numbers in a new shape: `t.reshape(2, 3)` or `((2, 3))`."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        x = self.data
        try:
            out = x.reshape(shape)
        except ValueError:
            raise ValueError(f"cannot reshape shape {x.shape} ({x.size} "
                             f"numbers) into {shape}") from None

        def vjp(g):
            return (g.reshape(x.shape),)
        return _node(out, "reshape", (self,), vjp)

    @property
    def T(self):
        """The transpose: all axes reversed, as NumPy's `.T`."""
        def vjp(g):
            return (g.T,)
        return _node(self.data.T, "T", (self,), vjp)

    def __getitem__(self, index):
        """Integers, slices and integer arrays, as in NumPy.

        Index arrays and lists are copied: changing them after this call does
        not move the gradients (PyTorch detects that change and refuses).
        """
        if isinstance(index, Tensor):
            raise TypeError("index with integers, slices or an integer array, "
                            "not a Tensor")
        index = _own_copy(index)
        x = self.data
        out = x[index]

        def vjp(g):
            grad = np.zeros_like(x)
            np.add.at(grad, index, g)  # a row picked twice gets both gradients
            return (grad,)
        return _node(out, "[]", (self,), vjp)

    def log_softmax(self, axis=-1):
        """log(softmax(x)) along `axis`: x - max - log(sum(exp(x - max))).

        An axis of length 0 is an error, as in `losses.log_softmax` on Values
        (PyTorch returns an empty result): there is nothing to normalise.
        """
        x = self.data
        if x.ndim and x.shape[axis] == 0:
            raise ValueError(f"log_softmax needs at least one number along "
                             f"axis {axis}, got shape {x.shape}")
        shifted = x - x.max(axis=axis, keepdims=True)  # so every exp is <= 1
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

        def vjp(g):  # g - softmax * (sum of g along the axis)
            return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)
        return _node(out, "log_softmax", (self,), vjp)

    # Mirrored forms, for a plain number (or array) on the left: 2 * x, 1 - x.

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_tensor(other) - self

    def __rtruediv__(self, other):
        return _as_tensor(other) / self

    def __rmatmul__(self, other):
        return _as_tensor(other) @ self

    def topological_order(self):
        """Every tensor this one depends on, each after all of its operands."""
        return topological_order(self)

    def backward(self):
        """Add d(self)/d(leaf) to the `.grad` of every leaf self depends on.

        Only for a one-element tensor (a loss). Leaves accumulate across calls,
        like the scalar engine and PyTorch; every other node ends up holding
        d(self)/d(node) for this call.
        """
        if self.data.size != 1:
            raise ValueError("backward() needs a one-element tensor such as a "
                             f"loss, got shape {self.shape}: reduce it first, "
                             "e.g. with .sum() or .mean()")
        grads = {self: np.ones_like(self.data)}
        for node in reversed(self.topological_order()):
            g = grads.pop(node)  # complete: every consumer came before
            if not node._prev:
                node._grad = np.asarray(node.grad + g)  # 0-d stays an array
                continue
            node._grad = g
            for child, child_grad in zip(node._prev, node._vjp(g)):
                # The one invariant every vjp keeps, checked in one place.
                if child_grad.shape != child._data.shape:
                    raise RuntimeError(
                        f"the {node._op} node's vjp gave a gradient of shape "
                        f"{child_grad.shape} for an operand of shape "
                        f"{child.shape}")
                # Never in place: `+` hands the same g to both operands.
                if child in grads:
                    grads[child] = grads[child] + child_grad
                else:
                    grads[child] = child_grad


def cross_entropy(logits, targets):
    """The batch mean of -log softmax(logits)[target], like PyTorch's.

    `logits`: a Tensor of shape (N, C), a row of class scores per example
    (or (C,) for one example); `targets`: N integer classes in [0, C).
    One node, whose gradient is (softmax(logits) - onehot(targets)) / N.
    """
    logits = _as_tensor(logits)
    x, t = logits.data, np.asarray(targets)
    if x.ndim == 2 and x.shape[0] == 0:  # before the targets' type: [] is float
        raise ValueError("cross_entropy needs at least one example, "
                         "got an empty batch")
    if x.ndim in (1, 2) and x.shape[-1] == 0:
        raise ValueError("cross_entropy needs at least one class, got logits "
                         f"of shape {x.shape}")
    if t.dtype.kind not in "iu":
        raise TypeError("cross_entropy needs integer class targets, "
                        f"got {t.dtype} values: {targets!r:.60}")
    if not ((x.ndim == 2 and t.shape == x.shape[:1])
            or (x.ndim == 1 and t.ndim == 0)):
        raise ValueError("cross_entropy needs logits of shape (N, C) and N "
                         f"targets, got shapes {x.shape} and {t.shape}")
    batch, t = x.reshape(-1, x.shape[-1]), t.reshape(-1)  # one example: N = 1
    n, classes = batch.shape
    if t.min() < 0 or t.max() >= classes:
        raise ValueError(f"targets must be classes in [0, {classes}), "
                         f"got {t.min()} to {t.max()}")
    rows = np.arange(n)
    shifted = batch - batch.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    out = -log_probs[rows, t].mean()

    def vjp(g):
        grad = np.exp(log_probs)  # softmax
        grad[rows, t] -= 1.0      # minus the one-hot targets
        return ((grad * (g / n)).reshape(x.shape),)
    return _node(np.asarray(out), "cross_entropy", (logits,), vjp)


def _unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the gradient of broadcasting `shape` up.

    Broadcasting adds axes in front and stretches axes of length 1; every
    copy it made got a gradient of its own, so the copies' gradients add up.
    """
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape)
                      if n == 1 and grad.shape[added + i] != 1)
    axes = tuple(range(added)) + stretched
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def _matmul_vjp(g, a, b):
    """The gradients of a @ b when a or b is a vector or a stack of matrices.

    A vector is a matrix of one row (on the left) or one column (on the
    right); stacks of matrices broadcast, so their gradients are summed back.
    """
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    stack = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    g2 = g.reshape(stack + (a2.shape[-2], b2.shape[-1]))
    ga = g2 @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g2
    return (_unbroadcast(ga, a2.shape).reshape(a.shape),
            _unbroadcast(gb, b2.shape).reshape(b.shape))


def _kept_axes(g, axis, keepdims, x):
    """g with the reduced axes put back as length-1 axes, ready to broadcast
    to x's shape (a 0-d x has no axis to put back, whatever `axis` says)."""
    if axis is None or keepdims or x.ndim == 0:
        return g
    return np.expand_dims(g, axis)


def _own_copy(index):
    """An index with every array or list in it copied (to an array)."""
    if isinstance(index, tuple):
        return tuple(_own_copy(part) for part in index)
    if isinstance(index, (list, np.ndarray)):
        return np.array(index)
    return index


def _broadcasting(ufunc, a, b, op):
    """ufunc(a, b), with an error naming both shapes when they do not fit."""
    try:
        return ufunc(a, b)
    except ValueError:
        raise ValueError(f"shapes {a.shape} and {b.shape} do not broadcast "
                         f"together for {op}: each axis (counted from the "
                         "right) must match or be 1") from None


def _finite_derivative(local, out, op, formula):
    """`local`, the derivative of an op, unless it is too large while the
    op's value `out` is not (a value too large is for `_node` to report)."""
    if not np.isfinite(local).all() and np.isfinite(out).all():
        raise OverflowError(f"the derivative {formula} of {op} is too large "
                            "for a float")
    return local


def _node(data, op, children, vjp):
    """A new node: its value, op, operands and how gradients flow back.

    The one place every result is checked, as in the scalar engine: never
    pass inf (or nan) on silently. (NumPy may print its own RuntimeWarning
    about the overflow first.)
    """
    data = np.asarray(data)  # a NumPy scalar (x.sum(), x[0]) becomes 0-d
    if not np.isfinite(data).all():
        shapes = " and ".join(str(c.shape) for c in children)
        if np.isnan(data).any():
            raise ValueError(f"{op} of shapes {shapes} gave nan (not a number)")
        raise OverflowError(f"{op} of shapes {shapes} gave a number too large "
                            "for a float")
    node = Tensor.__new__(Tensor)  # skips __init__'s checks: data is fresh
    node._data, node._grad, node.label = data, None, ""
    node._prev, node._op, node._vjp = children, op, vjp
    return node


def _is_float_array(value):
    return (type(value) is np.ndarray and value.dtype == np.float64
            and np.isfinite(value).all())


def _float_array(data):
    """`data` as a new finite float64 array, or an error naming the problem."""
    if isinstance(data, Tensor):
        raise TypeError("Tensor() got a Tensor: use t.data for its numbers")
    try:
        array = np.array(data)
    except ValueError:  # NumPy refuses lists whose rows differ in length
        raise ValueError("Tensor() needs a rectangular nested list, got a "
                         f"ragged one: {data!r:.60}") from None
    if array.dtype == object:  # e.g. 2**70: too large for int64, fine as float
        odd = [v for v in array.flat
               if isinstance(v, bool) or not isinstance(v, numbers.Real)]
        if odd:
            raise TypeError("Tensor() needs real numbers (a number, nested "
                            "list or NumPy array), got "
                            f"{type(odd[0]).__name__}: {odd[0]!r:.60}")
        try:
            array = array.astype(np.float64)
        except OverflowError:
            raise OverflowError(f"Tensor() got a number too large for a "
                                f"float: {data!r:.60}") from None
    if array.dtype.kind not in "iuf":
        kinds = {"b": "booleans", "U": "strings", "S": "bytes",
                 "c": "complex numbers"}
        what = kinds.get(array.dtype.kind, type(data).__name__)
        raise TypeError("Tensor() needs real numbers (a number, nested list "
                        f"or NumPy array), got {what}: {data!r:.60}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("Tensor() needs finite numbers, got nan or inf: "
                         f"{data!r:.60}")
    return array


def _number(x, what):
    if isinstance(x, bool) or not isinstance(
            x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} needs a plain number, not "
                        f"{type(x).__name__}: {x!r}")
    if not np.isfinite(x):
        raise ValueError(f"{what} needs a finite number, got {x!r}")
    return float(x)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)
