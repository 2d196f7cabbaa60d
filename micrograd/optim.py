"""Optimisers with PyTorch's two-call interface: SGD, Momentum, Adam, AdamW.

`zero_grad()`, then `loss.backward()`, then `step()`, as with `torch.optim`.
Each works on `Value`s and on `Tensor`s alike: a parameter's `data` and `grad`
are a float or an array, and the same arithmetic serves both.

Hyper-parameters are plain attributes that may be changed between steps (a
learning-rate schedule, say), so `step()` checks every one of them again,
exactly as the constructor does: a TypeError when a setting is not a real
number (or, for betas, not a pair), a ValueError when it is out of range.
"""

import math
import numbers
import sys
import warnings

from micrograd.engine import Value


class SGD:
    """Moves each parameter a step of size `lr` against its gradient.

    `lr` may be changed between steps, down to 0 (torch.optim allows it too:
    a warm-up that starts from 0, a schedule that decays to 0); a negative or
    non-finite lr is refused.

    The parameters must be leaves (`Value`s or `Tensor`s not computed by an
    operation), as torch.optim requires: backward() resets the gradient of
    any other node on each call, so accumulating gradients over two batches
    would keep only the last one, and the step would move a number that the
    next forward pass recomputes anyway. A parameter with no gradient yet
    (`p.grad = None`, or a Tensor no backward() has reached) is skipped, as
    torch.optim skips it.
    """

    def __init__(self, parameters, lr):
        self.parameters = _leaves(parameters, type(self).__name__)
        self.lr = lr
        self._settings()  # refuses bad hyper-parameters now, not at step 1

    def _settings(self):
        """The hyper-parameters, each checked, as floats."""
        return _learning_rate(self.lr)

    def zero_grad(self, set_to_none=False):
        """Reset every parameter's gradient before the next backward().

        To 0 by default, so that a gradient is always a number to read.
        `set_to_none=True` (torch.optim's default since PyTorch 2.0) means
        "no gradient yet" instead: a parameter the next loss does not reach
        is then skipped by step(), where a zero gradient still moves it in
        Momentum and Adam (their running means carry on).
        """
        for p in self.parameters:
            p.grad = None if set_to_none else 0.0

    def step(self):
        lr = self._settings()  # checked again: it may have been changed
        _check_gradients(self.parameters)
        for p in self.parameters:
            if _gradient(p) is not None:
                p.data -= lr * p.grad


class Momentum(SGD):
    """SGD with momentum, as `torch.optim.SGD(params, lr, momentum=...)`.

    Each parameter keeps a velocity, a running sum of its past gradients that
    decays by `momentum` per step: v = momentum * v + grad, then p -= lr * v.
    `momentum` must be in [0, 1): torch accepts any momentum >= 0, but from 1
    on the velocity never forgets and grows without bound.
    """

    def __init__(self, parameters, lr, momentum=0.9):
        self.momentum = momentum
        super().__init__(parameters, lr)
        self.velocities = [0.0] * len(self.parameters)

    def _settings(self):
        return (_learning_rate(self.lr),
                _number(self.momentum, "momentum", 0.0, 1.0))

    def step(self):
        lr, momentum = self._settings()
        _check_gradients(self.parameters)
        for i, p in enumerate(self.parameters):
            if _gradient(p) is None:
                continue
            v = momentum * self.velocities[i] + p.grad
            self.velocities[i] = v
            p.data -= lr * v


class Adam(SGD):
    """Adam, with `torch.optim.Adam`'s update rule and defaults.

    Each parameter keeps running means of its gradient (m) and of its squared
    gradient (v); the step is lr * m_hat / (sqrt(v_hat) + eps), where the hats
    undo the pull towards 0 of means that started at 0. Parameters whose
    gradients are small and steady get full-size steps, noisy ones small steps.

    `weight_decay` > 0 adds the gradient of the L2 penalty
    weight_decay/2 * p**2 to each gradient before the moments see it, as
    torch.optim.Adam does. The division by sqrt(v_hat) then shrinks that pull
    too, most for the weights with large gradients: see `AdamW` for the decay
    that acts on the weights directly.
    """

    # AdamW sets this: shrink the weights themselves instead of the gradient.
    decoupled_weight_decay = False

    def __init__(self, parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.0):
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        super().__init__(parameters, lr)
        self.steps = [0] * len(self.parameters)  # each parameter's own count
        self.means = [0.0] * len(self.parameters)
        self.squares = [0.0] * len(self.parameters)

    def _settings(self):
        return (_learning_rate(self.lr), _betas(self.betas),
                _number(self.eps, "eps", 0.0, math.inf),
                _number(self.weight_decay, "weight_decay", 0.0, math.inf))

    def step(self):
        lr, (beta1, beta2), eps, weight_decay = self._settings()
        _check_gradients(self.parameters)
        for i, p in enumerate(self.parameters):
            if _gradient(p) is None:  # no gradient yet: no step, no count
                continue
            self.steps[i] += 1
            t, g = self.steps[i], p.grad
            # m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t),
            # arranged as PyTorch computes them (to agree to the last bits).
            step_size = lr / (1 - beta1 ** t)
            root_correction = (1 - beta2 ** t) ** 0.5
            if self.decoupled_weight_decay:  # AdamW: shrink the weight
                p.data *= 1 - lr * weight_decay
            elif weight_decay:               # Adam: add L2's gradient
                g = g + weight_decay * p.data
            m = beta1 * self.means[i] + (1 - beta1) * g
            v = beta2 * self.squares[i] + (1 - beta2) * g * g
            self.means[i], self.squares[i] = m, v
            p.data -= step_size * m / (v ** 0.5 / root_correction + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay, as `torch.optim.AdamW` (Loshchilov
    and Hutter, "Decoupled Weight Decay Regularization", 2019).

    Each step first shrinks every weight by the factor 1 - lr * weight_decay,
    then takes Adam's step on the loss's gradient alone. Unlike L2 added to
    the gradient (`Adam(weight_decay=...)`), the shrinking is the same for
    every weight, whatever the size of its gradients.
    """

    decoupled_weight_decay = True

    def __init__(self, parameters, lr=0.001, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.01):
        super().__init__(parameters, lr, betas, eps, weight_decay)


# ---------------------------------------------------------------- checks

def _leaves(parameters, optimiser):
    """The parameters as a list, each a leaf `Value` or `Tensor`."""
    if isinstance(parameters, (Value, dict)) or _is_tensor(parameters):
        raise TypeError(f"{optimiser} needs a list of parameters, e.g. "
                        f"model.parameters(), not one {type(parameters).__name__}"
                        " (parameter groups are not supported)")
    parameters = list(parameters)
    if not parameters:
        raise ValueError(f"{optimiser} got no parameters to optimise")
    for i, p in enumerate(parameters):
        if not (isinstance(p, Value) or _is_tensor(p)):
            raise TypeError(f"{optimiser} needs Values or Tensors, which "
                            f"carry a gradient, but parameter {i} is a "
                            f"{type(p).__name__}: {p!r:.60}")
        if p._prev:
            raise ValueError(
                f"parameter {i} was computed by an operation ({p._op}), so "
                "backward() resets its gradient on each call and the next "
                f"forward pass recomputes it: {optimiser} needs leaves, as "
                "torch.optim does. Make the parameter from the finished "
                "numbers, e.g. Tensor(w0 * 0.5), not Tensor(w0) * 0.5")
    if len({id(p) for p in parameters}) < len(parameters):
        warnings.warn(f"{optimiser} got the same parameter more than once: "
                      "step() will move it more than once", stacklevel=3)
    return parameters


def _is_tensor(x):
    # micrograd.tensor needs NumPy; if nobody imported it, x cannot be a Tensor.
    # (The live pages' browser has no NumPy: there the module is a stand-in
    # whose Tensor is not a class, and nothing can be a Tensor either.)
    Tensor = getattr(sys.modules.get("micrograd.tensor"), "Tensor", None)
    return isinstance(Tensor, type) and isinstance(x, Tensor)


def _number(x, name, low, high):
    """`x` as a float in [low, high): else a TypeError or ValueError naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number (int, float, NumPy "
                        f"float), not {type(x).__name__}: {x!r}")
    if not low <= x < high:  # also False for nan
        allowed = (f"a finite number >= {low:g}" if high == math.inf
                   else f"a number in [{low:g}, {high:g})")
        raise ValueError(f"{name} must be {allowed}, got {x!r}")
    return float(x)


def _learning_rate(lr):
    return _number(lr, "the learning rate", 0.0, math.inf)


def _betas(betas):
    """(beta1, beta2): two numbers in [0, 1), the decay rates of the means."""
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__"):
        raise TypeError("betas must be a pair of numbers (beta1, beta2), "
                        f"not {type(betas).__name__}: {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas needs two numbers, got {betas!r}")
    return tuple(_number(b, "each of betas", 0.0, 1.0) for b in betas)


def _gradient(p):
    """p's gradient, or None if it has none yet.

    A Tensor makes its zeros only when `.grad` is read, so its private `_grad`
    tells whether any gradient arrived; a Value's `grad` is None after
    `v.grad = None`.
    """
    return p._grad if _is_tensor(p) else p.grad


def _check_gradients(parameters):
    """A step along an infinite or nan gradient would make the parameter inf."""
    for i, p in enumerate(parameters):
        if _gradient(p) is not None and not _finite(p.grad):
            raise ValueError(f"parameter {i} has gradient {p.grad!r}: "
                             "no step can follow it")


def _finite(grad):
    if isinstance(grad, numbers.Real):
        return math.isfinite(grad)
    import numpy as np  # an array: the gradient of a micrograd.tensor.Tensor

    return bool(np.isfinite(grad).all())
