"""Momentum and Adam against torch.optim, step by step, on Values and on Tensors."""

import numpy as np
import pytest
import torch

from micrograd.engine import Value
from micrograd.optim import SGD, Adam, Momentum
from micrograd.tensor import Tensor

torch.set_default_dtype(torch.float64)
STEPS = 40

# Each case: our optimiser, torch's, and the options both take.
OPTIMISERS = {
    "sgd": (SGD, torch.optim.SGD, dict(lr=0.1)),
    "momentum": (Momentum, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    "momentum-0.5": (Momentum, torch.optim.SGD, dict(lr=0.2, momentum=0.5)),
    "adam": (Adam, torch.optim.Adam, dict(lr=0.01)),
    "adam-betas-eps": (Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
}


def scalar_loss(a, b, c, tanh):
    """A small non-convex function of three numbers, written once for both engines."""
    return (a * b - 1) ** 2 + (tanh(b) + c) ** 2 + 0.1 * (a - 2 * c) ** 2


@pytest.mark.parametrize("name", OPTIMISERS)
def test_values_follow_torch_optim_step_by_step(name):
    ours, theirs, options = OPTIMISERS[name]
    start = [0.5, -1.5, 2.0]
    values = [Value(x) for x in start]
    tensors = [torch.tensor(x, requires_grad=True) for x in start]
    optimiser, reference = ours(values, **options), theirs(tensors, **options)
    for _ in range(STEPS):
        optimiser.zero_grad()
        scalar_loss(*values, tanh=Value.tanh).backward()
        optimiser.step()
        reference.zero_grad()
        scalar_loss(*tensors, tanh=torch.tanh).backward()
        reference.step()
        np.testing.assert_allclose([v.data for v in values], [t.item() for t in tensors],
                                   rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", OPTIMISERS)
def test_tensors_follow_torch_optim_step_by_step(name):
    ours, theirs, options = OPTIMISERS[name]
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    start = [rng.normal(size=(3, 2)), np.zeros(2)]
    params = [Tensor(x) for x in start]
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    optimiser, reference = ours(params, **options), theirs(tparams, **options)
    for _ in range(STEPS):
        W, b = params
        optimiser.zero_grad()
        (((Tensor(X) @ W + b).tanh() - Y) ** 2).mean().backward()
        optimiser.step()
        tW, tb = tparams
        reference.zero_grad()
        ((torch.tanh(torch.tensor(X) @ tW + tb) - torch.tensor(Y)) ** 2).mean().backward()
        reference.step()
        for p, t in zip(params, tparams):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_a_changed_learning_rate_is_used_from_the_next_step():
    values = [Value(1.0)]
    tensors = [torch.tensor(1.0, requires_grad=True)]
    optimiser, reference = Adam(values, lr=0.1), torch.optim.Adam(tensors, lr=0.1)
    for k in range(10):
        optimiser.lr = reference.param_groups[0]["lr"] = 0.1 / (k + 1)
        optimiser.zero_grad()
        (values[0] ** 3).backward()
        optimiser.step()
        reference.zero_grad()
        (tensors[0] ** 3).backward()
        reference.step()
    assert values[0].data == pytest.approx(tensors[0].item(), rel=1e-12)


def test_zero_grad_resets_tensor_gradients_to_zeros_of_their_shape():
    W = Tensor(np.ones((2, 3)))
    optimiser = Adam([W])
    (W * W).sum().backward()
    optimiser.zero_grad()
    assert W.grad.shape == (2, 3) and not W.grad.any()


def test_adam_takes_steps_of_about_lr_whatever_the_gradient_scale():
    """What sets Adam apart: the first step is lr in size, for a gradient of 1e-4 or 1e6."""
    for scale in (1e-4, 1.0, 1e6):
        p = Value(0.0)
        optimiser = Adam([p], lr=0.01)
        (p * scale).backward()
        optimiser.step()
        assert p.data == pytest.approx(-0.01, rel=1e-3)


@pytest.mark.parametrize("make, match", [
    (lambda p: Momentum(p, lr=0.1, momentum=1.0), r"momentum must be a number in \[0, 1\)"),
    (lambda p: Momentum(p, lr=0.1, momentum=-0.1), "momentum"),
    (lambda p: Momentum(p, lr=0.1, momentum="0.9"), "momentum"),
    (lambda p: Momentum(p, lr=0.0), "learning rate"),
    (lambda p: Adam(p, lr=-1), "learning rate"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), r"betas must be a number in \[0, 1\)"),
    (lambda p: Adam(p, betas=(0.9,)), "two numbers"),
    (lambda p: Adam(p, eps=-1e-8), "eps"),
    (lambda p: Adam(p, eps=float("inf")), "eps"),
    (lambda p: Adam([]), "no parameters"),
])
def test_bad_settings_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make([Value(1.0)])


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: Momentum(p, lr=0.1),
                                  lambda p: Adam(p)])
def test_a_tensor_gradient_with_inf_is_refused(make):
    W = Tensor([1.0, 2.0])
    optimiser = make([W])
    W.grad = np.array([0.0, np.inf])
    with pytest.raises(ValueError, match="gradient"):
        optimiser.step()
    np.testing.assert_array_equal(W.data, [1.0, 2.0])
