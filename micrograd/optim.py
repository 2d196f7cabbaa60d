"""Optimisers with PyTorch's two-call interface: SGD, Momentum, Adam."""

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
        if not _finite(p.grad):
            raise ValueError(f"parameter {i} has gradient {p.grad!r}: "
                             "no step can follow it")


def _finite(grad):
    if isinstance(grad, numbers.Real):
        return math.isfinite(grad)
    import numpy as np  # an array: the gradient of a micrograd.tensor.Tensor

    return bool(np.isfinite(grad).all())


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


class Momentum(SGD):
    """SGD with momentum, as `torch.optim.SGD(params, lr, momentum=...)`.

    Each parameter keeps a velocity, a running sum of its past gradients that
    decays by `momentum` per step: v = momentum * v + grad, then p -= lr * v.
    Works on Values and Tensors alike (the velocity takes the gradient's shape).
    """

    def __init__(self, parameters, lr, momentum=0.9):
        super().__init__(parameters, lr)
        self.momentum = _fraction(momentum, "momentum")
        self.velocities = [0.0] * len(self.parameters)

    def step(self):
        lr = _learning_rate(self.lr)
        _check_gradients(self.parameters)
        for i, p in enumerate(self.parameters):
            v = self.momentum * self.velocities[i] + p.grad
            self.velocities[i] = v
            p.data -= lr * v


class Adam(SGD):
    """Adam, with `torch.optim.Adam`'s update rule and defaults.

    Each parameter keeps running means of its gradient (m) and of its squared
    gradient (v); the step is lr * m_hat / (sqrt(v_hat) + eps), where the hats
    undo the pull towards 0 of means that started at 0. Parameters whose
    gradients are small and steady get full-size steps, noisy ones small steps.
    Works on Values and Tensors alike.
    """

    def __init__(self, parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(parameters, lr)
        self.betas = tuple(_fraction(b, "each of betas") for b in betas)
        if len(self.betas) != 2:
            raise ValueError(f"betas needs two numbers, got {betas!r}")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) \
                or not 0 <= eps < math.inf:
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        self.eps = eps
        self.steps = 0
        self.means = [0.0] * len(self.parameters)
        self.squares = [0.0] * len(self.parameters)

    def step(self):
        lr = _learning_rate(self.lr)
        _check_gradients(self.parameters)
        self.steps += 1
        beta1, beta2 = self.betas
        # m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t), arranged
        # as PyTorch computes them (so the two agree to the last bits).
        step_size = lr / (1 - beta1 ** self.steps)
        root_correction = (1 - beta2 ** self.steps) ** 0.5
        for i, p in enumerate(self.parameters):
            g = p.grad
            m = beta1 * self.means[i] + (1 - beta1) * g
            v = beta2 * self.squares[i] + (1 - beta2) * g * g
            self.means[i], self.squares[i] = m, v
            p.data -= step_size * m / (v ** 0.5 / root_correction + self.eps)


def _fraction(x, what):
    """`x` if it is a number in [0, 1), else a ValueError naming `what`."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < 1:
        raise ValueError(f"{what} must be a number in [0, 1), got {x!r}")
    return x
