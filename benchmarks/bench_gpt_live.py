"""How fast the GPT trains in the reader's browser, against CPython (run `make book` first).

    python benchmarks/bench_gpt_live.py [--rounds 3] [--steps 20]

The training chapter's live cell trains micrograd.gpt's model on `Value`s, one name per step
(forward, backward, Adam). This runs the same steps, the same code, in Pyodide in headless
Chromium (through the page's live kernel, on book/gpt-training) and in CPython, and prints steps
per second for each and their ratio. Both sides time with time.perf_counter (the only clock the
browser's Python has that means anything); CPython's CPU time is printed too. Chromium resolves
no host but 127.0.0.1, as in the tests. A measurement, not a test.
"""

import argparse
import json
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_live import ARGS, CHROMIUM, ROOT, SITE, serve  # noqa: E402

PAGE = "book/gpt-training"

# The chapter's loop, timed: prints one JSON line.
CODE = """
import json, random, time
from micrograd.gpt import Tokenizer, init_weights, load_names, scalar_loss, scalar_weights
from micrograd.optim import Adam

names = load_names()
tokenizer = Tokenizer(names)
order = [tokenizer.encode(n) for n in random.Random(42).sample(names, STEPS)]
w = scalar_weights(init_weights(tokenizer.vocab_size, seed=42))
optimizer = Adam([p for m in w.values() for row in m for p in row], lr=0.01, betas=(0.85, 0.99))
wall, cpu = time.perf_counter(), time.process_time()
for tokens in order:
    loss = scalar_loss(w, [tokens])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(json.dumps({"wall_per_step": (time.perf_counter() - wall) / STEPS,
                  "cpu_per_step": (time.process_time() - cpu) / STEPS,
                  "last_loss": loss.data}))
"""


def browser_round(browser, base, steps):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/{PAGE}.html", wait_until="load")
    page.get_by_role("button", name=re.compile("^Live")).click()
    page.wait_for_function("() => window.liveBook && /ready/.test("
                           "document.querySelector('.live-status').textContent)", timeout=300_000)
    result = page.evaluate("(code) => window.liveBook.kernel.run(code, 'bench')",
                           CODE.replace("STEPS", str(steps)))
    context.close()
    if result["error"]:
        raise RuntimeError(result["error"]["traceback"])
    text = "".join(o["text"] for o in result["outputs"] if o["kind"] == "stdout")
    return json.loads(text.strip().splitlines()[-1])


def cpython_round(steps):
    import contextlib
    import io

    sys.path.insert(0, str(ROOT))
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(CODE.replace("STEPS", str(steps)), {"__name__": "bench"})
    return json.loads(buffer.getvalue().strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    options = parser.parse_args()
    if not (SITE / "_static" / "live" / "runtime.json").exists():
        sys.exit("No built site with live pages: run `make book` first.")
    from playwright.sync_api import sync_playwright

    server, base = serve(SITE)
    browser_runs, cpython_runs = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(options.rounds):
            browser_runs.append(browser_round(browser, base, options.steps))
            cpython_runs.append(cpython_round(options.steps))
            print(f"  round: Chromium {1000 * browser_runs[-1]['wall_per_step']:.1f} ms/step, "
                  f"CPython {1000 * cpython_runs[-1]['wall_per_step']:.1f} ms/step", flush=True)
        browser.close()
    server.shutdown()
    same = {round(r["last_loss"], 12) for r in browser_runs + cpython_runs}
    b = statistics.median(r["wall_per_step"] for r in browser_runs)
    c = statistics.median(r["wall_per_step"] for r in cpython_runs)
    c_cpu = statistics.median(r["cpu_per_step"] for r in cpython_runs)
    print(f"GPT on Value (micrograd.gpt, 4,192 parameters), one name per step, "
          f"{options.steps} steps a round, {options.rounds} rounds (median):")
    print(f"  Pyodide in Chromium: {1 / b:6.1f} steps/s ({1000 * b:.1f} ms/step)")
    print(f"  CPython {sys.version.split()[0]}:      {1 / c:6.1f} steps/s ({1000 * c:.1f} ms/step, "
          f"CPU {1000 * c_cpu:.1f} ms)")
    print(f"  browser / CPython:   {b / c:6.2f}x the time per step")
    print(f"  same final loss in both: {len(same) == 1}")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
