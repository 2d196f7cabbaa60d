"""Time one training step of karpathy's demo with this package and with micrograd 0.1.0 from PyPI.

    python benchmarks/bench_step.py [--rounds 5] [--classic-dir DIR] [--no-torch]

The step is the one from karpathy's demo notebook: 100 make_moons(noise=0.1) points, MLP(2, [16, 16, 1])
built right after random.seed(1337), the max-margin (hinge) loss averaged over the batch plus a 1e-4 L2
penalty, zero_grad, backward, and an SGD update. Both packages are called `micrograd`, so each engine
runs in its own subprocess; the engines alternate over several rounds in one run, and the script
prints the median seconds per step of each and their ratio. It also checks that the two engines'
gradients at the first step agree within 1e-9, and measures memory per graph node with tracemalloc.
Optionally PyTorch does the same step on tensors, for context.

This is a measurement, not a test: it prints figures and exits non-zero only if a bar is missed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 1337          # random.seed before building the model, as in the demo notebook
DATA_SEED = 1337     # make_moons(random_state=...)
N_POINTS = 100
ALPHA = 1e-4
GRAD_TOLERANCE = 1e-9
SPEED_BAR = 8.0
# Steps per subprocess per round: the classic engine takes over a second per step.
STEPS = {"classic": 3, "this": 20, "torch": 50}


# ---------------------------------------------------------------------------------------------
# The worker: runs inside a subprocess with exactly one `micrograd` importable.

def moons():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=N_POINTS, noise=0.1, random_state=DATA_SEED)
    # Plain Python floats and ints for both engines: micrograd 0.1.0 would otherwise carry NumPy
    # scalars through its whole graph, which would make it slower still and the comparison unfair.
    return X.tolist(), (y * 2 - 1).tolist()


def classic_step(model, Value, X, y, k):
    """The loss and update of karpathy's demo notebook, written as it is there."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    grads = [p.grad for p in model.parameters()]
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss, grads


def this_step(model, Value, X, y, k, optimizer):
    """The same step with this package's loss functions and optimiser."""
    from micrograd.losses import l2_penalty, max_margin_loss

    scores = [model([Value(a), Value(b)]) for a, b in X]
    total_loss = max_margin_loss(scores, y) + l2_penalty(model.parameters(), alpha=ALPHA)
    optimizer.zero_grad()
    total_loss.backward()
    grads = [p.grad for p in model.parameters()]
    optimizer.lr = 1.0 - 0.9 * k / 100
    optimizer.step()
    return total_loss, grads


def graph_nodes(root):
    """Every Value in the graph of `root`, found without recursion (works for both engines)."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return list(seen.values())


def memory_per_node(build, parameters):
    """Bytes allocated while building one loss graph, divided by the nodes that build created."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    loss = build()
    allocated = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    created = len(graph_nodes(loss)) - len(parameters)  # the parameters existed before
    return allocated, created


def worker(engine, steps, memory):
    import random

    X, y = moons()
    if engine == "torch":
        return torch_worker(X, y, steps)
    import micrograd
    from micrograd.engine import Value
    from micrograd.nn import MLP

    random.seed(SEED)
    model = MLP(2, [16, 16, 1])
    if engine == "classic":
        step = lambda k: classic_step(model, Value, X, y, k)  # noqa: E731
    else:
        from micrograd.optim import SGD
        optimizer = SGD(model.parameters(), lr=1.0)
        step = lambda k: this_step(model, Value, X, y, k, optimizer)  # noqa: E731

    times, first = [], None
    for k in range(steps):
        start = time.perf_counter()
        loss, grads = step(k)
        times.append(time.perf_counter() - start)
        if first is None:
            first = {"loss": loss.data, "grads": grads}
        del loss

    def build():  # forward pass only: the graph one step builds, as each engine's step builds it
        if engine == "classic":
            inputs = [list(map(Value, xrow)) for xrow in X]
            scores = list(map(model, inputs))
            losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
            return sum(losses) * (1.0 / len(losses)) + ALPHA * sum((p * p for p in model.parameters()))
        from micrograd.losses import l2_penalty, max_margin_loss
        scores = [model([Value(a), Value(b)]) for a, b in X]
        return max_margin_loss(scores, y) + l2_penalty(model.parameters(), alpha=ALPHA)

    result = {"engine": engine, "source": os.path.dirname(micrograd.__file__), "times": times, "first": first}
    if memory:  # tracemalloc slows everything down: measured once, after the timed steps
        result["memory_bytes"], result["nodes"] = memory_per_node(build, model.parameters())
    return result


def torch_worker(X, y, steps):
    """The same network, loss and update on tensors, starting from the same weights."""
    import random

    import torch

    torch.set_num_threads(1)
    random.seed(SEED)
    sizes = [2, 16, 16, 1]
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):  # karpathy's draws: each neuron's weights in turn, biases 0
        W = torch.tensor([[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], dtype=torch.float64)
        layers.append((W.requires_grad_(), torch.zeros(nout, dtype=torch.float64, requires_grad=True)))
    params = [p for layer in layers for p in layer]
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    optimizer = torch.optim.SGD(params, lr=1.0)
    times, first = [], None
    for k in range(steps):
        start = time.perf_counter()
        h = Xt
        for i, (W, b) in enumerate(layers):
            h = h @ W.T + b
            if i < len(layers) - 1:
                h = torch.relu(h)
        loss = torch.relu(1 - yt * h[:, 0]).mean() + ALPHA * sum((p * p).sum() for p in params)
        optimizer.zero_grad()
        loss.backward()
        if first is None:
            grads = [g for W, b in layers for j in range(W.shape[0]) for g in W.grad[j].tolist() + [b.grad[j].item()]]
            first = {"loss": loss.item(), "grads": grads}
        for group in optimizer.param_groups:
            group["lr"] = 1.0 - 0.9 * k / 100
        optimizer.step()
        times.append(time.perf_counter() - start)
    return {"engine": "torch", "source": f"torch {torch.__version__}", "times": times, "first": first}


# ---------------------------------------------------------------------------------------------
# The driver: installs micrograd 0.1.0, runs the workers in alternation, prints the figures.

def install_classic(target):
    print(f"installing micrograd==0.1.0 into {target} ...", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", target, "micrograd==0.1.0"], check=True)


def run_worker(engine, classic_dir, memory):
    env = dict(os.environ)
    # Put the wanted `micrograd` first on the path; the check below makes sure it is the one imported.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [classic_dir if engine == "classic" else REPO,
                                                       env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", engine, "--steps",
                          str(STEPS[engine])] + (["--memory"] if memory else []), env=env, cwd=tempfile.gettempdir(), check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout)
    expected = os.path.join(classic_dir, "micrograd") if engine == "classic" else os.path.join(REPO, "micrograd")
    if engine != "torch" and os.path.realpath(result["source"]) != os.path.realpath(expected):
        raise RuntimeError(f"the {engine} worker imported micrograd from {result['source']}, not {expected}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of alternating runs (default 5)")
    parser.add_argument("--classic-dir", help="a folder where micrograd==0.1.0 is already installed (--target)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch step")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.steps, args.memory)))
        return 0

    with tempfile.TemporaryDirectory(prefix="micrograd-0.1.0-") as tmp:
        classic_dir = args.classic_dir or tmp
        if not args.classic_dir:
            install_classic(classic_dir)
        engines = ["classic", "this"] + ([] if args.no_torch else ["torch"])
        results = {e: [] for e in engines}
        for r in range(args.rounds):
            order = engines if r % 2 == 0 else engines[::-1]  # alternate who goes first
            for engine in order:
                results[engine].append(run_worker(engine, classic_dir, memory=r == 0))
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(
                f"{e} {statistics.median(results[e][-1]['times']):.4f} s" for e in engines), flush=True)

    median = {e: statistics.median(t for run in results[e] for t in run["times"]) for e in engines}
    steps = {e: sum(len(run["times"]) for run in results[e]) for e in engines}
    names = {"classic": "micrograd 0.1.0 (karpathy, PyPI)", "this": "micrograd (this package)",
             "torch": "PyTorch, same step on tensors"}
    print(f"\nOne training step: {N_POINTS} make_moons points, MLP(2, [16, 16, 1]), hinge loss + {ALPHA:g} L2, "
          f"backward, SGD\nPython {sys.version.split()[0]}, {args.rounds} alternating rounds, one subprocess "
          "per engine per round\n")
    print(f"{'engine':<34} {'steps':>6} {'median s/step':>14}")
    for e in engines:
        print(f"{names[e]:<34} {steps[e]:>6} {median[e]:>14.5f}")
    ratio = median["classic"] / median["this"]
    print(f"\nspeed-up over micrograd 0.1.0: {ratio:.1f}x (bar: >= {SPEED_BAR:g}x)")
    if "torch" in engines:
        print(f"this package / PyTorch time per step: {median['this'] / median['torch']:.1f}x")

    # Gradients at the first step (same data, same initial weights): every run, every engine.
    reference = results["classic"][0]["first"]
    worst = {}
    for e in engines:
        worst[e] = max(abs(a - b) for run in results[e] for a, b in zip(run["first"]["grads"], reference["grads"]))
        assert all(len(run["first"]["grads"]) == len(reference["grads"]) == 337 for run in results[e])
    print(f"\nfirst-step gradients, {len(reference['grads'])} parameters, max |difference| from micrograd 0.1.0:")
    for e in engines:
        print(f"  {names[e]:<34} {worst[e]:.2e}")
    print(f"  first-step loss: {reference['loss']:.12f} (0.1.0), {results['this'][0]['first']['loss']:.12f} (this)")

    print("\nmemory per graph node (tracemalloc, building one step's loss graph):")
    per_node = {}
    for e in ("classic", "this"):
        run = results[e][0]
        per_node[e] = run["memory_bytes"] / run["nodes"]
        print(f"  {names[e]:<34} {run['nodes']:>6} nodes  {run['memory_bytes'] / 1e6:6.2f} MB  "
              f"{per_node[e]:6.0f} bytes/node")
    nodes_ratio = results["classic"][0]["nodes"] / results["this"][0]["nodes"]
    print(f"  the classic graph has {nodes_ratio:.1f}x as many nodes; whole graph: "
          f"{results['classic'][0]['memory_bytes'] / results['this'][0]['memory_bytes']:.1f}x the memory")

    ok = ratio >= SPEED_BAR and worst["this"] <= GRAD_TOLERANCE
    print("\n" + ("OK: " if ok else "MISSED: ") + f"ratio {ratio:.1f}x vs bar {SPEED_BAR:g}x; gradients within "
          f"{GRAD_TOLERANCE:g}: {worst['this'] <= GRAD_TOLERANCE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
