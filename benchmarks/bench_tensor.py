"""Time micrograd.tensor against karpathy's micrograd 0.1.0 and PyTorch (float64, one thread).

    python benchmarks/bench_tensor.py [--rounds 5] [--classic-dir DIR] [--epochs 10]

1. The moons step of bench_step.py, batched: 100 make_moons points, MLP(2, [16, 16, 1]) with the
   weights karpathy's MLP draws after random.seed(1337) (as matrices), hinge loss averaged over the
   batch + 1e-4 L2, zero_grad, backward, SGD. micrograd 0.1.0 and PyTorch run the same step through
   bench_step.py's own workers. Each engine runs in its own subprocess; the engines alternate over
   several rounds and the script prints median seconds per step and the ratios, and checks the
   first-step gradients of all three agree within 1e-9.
2. The digits chapter's training: sklearn's load_digits, 80/20 split, MLP 64-64-10 (ReLU), cross-
   entropy, Adam with lr falling from 0.01 to 0.001, mini-batches of 32, 20 epochs, on
   micrograd.tensor and on PyTorch from the same weights, same batches: seconds per epoch of
   each, and both test accuracies (book/digits.md trains exactly this).

A measurement, not a test: it exits non-zero only if a bar is missed (>= 2000x over micrograd
0.1.0, at most 1.5x PyTorch's time per moons step).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_step  # noqa: E402  (the scalar benchmark: its data, workers and installer)

SPEED_BAR_CLASSIC = 2000.0  # at least this many times faster than micrograd 0.1.0
SPEED_BAR_TORCH = 1.5       # at most this many times PyTorch's time per step
STEPS = {"classic": 3, "tensor": 300, "torch": 300}
DIGITS = dict(hidden=64, lr=0.01, batch=32, seed=0)


# ---------------------------------------------------------------------------------------------
# Workers (each runs in a subprocess)

def initial_weights():
    """karpathy's MLP(2, [16, 16, 1]) after random.seed(1337), as (W, b) matrices per layer.

    Neuron j's weights become column j of W (nin, nout), so that X @ W + b is the layer.
    """
    import random

    random.seed(bench_step.SEED)
    sizes = [2, 16, 16, 1]
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):  # each neuron's weights in turn, biases 0
        rows = [[random.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)]
        layers.append(([list(col) for col in zip(*rows)], [0.0] * nout))
    return layers


def tensor_worker(steps):
    import numpy as np

    import micrograd
    from micrograd.optim import SGD
    from micrograd.tensor import Tensor

    X, y = bench_step.moons()
    X, y = Tensor(X), Tensor(np.array(y).reshape(-1, 1))
    layers = [(Tensor(W), Tensor(b)) for W, b in initial_weights()]
    params = [p for layer in layers for p in layer]
    optimizer = SGD(params, lr=1.0)

    def step(k):
        h = X
        for i, (W, b) in enumerate(layers):
            h = h @ W + b
            if i < len(layers) - 1:
                h = h.relu()
        loss = (1 - y * h).relu().mean() + bench_step.ALPHA * sum((p * p).sum() for p in params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / 100
        optimizer.step()
        return loss

    times, first = [], None
    for k in range(steps):
        start = time.perf_counter()
        loss = step(k % 100)
        times.append(time.perf_counter() - start)
        if first is None:  # in the scalar MLP's order: each neuron's weights, then its bias
            grads = [g for W, b in layers for j in range(W.shape[1])
                     for g in W.grad[:, j].tolist() + [b.grad[j].item()]]
            first = {"loss": loss.item(), "grads": grads}
    return {"engine": "tensor", "source": os.path.dirname(micrograd.__file__), "times": times,
            "first": first}


def digits_data():
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = digits.data / 16.0
    return train_test_split(X, digits.target, test_size=0.2, random_state=DIGITS["seed"],
                            stratify=digits.target)


def digits_worker(engine, epochs):
    import numpy as np

    X_train, X_test, y_train, y_test = digits_data()
    h = DIGITS["hidden"]
    # Same start for both engines (the chapter's): uniform(-1, 1) / sqrt(fan_in), biases 0.
    rng = np.random.default_rng(DIGITS["seed"])
    init = [rng.uniform(-1, 1, (64, h)) / 8.0, np.zeros(h),
            rng.uniform(-1, 1, (h, 10)) / h ** 0.5, np.zeros(10)]
    rng = np.random.default_rng(DIGITS["seed"])
    orders = [rng.permutation(len(X_train)) for _ in range(epochs)]
    rates = [DIGITS["lr"] * (1 - 0.9 * e / max(epochs - 1, 1)) for e in range(epochs)]
    times = []
    if engine == "tensor":
        from micrograd.optim import Adam
        from micrograd.tensor import Tensor, cross_entropy

        W1, b1, W2, b2 = params = [Tensor(p) for p in init]
        optimizer = Adam(params, lr=DIGITS["lr"])
        model = lambda x: ((x @ W1 + b1).relu() @ W2 + b2)  # noqa: E731
        for order, lr in zip(orders, rates):
            optimizer.lr = lr
            start = time.perf_counter()
            for i in range(0, len(order), DIGITS["batch"]):
                batch = order[i:i + DIGITS["batch"]]
                loss = cross_entropy(model(Tensor(X_train[batch])), y_train[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            times.append(time.perf_counter() - start)
        predictions = model(Tensor(X_test)).data.argmax(axis=1)
    else:
        import torch

        torch.set_num_threads(1)
        W1, b1, W2, b2 = params = [torch.tensor(p, requires_grad=True) for p in init]
        optimizer = torch.optim.Adam(params, lr=DIGITS["lr"])
        model = lambda x: torch.relu(x @ W1 + b1) @ W2 + b2  # noqa: E731
        Xt, yt = torch.tensor(X_train), torch.tensor(y_train)
        for order, lr in zip(orders, rates):
            optimizer.param_groups[0]["lr"] = lr
            start = time.perf_counter()
            for i in range(0, len(order), DIGITS["batch"]):
                batch = torch.from_numpy(order[i:i + DIGITS["batch"]])
                loss = torch.nn.functional.cross_entropy(model(Xt[batch]), yt[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            times.append(time.perf_counter() - start)
        with torch.no_grad():
            predictions = model(torch.tensor(X_test)).numpy().argmax(axis=1)
    return {"engine": engine, "times": times, "accuracy": float((predictions == y_test).mean())}


# ---------------------------------------------------------------------------------------------
# The driver

def run(args, env_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env_path, env.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, os.path.abspath(__file__)] + args, env=env,
                         cwd=tempfile.gettempdir(), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--classic-dir", help="a folder with micrograd==0.1.0 installed (--target)")
    parser.add_argument("--epochs", type=int, default=20, help="digits epochs per engine (default 20)")
    parser.add_argument("--save", default=os.path.join(HERE, "bench_tensor.json"),
                        help="where to write the figures as JSON (default benchmarks/bench_tensor.json; "
                             "the tensors chapter quotes them); '' to skip")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "tensor":
        print(json.dumps(tensor_worker(args.steps)))
        return 0
    if args.worker in ("digits-tensor", "digits-torch"):
        print(json.dumps(digits_worker(args.worker.split("-")[1], args.steps)))
        return 0

    bench_step.STEPS.update(STEPS)
    engines = ["classic", "tensor", "torch"]
    with tempfile.TemporaryDirectory(prefix="micrograd-0.1.0-") as tmp:
        classic_dir = args.classic_dir or tmp
        if not args.classic_dir:
            bench_step.install_classic(classic_dir)
        results = {e: [] for e in engines}
        for r in range(args.rounds):
            for engine in (engines if r % 2 == 0 else engines[::-1]):
                if engine == "tensor":
                    result = run(["--worker", "tensor", "--steps", str(STEPS["tensor"])], REPO)
                    if os.path.realpath(result["source"]) != os.path.join(os.path.realpath(REPO), "micrograd"):
                        raise RuntimeError(f"the tensor worker imported micrograd from {result['source']}")
                else:
                    result = bench_step.run_worker(engine, classic_dir, memory=False)
                results[engine].append(result)
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(
                f"{e} {statistics.median(results[e][-1]['times']) * 1e3:.3f} ms" for e in engines),
                flush=True)

    median = {e: statistics.median(t for run_ in results[e] for t in run_["times"]) for e in engines}
    names = {"classic": "micrograd 0.1.0 (karpathy, PyPI)", "tensor": "micrograd.tensor (batched)",
             "torch": "PyTorch float64, 1 thread"}
    print(f"\nOne moons training step: {bench_step.N_POINTS} points, MLP(2, [16, 16, 1]), hinge loss + "
          f"{bench_step.ALPHA:g} L2, backward, SGD\nPython {sys.version.split()[0]}, {args.rounds} "
          "alternating rounds, one subprocess per engine per round\n")
    print(f"{'engine':<34} {'steps':>6} {'median ms/step':>15}")
    for e in engines:
        print(f"{names[e]:<34} {sum(len(r['times']) for r in results[e]):>6} {median[e] * 1e3:>15.4f}")
    over_classic = median["classic"] / median["tensor"]
    over_torch = median["tensor"] / median["torch"]
    print(f"\nspeed-up over micrograd 0.1.0: {over_classic:,.0f}x (bar: >= {SPEED_BAR_CLASSIC:g}x)")
    print(f"micrograd.tensor / PyTorch time per step: {over_torch:.2f}x (bar: <= {SPEED_BAR_TORCH:g}x)")

    reference = results["classic"][0]["first"]["grads"]
    worst = {e: max(abs(a - b) for run_ in results[e] for a, b in zip(run_["first"]["grads"], reference))
             for e in engines}
    assert all(len(run_["first"]["grads"]) == len(reference) == 337 for e in engines for run_ in results[e])
    print("first-step gradients, 337 parameters, max |difference| from micrograd 0.1.0: "
          + ", ".join(f"{e} {worst[e]:.1e}" for e in engines))

    print(f"\nDigits: MLP 64-{DIGITS['hidden']}-10, Adam (lr {DIGITS['lr']} to {DIGITS['lr'] / 10:g}), batches of "
          f"{DIGITS['batch']}, {args.epochs} epochs, same weights and batches for both")
    digits = {}
    for engine in (["tensor", "torch"] * 2):  # twice each, alternating: keep the second run
        digits[engine] = run(["--worker", f"digits-{engine}", "--steps", str(args.epochs)], REPO)
    for engine in ("tensor", "torch"):
        d = digits[engine]
        print(f"  {names[engine]:<34} {statistics.median(d['times']) * 1e3:7.1f} ms/epoch   "
              f"test accuracy {d['accuracy']:.4f}")
    epoch_ratio = statistics.median(digits["tensor"]["times"]) / statistics.median(digits["torch"]["times"])
    print(f"  micrograd.tensor / PyTorch time per epoch: {epoch_ratio:.2f}x")

    if args.save:
        figures = {
            "date": time.strftime("%Y-%m-%d"), "python": sys.version.split()[0], "rounds": args.rounds,
            "ms_per_step": {e: median[e] * 1e3 for e in engines},
            "speedup_over_classic": over_classic, "time_ratio_to_torch": over_torch,
            "max_grad_difference": worst,
            "digits_epochs": args.epochs,
            "digits_ms_per_epoch": {e: statistics.median(digits[e]["times"]) * 1e3 for e in digits},
            "digits_accuracy": {e: digits[e]["accuracy"] for e in digits},
            "digits_time_ratio_to_torch": epoch_ratio,
        }
        with open(args.save, "w") as f:
            json.dump(figures, f, indent=1)
            f.write("\n")
        print(f"figures written to {os.path.relpath(args.save)}")

    ok = over_classic >= SPEED_BAR_CLASSIC and over_torch <= SPEED_BAR_TORCH and worst["tensor"] <= 1e-9
    print("\n" + ("OK" if ok else "MISSED") + f": {over_classic:,.0f}x over 0.1.0, {over_torch:.2f}x "
          f"PyTorch's time, gradients within 1e-9: {worst['tensor'] <= 1e-9}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
