"""The engine against PyTorch (float64) and against finite differences, driven by one table of ops.

Then the seeds' worked examples, the accumulation semantics of backward(), a million-node
chain, and every bad input the engine must refuse with a clear message.
"""

import ast
import math
import sys
from fractions import Fraction
from typing import Callable, NamedTuple

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from micrograd import Value
from micrograd.engine import weighted_sum
from micrograd.gradcheck import gradcheck
from book_files import ROOT
from strategies import (away_from_zero, expression_ops, nonzero, positive, programs, property_test, reals,
                        run_program, small)

torch.set_default_dtype(torch.float64)

# Forward values and gradients should match PyTorch to the last few bits.
TORCH_TOL = dict(rel=1e-12, abs=1e-12)


class Op(NamedTuple):
    """One operation: how micrograd and PyTorch spell it, and where its inputs come from.

    `consts` are plain numbers passed first (for 3 + x, 2 / x ...); `domains` are the inputs
    that become Values (or tensors) and get gradients.
    """
    name: str
    micrograd: Callable
    torch: Callable
    domains: tuple
    consts: tuple = ()


def _ws(w1, w2, w3, x1, x2, x3, b):
    return weighted_sum([w1, w2, w3], [x1, x2, x3], b)


def _ws_torch(w1, w2, w3, x1, x2, x3, b):
    return (torch.stack([w1, w2, w3]) * torch.stack([x1, x2, x3])).sum() + b


def _power(n, domain):
    return Op(f"pow{n:g}", lambda x: x ** n, lambda x: x ** n, (domain,))


OPS = [
    Op("add", lambda a, b: a + b, lambda a, b: a + b, (small, small)),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, (small, small)),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, (small, small)),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, (small, nonzero)),
    Op("self-add", lambda a: a + a, lambda a: a + a, (small,)),
    Op("self-mul", lambda a: a * a, lambda a: a * a, (small,)),
    _power(2, small),
    _power(3, small),
    _power(1, small),
    _power(0, small),
    _power(-1, nonzero),
    _power(-2, nonzero),
    _power(0.5, positive),
    _power(1.5, positive),
    _power(-0.5, positive),
    _power(2.5, reals(0.001, 10)),
    Op("neg", lambda a: -a, lambda a: -a, (small,)),
    Op("exp", lambda a: a.exp(), torch.exp, (reals(-10, 5),)),
    Op("log", lambda a: a.log(), torch.log, (positive,)),
    Op("tanh", lambda a: a.tanh(), torch.tanh, (small,)),
    Op("relu", lambda a: a.relu(), torch.relu, (away_from_zero(0.01, 10),)),
    Op("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, (reals(-30, 30),)),
    Op("radd", lambda c, a: c + a, lambda c, a: c + a, (small,), consts=(small,)),
    Op("rsub", lambda c, a: c - a, lambda c, a: c - a, (small,), consts=(small,)),
    Op("rmul", lambda c, a: c * a, lambda c, a: c * a, (small,), consts=(small,)),
    Op("rtruediv", lambda c, a: c / a, lambda c, a: c / a, (nonzero,), consts=(small,)),
    Op("add-number", lambda c, a: a + c, lambda c, a: a + c, (small,), consts=(small,)),
    Op("sub-number", lambda c, a: a - c, lambda c, a: a - c, (small,), consts=(small,)),
    Op("mul-number", lambda c, a: a * c, lambda c, a: a * c, (small,), consts=(small,)),
    Op("div-number", lambda c, a: a / c, lambda c, a: a / c, (small,), consts=(nonzero,)),
    Op("weighted_sum", _ws, _ws_torch, (small,) * 7),
]


def draw_case(data, op):
    consts = [data.draw(d, label="const") for d in op.consts]
    xs = [data.draw(d, label="x") for d in op.domains]
    return consts, xs


def micrograd_result(op, consts, xs):
    values = [Value(x) for x in xs]
    out = op.micrograd(*consts, *values)
    out.backward()
    return out.data, [v.grad for v in values]


def torch_result(op, consts, xs):
    tensors = [torch.tensor(x, requires_grad=True) for x in xs]
    out = op.torch(*consts, *tensors)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in tensors]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@property_test
@given(data=st.data())
def test_op_matches_pytorch(op, data):
    consts, xs = draw_case(data, op)
    value, grads = micrograd_result(op, consts, xs)
    expected_value, expected_grads = torch_result(op, consts, xs)
    assert value == pytest.approx(expected_value, **TORCH_TOL)
    assert grads == pytest.approx(expected_grads, **TORCH_TOL)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
@property_test
@given(data=st.data())
def test_op_matches_finite_differences(op, data):
    consts, xs = draw_case(data, op)
    gradcheck(lambda *values: op.micrograd(*consts, *values), xs)  # raises if they disagree


def test_every_op_is_in_the_table():
    """The table covers every operation a Value offers."""
    names = {op.name for op in OPS}
    for required in ["add", "sub", "mul", "div", "neg", "exp", "log", "tanh", "relu", "sigmoid",
                     "radd", "rsub", "rmul", "rtruediv", "weighted_sum"]:
        assert required in names
    exponents = [op.name for op in OPS if op.name.startswith("pow")]
    assert any("-" in e for e in exponents) and any("." in e for e in exponents)


@pytest.mark.parametrize("x", [0.0, -0.0, 1e-300, -1e-300])
def test_relu_at_the_kink_matches_pytorch(x):
    """At 0 itself both engines take the gradient of ReLU to be 0."""
    v = Value(x)
    v.relu().backward()
    t = torch.tensor(x, requires_grad=True)
    torch.relu(t).backward()
    assert (v.relu().data, v.grad) == (torch.relu(t).item(), t.grad.item())


@pytest.mark.parametrize("x", [-800.0, -40.0, 0.0, 40.0, 800.0])
def test_sigmoid_never_overflows(x):
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    t = torch.tensor(x, requires_grad=True)
    torch.sigmoid(t).backward()
    assert s.data == pytest.approx(torch.sigmoid(t).item(), **TORCH_TOL)
    assert v.grad == pytest.approx(t.grad.item(), **TORCH_TOL)


def test_sigmoid_where_the_naive_form_overflows():
    """checking.md: at a = -1000 the naive form 1 / (1 + e^-a) overflows; the package's gives 0.0."""
    with pytest.raises(OverflowError):
        1 / (1 + math.exp(1000.0))
    assert Value(-1000.0).sigmoid().data == 0.0


def test_weighted_sum_accepts_plain_numbers():
    w = [Value(2.0), Value(-1.0)]
    out = weighted_sum(w, [3.0, 4], 0.5)
    out.backward()
    assert out.data == 2.5
    assert [wi.grad for wi in w] == [3.0, 4.0]
    assert out._op == "w·x+b"


# Random expression graphs with shared subexpressions, against the same expression in PyTorch.

MICROGRAD_OPS = expression_ops(Value, Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu)
TORCH_OPS = expression_ops(torch.tensor, torch.exp, torch.log, torch.tanh, torch.sigmoid, torch.relu)


def backward_on_values(program):
    """The program run on Values and backpropagated once: its input Values and its output."""
    inputs, instructions = program
    values = [Value(x) for x in inputs]
    out = run_program(instructions, values, MICROGRAD_OPS)
    out.backward()
    return values, out


@property_test
@given(programs())
def test_random_expression_graphs_match_pytorch(program):
    values, out = backward_on_values(program)
    inputs, instructions = program
    tensors = [torch.tensor(x, requires_grad=True) for x in inputs]
    expected = run_program(instructions, tensors, TORCH_OPS)
    expected.backward()
    expected_grads = [0.0 if t.grad is None else t.grad.item() for t in tensors]

    # Long chains of roundings: allow relative error 1e-9 of the largest magnitude involved.
    scale = max([1.0, abs(expected.item())] + [abs(g) for g in expected_grads])
    assert out.data == pytest.approx(expected.item(), rel=1e-9, abs=1e-9 * scale)
    assert [v.grad for v in values] == pytest.approx(expected_grads, rel=1e-9, abs=1e-9 * scale)


@property_test
@given(programs())
def test_random_expression_graphs_match_finite_differences(program):
    inputs, instructions = program
    out = run_program(instructions, [Value(x) for x in inputs], MICROGRAD_OPS)
    # Finite differences are meaningless right at ReLU's kink: leave those graphs to PyTorch.
    assume(all(abs(node._prev[0].data) > 1e-3 for node in out.topological_order() if node._op == "ReLU"))
    gradcheck(lambda *values: run_program(instructions, values, MICROGRAD_OPS), inputs, rtol=1e-4, atol=1e-4)


@property_test
@given(programs())
def test_second_backward_exactly_doubles_leaf_grads(program):
    values, out = backward_on_values(program)
    first = [v.grad for v in values]
    out.backward()
    assert [v.grad for v in values] == [2 * g for g in first]


# The seeds' worked examples.

def test_seed_expression_L():
    """L = (a*b + c) * f at a=2, b=-3, c=10, f=-2: every number of the worked table, exactly."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    assert (e.data, d.data, L.data) == (-6.0, 4.0, -8.0)
    L.backward()
    grads = {v.label or name: v.grad for name, v in {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}.items()}
    assert grads == {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "b": -4.0, "a": 6.0}


NEURON = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.881373587019543)
# The seed's numbers are rounded to 4 places; the engine is exact to rounding, 1e-12 is a safe bound.
NEURON_TOL = 1e-12


def _neuron(tanh):
    v = {k: Value(x, label=k) for k, x in NEURON.items()}
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = tanh(n)
    o.backward()
    return o, {k: x.grad for k, x in v.items()}


def _tanh_from_exp(n):
    e = (2 * n).exp()
    return (e - 1) / (e + 1)


def test_seed_single_tanh_neuron():
    o, grads = _neuron(Value.tanh)
    assert o.data == pytest.approx(1 / math.sqrt(2), abs=NEURON_TOL)
    assert o.data == pytest.approx(0.7071, abs=5e-5)
    assert grads["x1"] == pytest.approx(-1.5, abs=NEURON_TOL)
    assert grads["w1"] == pytest.approx(1.0, abs=NEURON_TOL)
    assert grads["x2"] == pytest.approx(0.5, abs=NEURON_TOL)
    assert grads["w2"] == 0.0  # x2 is 0, so this one is exact
    assert grads["b"] == pytest.approx(0.5, abs=NEURON_TOL)


def test_tanh_from_exp_and_division_gives_the_same_gradients():
    o_exp, grads_exp = _neuron(_tanh_from_exp)
    o, grads = _neuron(Value.tanh)
    assert o_exp.data == pytest.approx(o.data, abs=NEURON_TOL)
    assert grads_exp == pytest.approx(grads, abs=NEURON_TOL)
    # The composite graph really is built from exp, /, +, - rather than tanh.
    ops = {node._op for node in o_exp.topological_order()}
    assert "tanh" not in ops and {"exp", "/"} <= ops


def test_seed_neuron_with_weighted_sum_matches_pytorch():
    x = [torch.tensor(NEURON[k], requires_grad=True) for k in ("x1", "x2", "w1", "w2", "b")]
    torch.tanh(x[0] * x[2] + x[1] * x[3] + x[4]).backward()
    v = [Value(NEURON[k]) for k in ("x1", "x2", "w1", "w2", "b")]
    weighted_sum([v[2], v[3]], [v[0], v[1]], v[4]).tanh().backward()
    assert [a.grad for a in v] == pytest.approx([t.grad.item() for t in x], **TORCH_TOL)


# Accumulation semantics.

def test_a_plus_a_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_shared_node_used_in_several_places():
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e  # a and b each reach f along two paths
    f.backward()
    assert (a.grad, b.grad) == (b.data * e.data + d.data, a.data * e.data + d.data)


def test_second_backward_doubles_leaves_and_keeps_intermediates():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    d = a * b + c
    L = d * d.tanh()
    L.backward()
    leaves, middle = (a.grad, b.grad, c.grad), d.grad
    L.backward()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in leaves)  # exactly, not approximately
    assert d.grad == middle  # an intermediate node holds this call's gradient
    assert L.grad == 1.0


def test_a_second_backward_adds_the_gradient_again_as_pytorch_does_with_retain_graph():
    """automating.md, checking.md and pytorch.md: PyTorch, asked to keep the graph, adds the same
    gradient again on a second backward(), as the package's leaves do; without retain_graph=True it
    refuses a further call, having freed the values the graph saved; a new graph adds to .grad too."""
    t, v = torch.tensor(2.0, requires_grad=True), Value(2.0)
    out_t, out_v = (t * t).exp(), (v * v).exp()  # exp saves its output for the backward pass
    out_t.backward(retain_graph=True)
    out_v.backward()
    once = v.grad
    assert once == pytest.approx(t.grad.item(), **TORCH_TOL)
    out_t.backward()
    out_v.backward()
    assert v.grad == 2 * once and t.grad.item() == pytest.approx(2 * once, **TORCH_TOL)
    with pytest.raises(RuntimeError):
        out_t.backward()
    (t * t).exp().backward()
    (v * v).exp().backward()
    assert v.grad == 3 * once and t.grad.item() == pytest.approx(3 * once, **TORCH_TOL)


def test_intermediate_grads_are_those_of_the_last_backward():
    a = Value(1.5)
    b = a * 2
    c = b.exp()
    c.backward()
    assert b.grad == pytest.approx(c.data)
    assert a.grad == pytest.approx(2 * c.data)
    b.backward()  # now b is the output
    assert b.grad == 1.0
    assert a.grad == pytest.approx(2 * c.data + 2)


def test_grad_of_the_output_is_one_and_leaves_start_at_zero():
    a = Value(4.0)
    assert a.grad == 0.0 and isinstance(a.grad, float)
    # every node an operation makes starts at 0 too (training-loop: why zero_grad touches only parameters)
    out = a * 2 + a.tanh() + weighted_sum([a], [1.0], 0.5)
    assert all(node.grad == 0.0 for node in out.topological_order())
    a.backward()
    assert a.grad == 1.0


def test_zeroing_then_backward_gives_a_fresh_gradient():
    a, b = Value(2.0), Value(5.0)
    out = a * b + a
    out.backward()
    out.backward()
    a.grad = b.grad = 0.0
    out.backward()
    assert (a.grad, b.grad) == (6.0, 2.0)


def test_million_node_chain_with_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000  # nothing raised it for us
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):  # one new node per step, each depending on the one before
        y = -y
    y.backward()
    assert y.data == 1.0 and x.grad == 1.0  # an even number of negations
    del y  # freeing the chain must not recurse either


def test_topological_order_lists_operands_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    assert len(order) == 4 and order[-1] is d
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node._prev:
            assert position[id(child)] < position[id(node)]


def test_graph_fields_read_by_draw_dot():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    assert c._prev == (a, b) and c._op == "*" and c.label == ""
    assert a._prev == () and a._op == ""
    assert (a + a)._prev == (a, a)  # operands in order, duplicates kept
    assert repr(c) == "Value(data=6.0, grad=0.0)"


@pytest.mark.parametrize("x", [3, 2.5, np.float64(1.25), np.float32(0.5), np.int64(7), np.int8(-2),
                               Fraction(1, 4)])
def test_numbers_are_stored_as_python_floats(x):
    v = Value(x)
    assert type(v.data) is float and v.data == float(x)


def test_gradients_are_plain_floats():
    """whats-next: backward() fills .grad with plain floats, which have no graph to differentiate again."""
    x = Value(2.0)
    (x ** 3 + x.tanh() * x.exp()).backward()
    assert type(x.grad) is float


def imported_modules(path):
    """Top-level names of the modules a source file imports (import x.y and from x.y import z)."""
    tree = ast.parse(path.read_text())
    return ({alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
            | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)})


@pytest.mark.parametrize("module", ["engine", "nn"])
def test_engine_and_nn_import_only_the_standard_library(module):
    """The GUIDE's rule and intro's / whats-next's claim: a reader can see the engine is all there is."""
    imported = imported_modules(ROOT / "micrograd" / f"{module}.py") - {"micrograd"}
    assert imported <= set(sys.stdlib_module_names), imported


def test_numpy_scalar_on_the_left():
    v = Value(2.0)
    for out in (np.float64(3.0) * v, np.float64(3.0) + v, np.float64(3.0) - v, np.float64(3.0) / v):
        assert isinstance(out, Value)
    assert (np.float64(3.0) - v).data == 1.0


def test_numpy_array_times_a_value_is_refused():
    """engine.md: `__array_ufunc__ = None` makes NumPy step aside, so an array on the left is refused;
    a class without it is multiplied element by element into an array of objects."""
    with pytest.raises(TypeError):
        np.array([1.0, 2.0]) * Value(2.0)

    class Unslotted:  # no __array_ufunc__: NumPy's object-array detour
        def __rmul__(self, other):
            return self

    assert (np.array([1.0, 2.0]) * Unslotted()).dtype == object


def test_a_value_has_slots_and_no_attribute_dictionary():
    """engine.md: `__slots__` leaves no per-object dictionary, so a typo cannot create a field."""
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.gard = 0.0


# Every bad input: the right exception type, and a message that names the problem.

@pytest.mark.parametrize("bad, name", [("x", "str"), (None, "NoneType"), ([1], "list"), (True, "bool"),
                                       (1 + 2j, "complex"), (np.array([1.0]), "ndarray")])
def test_value_rejects_non_numbers(bad, name):
    with pytest.raises(TypeError, match=f"Value\\(\\) needs an int, float or NumPy real scalar, not {name}"):
        Value(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_value_rejects_nan_and_infinity(bad):
    with pytest.raises(ValueError, match="needs a finite number, got (nan|inf|-inf)"):
        Value(bad)


def test_operand_of_the_wrong_type():
    v = Value(1.0)
    with pytest.raises(TypeError, match="not str: 'a'"):
        v + "a"
    with pytest.raises(TypeError, match="not str: 'a'"):
        "a" * v
    with pytest.raises(TypeError, match="not NoneType"):
        v - None
    with pytest.raises(TypeError, match="not list"):
        [1.0] / v


@pytest.mark.parametrize("label, kind", [(3, "int"), (("a", "b"), "tuple"), (None, "NoneType")])
def test_label_must_be_a_string(label, kind):
    """karpathy's private constructor Value(5.0, (a, b)) used to make the tuple a label, silently."""
    with pytest.raises(TypeError, match=f"the label must be a string, not {kind}; operands are recorded by"):
        Value(5.0, label)


def test_value_to_the_power_of_a_value():
    with pytest.raises(TypeError, match=r"Value \*\* Value is not supported"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="exponent of \\*\\* needs .* not str"):
        Value(2.0) ** "3"


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_a_non_positive_number(x):
    with pytest.raises(ValueError, match=rf"log is only defined for positive numbers, got log\({x!r}\)"):
        Value(x).log()


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match=r"division by zero in 1\.0 / 0\.0"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"division by zero in 2\.0 / 0\.0"):
        2 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / Value(0.0)


def test_exp_overflow():
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\) is too large for a float"):
        Value(1000).exp()


def test_power_overflow():
    with pytest.raises(OverflowError, match=r"10\.0 \*\* 400\.0 is too large"):
        Value(10.0) ** 400


@pytest.mark.parametrize("x, n, value", [(1e-200, -1, "1e\\+200"), (1e-103, -2, "1e\\+206"),
                                         (5e-324, 0.001, "0\\.475")])
def test_power_whose_derivative_overflows_says_so(x, n, value):
    """The value is a fine float; only n * x**(n-1) overflows, and the message must say which."""
    with pytest.raises(OverflowError, match=rf"\*\* {float(n)!r} is {value}.*, but its derivative "
                                            r"n \* x\*\*\(n-1\) is too large for a float"):
        Value(x) ** n


def test_nan_data_is_reported_as_not_a_number():
    v = Value(1.0)
    v.data = math.nan  # only reachable by assigning .data
    with pytest.raises(ValueError, match=r"\+ of nan, 1\.0 is not a number \(nan\)"):
        v + 1


@pytest.mark.parametrize("make, message", [
    (lambda: Value(1e308) * 10, r"\* of 1e\+308, 10\.0 is too large for a float"),
    (lambda: Value(1e308) + Value(1e308), r"\+ of 1e\+308, 1e\+308 is too large"),
    (lambda: -1e308 - Value(1e308), r"- of -1e\+308, 1e\+308 is too large"),
    (lambda: Value(1e308) / 1e-10, r"/ of 1e\+308, 1e-10 is too large"),
    (lambda: weighted_sum([1e308, 1e308], [10.0, 1.0], 0.0), r"w·x\+b of 1e\+308, .* is too large"),
])
def test_overflow_in_arithmetic(make, message):
    """An overflow to infinity is an error that names the op and its operands, never a silent inf."""
    with pytest.raises(OverflowError, match=message):
        make()


def test_division_of_tiny_numbers():
    """1e-200 / 1e-200 is 1: the derivative must not fail because b * b underflows to 0."""
    a, b = Value(1e-200), Value(1e-200)
    out = a / b
    out.backward()
    t, u = torch.tensor(1e-200, requires_grad=True), torch.tensor(1e-200, requires_grad=True)
    (t / u).backward()
    assert (out.data, a.grad, b.grad) == (1.0, t.grad.item(), u.grad.item())


def test_negative_base_with_a_fractional_exponent():
    with pytest.raises(ValueError, match=r"-2\.0 \*\* 0\.5 is not a real number \(negative base"):
        Value(-2.0) ** 0.5


@pytest.mark.parametrize("n", [-1, -0.5, 0.5])
def test_zero_to_a_power_whose_derivative_is_infinite(n):
    with pytest.raises(ValueError, match=rf"0\.0 \*\* {float(n)!r}: the derivative .* is infinite at x = 0"):
        Value(0.0) ** n


@pytest.mark.parametrize("n", [0, 1, 2, 1.5, 2.5])
@pytest.mark.parametrize("x", [0.0, 5e-324])
def test_powers_at_and_next_to_zero_match_pytorch(x, n):
    v = Value(x)
    out = v ** n
    out.backward()
    t = torch.tensor(x, requires_grad=True)
    expected = t ** n
    expected.backward()
    assert (out.data, v.grad) == (expected.item(), t.grad.item())


@pytest.mark.parametrize("inputs, kind", [(1.0, "float"), ({"a": 1.0}, "dict"), ("ab", "str"),
                                          ((x for x in [1.0, 2.0]), "generator")])
def test_weighted_sum_needs_a_list_of_inputs(inputs, kind):
    with pytest.raises(TypeError, match=f"weighted_sum needs a list of inputs, not {kind}"):
        weighted_sum([1.0, 2.0], inputs, 0.0)


def test_weighted_sum_with_mismatched_lengths():
    with pytest.raises(ValueError, match="as many weights as inputs, got 2 and 3"):
        weighted_sum([1.0, 2.0], [1.0, 2.0, 3.0], 0.0)


# The package probe's edges (issue 18) on Values; the decisions are in engine.py's docstring.

def test_grad_none_means_no_gradient_yet_as_in_pytorch():
    """M1: `v.grad = None` made the next backward fail ('unsupported operand type(s) for +=')."""
    v, reference = Value(3.0), torch.tensor(3.0, requires_grad=True)
    (v * 2).backward()
    (reference * 2).backward()
    v.grad, reference.grad = None, None
    assert v.grad is None  # as torch: no gradient yet
    (v * 5).backward()
    (reference * 5).backward()
    assert v.grad == reference.grad.item() == 5.0


def test_both_spellings_of_a_reciprocal_refuse_an_infinite_derivative():
    """L16 (old D1): 1/Value(1e-200) returned grad -inf while Value(1e-200)**-1 refused."""
    for make in (lambda x: x ** -1, lambda x: 1 / x, lambda x: Value(1.0) / x):
        with pytest.raises(OverflowError, match=r"is 1e\+200, but its derivative .* is too large for a float"):
            make(Value(1e-200))


def test_a_graph_is_a_record_of_the_forward_pass():
    """L17 (old D3), decided: the local derivatives are numbers stored when the graph was built, so
    after `a.data = 10` backward() on the old graph gives the gradients at the old numbers (torch
    would re-read a), and the forward pass run again gives torch's gradients at the new ones."""
    a, b = Value(2.0), Value(-3.0)
    c = (a * b).tanh()
    a.data = 10.0
    c.backward()
    old_a, old_b = torch.tensor(2.0, requires_grad=True), torch.tensor(-3.0, requires_grad=True)
    (old_a * old_b).tanh().backward()
    assert b.grad == pytest.approx(old_b.grad.item(), rel=1e-12)
    b.grad = 0.0
    (a * b).tanh().backward()  # the forward pass again
    new_a, new_b = torch.tensor(10.0, requires_grad=True), torch.tensor(-3.0, requires_grad=True)
    (new_a * new_b).tanh().backward()
    assert b.grad == pytest.approx(new_b.grad.item(), rel=1e-12)


@pytest.mark.parametrize("bad, error", [("abc", TypeError), (math.nan, ValueError), (math.inf, OverflowError)])
def test_bad_data_assigned_to_a_value_fails_at_the_next_operation(bad, error):
    """L18 (old D6), decided: `.data` stays a plain, unchecked attribute (a checked property costs
    every op; see engine.py), and a bad number is refused by the next op that reads it."""
    v = Value(1.0)
    v.data = bad
    with pytest.raises(error):
        v * 2.0


def test_one_topological_order_for_both_engines():
    from micrograd import engine

    a = Value(1.0)
    out = a * 2 + a
    assert engine.topological_order(out) == out.topological_order() and out.topological_order()[-1] is out
