"""How fast a live page starts: click on "Live code" -> "Python ... is ready", in headless Chromium.

    .venv/bin/python benchmarks/bench_live.py [--rounds 7] [--quarter-cpu] [--site _build/html]

Each round starts Chromium on a NEW profile (an empty HTTP cache: the cold visit), closes it, and
starts it again on the same profile (the disk cache and V8's code cache are warm: a reader's second
visit). The site is served on 127.0.0.1 the way GitHub Pages serves it where it matters
(`Cache-Control: max-age=600`, `.wasm` as application/wasm); every other host resolves to nothing
(Chromium's --host-resolver-rules, not Playwright's request interception, which turns the cache off).
Times are taken inside the page (performance.now() at the click and when the status line first says
"ready"), so Playwright's own latency is not counted.

Two ways to click:
- "click": the pointer arrives on the button and clicks at once (the page has no time to act on
  the hover);
- "dwell": the pointer rests on the button 0.4 s before the click, as a reader's does; the page
  may start Python on that sign of intent (boot.js), and the time still counts from the click.

--quarter-cpu runs Chromium (every process of it) in a cgroup limited to a quarter of one CPU
(cpu.cfs_quota_us 25 ms per 100 ms period, cgroup v1; cpu.max on cgroup v2): a slow Chromebook or
an old phone. Needs root. CDP's setCPUThrottlingRate cannot model this: it slows the page's main
thread but not the Web Worker where Python runs.

--moons also times the playground's training step in Pyodide against CPython (the same code).
Prints the medians and ranges, with the load average, which matters on a shared machine. A
measurement, not a test.
"""

import argparse
import http.server
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Serving the site and starting Chromium: the site tests' own way.
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "site")]
from built_site import CHROMIUM, launch_chromium, serve  # noqa: E402

PAGE = "book/value"
LIVE_BUTTON = "button.live-toggle"
# Set before the page's scripts run: the click's time, and the time the status first says "ready".
TIMING = """
window.__live = {};
document.addEventListener("click", (e) => {
  if (e.target.closest && e.target.closest(".live-toggle") && !window.__live.click) window.__live.click = performance.now();
}, true);
new MutationObserver(() => {
  const s = document.querySelector(".live-status");
  if (s && /ready/.test(s.textContent) && !window.__live.ready) window.__live.ready = performance.now();
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


class GitHubPagesLike(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript"}

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def quarter_cpu():
    """A cgroup holding a quarter of one CPU, and a Chromium wrapper that starts inside it."""
    v2 = Path("/sys/fs/cgroup/cpu.max").parent
    if (v2 / "cgroup.controllers").exists() and "cpu" in (v2 / "cgroup.controllers").read_text():
        group = v2 / "bench_live"
        group.mkdir(exist_ok=True)
        (group / "cpu.max").write_text("25000 100000")
    else:
        group = Path("/sys/fs/cgroup/cpu/bench_live")
        group.mkdir(exist_ok=True)
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("25000")
    with tempfile.TemporaryDirectory() as folder:
        wrapper = Path(folder) / "chromium-quarter-cpu"
        wrapper.write_text(f'#!/bin/sh\necho $$ > {group}/cgroup.procs\nexec {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        try:
            yield str(wrapper)
        finally:
            time.sleep(0.5)  # Chromium's last processes leave the group
            try:
                group.rmdir()
            except OSError as error:
                print(f"  (could not remove {group}: {error})")


def one_visit(playwright, executable, profile, base, dwell):
    """Milliseconds from the click on Live to "ready", on this profile."""
    context = launch_chromium(playwright, (), executable, profile, viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(TIMING)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{base}/{PAGE}.html", wait_until="load")
        button = page.locator(LIVE_BUTTON)
        if dwell:
            button.hover()
            page.wait_for_timeout(dwell * 1000)
        button.click()
        page.wait_for_function("() => window.__live.ready", timeout=600_000, polling=20)
        timing = page.evaluate("() => window.__live")
        return timing["ready"] - timing["click"]
    finally:
        context.close()


def rounds(playwright, executable, base, n, dwell):
    cold, warm = [], []
    for _ in range(n):
        with tempfile.TemporaryDirectory() as profile:
            cold.append(one_visit(playwright, executable, profile, base, dwell))
            warm.append(one_visit(playwright, executable, profile, base, dwell))
        print(f"    cold {cold[-1]:6.0f} ms   warm {warm[-1]:6.0f} ms   (load {os.getloadavg()[0]:.1f})", flush=True)
    return cold, warm


def summary(label, times):
    return (f"  {label:<34} median {statistics.median(times) / 1000:5.2f} s   "
            f"min {min(times) / 1000:5.2f}   max {max(times) / 1000:5.2f}   n={len(times)}")


def moons_steps(playwright, base, steps):
    """The playground's training step: Pyodide in Chromium against CPython, seconds per step."""
    browser = launch_chromium(playwright)
    page = browser.new_page()
    page.goto(f"{base}/book/playground.html", wait_until="load")
    page.locator(LIVE_BUTTON).click()
    page.wait_for_function("() => /ready/.test(document.querySelector('.live-status').textContent)",
                           timeout=300_000)
    browser_result = page.evaluate("(steps) => window.liveBook.kernel.call('moons_demo', 'bench', {steps})", steps)
    browser.close()
    sys.path.insert(0, str(ROOT / "tools" / "browser" / "python"))
    sys.path.insert(0, str(ROOT))
    import moons_demo
    cpython_result = json.loads(moons_demo.bench(json.dumps({"steps": steps})))
    return browser_result["seconds_per_step"], cpython_result["seconds_per_step"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--site", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--quarter-cpu", action="store_true", help="also on a quarter of one CPU (root)")
    parser.add_argument("--slow-rounds", type=int, default=3, help="rounds on a quarter CPU")
    parser.add_argument("--dwell", type=float, default=0.4, help="seconds the pointer rests on Live")
    parser.add_argument("--moons", type=int, default=0, metavar="STEPS", help="also time the moons step")
    options = parser.parse_args()
    site = Path(options.site)
    if not (site / "_static" / "live" / "runtime.json").exists():
        sys.exit(f"No built site with live pages in {site}: run `make book` first.")
    from playwright.sync_api import sync_playwright

    print(f"{PAGE}: click on Live -> 'ready'; {os.cpu_count()} cores, load {os.getloadavg()}")
    results = []
    with serve(site, GitHubPagesLike) as base, sync_playwright() as playwright:
        for label, dwell in (("click", 0.0), (f"dwell {options.dwell:g} s", options.dwell)):
            print(f"  {label}:")
            cold, warm = rounds(playwright, CHROMIUM, base, options.rounds, dwell)
            results += [(f"{label}, cold", cold), (f"{label}, warm", warm)]
        if options.quarter_cpu:
            with quarter_cpu() as executable:
                for label, dwell in (("quarter CPU, click", 0.0), (f"quarter CPU, dwell {options.dwell:g} s", options.dwell)):
                    print(f"  {label}:")
                    cold, warm = rounds(playwright, executable, base, options.slow_rounds, dwell)
                    results += [(f"{label}, cold", cold), (f"{label}, warm", warm)]
        if options.moons:
            browser_step, cpython_step = moons_steps(playwright, base, options.moons)
    print(f"results (load average at the end {os.getloadavg()[0]:.1f}):")
    for label, times in results:
        print(summary(label, times))
    if options.moons:
        print(f"  moons training step: Pyodide {browser_step * 1000:.1f} ms, CPython {sys.version.split()[0]} "
              f"{cpython_step * 1000:.1f} ms, ratio {browser_step / cpython_step:.2f}x")
    size = sum(f.stat().st_size for f in (site / "_static" / "live").rglob("*") if f.is_file())
    print(f"  runtime in the site (_static/live): {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
