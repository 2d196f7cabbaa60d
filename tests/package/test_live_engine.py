"""micrograd frees deep graphs without nested calls where the live pages run it (WebAssembly).

Pyodide's CPython cannot see the stack that runs out when a long chain of nodes is freed, so there
micrograd.engine sets Value.__del__ = _free_flat (issue 16). These tests install it here too, on
CPython, so the code the browser runs is tested with the package: the same gradients, frees at a
constant depth, no noise. (In Chromium: tests/site/test_live_runtime.py.)
"""

import gc
import sys

import pytest

from micrograd import engine
from micrograd.engine import Value
from micrograd.nn import MLP


@pytest.fixture
def flat_free(monkeypatch):
    """Value.__del__ as under WebAssembly, counting how deeply the calls nest."""
    depth = {"now": 0, "most": 0, "calls": 0}

    def counted(node):
        depth["now"] += 1
        depth["calls"] += 1
        depth["most"] = max(depth["most"], depth["now"])
        try:
            engine._free_flat(node)
        finally:
            depth["now"] -= 1

    monkeypatch.setattr(Value, "__del__", counted, raising=False)
    yield depth
    gc.collect()
    assert not engine._orphans and not engine._emptying[0]


def test_it_is_set_under_webassembly_only():
    assert (getattr(Value, "__del__", None) is engine._free_flat) == (sys.platform == "emscripten")


def test_a_dropped_sibling_keeps_the_gradient_right(flat_free):
    """The review's reproducer: the old refcount heuristic cut the graph and gave [-1.0, 0.0]."""
    z = [Value(1.0), Value(2.0)]

    def pair(z):
        t = z[0] + z[1]  # shared by both outputs
        return [z[0] - t, z[1] - t]

    loss = -pair(z)[0]  # the other output is dropped
    loss.backward()
    assert [v.grad for v in z] == [0.0, 1.0]


def test_training_gives_the_same_numbers(flat_free):
    def train():
        model = MLP(2, [8, 8, 1], seed=3)
        points = [[i / 10, (i % 7) / 7] for i in range(20)]
        losses = []
        for _ in range(5):
            loss = sum((model(x) - (1.0 if x[0] > x[1] else -1.0)) ** 2 for x in points)
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad
            losses.append(loss.data)
        return losses, [p.data for p in model.parameters()]

    with_flat_free = train()
    assert flat_free["calls"] > 1000
    counted = Value.__del__
    del Value.__del__
    try:
        assert train() == with_flat_free
    finally:
        Value.__del__ = counted


def test_a_deep_chain_is_freed_one_level_deep(flat_free):
    x = x0 = Value(0.5)
    for _ in range(100_000):
        x = x * 1.0001 + 0.0001
    x.backward()
    assert x0.grad > 1
    del x
    assert flat_free["calls"] >= 200_000 and flat_free["most"] <= 2, flat_free


def test_a_value_that_refused_its_input_frees_quietly(flat_free, monkeypatch):
    """'Exception ignored ... no attribute _prev' was printed before every error of Value()."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(TypeError):
        Value("3")
    gc.collect()
    assert not unraisable
