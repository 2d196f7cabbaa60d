"""SGD, Momentum, Adam (with L2 weight decay) and AdamW against torch.optim, step by step, on Values
and on Tensors; the probe's optimiser items (non-leaf parameters, lr scheduled to 0, hyper-parameter
checks)."""

import numpy as np
import pytest
import torch

from micrograd.engine import Value
from micrograd.optim import SGD, Adam, AdamW, Momentum
from micrograd.tensor import Tensor

torch.set_default_dtype(torch.float64)
STEPS = 100

# Each case: our optimiser, torch's, and the options both take.
OPTIMISERS = {
    "sgd": (SGD, torch.optim.SGD, dict(lr=0.1)),
    "momentum": (Momentum, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    "momentum-0.5": (Momentum, torch.optim.SGD, dict(lr=0.2, momentum=0.5)),
    "adam": (Adam, torch.optim.Adam, dict(lr=0.01)),
    "adam-betas-eps": (Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
    "adam-l2": (Adam, torch.optim.Adam, dict(lr=0.02, weight_decay=0.1)),
    "adamw": (AdamW, torch.optim.AdamW, dict(lr=0.02)),
    "adamw-strong": (AdamW, torch.optim.AdamW, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.5)),
}


def scalar_loss(a, b, c, tanh):
    """A small non-convex function of three numbers, written once for both engines."""
    return (a * b - 1) ** 2 + (tanh(b) + c) ** 2 + 0.1 * (a - 2 * c) ** 2


def step(optimiser, loss):
    """One training step, ours or torch.optim's: the gradients of `loss`, then the update."""
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()


@pytest.mark.parametrize("name", OPTIMISERS)
def test_values_follow_torch_optim_step_by_step(name):
    ours, theirs, options = OPTIMISERS[name]
    start = [0.5, -1.5, 2.0]
    values = [Value(x) for x in start]
    tensors = [torch.tensor(x, requires_grad=True) for x in start]
    optimiser, reference = ours(values, **options), theirs(tensors, **options)
    for _ in range(STEPS):
        step(optimiser, scalar_loss(*values, tanh=Value.tanh))
        step(reference, scalar_loss(*tensors, tanh=torch.tanh))
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
        step(optimiser, (((Tensor(X) @ W + b).tanh() - Y) ** 2).mean())
        tW, tb = tparams
        step(reference, ((torch.tanh(torch.tensor(X) @ tW + tb) - torch.tensor(Y)) ** 2).mean())
        for p, t in zip(params, tparams):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_a_changed_learning_rate_is_used_from_the_next_step():
    values = [Value(1.0)]
    tensors = [torch.tensor(1.0, requires_grad=True)]
    optimiser, reference = Adam(values, lr=0.1), torch.optim.Adam(tensors, lr=0.1)
    for k in range(10):
        optimiser.lr = reference.param_groups[0]["lr"] = 0.1 / (k + 1)
        step(optimiser, values[0] ** 3)
        step(reference, tensors[0] ** 3)
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
    (lambda p: Momentum(p, lr=-0.1), "learning rate"),
    (lambda p: Adam(p, lr=-1), "learning rate"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), r"betas must be a number in \[0, 1\)"),
    (lambda p: Adam(p, betas=(0.9,)), "two numbers"),
    (lambda p: Adam(p, eps=-1e-8), "eps"),
    (lambda p: Adam(p, eps=float("inf")), "eps"),
    (lambda p: Adam(p, weight_decay=-0.1), "weight_decay must be a finite number >= 0"),
    (lambda p: AdamW(p, weight_decay=float("nan")), "weight_decay"),
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


# ---------------------------------------------------------------- AdamW and Adam's weight decay

def test_adamw_and_adam_have_torch_optims_defaults():
    import inspect
    for ours, theirs in [(Adam, torch.optim.Adam), (AdamW, torch.optim.AdamW)]:
        mine = inspect.signature(ours).parameters
        reference = inspect.signature(theirs).parameters
        for name in ("lr", "betas", "eps", "weight_decay"):
            assert mine[name].default == reference[name].default, (ours.__name__, name)


def test_l2_and_decoupled_weight_decay_differ_as_the_papers_say():
    """One step from the same point: Adam's L2 pull is divided by sqrt(v) with the loss's gradient,
    AdamW's shrinking is not; both as torch computes them."""
    results = {}
    for name, ours, theirs in [("l2", Adam, torch.optim.Adam), ("decoupled", AdamW, torch.optim.AdamW)]:
        p, t = Value(2.0), torch.tensor(2.0, requires_grad=True)
        optimiser, reference = ours([p], lr=0.1, weight_decay=0.5), theirs([t], lr=0.1, weight_decay=0.5)
        (p * 100.0).backward()  # a large gradient: 100
        (t * 100.0).backward()
        optimiser.step()
        reference.step()
        assert p.data == pytest.approx(t.item(), rel=1e-15), name
        results[name] = p.data
    # L2: the gradient 100 + 0.5 * 2 goes through Adam's normalisation: a step of lr.
    assert results["l2"] == pytest.approx(2.0 - 0.1, rel=1e-6)
    # Decoupled: the weight shrinks by (1 - lr * wd) first, then Adam's step of lr.
    assert results["decoupled"] == pytest.approx(2.0 * (1 - 0.1 * 0.5) - 0.1, rel=1e-6)


def test_adamw_shrinks_a_weight_with_no_loss_gradient_as_torch():
    p, t = Tensor([3.0, -1.0]), torch.tensor([3.0, -1.0], requires_grad=True)
    optimiser, reference = AdamW([p], lr=0.1, weight_decay=0.2), torch.optim.AdamW([t], lr=0.1, weight_decay=0.2)
    for _ in range(STEPS):
        step(optimiser, (p * 0.0).sum())
        step(reference, (t * 0.0).sum())
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(p.data, np.array([3.0, -1.0]) * (1 - 0.1 * 0.2) ** STEPS, rtol=1e-13)


# ---------------------------------------------------------------- the probe's optimiser items

ALL = [lambda ps: SGD(ps, lr=0.1), lambda ps: Momentum(ps, lr=0.1), lambda ps: Adam(ps),
       lambda ps: AdamW(ps)]


@pytest.mark.parametrize("make", ALL)
def test_a_parameter_made_by_an_operation_is_refused_as_torch_refuses_it(make):
    """Probe M4: w = Tensor(...) * 0.5 is not a leaf; its gradient is reset by each backward()."""
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([torch.tensor([1.0, 2.0], requires_grad=True) * 0.5], lr=0.1)
    w = Tensor([1.0, 2.0]) * 0.5
    with pytest.raises(ValueError, match=r"parameter 1 was computed by an operation \(\*\).*needs leaves"):
        make([Tensor([1.0]), w])
    with pytest.raises(ValueError, match=r"parameter 0 was computed by an operation \(tanh\)"):
        make([Value(0.3).tanh()])


@pytest.mark.parametrize("make", ALL)
def test_what_is_not_a_parameter_list_is_refused_at_construction(make):
    with pytest.raises(TypeError, match="parameter 1 is a float"):
        make([Value(1.0), 2.0])
    with pytest.raises(TypeError, match="needs a list of parameters.*not one dict"):
        make({"params": [Value(1.0)]})
    with pytest.raises(TypeError, match="needs a list of parameters.*not one Tensor"):
        make(Tensor([1.0, 2.0]))


@pytest.mark.parametrize("name", OPTIMISERS)
def test_a_learning_rate_scheduled_to_zero_as_torch_allows(name):
    """Probe L1: warm-up from 0 and decay to 0 (torch: 0.0 <= lr)."""
    ours, theirs, options = OPTIMISERS[name]
    values = [Value(0.5), Value(-1.5), Value(2.0)]
    tensors = [torch.tensor(v.data, requires_grad=True) for v in values]
    optimiser, reference = ours(values, **{**options, "lr": 0}), theirs(tensors, **{**options, "lr": 0})
    schedule = [0.0, 0.01, 0.02, 0.05, 0.02, 0.0, 0.0, 0.01]
    for lr in schedule:
        optimiser.lr = reference.param_groups[0]["lr"] = lr
        step(optimiser, scalar_loss(*values, tanh=Value.tanh))
        step(reference, scalar_loss(*tensors, tanh=torch.tanh))
    np.testing.assert_allclose([v.data for v in values], [t.item() for t in tensors], rtol=1e-13)


SETTINGS = [  # (optimiser, attribute, bad value, error, message)
    (SGD, "lr", -0.1, ValueError, r"the learning rate must be a finite number >= 0, got -0.1"),
    (SGD, "lr", float("nan"), ValueError, "the learning rate must be a finite number >= 0"),
    (SGD, "lr", "0.1", TypeError, "the learning rate must be a real number"),
    (Momentum, "momentum", 5, ValueError, r"momentum must be a number in \[0, 1\), got 5"),
    (Momentum, "momentum", "0.9", TypeError, "momentum must be a real number .* not str"),
    (Adam, "betas", 0.9, TypeError, r"betas must be a pair of numbers \(beta1, beta2\), not float"),
    (Adam, "betas", (1.0, 0.999), ValueError, r"each of betas must be a number in \[0, 1\), got 1.0"),
    (Adam, "betas", (0.9, 0.99, 0.9), ValueError, "betas needs two numbers"),
    (Adam, "betas", (0.9, None), TypeError, "each of betas must be a real number"),
    (Adam, "eps", "1e-8", TypeError, "eps must be a real number"),
    (Adam, "eps", -1.0, ValueError, "eps must be a finite number >= 0"),
    (AdamW, "weight_decay", True, TypeError, "weight_decay must be a real number .* not bool"),
    (AdamW, "weight_decay", -0.01, ValueError, "weight_decay must be a finite number >= 0"),
]


@pytest.mark.parametrize("optimiser, name, bad, error, match", SETTINGS)
def test_every_setting_is_checked_alike_at_construction_and_at_each_step(optimiser, name, bad, error, match):
    """Probe L12: one rule for every hyper-parameter, before the first step and after a change."""
    options = {"lr": 0.1} if optimiser in (SGD, Momentum) else {}
    with pytest.raises(error, match=match):
        optimiser([Value(1.0)], **{**options, name: bad})
    p = Value(1.0)
    p.grad = 0.5
    opt = optimiser([p], **options)
    setattr(opt, name, bad)
    with pytest.raises(error, match=match):
        opt.step()
    assert p.data == 1.0  # nothing moved


@pytest.mark.parametrize("make", ALL)
def test_a_parameter_with_no_gradient_yet_is_skipped_as_torch_skips_it(make):
    p, q = Value(1.0), Value(2.0)
    tp, tq = (torch.tensor(x, requires_grad=True) for x in (1.0, 2.0))
    optimiser, reference = make([p, q]), type(make([Value(0.0)])).__name__
    theirs = {"SGD": lambda ps: torch.optim.SGD(ps, lr=0.1), "Momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
              "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}[reference]([tp, tq])
    for _ in range(3):
        p.grad, q.grad = 0.0, None
        (p * p).backward()
        optimiser.step()
        theirs.zero_grad()  # torch's default: grads set to None
        (tp * tp).backward()
        theirs.step()
    assert tq.grad is None and q.data == tq.item() == 2.0
    assert p.data == pytest.approx(tp.item(), rel=1e-14)


@pytest.mark.parametrize("name", OPTIMISERS)
def test_a_parameter_that_joins_the_loss_later_follows_torch(name):
    """zero_grad(set_to_none=True), torch's default: a parameter without a gradient is skipped
    and keeps its own step count (Adam's bias correction starts when its gradients do)."""
    ours, theirs, options = OPTIMISERS[name]
    start = [np.array([0.5, -1.0]), np.array([2.0, 0.3])]
    params = [Tensor(x) for x in start]
    tparams = [torch.tensor(x, requires_grad=True) for x in start]
    optimiser, reference = ours(params, **options), theirs(tparams, **options)
    for step in range(12):
        for (a, b), zero in ((params, optimiser.zero_grad), (tparams, reference.zero_grad)):
            zero(set_to_none=True)
            loss = (a * a).sum() + ((a * b).sum() if step >= 3 else 0.0)
            loss.backward()
        optimiser.step()
        reference.step()
        for p, t in zip(params, tparams):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-13, atol=1e-15)
    if name.startswith("adam"):
        assert optimiser.steps == [12, 9]


def test_zero_grad_to_none_reads_as_no_gradient():
    p, w = Value(1.0), Tensor([1.0, 2.0])
    optimiser = SGD([p, w], lr=0.1)
    (p * 2).backward()
    (w * w).sum().backward()
    optimiser.zero_grad(set_to_none=True)
    assert p.grad is None and w._grad is None
    optimiser.step()      # nothing to follow: nothing moves
    assert p.data == 1.0 and w.data.tolist() == [1.0, 2.0]
    optimiser.zero_grad()
    assert p.grad == 0.0 and w.grad.tolist() == [0.0, 0.0]
