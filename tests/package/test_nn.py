"""Neurons, layers and MLPs: against the same networks built in PyTorch, and against karpathy's API."""

import random

import numpy as np
import pytest
import torch

from micrograd import Value
from micrograd.losses import l2_penalty, max_margin_loss
from micrograd.nn import MLP, Layer, Module, Neuron
from micrograd.optim import SGD

torch.set_default_dtype(torch.float64)
TOL = dict(rel=1e-12, abs=1e-12)

TORCH_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}

# The seeds' tiny data set: four inputs of three numbers, with their targets.
SEED_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
SEED_YS = [1.0, -1.0, -1.0, 1.0]


def torch_copy(model):
    """The same network as (weight matrix, bias vector, activation) per layer, sharing nothing."""
    layers = []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], requires_grad=True)
        layers.append((W, b, TORCH_ACTIVATIONS[layer.neurons[0].activation]))
    return layers


def torch_forward(layers, X):
    h = torch.as_tensor(X)
    for W, b, act in layers:
        h = act(h @ W.T + b)
    return h[:, 0]


def micrograd_grads(model):
    return [p.grad for p in model.parameters()]


def torch_grads(layers):
    """Gradients in the order of model.parameters(): each neuron's weights, then its bias."""
    grads = []
    for W, b, _ in layers:
        for j in range(W.shape[0]):
            grads += W.grad[j].tolist() + [b.grad[j].item()]
    return grads


def test_seed_network_has_41_parameters_and_tanh_everywhere():
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=0)
    assert len(model.parameters()) == 41
    assert all(n.activation == "tanh" for layer in model.layers for n in layer.neurons)


def test_tanh_mlp_matches_pytorch_output_and_every_gradient():
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=42)
    # Non-zero biases, so their gradients matter as much as the weights'.
    rng = random.Random(7)
    for p in model.parameters():
        p.data = rng.uniform(-1, 1)
    layers = torch_copy(model)

    outputs = [model(x) for x in SEED_XS]
    loss = sum((out - y) ** 2 for out, y in zip(outputs, SEED_YS))
    loss.backward()

    expected_outputs = torch_forward(layers, SEED_XS)
    expected_loss = ((expected_outputs - torch.tensor(SEED_YS)) ** 2).sum()
    expected_loss.backward()

    assert [o.data for o in outputs] == pytest.approx(expected_outputs.tolist(), **TOL)
    assert loss.data == pytest.approx(expected_loss.item(), **TOL)
    grads = micrograd_grads(model)
    assert len(grads) == 41 and any(g != 0 for g in grads)
    assert grads == pytest.approx(torch_grads(layers), **TOL)


def moons_batch(n=40, seed=3):
    """Points from two interleaving half circles, labels -1/+1 (NumPy only, no scikit-learn needed)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X += rng.normal(scale=0.1, size=X.shape)
    return X, np.where(upper, -1, 1)


def test_relu_mlp_full_training_step_matches_pytorch():
    """Karpathy's demo step: MLP(2, [16, 16, 1]), mean hinge loss + 1e-4 L2, backward, SGD."""
    X, y = moons_batch()
    model = MLP(2, [16, 16, 1], seed=1337)
    layers = torch_copy(model)
    lr = 0.9

    scores = [model([Value(a), Value(b)]) for a, b in X]
    loss = max_margin_loss(scores, y.tolist()) + l2_penalty(model.parameters(), alpha=1e-4)
    optimizer = SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()
    loss.backward()
    grads = micrograd_grads(model)
    optimizer.step()

    params = [p for W, b, _ in layers for p in (W, b)]
    expected_scores = torch_forward(layers, X)
    data_loss = torch.relu(1 - torch.as_tensor(y, dtype=torch.float64) * expected_scores).mean()
    expected_loss = data_loss + 1e-4 * sum((p * p).sum() for p in params)
    torch_optimizer = torch.optim.SGD(params, lr=lr)
    torch_optimizer.zero_grad()
    expected_loss.backward()
    expected_grads = torch_grads(layers)
    torch_optimizer.step()

    assert [s.data for s in scores] == pytest.approx(expected_scores.tolist(), **TOL)
    assert loss.data == pytest.approx(expected_loss.item(), **TOL)
    assert len(grads) == 337
    assert grads == pytest.approx(expected_grads, **TOL)
    updated = [p.data for p in model.parameters()]
    expected_updated = [x for W, b, _ in layers for j in range(W.shape[0]) for x in W[j].tolist() + [b[j].item()]]
    assert updated == pytest.approx(expected_updated, **TOL)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_each_activation_matches_pytorch(activation):
    model = MLP(3, [5, 2], activation=activation, output_activation=activation, seed=11)
    layers = torch_copy(model)
    outputs = [model(x) for x in SEED_XS]
    total = sum(o for out in outputs for o in out)
    total.backward()
    expected = torch.as_tensor(SEED_XS)
    for W, b, act in layers:
        expected = act(expected @ W.T + b)
    expected.sum().backward()
    assert [o.data for out in outputs for o in out] == pytest.approx(expected.flatten().tolist(), **TOL)
    assert micrograd_grads(model) == pytest.approx(torch_grads(layers), **TOL)


# Compatibility with karpathy's micrograd: names, defaults, initialisation.

def karpathy_initial_weights(nin, nouts):
    """The sequence of random draws karpathy's MLP makes: uniform(-1, 1) per weight, neuron by neuron."""
    sizes = [nin] + nouts
    return [[random.uniform(-1, 1) for _ in range(sizes[i])] for i in range(len(nouts)) for _ in range(sizes[i + 1])]


def test_same_seeded_weights_as_karpathys_micrograd():
    random.seed(1337)
    expected = karpathy_initial_weights(2, [16, 16, 1])
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    neurons = [n for layer in model.layers for n in layer.neurons]
    assert [[w.data for w in n.w] for n in neurons] == expected
    assert all(n.b.data == 0.0 for n in neurons)


def test_karpathy_layout_and_repr():
    model = MLP(2, [16, 16, 1])
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert [n.nonlin for layer in model.layers for n in layer.neurons] == [True] * 32 + [False]
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["relu"] * 32 + ["linear"]
    assert len(model.parameters()) == 337
    assert repr(model.layers[2]) == "Layer of [LinearNeuron(16)]"
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)")
    neuron = model.layers[0].neurons[0]
    assert isinstance(neuron.w, list) and len(neuron.w) == 2 and isinstance(neuron.b, Value)
    assert neuron.parameters() == neuron.w + [neuron.b]
    assert isinstance(model, Module) and isinstance(model.layers[0], Module)


def test_karpathy_spelling_nonlin_false():
    n = Neuron(3, nonlin=False)
    assert n.activation == "linear" and not n.nonlin and repr(n) == "LinearNeuron(3)"
    out = n([1.0, 2.0, 3.0])
    assert out._op == "w·x+b"  # no activation node


def test_karpathy_demo_loop_runs_unchanged():
    """The loss and update code of karpathy's demo notebook, line for line, on NumPy inputs."""
    X, y = moons_batch(n=20)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    losses = []
    for k in range(3):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        data_losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(data_losses) * (1.0 / len(data_losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(total_loss.data)
        assert 0 <= sum(accuracy) / len(accuracy) <= 1
    assert all(isinstance(v, float) for v in losses)
    assert losses[-1] < losses[0]


def test_layer_of_one_neuron_returns_a_value():
    layer = Layer(3, 1, seed=0)
    assert isinstance(layer([1.0, 2.0, 3.0]), Value)
    assert len(Layer(3, 2, seed=0)([1.0, 2.0, 3.0])) == 2


# Reproducible initialisation.

def test_seed_gives_the_same_network_and_leaves_global_random_alone():
    random.seed(5)
    before = random.random()
    random.seed(5)
    a = MLP(3, [4, 4, 1], seed=123)
    assert random.random() == before  # a seeded model does not touch the global state
    b = MLP(3, [4, 4, 1], seed=123)
    c = MLP(3, [4, 4, 1], seed=random.Random(123))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()] == [p.data for p in c.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in MLP(3, [4, 4, 1], seed=124).parameters()]


def test_weights_are_uniform_in_minus_one_to_one_and_biases_zero():
    model = MLP(4, [8, 8, 1], seed=9)
    for layer in model.layers:
        for n in layer.neurons:
            assert all(-1 <= w.data <= 1 for w in n.w) and n.b.data == 0.0


def test_zero_grad_resets_every_parameter():
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=1)
    model(SEED_XS[0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_parameters_are_listed_layer_by_layer_each_neurons_weights_then_its_bias():
    """The order neurons' parameter table relies on; no parameter appears twice."""
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", seed=0)
    expected = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert len(model.parameters()) == len(expected) == len({id(p) for p in expected}) == 41
    assert all(p is q for p, q in zip(model.parameters(), expected))


def test_a_dead_relu_gets_no_gradient():
    """neurons: a ReLU unit whose input is negative for every example gets a gradient of exactly 0."""
    dead = Neuron(3, activation="relu", seed=0)
    dead.b.data = -10.0
    sum(dead(x) for x in SEED_XS).backward()
    assert all(p.grad == 0.0 for p in dead.parameters())


def test_each_neuron_is_two_nodes():
    """The fused w·x+b node plus one activation node: why this engine is fast."""
    n = Neuron(16, activation="tanh", seed=0)
    x = [Value(float(i)) for i in range(16)]
    out = n(x)
    assert out._op == "tanh" and out._prev[0]._op == "w·x+b"
    assert len(out.topological_order()) == 16 + 16 + 1 + 2  # weights, inputs, bias, then the two nodes


# Bad arguments.

@pytest.mark.parametrize("make", [lambda: Neuron(2, activation="softmax"),
                                  lambda: MLP(2, [3, 1], activation="ReLU"),
                                  lambda: MLP(2, [3, 1], output_activation="bogus"),
                                  lambda: Layer(2, 3, activation=None)])
def test_bad_activation_name(make):
    with pytest.raises(ValueError, match=r"activation must be one of \('relu', 'tanh', 'sigmoid', 'linear'\), got"):
        make()


@pytest.mark.parametrize("nin", [0, -1, 2.5, "3", True])
def test_bad_number_of_inputs(nin):
    with pytest.raises(ValueError, match="a neuron needs a positive whole number of inputs, got"):
        Neuron(nin)


def test_wrong_number_of_inputs_to_a_neuron():
    with pytest.raises(ValueError, match="as many weights as inputs, got 3 and 2"):
        Neuron(3, seed=0)([1.0, 2.0])


@pytest.mark.parametrize("make", [lambda: MLP(2, [0]), lambda: MLP(2, [-3]), lambda: MLP(2, [3, 0]),
                                  lambda: MLP(2, [0, 1]), lambda: MLP(2, [2.5, 1]), lambda: MLP(2, [3.0, 1]),
                                  lambda: Layer(2, 0), lambda: Layer(2, -1), lambda: Layer(2, True)])
def test_bad_layer_size(make):
    """A layer of 0, -3 or 2.5 neurons is an error that blames the layer size, not a neuron's inputs."""
    with pytest.raises(ValueError, match="a layer needs a positive whole number of neurons, got"):
        make()


@pytest.mark.parametrize("nouts", [3, None, "31", {16: 1}])
def test_mlp_layer_sizes_must_be_a_list(nouts):
    with pytest.raises(TypeError, match=r"nouts must be a list of layer sizes such as \[16, 16, 1\], got"):
        MLP(2, nouts)


def test_numpy_integer_sizes_are_accepted():
    model = MLP(np.int64(2), [np.int64(3), np.int32(1)], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [3, 1]
    assert type(model.layers[0].neurons) is list and len(Layer(np.int8(2), np.int64(4)).neurons) == 4


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_nonlin_false_contradicting_an_activation(activation):
    with pytest.raises(ValueError, match=f"nonlin=False means a linear neuron, but activation='{activation}'"):
        Neuron(2, nonlin=False, activation=activation)
    assert Neuron(2, nonlin=False, activation="linear").activation == "linear"


@pytest.mark.parametrize("nonlin", ["no", None, 2])
def test_nonlin_must_be_a_bool(nonlin):
    with pytest.raises(TypeError, match=f"nonlin must be True or False, got {nonlin!r}"):
        Neuron(2, nonlin=nonlin)


def test_mlp_without_layers_is_an_error():
    with pytest.raises(ValueError, match="at least one layer: nouts is empty"):
        MLP(2, [])
