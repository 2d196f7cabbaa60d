"""How fast the live pages are, in headless Chromium, on the built site (run `make book` first).

    python benchmarks/bench_live.py [--rounds 3] [--steps 20]

Prints, from one run:
- seconds from the first click on "Live code" to the first cell's output (the Run button is
  pressed right after Live, as a reader would), with a cold browser cache (a new context each
  round) and with a warm one (a second page in the same context);
- the moons training step (the playground's model: MLP(2, [16, 16, 1]), 100 points, max-margin
  loss + L2, SGD) in Pyodide in the browser against CPython, the same code (tools/browser/python/
  moons_demo.py) timed the same way, and their ratio.

Like the book's tests, Chromium resolves no host but 127.0.0.1. A measurement, not a test.
"""

import argparse
import functools
import http.server
import json
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PAGE = "book/value"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def first_output(context, base):
    """Seconds from the click on Live to the first live cell's output."""
    page = context.new_page()
    page.goto(f"{base}/{PAGE}.html", wait_until="load")
    start = time.perf_counter()
    page.get_by_role("button", name=re.compile("^Live")).click()
    run = page.get_by_role("button", name=re.compile("^Run")).first
    run.click()
    page.wait_for_function("() => /ready/.test(document.querySelector('.live-status').textContent)",
                           timeout=300_000, polling=20)
    ready = time.perf_counter() - start
    page.wait_for_function("() => [...document.querySelectorAll('.live-output')]"
                           ".some(o => /Done in/.test(o.textContent))", timeout=300_000, polling=20)
    seconds = time.perf_counter() - start
    page.close()
    return seconds, ready


def browser_step(context, base, steps):
    page = context.new_page()
    page.goto(f"{base}/book/playground.html", wait_until="load")
    page.get_by_role("button", name=re.compile("^Live")).click()
    page.wait_for_function("() => window.liveBook && /ready/.test(document.querySelector('.live-status').textContent)",
                           timeout=300_000)
    result = page.evaluate("(steps) => window.liveBook.kernel.call('moons_demo', 'bench', {steps})", steps)
    page.close()
    return result


def cpython_step(steps):
    sys.path.insert(0, str(ROOT / "tools" / "browser" / "python"))
    sys.path.insert(0, str(ROOT))
    import moons_demo
    return json.loads(moons_demo.bench(json.dumps({"steps": steps})))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    options = parser.parse_args()
    if not (SITE / "_static" / "live" / "runtime.json").exists():
        sys.exit("No built site with live pages: run `make book` first.")
    from playwright.sync_api import sync_playwright

    server, base = serve(SITE)
    cold, warm, browser_steps, cpython_steps = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(options.rounds):
            context = browser.new_context()
            cold.append(first_output(context, base))
            warm.append(first_output(context, base))
            print(f"  round: cold {cold[-1][0]:.2f} s (Python ready at {cold[-1][1]:.2f} s), "
                  f"warm {warm[-1][0]:.2f} s (ready at {warm[-1][1]:.2f} s)", flush=True)
            browser_steps.append(browser_step(context, base, options.steps)["seconds_per_step"])
            cpython_steps.append(cpython_step(options.steps)["seconds_per_step"])
            context.close()
        browser.close()
    server.shutdown()

    cold_ready = [r for _, r in cold]
    warm_ready = [r for _, r in warm]
    cold = [s for s, _ in cold]
    warm = [s for s, _ in warm]
    size = sum(f.stat().st_size for f in (SITE / "_static" / "live").rglob("*") if f.is_file())
    b, c = statistics.median(browser_steps), statistics.median(cpython_steps)
    print(f"live pages on {PAGE}, {options.rounds} rounds (median, min-max):")
    print(f"  first click to first output, cold cache: {statistics.median(cold):5.2f} s "
          f"({min(cold):.2f}-{max(cold):.2f})")
    print(f"  first click to first output, warm cache: {statistics.median(warm):5.2f} s "
          f"({min(warm):.2f}-{max(warm):.2f})")
    print(f"  of which Python ready (Pyodide started, wheels installed): cold "
          f"{statistics.median(cold_ready):.2f} s, warm {statistics.median(warm_ready):.2f} s")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print(f"moons training step (MLP(2, [16, 16, 1]), 100 points), {options.steps} steps a round:")
    print(f"  Pyodide in Chromium: {b * 1000:7.1f} ms/step")
    print(f"  CPython {sys.version.split()[0]}:      {c * 1000:7.1f} ms/step")
    print(f"  browser / CPython:   {b / c:7.2f}x")
    print(f"runtime in the site (_static/live): {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
