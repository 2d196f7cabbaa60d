"""Plain stochastic gradient descent, with PyTorch's two-call interface."""

import math
import numbers
import warnings


def _learning_rate(lr):
    """`lr` as a float; a TypeError if it is not a real number."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError("the learning rate must be a real number (int, float, "
                        f"NumPy float), not {type(lr).__name__}: {lr!r}")
    if not 0 < lr < math.inf:
        raise ValueError("the learning rate must be a positive finite number, "
                         f"got {lr!r}")
    return float(lr)


def _check_gradients(parameters):
    """A step along an infinite or nan gradient would make the parameter inf."""
    for i, p in enumerate(parameters):
        if not math.isfinite(p.grad):
            raise ValueError(f"parameter {i} has gradient {p.grad!r}: "
                             "no step can follow it")


class SGD:
    """Moves each parameter a step of size `lr` against its gradient.

    `zero_grad()` then `loss.backward()` then `step()`: the same three calls as
    `torch.optim.SGD`. `lr` may be changed between steps (a decaying schedule).
    """

    def __init__(self, parameters, lr):
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("SGD got no parameters to optimise")
        if len({id(p) for p in self.parameters}) < len(self.parameters):
            warnings.warn("SGD got the same parameter more than once: "
                          "step() will move it more than once", stacklevel=2)
        self.lr = _learning_rate(lr)

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0.0

    def step(self):
        lr = _learning_rate(self.lr)  # checked again: it may have been changed
        _check_gradients(self.parameters)
        for p in self.parameters:
            p.data -= lr * p.grad
