"""Checking backpropagation against finite differences.

Two questions, two tools:

- `gradcheck(f, xs)`: is the gradient of f right? backward() against central
  differences of the whole function, input by input (element by element
  when the inputs are NumPy arrays and f works on `Tensor`s).
- `blame(output)`: if not, which node is wrong? Every edge of a `Value`
  graph against central differences of that one node's operation.
"""

import math
import operator
import sys
from collections import namedtuple

from micrograd.engine import Value, weighted_sum


def numerical_grad(f, xs, h=1e-6):
    """The gradient of `f` at the point `xs` by central differences.

    `f` takes one argument per input (as `Value`s), returns a Value or a number.
    d f / d x_i ~ (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / 2h,
    error O(h**2).

    If an input is a NumPy array, every input is passed to `f` as a
    `micrograd.tensor.Tensor`, f must return a one-element Tensor (or a
    number), and the result is one array of partial derivatives per input.
    """
    _check_step(h)
    if _has_array(xs):
        return _numerical_grad_arrays(f, xs, h)
    xs = [float(x) for x in xs]

    def at(point, i):
        try:
            out = f(*(Value(x) for x in point))
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise _probe_error(i, xs[i], point[i], error) from error
        return out.data if isinstance(out, Value) else float(out)

    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((at(up, i) - at(down, i)) / (2 * h))
    return grads


def gradcheck(f, xs, h=1e-6, rtol=1e-5, atol=1e-6):
    """Gradients of `f` at `xs` by backward() and numerical_grad: must agree.

    Returns (backprop, numerical), two lists. Raises AssertionError naming
    each input whose gradients differ by more than atol + rtol * |numerical|.

    With NumPy arrays among `xs`, f receives `Tensor`s and must return a
    one-element Tensor; the two lists then hold one array per input, and the
    error names the input and the index of each element that disagrees.
    """
    if _has_array(xs):
        return _gradcheck_arrays(f, xs, h, rtol, atol)
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    if not isinstance(out, Value):
        kind = type(out).__name__
        raise TypeError(f"gradcheck needs f to return a Value, got {kind}")
    out.backward()
    backprop = [x.grad for x in inputs]
    numerical = numerical_grad(f, xs, h)
    bad = [
        f"input {i}: backward() gives {b!r}, finite differences give {n!r}"
        for i, (b, n) in enumerate(zip(backprop, numerical))
        if abs(b - n) > atol + rtol * abs(n)
    ]
    if bad:
        raise AssertionError("gradients disagree:\n" + "\n".join(bad))
    return backprop, numerical


# ---------------------------------------------------------------- tensors

def _has_array(xs):
    # If NumPy was never imported, nothing here can be an array: the scalar
    # engine's checks never need NumPy (nor does the browser, whose stand-in
    # "numpy" module has no real ndarray class).
    ndarray = getattr(sys.modules.get("numpy"), "ndarray", None)
    return isinstance(ndarray, type) and any(isinstance(x, ndarray) for x in xs)


def _numerical_grad_arrays(f, xs, h):
    import numpy as np

    from micrograd.tensor import Tensor

    arrays = [np.array(x, dtype=np.float64) for x in xs]  # copies we may nudge

    def at(i, index, x):
        try:
            out = f(*(Tensor(a) for a in arrays))
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            where = f"{i}, element {index},"
            moved = float(arrays[i][index])
            raise _probe_error(where, float(x), moved, error) from error
        if isinstance(out, Tensor):
            if out.data.size != 1:
                raise TypeError("gradcheck needs f to return a one-element "
                                f"Tensor (a loss), got shape {out.shape}")
            return out.item()
        return float(out)

    grads = []
    for i, a in enumerate(arrays):
        grad = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            x = a[index]
            a[index] = x + h
            up = at(i, index, x)
            a[index] = x - h
            down = at(i, index, x)
            step = (x + h) - (x - h)  # what the floats really moved, near 2h
            a[index] = x
            grad[index] = (up - down) / step
        grads.append(grad)
    return grads


def _gradcheck_arrays(f, xs, h, rtol, atol):
    import numpy as np

    from micrograd.tensor import Tensor

    inputs = [Tensor(x) for x in xs]
    out = f(*inputs)
    if not isinstance(out, Tensor):
        kind = type(out).__name__
        raise TypeError(f"gradcheck needs f to return a Tensor, got {kind}")
    out.backward()  # refuses anything but a one-element tensor
    backprop = [x.grad.copy() for x in inputs]
    numerical = numerical_grad(f, xs, h)
    bad = []
    for i, (b, n) in enumerate(zip(backprop, numerical)):
        wrong = abs(b - n) > atol + rtol * abs(n)
        for index in np.ndindex(b.shape):
            if wrong[index]:
                bad.append(f"input {i} (shape {b.shape}), element {index}: "
                           f"backward() gives {b[index]!r}, "
                           f"finite differences give {n[index]!r}")
    if bad:
        shown = bad[:10] + ([f"... and {len(bad) - 10} more elements"]
                            if len(bad) > 10 else [])
        raise AssertionError(f"gradients disagree at {len(bad)} elements:\n"
                             + "\n".join(shown))
    return backprop, numerical


def _check_step(h):
    number = isinstance(h, (int, float)) and not isinstance(h, bool)
    if not (number and 0 < h < math.inf):
        raise ValueError(f"the step h must be a positive number, got {h!r}")


def _probe_error(where, x, moved, error):
    return ValueError(
        f"the finite-difference probe moved input {where} from {x!r} to "
        f"{moved!r}, where f fails: {error}. Use a smaller h or a point "
        "further from the edge of f's domain")


# ---------------------------------------------------------------- blame

class Disagreement(namedtuple("Disagreement",
                              "node operand stored estimated")):
    """One edge whose stored local derivative is not its operation's slope.

    `node` is the node whose operation disagrees, `operand` the operand of
    that edge, `stored` the number in `node._local_grads`, `estimated` the
    central difference of the node's operation in that operand.
    """

    def __str__(self):
        node, operand = self.node, self.operand
        name = f" {node.label!r}" if node.label else ""
        return (f"the {node._op} node{name} (data {node.data:.6g}) stores "
                f"d/d operand = {self.stored:.6g} for its operand "
                f"{_describe(operand)}, but its operation's slope there is "
                f"{self.estimated:.6g}")


def _describe(value):
    return f"{value.label!r}" if value.label else f"of data {value.data:.6g}"


# How blame re-evaluates each operation of the engine: the op name that a
# node records, and a function that computes the same node from operands.
OPERATIONS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "neg": operator.neg,
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "ReLU": Value.relu,
    "sigmoid": Value.sigmoid,
    # weighted_sum's operands: the n weights, the n inputs, then the bias.
    "w·x+b": lambda *o: weighted_sum(o[:len(o) // 2], o[len(o) // 2:-1], o[-1]),
}


def blame(output, h=1e-6, rtol=1e-5, atol=1e-6, ops=None):
    """Every edge of `output`'s graph whose stored local derivative is wrong.

    For each node and each of its operands, the node's own operation is
    evaluated again with that operand moved by +h and -h (the others kept;
    h grows with the operand beyond 1, so the floats really move),
    and the central difference is compared with the number the node stored
    in `_local_grads`. Returns a list of `Disagreement(node, operand, stored,
    estimated)`, nearest the output first; `[]` when every edge agrees.

    The operation is found by the op name the node records (`_op`): the
    engine's own operations are in `OPERATIONS`, `**k` reads its exponent
    from the name, a new primitive may be given as `ops={"name": function}`
    (a function of Values returning the node), and a one-operand op named
    after a function of the `math` module (such as "sin") uses that function.

    At a kink (ReLU at exactly 0, which a dead layer makes common) no
    derivative exists: a stored number equal to the slope on either side
    passes. The tolerance adds to atol + rtol * |estimated| the round-off
    that the evaluations can carry, so only wrong numbers are blamed, not
    float noise.
    """
    if not isinstance(output, Value):
        raise TypeError(f"blame needs a Value, got {type(output).__name__}")
    _check_step(h)
    found = []
    for node in _nearest_first(output):
        forward = _operation(node, ops or {})
        values = [operand.data for operand in node._prev]
        for i, (operand, stored) in enumerate(zip(node._prev,
                                                  node._local_grads)):
            estimated = _slope_disagreeing(forward, values, i, stored, node,
                                           h, rtol, atol)
            if estimated is not None:
                found.append(Disagreement(node, operand, stored, estimated))
    return found


def _slope_disagreeing(forward, values, i, stored, node, h, rtol, atol):
    """The central difference in operand i, or None if `stored` agrees."""
    def at(x):
        moved = list(values)
        moved[i] = x
        return _evaluate(forward, moved, node, i)

    def agrees(slope, f_a, f_b, step):
        # Round-off in f_a and f_b: the slope cannot be closer than this.
        noise = 4 * sys.float_info.epsilon * (abs(f_a) + abs(f_b)) / step
        return abs(stored - slope) <= atol + rtol * abs(slope) + noise

    x = values[i]
    h = h * max(1.0, abs(x))  # x + 1e-6 is x itself once x passes 1e10
    up, down = x + h, x - h
    f_up, f_down = at(up), at(down)
    estimated = (f_up - f_down) / (up - down)  # up - down: the real step
    if agrees(estimated, f_up, f_down, up - down):
        return None
    # A kink (ReLU at 0) has a slope on each side and no derivative: the
    # slope of either side is a fair answer (PyTorch's ReLU takes the left).
    f_x = at(x)
    if agrees((f_x - f_down) / (x - down), f_x, f_down, x - down) or \
            agrees((f_up - f_x) / (up - x), f_up, f_x, up - x):
        return None
    return estimated


def _nearest_first(output):
    """The operation nodes behind `output`, by their distance from it."""
    distance, layer = {output: 0}, [output]
    while layer:
        following = []
        for node in layer:
            for operand in node._prev:
                if operand not in distance:
                    distance[operand] = distance[node] + 1
                    following.append(operand)
        layer = following
    return [node for node in distance if node._prev]  # dicts keep the order


def _operation(node, ops):
    """A function that recomputes `node` from operands (Values)."""
    op = node._op
    if op in ops:
        return ops[op]
    if op in OPERATIONS:
        return OPERATIONS[op]
    if op.startswith("**"):
        exponent = float(op[2:])
        return lambda a: a ** exponent
    if len(node._prev) == 1 and callable(getattr(math, op, None)):
        function = getattr(math, op)
        return lambda a: function(a.data)
    raise ValueError(f"blame cannot re-evaluate the operation {op!r}: pass "
                     f"it as blame(output, ops={{{op!r}: function}}), a "
                     "function of the operands (Values) returning the node")


def _evaluate(forward, values, node, i):
    try:
        out = forward(*(Value(v) for v in values))
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise ValueError(
            f"blame moved operand {i} of the {node._op} node to "
            f"{values[i]!r}, where the operation fails: {error}. "
            "Use a smaller h") from error
    return out.data if isinstance(out, Value) else float(out)
