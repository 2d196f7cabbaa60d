"""Checking backpropagation against finite differences."""

import math

from micrograd.engine import Value


def numerical_grad(f, xs, h=1e-6):
    """The gradient of `f` at the point `xs` by central differences.

    `f` takes one argument per input (as `Value`s), returns a Value or a number.
    d f / d x_i ~ (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / 2h,
    error O(h**2).
    """
    number = isinstance(h, (int, float)) and not isinstance(h, bool)
    if not (number and 0 < h < math.inf):
        raise ValueError(f"the step h must be a positive number, got {h!r}")
    xs = [float(x) for x in xs]

    def at(point, i):
        try:
            out = f(*(Value(x) for x in point))
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise ValueError(
                f"the finite-difference probe moved input {i} from {xs[i]!r} "
                f"to {point[i]!r}, where f fails: {error}. Use a smaller h "
                "or a point further from the edge of f's domain") from error
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
    """
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
