"""draw_dot's operand order and double edges, and draw_gradient_flow (the gate figure).

Rendered with the real Graphviz `dot`, positions read from its `plain` output.
"""

import shutil

import pytest

from micrograd.draw import draw_dot, draw_gradient_flow
from micrograd.engine import Value
from strategies import seed_graph

pytestmark = pytest.mark.skipif(not shutil.which("dot"), reason="needs Graphviz `dot`")


def positions(digraph):
    """Node id -> (x, y) from Graphviz's plain output."""
    out = {}
    for line in digraph.pipe(format="plain", encoding="utf-8").splitlines():
        parts = line.split()
        if parts[0] == "node":
            out[parts[1]] = (float(parts[2]), float(parts[3]))
    return out


@pytest.mark.parametrize("build", [
    lambda: Value(1.0, label="z") * Value(1.0, label="y"),   # names in reverse order
    lambda: Value(5.0, label="p") - Value(1.0, label="q"),
    lambda: Value(5.0, label="p") / Value(1.0, label="q"),
])
def test_draw_dot_left_operand_is_drawn_left(build):
    out = build()
    left, right = out._prev
    pos = positions(draw_dot(out, rankdir="TB"))
    assert pos[str(id(left))][0] < pos[str(id(right))][0]


def test_draw_dot_keeps_operand_order_down_a_chain():
    L, v = seed_graph()
    pos = positions(draw_dot(L, rankdir="TB"))
    for left, right in (("a", "b"), ("e", "c"), ("d", "f")):
        assert pos[str(id(v[left]))][0] < pos[str(id(v[right]))][0], (left, right)


def test_draw_dot_draws_a_value_used_twice_with_two_edges():
    a = Value(3.0, label="a")
    twice = a + a
    source = draw_dot(twice).source
    assert source.count(f'{id(a)} -> "{id(twice)}+"') == 2


def test_gradient_flow_labels_each_wire_with_upstream_times_local():
    L, v = seed_graph()
    source = draw_gradient_flow(L).source
    # forward value on each wire, and upstream x local = contribution flowing back
    for text in ("a = 2", "b = -3", "e = -6", "c = 10", "d = 4", "f = -2", "L = -8",
                 "-2 &#215; -3 = 6", "-2 &#215; 2 = -4", "-2 &#215; 1 = -2",
                 "1 &#215; -2 = -2", "1 &#215; 4 = 4"):
        assert text in source, text
    for name in "abcf":
        assert f"grad {v[name].grad:.4g}" in source
    svg = draw_gradient_flow(L).pipe(format="svg", encoding="utf-8")
    assert svg.count('class="edge"') == 7   # six operand wires and the output wire
    assert svg.count('class="node"') == 3 + 4 + 1   # three gates, four inputs, the output


def test_gradient_flow_shows_both_wires_of_a_double_use():
    a = Value(3.0, label="a")
    twice = a + a
    twice.backward()
    source = draw_gradient_flow(twice).source
    assert source.count("1 &#215; 1 = 1") == 2 and "grad 2" in source


def test_gradient_flow_escapes_labels_and_formats_numbers():
    x = Value(0.123456, label="<x&y>")
    out = x.tanh()
    out.backward()
    source = draw_gradient_flow(out, number_format=".2f").source
    assert "&lt;x&amp;y&gt; = 0.12" in source and "<x&y>" not in source
    svg = draw_gradient_flow(out).pipe(format="svg", encoding="utf-8")
    assert "tanh" in svg
