"""The helpers the chapters use: losses, SGD, gradcheck, graph drawing (rendered by the real `dot`)
and the decision-boundary plot. The frame player: test_player.py."""

import math
import re
from decimal import Decimal
from fractions import Fraction
import shutil
import warnings
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")  # no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from micrograd import Value  # noqa: E402
from micrograd.draw import draw_dot, draw_mlp  # noqa: E402
from micrograd.gradcheck import gradcheck, numerical_grad  # noqa: E402
from micrograd.losses import l2_penalty, max_margin_loss, mean_squared_error  # noqa: E402
from micrograd.nn import MLP  # noqa: E402
from micrograd.optim import SGD  # noqa: E402
from micrograd.plot import decision_boundary, decision_scores  # noqa: E402
from strategies import property_test, reals, seed_graph  # noqa: E402

torch.set_default_dtype(torch.float64)
TOL = dict(rel=1e-12, abs=1e-12)

batches = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(reals(-3, 3), min_size=n, max_size=n), st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n)))


# Losses, against the same formulas in PyTorch.

@property_test
@given(batches)
def test_max_margin_loss_matches_pytorch(batch):
    scores, labels = batch
    values = [Value(s) for s in scores]
    loss = max_margin_loss(values, labels)
    loss.backward()
    s = torch.tensor(scores, requires_grad=True)
    expected = torch.relu(1 - torch.tensor(labels, dtype=torch.float64) * s).mean()
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), **TOL)
    assert [v.grad for v in values] == pytest.approx(s.grad.tolist(), **TOL)


@property_test
@given(batches, st.lists(reals(-3, 3), min_size=12, max_size=12))
def test_mean_squared_error_matches_pytorch(batch, targets):
    predictions = batch[0]
    targets = targets[:len(predictions)]
    values = [Value(p) for p in predictions]
    loss = mean_squared_error(values, targets)
    loss.backward()
    p = torch.tensor(predictions, requires_grad=True)
    expected = torch.nn.functional.mse_loss(p, torch.tensor(targets))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), **TOL)
    assert [v.grad for v in values] == pytest.approx(p.grad.tolist(), **TOL)


@property_test
@given(st.lists(reals(-3, 3), min_size=1, max_size=20), reals(1e-6, 1.0))
def test_l2_penalty_matches_pytorch(params, alpha):
    values = [Value(p) for p in params]
    penalty = l2_penalty(values, alpha=alpha)
    penalty.backward()
    t = torch.tensor(params, requires_grad=True)
    expected = alpha * (t * t).sum()
    expected.backward()
    assert penalty.data == pytest.approx(expected.item(), **TOL)
    assert [v.grad for v in values] == pytest.approx(t.grad.tolist(), **TOL)


def test_l2_penalty_default_alpha_and_no_parameters():
    assert l2_penalty([Value(2.0)]).data == pytest.approx(4e-4, rel=1e-15)
    assert l2_penalty([]).data == 0.0


def test_hinge_loss_is_zero_beyond_the_margin():
    assert max_margin_loss([Value(1.0), Value(-2.0)], [1, -1]).data == 0.0
    assert max_margin_loss([Value(-1.0)], [1]).data == 2.0


def test_loss_with_mismatched_batch():
    with pytest.raises(ValueError, match="got 2 outputs but 3 targets"):
        max_margin_loss([Value(1.0), Value(2.0)], [1, -1, 1])
    with pytest.raises(ValueError, match="got 3 outputs but 1 targets"):
        mean_squared_error([Value(1.0)] * 3, [0.0])


def test_loss_with_an_empty_batch():
    with pytest.raises(ValueError, match="at least one example, got an empty batch"):
        max_margin_loss([], [])
    with pytest.raises(ValueError, match="empty batch"):
        mean_squared_error([], [])


@pytest.mark.parametrize("bad", [0, 2, 0.5, "1", None, True])
def test_max_margin_loss_with_bad_labels(bad):
    with pytest.raises(ValueError, match=f"needs labels -1 or \\+1, got {bad!r}"):
        max_margin_loss([Value(0.5), Value(1.0)], [1, bad])


@pytest.mark.parametrize("scores, kind", [([0.5, 1.0], "float"), ([Value(0.5), [Value(1.0), Value(2.0)]], "list")])
def test_losses_need_value_outputs(scores, kind):
    """Float scores (or a multi-output model's lists) are named, not an AttributeError from deep inside."""
    with pytest.raises(TypeError, match=f"max_margin_loss needs the model's outputs, one per example: "
                                        f"Values, but item \\d is a {kind}"):
        max_margin_loss(scores, [1, -1])
    with pytest.raises(TypeError, match=f"mean_squared_error needs .*: Values, but item \\d is a {kind}"):
        mean_squared_error(scores, [0.0, 1.0])


def test_losses_accept_generators():
    scores = (Value(s) for s in [0.5, -2.0])
    assert max_margin_loss(scores, iter([1, -1])).data == pytest.approx(0.25)


@pytest.mark.parametrize("alpha", [-1, -1e-4, math.nan, math.inf, "1e-4", None, True])
def test_l2_penalty_with_a_bad_alpha(alpha):
    with pytest.raises(ValueError, match=f"alpha must be a finite number >= 0, got {alpha!r}"):
        l2_penalty([Value(1.0)], alpha=alpha)


def test_l2_penalty_needs_values():
    with pytest.raises(TypeError, match="l2_penalty needs the model's parameters: Values, but item 0 is a float"):
        l2_penalty([1.0, 2.0])
    assert l2_penalty([Value(1.0)], alpha=np.float32(0.5)).data == 0.5


# SGD, against torch.optim.SGD.

def test_sgd_matches_torch_optim_sgd_over_several_steps():
    start = [0.5, -1.5, 2.0]
    ps = [Value(x) for x in start]
    opt = SGD(ps, lr=0.1)
    t = torch.tensor(start, requires_grad=True)
    topt = torch.optim.SGD([t], lr=0.1)
    for step in range(4):
        opt.zero_grad()
        (ps[0] * ps[1] + ps[2].tanh() * ps[0] ** 2).backward()
        opt.step()
        topt.zero_grad()
        (t[0] * t[1] + t[2].tanh() * t[0] ** 2).backward()
        topt.step()
        assert [p.data for p in ps] == pytest.approx(t.tolist(), **TOL)
        opt.lr = topt.param_groups[0]["lr"] = 0.1 / (step + 2)  # a decaying schedule


def test_sgd_zero_grad_and_step_on_a_model():
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.5)
    model([1.0, -1.0]).backward()
    before = [(p.data, p.grad) for p in model.parameters()]
    opt.step()
    assert [p.data for p in model.parameters()] == [d - 0.5 * g for d, g in before]
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize("lr", [-0.1, math.inf, math.nan, np.float32(-1)])
def test_sgd_with_a_bad_learning_rate(lr):
    with pytest.raises(ValueError, match=re.escape(f"the learning rate must be a finite number >= 0, got {lr!r}")):
        SGD([Value(1.0)], lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True, Decimal("0.1"), [0.1]])
def test_sgd_learning_rate_that_is_no_number(lr):
    with pytest.raises(TypeError, match=f"the learning rate must be a real number .*, not {type(lr).__name__}"):
        SGD([Value(1.0)], lr=lr)


@pytest.mark.parametrize("lr", [np.float32(0.5), np.float64(0.5), Fraction(1, 2), 1])
def test_sgd_accepts_numpy_floats_and_keeps_data_a_python_float(lr):
    p = Value(1.0)
    p.grad = 1.0
    opt = SGD([p], lr=lr)
    opt.step()
    assert p.data == 1.0 - float(lr) and type(p.data) is float


@pytest.mark.parametrize("lr, error", [(-1, ValueError), ("x", TypeError), (math.nan, ValueError)])
def test_sgd_checks_a_changed_learning_rate_at_step(lr, error):
    p = Value(1.0)
    opt = SGD([p], lr=0.1)
    opt.lr = lr
    with pytest.raises(error, match="the learning rate must be"):
        opt.step()
    assert p.data == 1.0


def test_sgd_refuses_an_infinite_gradient_and_warns_about_duplicates():
    p, q = Value(1.0), Value(2.0)
    (Value(1e200) * p).backward()  # d/dp is 1e200; q's gradient is made inf by hand
    q.grad = -math.inf
    with pytest.raises(ValueError, match="parameter 1 has gradient -inf: no step can follow it"):
        SGD([p, q], lr=0.1).step()
    assert (p.data, q.data) == (1.0, 2.0)
    with pytest.warns(UserWarning, match="SGD got the same parameter more than once"):
        SGD([p, p], lr=0.1)


def test_sgd_with_no_parameters():
    with pytest.raises(ValueError, match="SGD got no parameters to optimise"):
        SGD([], lr=0.1)


# Gradient checking.

def test_numerical_grad_of_a_polynomial():
    grads = numerical_grad(lambda x, y: x * x * y + y ** 3, [1.5, -2.0])
    assert grads == pytest.approx([2 * 1.5 * -2.0, 1.5 ** 2 + 3 * 4.0], rel=1e-8)


def test_numerical_grad_accepts_a_plain_number_result():
    assert numerical_grad(lambda x: 3.0, [1.0]) == [0.0]


def test_gradcheck_returns_both_gradients():
    backprop, numerical = gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [0.3, -0.7])
    assert len(backprop) == len(numerical) == 2
    assert backprop == pytest.approx(numerical, rel=1e-6)


def test_gradcheck_catches_a_disagreement():
    # At ReLU's kink backward() takes the slope 0, the central difference sees 0.5.
    with pytest.raises(AssertionError, match=r"input 0: backward\(\) gives 0\.0, finite differences give 0\.5"):
        gradcheck(lambda x: x.relu(), [0.0])


@pytest.mark.parametrize("h", [0, 0.0, -1e-6, math.nan, math.inf, "1e-6", None])
def test_finite_differences_need_a_positive_step(h):
    with pytest.raises(ValueError, match=re.escape(f"the step h must be a positive number, got {h!r}")):
        gradcheck(lambda x: x * x, [1.0], h=h)
    with pytest.raises(ValueError, match="the step h must be a positive number"):
        numerical_grad(lambda x: x * x, [1.0], h=h)


def test_finite_difference_probe_outside_the_domain_says_so():
    """log at 1e-7 is fine, but the probe at 1e-7 - 1e-6 is not: the message must blame the probe."""
    with pytest.raises(ValueError, match=r"the finite-difference probe moved input 0 from 1e-07 to -9(\.\d+)?e-07, "
                                         r"where f fails: log is only defined .*Use a smaller h"):
        gradcheck(lambda x: x.log(), [1e-7])
    assert gradcheck(lambda x: x.log(), [1e-7], h=1e-12, rtol=1e-3)


def test_gradcheck_needs_a_value():
    with pytest.raises(TypeError, match="gradcheck needs f to return a Value, got float"):
        gradcheck(lambda x: 1.0, [0.0])


# Graph drawing, rendered with the real Graphviz `dot`.

def render_svg(digraph):
    assert shutil.which("dot"), "Graphviz `dot` must be installed (apt-get install graphviz)"
    svg = digraph.pipe(format="svg", encoding="utf-8")
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    texts = [t.text for t in root.iterfind(".//svg:text", ns)]
    # A drawn node is a group with a shape in it (plain-text captions have none); an edge has a path.
    groups = [g.get("class") for g in root.iterfind(".//svg:g", ns)
              if g.find("svg:ellipse", ns) is not None or g.find("svg:polygon", ns) is not None
              or g.find("svg:path", ns) is not None]
    return svg, texts, groups


def test_draw_dot_renders_labels_data_grads_and_ops():
    L, v = seed_graph()
    svg, texts, groups = render_svg(draw_dot(L))
    for name in "abcdefL":
        assert name in texts
    for value in ["data 2.0000", "data -3.0000", "data -8.0000", "grad 6.0000", "grad -4.0000", "grad 1.0000"]:
        assert value in texts
    assert texts.count("*") == 2 and texts.count("+") == 1
    # 7 values + 3 op ovals; each op has an edge in and one per operand.
    assert groups.count("node") == 10
    assert groups.count("edge") == 3 + 6


def test_draw_dot_options():
    L, v = seed_graph()
    _, texts, _ = render_svg(draw_dot(L, show_grad=False))
    assert not any(t.startswith("grad") for t in texts)
    svg, _, _ = render_svg(draw_dot(L, highlight=[v["a"], v["d"]]))
    assert svg.count('fill="#ffe08a"') == 2
    assert "rankdir=LR" in draw_dot(L).source and "rankdir=TB" in draw_dot(L, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be LR, TB, RL or BT, got 'XY'"):
        draw_dot(L, rankdir="XY")


def test_draw_dot_shared_operand_and_special_characters():
    a = Value(3.0, label="{x|<y>}")
    b = a + a
    b.backward()
    svg, texts, groups = render_svg(draw_dot(b))
    assert "{x|<y>}" in texts  # record-label characters are escaped, not interpreted
    assert groups.count("edge") == 3  # `a + a`: two edges from a to + (a is used twice), one from + to b
    assert "grad 2.0000" in texts


def test_draw_dot_warns_about_a_graph_too_large_to_read():
    x = Value(1.0)
    y = x
    for _ in range(600):
        y = y * 1.0001
    with pytest.warns(UserWarning, match="draw_dot: this graph has 1,201 nodes, too many to read"):
        draw_dot(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_dot(x * 2.0)  # a readable graph: no warning


@pytest.mark.parametrize("root, kind", [(3.0, "float"), ([Value(1.0)], "list")])
def test_draw_dot_needs_a_value(root, kind):
    with pytest.raises(TypeError, match=f"draw_dot needs a Value or a Tensor, got {kind}"):
        draw_dot(root)


def test_draw_dot_of_a_neuron_shows_the_fused_op():
    n = MLP(3, [1], activation="tanh", output_activation="tanh", seed=0)
    out = n([1.0, 2.0, 3.0])
    _, texts, _ = render_svg(draw_dot(out))
    assert "w·x+b" in texts and "tanh" in texts


@pytest.mark.parametrize("nin, nouts", [(3, [4, 4, 1]), (2, [16, 16, 1])])
def test_draw_mlp_node_and_edge_count(nin, nouts):
    model = MLP(nin, nouts, seed=0)
    _, texts, groups = render_svg(draw_mlp(model))
    sizes = [nin] + nouts
    assert groups.count("node") == sum(sizes)
    assert groups.count("edge") == sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert texts.count("relu") == sum(nouts[:-1]) and texts.count("linear") == nouts[-1]
    assert "inputs" in texts and "output" in texts


# The decision-boundary plot.

def test_decision_scores_are_the_model_outputs():
    model = MLP(2, [4, 1], seed=3)
    xx, yy = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(0, 2, 4))
    zz = decision_scores(model, xx, yy)
    assert zz.shape == xx.shape == (4, 3)
    assert zz[1, 2] == model([Value(xx[1, 2]), Value(yy[1, 2])]).data


def test_decision_boundary_draws_a_labelled_plot():
    model = MLP(2, [4, 1], seed=3)
    X = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, 1.0], [0.5, -0.5]])
    y = np.array([-1, 1, -1, 1])
    fig, ax = plt.subplots()
    assert decision_boundary(model, X, y, ax=ax, steps=12) is ax
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == (-1.5, 1.5) and ax.get_ylim() == (-1.0, 1.5)
    assert len(ax.collections) >= 3  # filled regions, boundary line, the two classes of points
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["y = +1", "y = -1"]
    plt.close(fig)


def test_decision_boundary_needs_2d_points():
    with pytest.raises(ValueError, match=r"an array of shape \(n, 2\); got \(4, 3\)"):
        decision_boundary(MLP(2, [1], seed=0), np.zeros((4, 3)), np.ones(4))


def scatter_counts(ax):
    """The number of points in each scatter of the Axes, by legend label."""
    return {c.get_label(): len(c.get_offsets()) for c in ax.collections if c.get_label().startswith("y =")}


def test_decision_boundary_with_0_1_labels_draws_every_point():
    """make_moons' own 0/1 labels: the 0s are drawn as the negative class, none vanish."""
    X = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, 1.0], [0.5, -0.5], [0.2, 0.2]])
    fig, ax = plt.subplots()
    decision_boundary(MLP(2, [4, 1], seed=3), X, [0, 1, 0, 1, 1], ax=ax, steps=5)
    assert scatter_counts(ax) == {"y = 0": 2, "y = 1": 3}
    plt.close(fig)


@pytest.mark.parametrize("y, message", [
    ([1, 2, 1, 2], r"needs labels -1 and \+1 \(or 0 and 1\), got \[1, 2\]"),
    ([-1, 0, 1, 1], r"needs labels -1 and \+1 \(or 0 and 1\), got \[-1, 0, 1\]"),
    ([1, -1, 1], r"one label per point: 4 points, labels of shape \(3,\)"),
])
def test_decision_boundary_with_bad_labels(y, message):
    with pytest.raises(ValueError, match=message):
        decision_boundary(MLP(2, [1], seed=0), np.zeros((4, 2)), y)


def test_decision_boundary_failures_leave_no_figure_open():
    X, y = np.zeros((2, 2)), [1, -1]
    before = plt.get_fignums()
    with pytest.raises(ValueError, match="as many weights as inputs, got 3 and 2"):
        decision_boundary(MLP(3, [1], seed=0), X, y)
    with pytest.raises(TypeError, match="needs a model with one output \\(a Value\\), got a list"):
        decision_boundary(MLP(2, [2], seed=0), X, y)
    for steps in (0, 1, 2.5):
        with pytest.raises(ValueError, match=f"steps must be a whole number >= 2, got {steps!r}"):
            decision_boundary(MLP(2, [1], seed=0), X, y, steps=steps)
    assert plt.get_fignums() == before
