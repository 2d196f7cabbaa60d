"""Time one training step of the GPT chapter's model on four engines.

    python benchmarks/bench_gpt.py [--rounds 3] [--steps 20]

The model is micrograd.gpt's (microgpt's shape: 16-dim embeddings, 4 heads, block size 16,
4,192 parameters); a step is one name: forward, backward and an Adam update. Engines:

  closure   the same scalar model on a Value class in the closure style of karpathy's
            micrograd (each op stores a `_backward` closure; a dot product is a chain of
            `*` and `+`, no fused nodes), defined below, with exp and log added
  closure-nogc  the same, with Python's cyclic garbage collector switched off (gc.disable()):
            what the closures' reference cycles cost
  value     this package's scalar engine (micrograd.engine: local gradients stored as
            numbers, no closures, fused `weighted_sum` nodes)
  tensor    micrograd.tensor
  torch     PyTorch, float64, one thread

Every engine trains from the same initial weights on the same names, in its own subprocess,
taking turns over several rounds; the script prints the mean seconds per step of each (over the
same names) and checks that all four give the same loss at step 0 (within 1e-10) and the same
gradients (the scalar engines against micrograd.tensor). The figures also go to
benchmarks/bench_gpt.json, which the GPT chapter quotes. A measurement, not a test: it exits
non-zero only if a bar is missed (the scalar engine at least 3x faster than the closure style).
"""

import argparse
import datetime
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LR, BETAS = 0.01, (0.85, 0.99)
TOLERANCE = 1e-10


# ---------------------------------------------------------------------------------------------
# karpathy's design: every op builds its output and a closure that knows how to push the
# output's gradient to the operands.

class ClosureValue:
    """A scalar with a `_backward` closure, as in karpathy's micrograd (plus exp and log)."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ClosureValue) else ClosureValue(other)
        out = ClosureValue(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        out = ClosureValue(self.data ** other, (self,), f"**{other}")

        def _backward():
            self.grad += (other * self.data ** (other - 1)) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = ClosureValue(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = ClosureValue(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1 / self.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = ClosureValue(0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1


def closure_cross_entropy(batch_logits, targets):
    """Mean -log softmax(logits)[target], by the log-sum-exp trick, on ClosureValues (micrograd's
    losses.cross_entropy accepts only its own Values)."""
    losses = []
    for logits, target in zip(batch_logits, targets):
        m = max(z.data for z in logits)
        shifted = [z - m for z in logits]
        log_sum_exp = sum((z.exp() for z in shifted), ClosureValue(0.0)).log()
        losses.append(log_sum_exp - shifted[target])
    return sum(losses, ClosureValue(0.0)) * (1.0 / len(losses))


class PlainAdam:
    """torch.optim.Adam's rule on anything with .data and .grad (micrograd.optim's Adam accepts only
    its own Values and Tensors)."""

    def __init__(self, parameters, lr, betas, eps=1e-8):
        self.parameters, self.lr, self.betas, self.eps, self.t = parameters, lr, betas, eps, 0
        self.m = [0.0] * len(parameters)
        self.v = [0.0] * len(parameters)

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0.0

    def step(self):
        (b1, b2), self.t = self.betas, self.t + 1
        step_size = self.lr / (1 - b1 ** self.t)
        root_correction = (1 - b2 ** self.t) ** 0.5
        for i, p in enumerate(self.parameters):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad * p.grad
            p.data -= step_size * self.m[i] / (self.v[i] ** 0.5 / root_correction + self.eps)


def closure_weighted_sum(weights, inputs, bias):
    """w · x + b as a chain of `*` and `+` nodes, as a model on karpathy's micrograd writes it."""
    return sum((w * x for w, x in zip(weights, inputs)), bias)


# ---------------------------------------------------------------------------------------------
# The worker: one engine, in its own process.

def worker(engine, steps):
    import micrograd.gpt as gpt
    import micrograd.gpt_tensor as gpt_tensor
    from micrograd.optim import Adam

    names = gpt.load_names()
    tokenizer = gpt.Tokenizer(names)
    weights = gpt.init_weights(tokenizer.vocab_size, seed=42)
    order = [tokenizer.encode(n) for n in random.Random(42).sample(names, steps)]
    result = {"engine": engine}

    if engine == "torch":
        import torch

        torch.set_num_threads(1)
        w = gpt_tensor.torch_weights(weights)
        optimizer = torch.optim.Adam(w.values(), lr=LR, betas=BETAS)

        def step(tokens):
            loss = gpt_tensor.torch_loss(w, [tokens])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        def first_grads():
            return None
    else:
        if engine.startswith("closure"):
            sys.setrecursionlimit(100_000)            # its topological sort is recursive
            gpt.Value = ClosureValue                  # the same model code on the other engine
            gpt.weighted_sum = closure_weighted_sum
            gpt.scalar_cross_entropy = closure_cross_entropy
            if engine == "closure-nogc":
                import gc
                gc.disable()  # nothing is freed until the process ends: fine for a few steps
        if engine == "tensor":
            w = gpt_tensor.tensor_weights(weights)
            parameters, loss_fn = list(w.values()), gpt_tensor.tensor_loss
        else:
            w = gpt.scalar_weights(weights)
            parameters = [p for m in w.values() for row in m for p in row]
            loss_fn = gpt.scalar_loss
        optimizer = (PlainAdam if engine.startswith("closure") else Adam)(parameters, lr=LR,
                                                                          betas=BETAS)

        def step(tokens):
            loss = loss_fn(w, [tokens])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return float(loss.data)

        def first_grads():
            if engine == "tensor":
                return [g for p in parameters for g in p.grad.ravel().tolist()]
            return [p.grad for p in parameters]

    times, cpu_times, losses = [], [], []
    for k, tokens in enumerate(order):
        start, cpu_start = time.perf_counter(), time.process_time()
        if k == 0 and engine != "torch":  # gradients at step 0, before the update
            loss = loss_fn(w, [tokens])
            optimizer.zero_grad()
            loss.backward()
            result["grads"] = first_grads()
            optimizer.step()
            losses.append(float(loss.data))
        else:
            losses.append(step(tokens))
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    result.update(times=times, cpu_times=cpu_times, losses=losses)
    return result


def run_worker(engine, steps):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", engine,
                          "--steps", str(steps)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of alternating runs (default 3)")
    parser.add_argument("--steps", type=int, default=20, help="steps (names) per run (default 20)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.steps)))
        return 0

    engines = ["closure", "closure-nogc", "value", "tensor", "torch"]
    results = {e: [] for e in engines}
    for r in range(args.rounds):
        for engine in (engines if r % 2 == 0 else engines[::-1]):
            results[engine].append(run_worker(engine, args.steps))
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(
            f"{e} {statistics.mean(results[e][-1]['times']):.4f} s" for e in engines), flush=True)

    # Each engine's mean time per step over the same names, then the median over the rounds:
    # wall-clock and CPU time (which other jobs on a busy machine inflate less).
    per_step = {e: statistics.median(statistics.mean(run["times"]) for run in results[e]) for e in engines}
    cpu = {e: statistics.median(statistics.mean(run["cpu_times"]) for run in results[e]) for e in engines}
    labels = {"closure": "scalar, closure style (karpathy's design)",
              "closure-nogc": "the same, garbage collector off",
              "value": "scalar, micrograd.engine (this package)",
              "tensor": "micrograd.tensor", "torch": "PyTorch float64, 1 thread"}
    print(f"\nGPT training step (one name; forward, backward, Adam), 4,192 parameters, {args.steps} names,"
          f"\nPython {sys.version.split()[0]}, {args.rounds} alternating rounds\n")
    print(f"{'engine':<44} {'ms/step':>9} {'CPU ms/step':>12} {'vs tensor':>10}")
    for e in engines:
        print(f"{labels[e]:<44} {1000 * per_step[e]:>9.2f} {1000 * cpu[e]:>12.2f} "
              f"{cpu[e] / cpu['tensor']:>9.1f}x")
    ratio = cpu["closure"] / cpu["value"]
    print(f"\nthis package's scalar engine is {ratio:.1f}x faster than the closure-style one in CPU "
          f"time, {per_step['closure'] / per_step['value']:.1f}x on the clock (bar: at least 3x)")

    reference = results["tensor"][0]
    loss_gap = max(abs(run["losses"][0] - reference["losses"][0]) for e in engines for run in results[e])
    grad_gap = max(abs(a - b) for e in ("closure", "closure-nogc", "value") for run in results[e]
                   for a, b in zip(run["grads"], reference["grads"]))
    curve_gap = max(abs(a - b) for e in engines for run in results[e]
                    for a, b in zip(run["losses"], reference["losses"]))
    print(f"step 0: loss {reference['losses'][0]:.12f}; largest loss difference between engines "
          f"{loss_gap:.1e},\n        largest gradient difference (scalar engines vs tensor) {grad_gap:.1e}")
    print(f"largest loss difference over the {args.steps} steps: {curve_gap:.1e}")
    ok = ratio >= 3 and loss_gap < TOLERANCE and grad_gap < TOLERANCE
    print("\n" + ("OK" if ok else "MISSED"))
    figures = {
        "date": datetime.date.today().isoformat(), "python": sys.version.split()[0],
        "load_average_1min": os.getloadavg()[0], "rounds": args.rounds, "steps": args.steps,
        "ms_per_step": {e: 1000 * per_step[e] for e in engines},
        "cpu_ms_per_step": {e: 1000 * cpu[e] for e in engines},
        "closure_over_value": ratio, "closure_nogc_over_value": cpu["closure-nogc"] / cpu["value"],
        "step0_loss_gap": loss_gap, "step0_grad_gap": grad_gap,
    }
    with open(os.path.join(REPO, "benchmarks", "bench_gpt.json"), "w") as f:
        json.dump(figures, f, indent=2)
        f.write("\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
