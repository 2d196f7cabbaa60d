"""gradcheck on Tensors (element by element) and blame (which node is wrong), against
central differences, PyTorch float64 and planted bugs."""

import inspect
import math
import random

import numpy as np
import pytest
import torch

import micrograd.tensor as tensor_module
from micrograd.engine import Value, _node, weighted_sum
from micrograd.gradcheck import OPERATIONS, Disagreement, blame, gradcheck, numerical_grad
from micrograd.nn import MLP
from micrograd.tensor import Tensor, cross_entropy

torch.set_default_dtype(torch.float64)


# ---------------------------------------------------------------- gradcheck on Tensors

TENSOR_FUNCTIONS = {  # name: (function of Tensors or torch tensors, input shapes)
    "matmul-tanh": (lambda x, w, b: ((x @ w + b).tanh() ** 2).sum(), [(4, 3), (3, 2), (2,)]),
    "broadcast-div": (lambda a, b: (a / (b * b + 1.0)).mean(), [(2, 3), (3,)]),
    "exp-log-sigmoid": (lambda a: (a.exp() + 1.0).log().sum() + a.sigmoid().mean(), [(5,)]),
    "relu-reshape-T": (lambda a, w: (a.reshape(3, 2).T @ w).relu().sum(), [(6,), (3, 4)]),
    "log_softmax": (lambda z: (z.log_softmax(axis=-1)[:, 1] * 2.0).sum(), [(3, 4)]),
    "batched-matmul": (lambda a, b: (a @ b).sum(), [(2, 3, 4), (4,)]),
}


def _torch_grads(f, arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    f(*ts).backward()
    return [t.grad.numpy() for t in ts]


@pytest.mark.parametrize("name", TENSOR_FUNCTIONS)
def test_tensor_gradcheck_agrees_with_torch_and_central_differences(name):
    f, shapes = TENSOR_FUNCTIONS[name]
    rng = np.random.default_rng(len(name))
    arrays = [rng.uniform(-1.5, 1.5, size=s) + 0.1 for s in shapes]  # away from ReLU's kink
    backprop, numerical = gradcheck(f, arrays)
    assert [g.shape for g in backprop] == [g.shape for g in numerical] == [a.shape for a in arrays]
    for ours, reference in zip(backprop, _torch_grads(f, arrays)):
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)
    for ours, estimate in zip(backprop, numerical):
        np.testing.assert_allclose(ours, estimate, rtol=1e-6, atol=1e-7)


def test_tensor_gradcheck_leaves_the_callers_arrays_alone():
    a = np.array([[0.3, -0.2], [1.0, 2.0]])
    before = a.copy()
    gradcheck(lambda t: (t * t).sum(), [a])
    assert np.array_equal(a, before)


def test_tensor_gradcheck_accepts_numbers_beside_arrays():
    backprop, numerical = gradcheck(lambda x, s: (x * s).sum(), [np.array([1.0, 2.0]), 3.0])
    np.testing.assert_allclose(backprop[0], [3.0, 3.0])
    assert backprop[1].shape == () and backprop[1] == pytest.approx(3.0)
    assert numerical[1] == pytest.approx(3.0, rel=1e-8)


def _planted_exp_vjp(monkeypatch, element):
    """Tensor.exp whose vector-Jacobian product is wrong in one element of the gradient."""
    def exp(self):
        out = np.exp(self.data)

        def vjp(g):
            grad = g * out
            grad[element] *= 1.5  # the planted bug
            return (grad,)
        return tensor_module._node(out, "exp", (self,), vjp)
    monkeypatch.setattr(Tensor, "exp", exp)


def test_tensor_gradcheck_names_the_input_and_element_of_a_planted_wrong_vjp(monkeypatch):
    _planted_exp_vjp(monkeypatch, (1, 2))
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    w = np.array([0.5, -0.25, 2.0])
    with pytest.raises(AssertionError) as caught:
        gradcheck(lambda w, x: (w @ x.exp()).sum(), [w, x])
    message = str(caught.value)
    assert "disagree at 1 elements" in message
    assert "input 1 (shape (3, 4)), element (1, 2)" in message
    assert "input 0" not in message
    # The numbers in the message: backward() 1.5 times the true d/dx = w_1 * e^x.
    true = w[1] * math.exp(x[1, 2])
    assert repr(1.5 * true)[:10] in message and repr(true)[:8] in message


def test_tensor_gradcheck_catches_a_matmul_weight_vjp_one_percent_too_large():
    """The tensors chapter's claim: with the matrix product's dL/dW made 1 % too large, gradcheck
    stops and names input 1 (W) and an element that disagrees, and nothing of input 0 (X)."""
    def bad_matmul(A, B):
        return tensor_module._node(A.data @ B.data, "@", (A, B),
                                   lambda g: (g @ B.data.T, 1.01 * A.data.T @ g))

    rng = np.random.default_rng(0)
    X, W, C = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    with pytest.raises(AssertionError, match=r"input 1 \(shape \(3, 2\)\), element \(\d, \d\)") as caught:
        gradcheck(lambda X, W: (bad_matmul(X, W) * C).sum(), [X, W])
    assert "input 0" not in str(caught.value)


def test_tensor_gradcheck_lists_ten_elements_then_counts_the_rest(monkeypatch):
    def tanh(self):
        t = np.tanh(self.data)
        return tensor_module._node(t, "tanh", (self,), lambda g: (g * (1.0 - t),))  # not 1 - t²
    monkeypatch.setattr(Tensor, "tanh", tanh)
    with pytest.raises(AssertionError, match=r"at 30 elements:[\s\S]*\.\.\. and 20 more elements"):
        gradcheck(lambda x: x.tanh().sum(), [np.linspace(0.1, 2, 30)])


def test_tensor_gradcheck_refuses_a_non_scalar_result():
    with pytest.raises(ValueError, match=r"one-element tensor.*shape \(2,\)"):
        gradcheck(lambda x: x * 2.0, [np.array([1.0, 2.0])])
    with pytest.raises(TypeError, match="return a Tensor, got float"):
        gradcheck(lambda x: 1.0, [np.array([1.0])])


def test_tensor_numerical_grad_names_the_element_where_f_fails():
    with pytest.raises(ValueError, match=r"input 0, element \(1,\), from 1e-07"):
        numerical_grad(lambda x: x.log().sum(), [np.array([1.0, 1e-7])])


def test_tensor_gradcheck_of_cross_entropy():
    logits = np.random.default_rng(3).normal(size=(5, 4))
    targets = np.array([0, 3, 1, 1, 2])
    backprop, _ = gradcheck(lambda z: cross_entropy(z, targets), [logits])
    z = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.tensor(targets)).backward()
    np.testing.assert_allclose(backprop[0], z.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_scalar_gradcheck_is_unchanged_for_numbers():
    backprop, numerical = gradcheck(lambda a, b: (a * b).tanh(), [0.3, -0.7])
    assert isinstance(backprop, list) and all(isinstance(g, float) for g in backprop + numerical)


# ---------------------------------------------------------------- blame

def _every_operation(a, b, c):
    """One graph with every operation of Value, mirrored forms included."""
    s = a * b + c - a / b
    t = (-s).tanh() + 0.1 * (a * a).exp() + (b * b).log() + c.sigmoid() + (2 + a).relu()
    u = weighted_sum([a, b, c], [c, s, t], 0.5)
    return 1 - u ** 3 + 2 / (c ** 2 + 1) + (a * a) ** 0.5 + (b * b + 1) ** (1 / 3)


def test_blame_finds_nothing_wrong_in_the_engine_itself():
    rng = random.Random(0)
    for _ in range(30):
        out = _every_operation(*(Value(rng.uniform(-1.5, 1.5)) for _ in range(3)))
        assert blame(out) == []


def test_every_operation_of_value_is_known_to_blame():
    methods = {name for name, fn in vars(Value).items() if inspect.isfunction(fn)} - {
        "__init__", "__repr__", "topological_order", "backward"}
    out = _every_operation(Value(0.3), Value(-0.8), Value(1.2))
    ops = {node._op for node in out.topological_order() if node._op}
    assert {op for op in ops if not op.startswith("**")} == set(OPERATIONS)
    assert {"**3", "**2", "**0.5", f"**{1 / 3!r}"} <= ops
    # and every method of Value that makes a node is called by the graph
    called = set()
    originals = {name: vars(Value)[name] for name in methods}
    try:
        for name, fn in originals.items():
            setattr(Value, name, (lambda n, f: lambda *a, **k: called.add(n) or f(*a, **k))(name, fn))
        _every_operation(Value(0.3), Value(-0.8), Value(1.2))
    finally:
        for name, fn in originals.items():
            setattr(Value, name, fn)
    assert called == methods, methods - called


def test_blame_finds_nothing_wrong_in_an_mlp_with_fused_neurons():
    random.seed(1)
    model = MLP(3, [4, 4, 1])
    xs = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]]
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, [1.0, -1.0]))
    assert any(node._op == "w·x+b" for node in loss.topological_order())
    assert blame(loss) == []


def test_blame_names_a_planted_wrong_local_derivative_and_nothing_else():
    a, b = Value(1.3, label="a"), Value(-0.4, label="b")
    c = (a * b).tanh()
    d = c.exp() + a ** 2
    wrong = d._prev[1]                    # the a**2 node
    wrong._local_grads = (a.data,)        # planted: stores a instead of 2a
    out = (d * b).sigmoid()
    found = blame(out)
    assert len(found) == 1
    (disagreement,) = found
    assert isinstance(disagreement, Disagreement)
    assert disagreement.node is wrong and disagreement.operand is a
    assert disagreement.stored == a.data
    assert disagreement.estimated == pytest.approx(2 * a.data, rel=1e-9)
    text = str(disagreement)
    assert "**2 node" in text and "'a'" in text and "1.3" in text and "2.6" in text


def test_blame_lists_the_node_nearest_the_output_first():
    x = Value(0.7, label="x")
    deep = x.exp()
    deep._local_grads = (0.0,)            # wrong, far from the output
    mid = (deep * 3.0).tanh()
    top = mid + x
    top._local_grads = (1.0, 2.0)         # wrong, at the output
    found = blame(top)
    assert [d.node for d in found] == [top, deep]
    assert found[0].operand is x and found[0].stored == 2.0


def test_blame_checks_each_edge_of_an_operand_used_twice():
    a = Value(1.5)
    square = a * a
    square._local_grads = (a.data, 0.0)   # the second edge is wrong
    (found,) = blame(square)
    assert found.node is square and found.stored == 0.0 and found.estimated == pytest.approx(1.5)


def test_blame_catches_a_wrong_weighted_sum_derivative():
    ws, xs = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)]
    n = weighted_sum(ws, xs, Value(0.1))
    grads = list(n._local_grads)
    grads[3] = 0.5                        # d/dx_2 should be w_2 = -1
    n._local_grads = tuple(grads)
    (found,) = blame(n.tanh())
    assert found.node is n and found.operand is xs[1] and found.estimated == pytest.approx(-1.0)


def test_blame_for_a_new_primitive_written_as_the_checking_chapter_teaches():
    def sin(a):
        return _node(math.sin(a.data), "sin", (a,), (0.0,))  # the exercise's starter

    def sin_fixed(a):
        return _node(math.sin(a.data), "sin", (a,), (math.cos(a.data),))

    x = Value(0.5, label="x")
    (found,) = blame((sin(x) * 2).tanh())
    assert found.node._op == "sin" and found.stored == 0.0
    assert found.estimated == pytest.approx(math.cos(0.5), rel=1e-9)
    assert blame((sin_fixed(x) * 2).tanh()) == []
    # a primitive named after nothing in `math`: its function is passed in
    def softplus(a):
        return _node(math.log1p(math.exp(a.data)), "softplus", (a,), (1.0,))  # should be σ(a)
    with pytest.raises(ValueError, match=r"cannot re-evaluate the operation 'softplus'.*ops="):
        blame(softplus(x))
    (found,) = blame(softplus(x) + 1, ops={"softplus": softplus})
    assert found.estimated == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-9)


def test_blame_is_not_fooled_by_round_off_on_large_numbers():
    a, b = Value(1e6), Value(1.0)
    out = (a + b) * (a * b) + (a / 1e5).exp()
    assert blame(out) == []


def test_blame_accepts_either_slope_at_a_kink_and_nothing_else():
    x = Value(0.0)
    assert blame(x.relu()) == []          # PyTorch's convention: the left slope, 0
    right = x.relu()
    right._local_grads = (1.0,)           # the right slope is as fair
    assert blame(right) == []
    between = x.relu()
    between._local_grads = (0.7,)
    (found,) = blame(between)
    assert (found.stored, found.estimated) == (0.7, 0.5)


def test_blame_explains_a_domain_edge_and_bad_arguments():
    with pytest.raises(ValueError, match="operand 0 of the log node to -9.9e-07"):
        blame(Value(1e-8).log())
    with pytest.raises(TypeError, match="blame needs a Value, got float"):
        blame(1.0)
    with pytest.raises(ValueError, match="the step h must be a positive number"):
        blame(Value(1.0).exp(), h=0)


def test_blame_agrees_with_torch_on_every_edge_of_a_neuron():
    """The estimates blame computes are the local derivatives PyTorch's autograd gives."""
    xs = [0.5, -1.2, 0.8, 0.3, -0.1]
    v = [Value(x) for x in xs]
    n = weighted_sum(v[:2], v[2:4], v[4])
    t = [torch.tensor(x, requires_grad=True) for x in xs]
    tn = t[0] * t[2] + t[1] * t[3] + t[4]
    torch_local = torch.autograd.grad(tn, t)
    for i, stored in enumerate(n._local_grads):
        n._local_grads = tuple(g + (1.0 if j == i else 0.0) for j, g in enumerate(n._local_grads))
        (found,) = blame(n)
        assert found.estimated == pytest.approx(torch_local[i].item(), rel=1e-9, abs=1e-12)
        n._local_grads = tuple(g - (1.0 if j == i else 0.0) for j, g in enumerate(n._local_grads))
