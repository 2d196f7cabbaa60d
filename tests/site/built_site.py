"""The built site: where it is, how the tests build it, serve it and open it in Chromium.

The book is built ONCE per test session, from clean and strictly (`--all -W -n --keep-going`), into
`_build/` at the repository root (set BOOK_BUILD_ROOT=/some/dir to build into /some/dir/_build
instead); a second build then checks the execution cache. BOOK_SKIP_BUILD=1 skips both builds and
checks the site already in _build/html (quick iterations on the browser tests). `serve` and
`launch_chromium` are the one way to serve a folder on 127.0.0.1 and start the system's headless
Chromium (the fixtures in conftest.py use them, and so do tools/scripts/readme_screenshot.py and
benchmarks/bench_live.py); `open_in_theme` and `contrast` are the one way to
check colours in the theme's light and dark modes. Build logs, timings and one screenshot per page
land in test-artifacts/.
"""

import contextlib
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from book_files import ROOT, book_config, book_frame

BUILD_ROOT = Path(os.environ.get("BOOK_BUILD_ROOT", ROOT)).resolve()
HTML_DIR = BUILD_ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STRICT_BUILD = ["build", ".", "--all", "-W", "-n", "--keep-going"]
BUILD_TIMEOUT_S = 1200
SKIP_BUILD = os.environ.get("BOOK_SKIP_BUILD", "") not in ("", "0")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# ---------------------------------------------------------------- the links the build derives

def expected_repository_url():
    """The repository the links must name, derived as the build derives it: GITHUB_REPOSITORY,
    else the git `origin` remote on GitHub, else _config.yml's repository.url."""
    return book_frame().repository_url(book_config()["repository"]["url"], root=ROOT)


def expected_binder_url(docname):
    """The launch link a chapter must carry, derived as the build derives the repository."""
    config = book_config()
    repo = config["repository"]
    org_repo = urlparse(expected_repository_url()).path.strip("/")
    branch = repo.get("branch", "main")
    path_to_book = repo.get("path_to_book", "").strip("/")
    path = f"{path_to_book}/{docname}.md" if path_to_book else f"{docname}.md"
    hub = config["launch_buttons"]["binderhub_url"].rstrip("/")
    interface = "lab/tree" if config["launch_buttons"].get("notebook_interface") == "jupyterlab" else "tree"
    return f"{hub}/v2/gh/{org_repo}/{branch}?urlpath={interface}/{path}"


# ---------------------------------------------------------------- the builds

@dataclass
class Build:
    name: str
    returncode: int
    seconds: float
    output: str

    def problems(self):
        """The build's warnings and errors, one per line."""
        return [line for line in self.output.splitlines()
                if re.search(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback|Exception occurred", line)]


builds = {}


def _jupyter_book():
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book"]


def run_build(name):
    command = _jupyter_book() + STRICT_BUILD
    if BUILD_ROOT != ROOT:
        command += ["--path-output", str(BUILD_ROOT)]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    seconds = time.perf_counter() - start
    output = ANSI_ESCAPE.sub("", proc.stdout + proc.stderr)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"build-{name}.log").write_text(output)
    build = Build(name, proc.returncode, seconds, output)
    builds[name] = build
    return build


# ---------------------------------------------------------------- serving it, opening it in Chromium

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory, handler=_QuietHandler):
    """Serve `directory` on 127.0.0.1 (a free port) while the block runs; yields the base URL.
    `handler`: another http.server request handler class (benchmarks/bench_live.py's adds the
    headers GitHub Pages sends)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Every host but 127.0.0.1 resolves to nothing in the tests' Chromium, so any request off the site is
# aborted by the browser itself; the tests record each one that tried (`record_off_site`). (Playwright's
# request interception, page.route, would do the same but turns the HTTP cache off and sends every
# request through Python: the pages' dozens of assets each time.)
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def launch_chromium(playwright, extra_args=(), executable=CHROMIUM, profile=None, **options):
    """The system's Chromium, headless and quiet (no updates, sync or first-run) and offline but for
    127.0.0.1, started through a Playwright; `extra_args` are further command-line switches,
    `executable` a program to start instead (a wrapper around Chromium). With a `profile` folder: a
    persistent context on that profile (its caches outlive the browser), `options` for the context
    (viewport...)."""
    if not Path(executable).exists():
        raise FileNotFoundError(f"Chromium not found at {executable}: install it with `apt-get install -y chromium` "
                                "(or set CHROMIUM=/path/to/chromium)")
    args = CHROMIUM_ARGS + OFFLINE_ARGS + [a for a in extra_args if a not in OFFLINE_ARGS]
    if profile is not None:
        return playwright.chromium.launch_persistent_context(str(profile), executable_path=executable,
                                                             args=args, **options)
    return playwright.chromium.launch(executable_path=executable, args=args, **options)


def record_off_site(context, into):
    """Append to the list `into` the URL of every request of `context` that tries to leave 127.0.0.1."""
    def seen(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlparse(url).hostname != "127.0.0.1":
            into.append(url)

    context.on("request", seen)


class PageVisit:
    """A browser tab that records everything that went wrong while it was open."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.console_errors, self.page_errors, self.blocked, self.http_errors = [], [], [], []
        record_off_site(self.context, self.blocked)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} (at {m.location.get('url', '?')})"))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.http_errors.append(f"{r.status} {r.url}"))

    def open(self, docname):
        self.page.goto(f"{self.base_url}/{docname}.html", wait_until="load")
        return self.page

    def docname(self):
        path = urlparse(self.page.url).path
        return re.sub(r"\.html$", "", path.lstrip("/"))

    def problems(self):
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"page error: {e}" for e in self.page_errors]
                + [f"request outside 127.0.0.1 (refused): {u}" for u in self.blocked]
                + [f"HTTP error: {e}" for e in self.http_errors])

    def close(self):
        self.context.close()


# ---------------------------------------------------------------- colours: what the reader can read

def open_in_theme(visit, docname, mode):
    """Open a page in the theme's "light" or "dark" mode (what its toggle sets); returns the page."""
    page = visit.open(docname)
    page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
    return page


def contrast(css_a, css_b):
    """The WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored): 4.5 or more is
    legible for body text (WCAG 2 AA)."""
    def luminance(css):
        channels = [int(float(v)) / 255 for v in re.findall(r"[\d.]+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    hi, lo = sorted((luminance(css_a), luminance(css_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
