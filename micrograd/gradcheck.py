"""Checking backpropagation against finite differences."""

from micrograd.engine import Value


def numerical_grad(f, xs, h=1e-6):
    """The gradient of `f` at the point `xs` by central differences, one input at a time.

    `f` takes one argument per input (it is given `Value`s) and returns a `Value` or a number.
    d f / d x_i ~ (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / 2h, with error O(h**2).
    """
    xs = [float(x) for x in xs]

    def at(point):
        out = f(*(Value(x) for x in point))
        return out.data if isinstance(out, Value) else float(out)

    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((at(up) - at(down)) / (2 * h))
    return grads


def gradcheck(f, xs, h=1e-6, rtol=1e-5, atol=1e-6):
    """Backpropagated and numerical gradients of `f` at `xs`, after checking that they agree.

    Returns (backprop, numerical), two lists. Raises AssertionError naming each input
    whose gradients differ by more than atol + rtol * |numerical|.
    """
    inputs = [Value(x) for x in xs]
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value, got {type(out).__name__}")
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
