"""Neurons, layers and multi-layer perceptrons built from `Value`s.

The names, attributes and defaults follow karpathy's micrograd, so its demo runs
unchanged: `MLP(2, [16, 16, 1])` has ReLU hidden layers and a linear output,
weights start uniform in [-1, 1] and biases at 0.
"""

import numbers
import random

from micrograd.engine import Value, weighted_sum

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


class Module:
    """Anything with parameters: it can list them and reset their gradients."""

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """act(w · x + b) for one input vector x.

    `activation` is one of ACTIVATIONS; karpathy's `nonlin=False` means
    "linear". `seed`: an int, a `random.Random`, or None for the `random`
    module's own state.
    """

    def __init__(self, nin, nonlin=True, activation="relu", seed=None):
        if nonlin not in (True, False):
            raise TypeError(f"nonlin must be True or False, got {nonlin!r}")
        if not nonlin:
            if activation not in ("relu", "linear"):  # "relu": the default
                raise ValueError("nonlin=False means a linear neuron, but "
                                 f"activation={activation!r}: give only one")
            activation = "linear"
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, "
                             f"got {activation!r}")
        nin = _size(nin, "a neuron needs a positive whole number of inputs")
        rng = _rng(seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        act = weighted_sum(self.w, x, self.b)
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()  # act.relu(), act.tanh(), ...

    @property
    def nonlin(self):
        return self.activation != "linear"

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        names = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                 "linear": "Linear"}
        return f"{names[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons that all see the same inputs (one neuron: a Value out)."""

    def __init__(self, nin, nout, seed=None, **neuron_options):
        nout = _size(nout, "a layer needs a positive whole number of neurons")
        rng = _rng(seed)
        self.neurons = [Neuron(nin, seed=rng, **neuron_options)
                        for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers in sequence: `nouts` lists each layer's width, the output last.

    Hidden layers use `activation`; the output layer uses `output_activation`.
    """

    def __init__(self, nin, nouts, activation="relu",
                 output_activation="linear", seed=None):
        if not isinstance(nouts, (list, tuple)):
            raise TypeError("nouts must be a list of layer sizes such as "
                            f"[16, 16, 1], got {nouts!r}")
        if not nouts:
            raise ValueError("an MLP needs at least one layer: nouts is empty")
        rng = _rng(seed)
        sizes = [nin] + list(nouts)
        activations = [activation] * (len(nouts) - 1) + [output_activation]
        self.layers = [Layer(sizes[i], sizes[i + 1], seed=rng, activation=act)
                       for i, act in enumerate(activations)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def _size(n, message):
    """`n` as an int >= 1 (NumPy integers too), or a ValueError."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{message}, got {n!r}")
    return int(n)


def _rng(seed):
    """Where initial weights come from: the `random` module if seed is None."""
    if seed is None:
        return random
    if seed is random or isinstance(seed, random.Random):
        return seed
    return random.Random(seed)
