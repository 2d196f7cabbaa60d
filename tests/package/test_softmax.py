"""micrograd.losses.log_softmax and cross_entropy against PyTorch (float64) and finite differences.

Also: the gradient p - onehot(y) of the softmax chapter, logits far beyond where exp overflows,
and every bad input refused with a clear message.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from micrograd import Value
from micrograd.gradcheck import gradcheck
from micrograd.losses import cross_entropy, log_softmax
from strategies import property_test, reals

TOL = dict(rel=1e-12, abs=1e-12)


@st.composite
def batches(draw, lo=-30.0, hi=30.0):
    """(batch of logits lists, labels): 1 to 5 examples, 1 to 6 classes, one K per batch."""
    k = draw(st.integers(1, 6))
    n = draw(st.integers(1, 5))
    logits = draw(st.lists(st.lists(reals(lo, hi), min_size=k, max_size=k), min_size=n, max_size=n))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    return logits, labels


def _values(batch):
    return [[Value(z) for z in row] for row in batch]


def _torch_cross_entropy(batch, labels):
    logits = torch.tensor(batch, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    return loss.item(), logits.grad.tolist()


@property_test
@given(logits=st.lists(reals(-30, 30), min_size=1, max_size=6),
       weights=st.lists(reals(-2, 2), min_size=6, max_size=6))
def test_log_softmax_matches_pytorch(logits, weights):
    """Values and gradients of sum_k c_k log p_k: every output's gradient is used."""
    zs = [Value(z) for z in logits]
    out = log_softmax(zs)
    sum((c * lp for c, lp in zip(weights, out)), Value(0.0)).backward()

    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    t_out = torch.log_softmax(t, dim=0)
    (t_out * torch.tensor(weights[:len(logits)], dtype=torch.float64)).sum().backward()

    assert [v.data for v in out] == pytest.approx(t_out.tolist(), **TOL)
    assert [z.grad for z in zs] == pytest.approx(t.grad.tolist(), **TOL)


@property_test
@given(batches())
def test_cross_entropy_matches_pytorch(batch_and_labels):
    batch, labels = batch_and_labels
    rows = _values(batch)
    loss = cross_entropy(rows, labels)
    loss.backward()
    want_loss, want_grads = _torch_cross_entropy(batch, labels)
    assert loss.data == pytest.approx(want_loss, **TOL)
    for row, want in zip(rows, want_grads):
        assert [z.grad for z in row] == pytest.approx(want, **TOL)


@property_test
@given(batches())
def test_gradient_is_softmax_minus_onehot_over_batch_size(batch_and_labels):
    batch, labels = batch_and_labels
    rows = _values(batch)
    cross_entropy(rows, labels).backward()
    for row, logits, y in zip(rows, batch, labels):
        m = max(logits)
        exps = [math.exp(z - m) for z in logits]
        p = [e / sum(exps) for e in exps]
        want = [(p_k - (k == y)) / len(batch) for k, p_k in enumerate(p)]
        assert [z.grad for z in row] == pytest.approx(want, **TOL)
        assert abs(sum(z.grad for z in row)) < 1e-12


@property_test
@given(batches(lo=-5.0, hi=5.0))
def test_cross_entropy_against_finite_differences(batch_and_labels):
    batch, labels = batch_and_labels
    k = len(batch[0])
    flat = [z for row in batch for z in row]

    def f(*zs):
        return cross_entropy([zs[i:i + k] for i in range(0, len(zs), k)], labels)

    gradcheck(f, flat)


@pytest.mark.parametrize("logits", [[1000.0, 999.0, 998.0], [0.0, -800.0], [800.0, -300.0, 20.0],
                                    [-1000.0, -1000.0]])
def test_extreme_logits_stay_finite_and_match_pytorch(logits):
    """Where exp(z) overflows or softmax rounds to 0, log-softmax is still exact."""
    zs = [Value(z) for z in logits]
    out = log_softmax(zs)
    want = torch.log_softmax(torch.tensor(logits, dtype=torch.float64), dim=0).tolist()
    assert [v.data for v in out] == pytest.approx(want, **TOL)
    for y in range(len(logits)):
        want_loss, want_grads = _torch_cross_entropy([logits], [y])
        rows = _values([logits])
        loss = cross_entropy(rows, [y])
        loss.backward()
        assert math.isfinite(loss.data) and loss.data == pytest.approx(want_loss, **TOL)
        assert [z.grad for z in rows[0]] == pytest.approx(want_grads[0], **TOL)


def test_naive_softmax_overflows_where_log_softmax_does_not():
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) is too large"):
        Value(1000.0).exp()
    assert log_softmax([Value(1000.0), Value(0.0)])[1].data == -1000.0


def test_uniform_logits_give_log_k():
    for k in (1, 2, 3, 10):
        assert cross_entropy([[Value(0.5)] * k], [0]).data == pytest.approx(math.log(k), **TOL)


def test_the_shift_by_the_maximum_loses_no_gradient():
    """Subtracting the maximum as a node (so gradient flows through it) changes nothing."""
    data, y = [1.5, -0.3, 0.8], 2
    a = [Value(z) for z in data]
    (-log_softmax(a)[y]).backward()
    b = [Value(z) for z in data]
    m = max(b, key=lambda z: z.data)
    shifted = [z - m for z in b]
    lse = sum((s.exp() for s in shifted), Value(0.0)).log()
    (lse - shifted[y]).backward()
    assert [z.grad for z in a] == pytest.approx([z.grad for z in b], **TOL)


def test_labels_may_be_numpy_integers_and_inputs_generators():
    rows = _values([[0.1, 0.2], [0.3, -0.4]])
    labels = np.array([1, 0])
    loss = cross_entropy((row for row in rows), labels)
    want, _ = _torch_cross_entropy([[0.1, 0.2], [0.3, -0.4]], [1, 0])
    assert loss.data == pytest.approx(want, **TOL)


@pytest.mark.parametrize("label", [3, -1, 1.0, True, "1", None])
def test_cross_entropy_refuses_bad_labels(label):
    with pytest.raises(ValueError, match="class labels 0 to 2; example 0 has"):
        cross_entropy([[Value(0.0), Value(1.0), Value(2.0)]], [label])


def test_cross_entropy_refuses_bad_batches():
    with pytest.raises(ValueError, match="got 1 lists of logits but 2 labels"):
        cross_entropy([[Value(0.0)]], [0, 0])
    with pytest.raises(ValueError, match="empty batch"):
        cross_entropy([], [])
    with pytest.raises(ValueError, match="at least one logit"):
        cross_entropy([[]], [0])
    with pytest.raises(TypeError, match="log_softmax needs logits: Values, but item 1 is a float"):
        cross_entropy([[Value(0.0), 1.0]], [0])
