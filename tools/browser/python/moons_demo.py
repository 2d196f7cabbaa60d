"""The playground's moons demo, run in the live pages' worker (moons.js drives it).

The book's classifier (see the moons chapter): an `MLP` from micrograd.nn trained on two noisy
interleaved half-circles with the max-margin loss, an L2 penalty and SGD whose learning rate decays
to a tenth of its start over the first 100 steps. scikit-learn cannot run in the browser, so the data
is generated here, in pure Python, the way `sklearn.datasets.make_moons` draws it.

Each function takes and returns JSON text (worker.js calls them by name).
"""

import json
import math
import random

from micrograd.engine import Value
from micrograd.losses import l2_penalty, max_margin_loss
from micrograd.nn import MLP
from micrograd.optim import SGD

GRID = 36          # the decision boundary is drawn from GRID x GRID scores
ALPHA = 1e-4
DECAY_STEPS = 100  # the learning rate falls from lr to lr / 10 over these steps
MAX_HIDDEN = 64
MAX_LR = 10

_state = {}


def make_moons(n=100, noise=0.1, seed=1337):
    """Two interleaved half-circles with Gaussian noise: ([(x, y)...], [-1 or +1 ...])."""
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points, labels = [], []
    for i in range(n_outer):
        t = math.pi * i / (n_outer - 1)
        points.append((math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)))
        labels.append(-1)
    for i in range(n_inner):
        t = math.pi * i / (n_inner - 1)
        points.append((1 - math.cos(t) + rng.gauss(0, noise),
                       0.5 - math.sin(t) + rng.gauss(0, noise)))
        labels.append(1)
    return points, labels


def _sizes(hidden):
    sizes = [int(h) for h in hidden]
    if not sizes or len(sizes) > 4 or any(not 1 <= h <= MAX_HIDDEN for h in sizes):
        raise ValueError(f"hidden layer sizes must be 1 to 4 numbers from 1 to {MAX_HIDDEN}")
    return sizes


def reset(args="{}"):
    """A new model and data set: {"hidden": [16, 16], "lr": 1.0, "seed": 1337, "noise": 0.1}."""
    options = json.loads(args)
    hidden = _sizes(options.get("hidden", [16, 16]))
    lr = _learning_rate_of(options.get("lr", 1.0))
    seed = int(options.get("seed", 1337))
    points, labels = make_moons(n=int(options.get("n", 100)), noise=float(options.get("noise", 0.1)),
                                seed=seed)
    model = MLP(2, hidden + [1], seed=seed)
    parameters = model.parameters()
    _state.update(model=model, parameters=parameters, points=points, labels=labels, lr0=lr,
                  inputs=[[Value(a), Value(b)] for a, b in points],
                  optimizer=SGD(parameters, lr=lr), step=0, loss=None, accuracy=None)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    _state["bounds"] = [min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5]
    return json.dumps(_snapshot())


def _learning_rate_of(text):
    """The learning rate the reader typed, or a ValueError that says what is allowed."""
    try:
        lr = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"the learning rate must be a number, not {text!r}") from None
    if not 0 < lr <= MAX_LR:
        raise ValueError(f"the learning rate must be above 0 and at most {MAX_LR:g}, not {lr:g}")
    return lr


def set_lr(args):
    """{"lr": 0.5}: the learning rate from the next step on (refused, unchanged, if out of range)."""
    _state["lr0"] = _learning_rate_of(json.loads(args)["lr"])
    return json.dumps({"lr": _state["lr0"]})


def _learning_rate(step):
    return _state["lr0"] * (1.0 - 0.9 * min(step, DECAY_STEPS) / DECAY_STEPS)


def _evaluate():
    model, labels = _state["model"], _state["labels"]
    scores = [model(x) for x in _state["inputs"]]
    loss = max_margin_loss(scores, labels) + l2_penalty(_state["parameters"], ALPHA)
    right = sum((s.data > 0) == (y > 0) for s, y in zip(scores, labels))
    return loss, right / len(labels)


def train_step():
    """One step of the book's loop: forward, zero, backward, update."""
    loss, accuracy = _evaluate()
    optimizer = _state["optimizer"]
    optimizer.zero_grad()
    loss.backward()
    optimizer.lr = _learning_rate(_state["step"])
    optimizer.step()
    _state["step"] += 1
    _state["loss"], _state["accuracy"] = loss.data, accuracy
    return loss.data


def _float_forward(layers, x):
    """The model's score with plain floats (no graph): fast enough to colour a grid."""
    for weights, biases, activations in layers:
        out = []
        for w, b, act in zip(weights, biases, activations):
            s = b
            for wi, xi in zip(w, x):
                s += wi * xi
            if act == "relu":
                s = s if s > 0 else 0.0
            elif act == "tanh":
                s = math.tanh(s)
            elif act == "sigmoid":
                s = 1 / (1 + math.exp(-s))
            out.append(s)
        x = out
    return x[0]


def _grid():
    layers = [([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons],
               [n.activation for n in layer.neurons]) for layer in _state["model"].layers]
    x0, x1, y0, y1 = _state["bounds"]
    scores = []
    for j in range(GRID):
        y = y1 - (y1 - y0) * (j + 0.5) / GRID   # top row first, like a canvas
        for i in range(GRID):
            x = x0 + (x1 - x0) * (i + 0.5) / GRID
            scores.append(round(_float_forward(layers, [x, y]), 4))
    return scores


def _snapshot():
    return {"step": _state["step"], "loss": _state["loss"], "accuracy": _state["accuracy"],
            "lr": _learning_rate(_state["step"]), "grid": _grid(), "size": GRID,
            "bounds": _state["bounds"], "points": _state["points"], "labels": _state["labels"],
            "parameters": len(_state["parameters"])}


def step(args="{}"):
    """Train `steps` steps (default 1) and return the state with the new decision boundary."""
    steps = int(json.loads(args).get("steps", 1))
    if "model" not in _state:
        reset()
    for _ in range(max(1, min(steps, 50))):
        train_step()
    return json.dumps(_snapshot())


def bench(args="{}"):
    """Seconds per training step over `steps` steps, from a fresh model (benchmarks/bench_live.py)."""
    import time
    steps = int(json.loads(args).get("steps", 20))
    reset(json.dumps({k: v for k, v in json.loads(args).items() if k != "steps"}))
    train_step()  # warm up
    start = time.perf_counter()
    for _ in range(steps):
        train_step()
    return json.dumps({"seconds_per_step": (time.perf_counter() - start) / steps, "steps": steps,
                       "parameters": len(_state["parameters"])})
