"""Plain stochastic gradient descent, with PyTorch's two-call interface."""

import math


class SGD:
    """Moves each parameter a step of size `lr` against its gradient.

    `zero_grad()` then `loss.backward()` then `step()`: the same three calls as
    `torch.optim.SGD`. `lr` may be changed between steps (a decaying schedule).
    """

    def __init__(self, parameters, lr):
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("SGD got no parameters to optimise")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < math.inf:
            raise ValueError(f"the learning rate must be a positive finite number, got {lr!r}")
        self.lr = lr

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0.0

    def step(self):
        for p in self.parameters:
            p.data -= self.lr * p.grad
