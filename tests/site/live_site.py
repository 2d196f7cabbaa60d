"""What the live-page tests share: the offline Chromium, one browser context, a tab on a live page,
and the cells the build exported (_static/live/pages/<page>.json), from which the tests derive what
to run (never hard-coded cell numbers: the chapters change).

Fixtures (imported by the test modules that use them): live_context, tab, and page_runs: each code
page run live ONCE per session, top to bottom, its exercises checked after their starters, and
everything the tests assert on recorded (test_live.py, test_live_differential.py and test_live_gpt.py
read the same runs: going live and running a page are the slow part of the suite). The runs happen
in a process of their own, beside the rest of the suite (BackgroundRuns).
"""

import json
import os
import re
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from book_files import ROOT, toc_docnames
from built_site import ARTIFACTS, SCREENSHOTS, launch_chromium, record_off_site, serve

LIVE = re.compile(r"^Live")
RUN = re.compile(r"^Run")
STOP = re.compile(r"^Stop")
CHECK = re.compile(r"^Check")
READY_S = 120  # the first start on a loaded 2-core machine; usually 3-10 s
RUN_S = 60
BOOT_BYTES_LIMIT = 50_000


def has_code_cells(docname):
    path = ROOT / f"{docname}.md"
    return path.exists() and "```{code-cell}" in path.read_text()


CODE_PAGES = [d for d in toc_docnames() if has_code_cells(d)]


def exported(html_dir, docname):
    path = Path(html_dir) / "_static" / "live" / "pages" / f"{docname}.json"
    assert path.exists(), f"the build did not export {docname}'s cells to {path}"
    return json.loads(path.read_text())


def runnable(cell):
    return not cell["needs"] and cell["static"] is None


# The live pages are about the HTTP cache (the runtime, 14 MB, loads once and later pages reuse it),
# which Playwright's request interception would turn off: the session's Chromium (conftest's `browser`)
# is offline by its command line instead (built_site.OFFLINE_ARGS) and records every request that
# tried to leave.

def _record_off_site(context):
    context.blocked = []
    record_off_site(context, context.blocked)


@pytest.fixture(scope="module")
def live_context(browser):
    """One browser context (one HTTP cache) for the module's tabs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    _record_off_site(context)
    yield context
    context.close()


# Marks a cell so that `el.__runStarted()` says whether its output changed since (a run empties
# it and writes "Waiting…" at once) or appeared.
WATCH_FOR_A_RUN_JS = """(cell) => {
  const out = cell.querySelector('.live-output');
  if (!out) { cell.__runStarted = () => !!cell.querySelector('.live-output'); return; }
  let seen = false;
  const watch = new MutationObserver(() => { seen = true; watch.disconnect(); });
  watch.observe(out, { childList: true, subtree: true, characterData: true, attributes: true });
  cell.__runStarted = () => seen;
}"""


class LiveTab:
    def __init__(self, context, base_url, docname):
        self.page = context.new_page()
        self.context = context
        self.errors = []
        self.requests = []
        self.reclicks = []  # cells whose Run/Check click started nothing (run() clicked again)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(f"{base_url}/{docname}.html", wait_until="load")

    def go_live(self):
        self.page.get_by_role("button", name=LIVE).click()
        self.page.wait_for_function(
            "() => /ready|could not start/.test(document.querySelector('.live-status').textContent)",
            timeout=READY_S * 1000)
        status = self.page.locator(".live-status").inner_text()
        assert "ready" in status, status

    def cell(self, index):
        return self.page.locator(f".live-cell-{index}")

    def set_code(self, index, code):
        self.page.evaluate("([i, code]) => window.liveBook.cells.find(c => c.data.index === i).editor.setCode(code)",
                           [index, code])

    def shown_code_cells(self, data):
        """The page's code cells as a reader sees them, in order (numbered 1, 2, 3... on the page)."""
        return [c for c in data["cells"] if c["shown"] and c["input_shown"]]

    def run(self, index, button=RUN, timeout_s=RUN_S):
        cell = self.cell(index)
        # a cell the page hides ("Show code cell"): open it, as a reader would
        cell.evaluate("el => el.querySelectorAll('details').forEach(d => { d.open = true; })")
        cell.evaluate(WATCH_FOR_A_RUN_JS)
        cell.get_by_role("button", name=button).click()
        try:
            self.page.wait_for_function("el => el.__runStarted()", arg=cell.element_handle(), timeout=5000)
        except PlaywrightTimeoutError:
            # The click reached no button (seen under load: the page's layout moved under the
            # pointer): click the element itself, and say so at the end of the run.
            self.reclicks.append(index)
            cell.get_by_role("button", name=button).dispatch_event("click")
        return self.wait_output(index, timeout_s)

    def wait_output(self, index, timeout_s=RUN_S):
        out = self.cell(index).locator(".live-output")
        out.wait_for(state="attached")
        self.page.wait_for_function(
            "el => el.getAttribute('aria-busy') === 'false' && el.textContent.trim() !== ''",
            arg=out.element_handle(), timeout=timeout_s * 1000)
        return out

    def close(self):
        self.page.close()


ENGINE_PAGE = "book/value"


@pytest.fixture(scope="module")
def engine_tab(live_context, site_url, html_dir):
    """book/value, live, with its first live cell as a scratch cell: `engine_tab.run_code(code)`."""
    data = exported(html_dir, ENGINE_PAGE)
    t = LiveTab(live_context, site_url, ENGINE_PAGE)
    t.go_live()
    t.first = next(c["index"] for c in data["cells"] if c["shown"] and c["input_shown"] and runnable(c))

    def run_code(code):
        t.set_code(t.first, code)
        return t.run(t.first)

    t.run_code = run_code
    yield t
    assert not t.errors, t.errors
    t.close()


@pytest.fixture
def tab(live_context, site_url):
    tabs = []

    def open_(docname):
        t = LiveTab(live_context, site_url, docname)
        tabs.append(t)
        return t

    yield open_
    for t in tabs:
        assert not t.errors, f"page errors: {t.errors}"
        t.close()
    assert not live_context.blocked, f"requests off 127.0.0.1: {live_context.blocked}"


# ---------------------------------------------------------------- each page run once per session

# What a run records of the build's output of a cell (read from the built HTML before the run
# replaces it) and of the live output: the words and numbers of printed text and values, and the
# <text> of SVG figures (Graphviz's <title>s hold node ids).
BUILD_OUTPUT_JS = """async (el) => {
  const out = el.querySelector('.cell_output');
  if (!out) return '';
  const parts = [];
  const svgText = (svg) => [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ');
  for (const node of out.querySelectorAll('.mg-player, img, .output')) {
    if (node.closest('.mg-player') && !node.classList.contains('mg-player')) continue;
    if (node.classList.contains('mg-player')) {
      for (const f of node.querySelectorAll('.mg-frame')) parts.push(svgText(f) + ' ' + f.dataset.caption);
    } else if (node.tagName === 'IMG') {
      if (node.src.endsWith('.svg')) {
        const text = await (await fetch(node.src)).text();
        parts.push(svgText(new DOMParser().parseFromString(text, 'image/svg+xml')));
      } else parts.push('[image]');
    } else if (!node.querySelector('.mg-player, img')) {
      const pres = node.querySelectorAll('pre');  // not the copy button's text
      parts.push(pres.length ? [...pres].map((p) => p.textContent).join('\\n') : node.textContent);
    }
  }
  return parts.join('\\n');
}"""

LIVE_OUTPUT_JS = """(el) => {
  const out = el.querySelector('.live-output');
  const parts = [];
  const svgText = (svg) => [...svg.querySelectorAll('text')].map((t) => t.textContent).join(' ');
  for (const node of out.children) {
    if (node.tagName === 'PRE') parts.push(node.textContent);
    else if (node.classList.contains('live-figure')) parts.push(svgText(node));
    else if (node.classList.contains('live-player')) {
      for (const f of node.querySelectorAll('.live-frame')) parts.push(svgText(f) + ' ' + f.dataset.caption);
    }
  }
  return parts.join('\\n');
}"""

NOTES_JS = """(el) => [...el.querySelectorAll('.live-output .live-warning, .live-output .live-error-note')]
  .map((p) => p.textContent)"""

CELL_S = 300  # the slowest cells: the GPT's training (about a minute quiet), softmax's (2 s)


def nothing_runs_on(html_dir, docname):
    """None if a shown code cell of the page can run live, else the list of what the page needs."""
    shown = [c for c in exported(html_dir, docname)["cells"] if c["shown"] and c["input_shown"]]
    if not shown or any(runnable(c) for c in shown):
        return None
    return sorted({n for c in shown for n in c["needs"]})


def opened_page(t):
    """What a just-opened page did before any click: the files of the live runtime it requested
    (by path) and how many Live buttons it shows."""
    t.page.wait_for_timeout(300)
    return {"live_requests": sorted({urlparse(u).path for u in t.requests if "/_static/live/" in u}),
            "live_buttons": t.page.get_by_role("button", name=LIVE).count()}


def exercises_of(cells):
    """{exercise id: {role: cell}} from a page's exported cells (roles: starter, solution, check)."""
    found = {}
    for c in cells:
        if c.get("role"):
            found.setdefault(c["exercise"], {})[c["role"]] = c
    return found


def checkable(roles):
    """Whether the browser can check the exercise: its starter and its check need nothing it lacks."""
    return set(roles) == {"starter", "solution", "check"} and runnable(roles["starter"]) and runnable(roles["check"])


@dataclass
class ExerciseRun:
    exercise: str
    starter_failed: bool     # Check on the unedited starter showed one failure
    starter_text: str
    solution_passed: bool    # Check on the solution, typed into the starter's editor, showed one pass
    solution_text: str


@dataclass
class PageRun:
    """A code page run live once, as a reader would: Live, then every live cell top to bottom with
    Run, and after each exercise's starter, Check on it unedited and with its solution."""
    docname: str
    live: list = field(default_factory=list)          # the shown cells that run live, in page order
    static: list = field(default_factory=list)        # the shown cells that cannot (computed at build time)
    static_notes: dict = field(default_factory=dict)  # static cell index -> the texts of its .live-static notes
    editors: int = 0
    run_buttons: int = 0
    aria_live: str = ""                               # the aria-live of the first live cell's output
    results: list = field(default_factory=list)       # (cell, build text, live text, warning notes)
    outputs: dict = field(default_factory=dict)       # live cell index -> its whole output as the reader reads it
    error_cells: list = field(default_factory=list)   # the live cells whose output shows an error
    exercises: list = field(default_factory=list)     # ExerciseRun per checkable exercise
    errors: list = field(default_factory=list)        # the page's uncaught errors
    blocked: list = field(default_factory=list)       # requests that tried to leave 127.0.0.1
    opened: dict = field(default_factory=dict)        # the page as loaded, before the click (opened_page)
    hung_before: str = ""                             # a first run's timeout, when the page was run again
    reclicks: list = field(default_factory=list)      # cells whose first Run/Check click started nothing
    failure: str = ""                                 # the traceback that ended the run early, if any

    @classmethod
    def from_dict(cls, data):
        """A run read back from JSON (asdict)."""
        return cls(**dict(data, exercises=[ExerciseRun(**x) for x in data["exercises"]],
                          static_notes={int(k): v for k, v in data["static_notes"].items()},
                          outputs={int(k): v for k, v in data["outputs"].items()}))

    def completed(self):
        """Fail the calling test if the run did not reach its end."""
        if self.failure:
            pytest.fail(f"the live run of {self.docname} stopped early:\n{self.failure}")


def check_exercise(t, ex_id, roles, on_solution_passed=None):
    """Check on the unedited starter, then on the solution typed into its editor; the starter's
    code is put back after."""
    starter = roles["starter"]
    unedited = t.run(starter["index"], button=CHECK)
    starter_failed, starter_text = unedited.locator(".live-fail").count() == 1, unedited.inner_text()
    t.set_code(starter["index"], roles["solution"]["source"])
    solved = t.run(starter["index"], button=CHECK)
    solution_passed = solved.locator(".live-pass").count() == 1
    if solution_passed and on_solution_passed:
        on_solution_passed(t.cell(starter["index"]))
    t.set_code(starter["index"], starter["source"])
    return ExerciseRun(ex_id, starter_failed, starter_text, solution_passed, solved.inner_text())


def run_live_page(context, base_url, html_dir, docname, on_solution_passed=None, progress=lambda line: None):
    """Run a code page live (see PageRun). A page where nothing can run is opened, not turned live.
    `progress(line)` hears what is about to run."""
    cells = exported(html_dir, docname)["cells"]
    run = PageRun(docname)
    run.live = [c for c in cells if c["shown"] and c["input_shown"] and runnable(c)]
    run.static = [c for c in cells if c["shown"] and not runnable(c)]
    blocked_before = len(context.blocked)
    t = LiveTab(context, base_url, docname)
    try:
        run.opened = opened_page(t)
        if nothing_runs_on(html_dir, docname) is not None:
            return run
        builds = {c["index"]: t.cell(c["index"]).evaluate(BUILD_OUTPUT_JS) for c in run.live}
        t.go_live()
        run.static_notes = {c["index"]: t.cell(c["index"]).locator(".live-static").all_text_contents()
                            for c in run.static}
        run.editors = t.page.locator(".live-editor").count()
        run.run_buttons = t.page.get_by_role("button", name=RUN, include_hidden=True).count()
        # An exercise is checked right after its starter ran, before the cells below it: those may
        # redefine what its check uses (value's staged Value class does), as in a reader's first pass.
        by_starter = {roles["starter"]["index"]: (ex_id, roles)
                      for ex_id, roles in exercises_of(cells).items() if checkable(roles)}
        for c in run.live:
            progress(f"{docname}: cell {c['index']}")
            out = t.run(c["index"], timeout_s=CELL_S)
            run.outputs[c["index"]] = out.inner_text()
            errors = out.locator(".live-error").count()
            if errors:
                run.error_cells.append(c["index"])
            if not run.aria_live:
                run.aria_live = out.get_attribute("aria-live")
            el = t.cell(c["index"])
            run.results.append((c, builds[c["index"]], el.evaluate(LIVE_OUTPUT_JS), el.evaluate(NOTES_JS)))
            if c["index"] in by_starter:
                progress(f"{docname}: exercise {by_starter[c['index']][0]}")
                run.exercises.append(check_exercise(t, *by_starter[c["index"]], on_solution_passed))
        missed = sorted(ex_id for index, (ex_id, _) in by_starter.items()
                        if index not in {c["index"] for c in run.live})
        assert not missed, f"exercises whose starter is not a live cell: {missed}"
    except Exception:  # noqa: BLE001 - recorded, and reported by every test that reads the run
        run.failure = traceback.format_exc()
        try:  # what the page said when it stopped: the status line and the outputs still busy
            busy = t.page.locator(".live-output[aria-busy='true']").all_inner_texts()
            run.failure += (f"\nstatus: {t.page.locator('.live-status').inner_text()!r}; "
                            f"busy outputs: {busy!r}")
        except Exception as error:  # noqa: BLE001
            run.failure += f"\n(the page could not be read: {error})"
        progress(run.failure)
    finally:
        run.reclicks = list(t.reclicks)
        run.errors = list(t.errors)
        run.blocked = context.blocked[blocked_before:]
        t.close()
    return run


def _screenshot_once(locator):
    path = SCREENSHOTS / "live-exercise-checked.png"
    if not path.exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(path))


def _progress(line):
    print(time.strftime("%H:%M:%S"), line, flush=True)  # to the log: where a stuck run stands


def run_every_code_page(html_dir, out):
    """Run every code page live (run_live_page) with a Chromium and a server of its own, one tab
    at a time in one context (the runtime loads from the HTTP cache after the first page), and
    write the runs to the JSON file `out`."""
    from playwright.sync_api import sync_playwright

    start = time.monotonic()
    with serve(html_dir) as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        _record_off_site(context)
        runs = {}
        for docname in CODE_PAGES:
            run = run_live_page(context, base_url, html_dir, docname, _screenshot_once, _progress)
            if "TimeoutError" in run.failure:
                # A cell that never finished (seen once in CI with an idle CPU): run the page once
                # more in a fresh tab; the first run's failure is kept and printed at the end.
                _progress(f"{docname}: a cell did not finish; running the page once more in a new tab")
                first = run.failure
                run = run_live_page(context, base_url, html_dir, docname, _screenshot_once, _progress)
                run.hung_before = first
            runs[docname] = asdict(run)
        browser.close()
    Path(out).write_text(json.dumps({"seconds": time.monotonic() - start, "runs": runs}))


class BackgroundRuns:
    """run_every_code_page in a process of its own, started as soon as the site is built (by
    conftest's html_dir), so that the page runs overlap the rest of the suite on the second core;
    the tests that read them run last (conftest's pytest_collection_modifyitems)."""

    def __init__(self, html_dir):
        ARTIFACTS.mkdir(exist_ok=True)
        self.out = ARTIFACTS / "live-page-runs.json"
        self.out.unlink(missing_ok=True)
        self.log_path = ARTIFACTS / "live-page-runs.log"
        tests = Path(__file__).resolve().parent
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(tests), str(tests.parent), os.environ.get("PYTHONPATH", "")]))
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen([sys.executable, __file__, str(html_dir), str(self.out)],
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        self.runs, self.seconds = None, None

    def get(self, docname):
        if self.runs is None:
            try:
                code = self.process.wait(timeout=RUNS_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.stop()
                pytest.fail(f"the live page runs took over {RUNS_TIMEOUT_S} s (log: {self.log_path})")
            if code != 0 or not self.out.exists():
                pytest.fail(f"the live page runs failed (exit {code}):\n{self.log_path.read_text()[-3000:]}")
            written = json.loads(self.out.read_text())
            self.seconds = written["seconds"]
            self.runs = {d: PageRun.from_dict(r) for d, r in written["runs"].items()}
        assert docname in self.runs, f"{docname} is not a code page of the table of contents"
        return self.runs[docname]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


RUNS_TIMEOUT_S = 3600


@pytest.fixture(scope="session")
def page_runs(request, html_dir):
    """`page_runs(docname)`: the page's PageRun, from the runs in the background (BackgroundRuns;
    started here if html_dir did not start them)."""
    return start_page_runs(request.config, html_dir).get


def start_page_runs(config, html_dir):
    """The session's BackgroundRuns, started on the first call; stopped when the session ends."""
    if getattr(config, "_live_page_runs", None) is None:
        config._live_page_runs = BackgroundRuns(html_dir)
        config.add_cleanup(config._live_page_runs.stop)  # also when no test came to read them (-x, -k)
    return config._live_page_runs


if __name__ == "__main__":  # python tests/site/live_site.py HTML_DIR OUT.json (BackgroundRuns)
    run_every_code_page(sys.argv[1], sys.argv[2])
