"""What the package tests share: Hypothesis strategies (bounded inputs and random expression
graphs) and `seed_graph`, the small graph the drawing tests draw.

Inputs are kept inside each operation's domain and away from the places where finite
differences are meaningless (the kink of ReLU at 0, the pole of 1/x at 0).
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from micrograd.engine import Value

# One setting for every property test: enough examples to find edge cases, few enough that
# the whole suite stays quick. No deadline: the first call into PyTorch is slow.
property_test = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reals(lo, hi):
    """Finite floats in [lo, hi]."""
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo, hi):
    """Floats with lo <= |x| <= hi, of either sign."""
    return st.tuples(reals(lo, hi), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


small = reals(-10, 10)
positive = reals(0.01, 100)
nonzero = away_from_zero(0.5, 10)


# Random expression graphs. A program is a list of instructions (op, i, j): each one applies
# `op` to earlier nodes i and j (inputs or results of earlier instructions), so the same node
# can feed several later ones: shared subexpressions, the case where gradients must add up.
# Every op keeps its values bounded, so a long program never overflows.

def expression_ops(V, exp, log, tanh, sigmoid, relu):
    """The binary ops of a program, written once for any engine given its unary functions."""
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: tanh(a) * b,
        "div": lambda a, b: a / (1.5 + tanh(b)),
        "square": lambda a, b: tanh(a) ** 2 + b,
        "exp": lambda a, b: exp(tanh(a)) * b,
        "log": lambda a, b: log(1 + a * a) - b,
        "sigmoid": lambda a, b: sigmoid(a) * 3 - b,
        "relu": lambda a, b: relu(a) + 0.5 * b,
        "neg": lambda a, b: -a + b / 2,
        "rsub": lambda a, b: 2 - a * tanh(b),
        "rdiv": lambda a, b: 1 / (2 + sigmoid(a)) + b,
    }


OP_NAMES = sorted(expression_ops(None, *[None] * 5))


@st.composite
def programs(draw, max_inputs=4, max_instructions=14):
    """(inputs, instructions): a few input values and a list of (op, i, j) steps."""
    inputs = draw(st.lists(reals(-2, 2), min_size=1, max_size=max_inputs))
    n = draw(st.integers(min_value=1, max_value=max_instructions))
    instructions = []
    for k in range(n):
        available = len(inputs) + k
        op = draw(st.sampled_from(OP_NAMES))
        i = draw(st.integers(0, available - 1))
        j = draw(st.integers(0, available - 1))
        instructions.append((op, i, j))
    return inputs, instructions


def run_program(instructions, inputs, ops):
    """Evaluates a program on `inputs` with the given op table; returns the last node."""
    nodes = list(inputs)
    for op, i, j in instructions:
        nodes.append(ops[op](nodes[i], nodes[j]))
    return nodes[-1]


def seed_graph():
    """L = (a*b + c) * f with a=2, b=-3, c=10, f=-2, after L.backward(): the root and its values by
    label (gradients a 6, b -4, c -2, d -2, e -2, f 4, L 1)."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L, dict(a=a, b=b, c=c, d=d, e=e, f=f)
