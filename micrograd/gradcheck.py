"""Checking backpropagation against finite differences."""

from micrograd.engine import Value


def numerical_grad(f, xs, h=1e-6):
    """The gradient of `f` at the point `xs` by central differences, input by input.

    `f` takes one argument per input (given as `Value`s), returns a `Value` or a number.
    d f / d x_i ~ (f(..., x_i + h, ...) - f(..., x_i - h, ...)) / 2h, error O(h**2).
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
    """Gradients of `f` at `xs` by backward() and by numerical_grad, checked to agree.

    Returns (backprop, numerical), two lists. Raises AssertionError naming each input
    whose gradients differ by more than atol + rtol * |numerical|.
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
