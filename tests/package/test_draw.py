"""draw_dot's Tensor graphs (each node's shape) and blame's findings drawn, rendered by the real
Graphviz `dot`."""

import math
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from micrograd.draw import BLAMED_EDGE, BLAMED_FILL, draw_dot
from micrograd.engine import Value, _node
from micrograd.gradcheck import blame
from micrograd.tensor import Tensor, cross_entropy

SVG = {"svg": "http://www.w3.org/2000/svg"}


def render(digraph):
    """The SVG `dot` draws, its texts, and its nodes and edges as {title: group element}."""
    assert shutil.which("dot"), "Graphviz `dot` must be installed (apt-get install graphviz)"
    svg = digraph.pipe(format="svg", encoding="utf-8")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iterfind(".//svg:text", SVG)]
    groups = {g.get("class"): [] for g in root.iterfind(".//svg:g", SVG)}
    for g in root.iterfind(".//svg:g", SVG):
        groups[g.get("class")].append(g)
    return svg, texts, groups


def mlp_loss():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(8, 2)), label="x")
    w1 = Tensor(rng.normal(size=(2, 16)), label="W1")
    b1 = Tensor(np.zeros(16), label="b1")
    w2 = Tensor(rng.normal(size=(16, 3)), label="W2")
    h = (x @ w1 + b1).relu()
    h.label = "h"
    logits = h @ w2
    logits.label = "logits"
    loss = cross_entropy(logits, np.arange(8) % 3)
    loss.label = "loss"
    loss.backward()
    return loss


def test_a_tensor_graph_shows_each_nodes_shape():
    loss = mlp_loss()
    _, texts, groups = render(draw_dot(loss))
    for name, shape in [("x", (8, 2)), ("W1", (2, 16)), ("b1", (16,)), ("h", (8, 16)),
                        ("W2", (16, 3)), ("logits", (8, 3))]:
        assert name in texts and f"shape {shape}" in texts, name
    assert texts.count("shape (8, 16)") == 3  # x @ W1, + b1 and h
    # the loss holds one number: its shape, value and gradient
    assert "shape ()" in texts and f"data {loss.item():.4f}" in texts and "grad 1.0000" in texts
    for op in ("@", "+", "ReLU", "cross_entropy"):
        assert op in texts, op
    # 9 tensors + 5 op ovals; an edge into each result from its op, and one per operand
    assert len(groups["node"]) == 14 and len(groups["edge"]) == 5 + 8


def test_a_tensor_graph_without_gradients_and_highlighted():
    loss = mlp_loss()
    w1 = [n for n in loss.topological_order() if n.label == "W1"][0]
    svg, texts, _ = render(draw_dot(loss, show_grad=False, highlight=[w1]))
    assert not any(t.startswith("grad") for t in texts)
    assert svg.count('fill="#ffe08a"') == 1


def test_draw_dot_refuses_what_is_neither_value_nor_tensor():
    with pytest.raises(TypeError, match="draw_dot needs a Value or a Tensor, got ndarray"):
        draw_dot(np.zeros(3))


def planted():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    wrong = a ** 2
    wrong.label = "a²"
    wrong._local_grads = (a.data,)  # planted: a instead of 2a
    out = (wrong * b).tanh()
    out.label = "out"
    out.backward()
    return out, wrong


def test_the_blamed_node_and_edge_are_drawn_red_with_both_numbers():
    out, wrong = planted()
    found = blame(out)
    assert [d.node for d in found] == [wrong]
    svg, texts, groups = render(draw_dot(out, highlight=found))
    assert svg.count(f'fill="{BLAMED_FILL}"') == 1
    red = [e for e in groups["edge"] if e.find("svg:path", SVG).get("stroke") == BLAMED_EDGE]
    assert len(red) == 1
    labels = [t.text for t in red[0].iterfind("svg:text", SVG)]
    assert labels == ["stored 1.5", "slope 3"]
    # the red edge runs from a to the ** operation of the blamed node
    assert red[0].find("svg:title", SVG).text == f"{id(wrong._prev[0])}->{id(wrong)}**2"


def test_the_blamed_edge_is_the_right_one_of_an_operand_used_twice():
    a = Value(2.0, label="a")
    square = a * a
    square._local_grads = (2.0, 7.0)
    (found,) = blame(square)
    _, _, groups = render(draw_dot(square, highlight=[found]))
    red = [e for e in groups["edge"] if e.find("svg:path", SVG).get("stroke") == BLAMED_EDGE]
    assert len(red) == 1 and [t.text for t in red[0].iterfind("svg:text", SVG)] == ["stored 7", "slope 2"]


def test_a_new_primitive_blamed_and_drawn():
    def sin(a):
        return _node(math.sin(a.data), "sin", (a,), (0.0,))  # checking's starter: wrong
    x = Value(0.5, label="x")
    out = sin(x) * 2
    svg, texts, _ = render(draw_dot(out, highlight=blame(out)))
    assert "sin" in texts and "stored 0" in texts and f"slope {math.cos(0.5):.4g}" in texts
    assert svg.count(f'fill="{BLAMED_FILL}"') == 1
