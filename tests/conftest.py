"""Fixtures for testing the book as readers meet it.

The book is built ONCE per test session, from clean and strictly (`--all -W -n --keep-going`), into
`_build/` at the repository root (set BOOK_BUILD_ROOT=/some/dir to build into /some/dir/_build
instead); a second build then checks the execution cache. BOOK_SKIP_BUILD=1 skips both builds
and checks the site already in _build/html (quick iterations on the browser tests). The built site is served on 127.0.0.1
and opened in the system's headless Chromium through Playwright. Build logs, timings and one
screenshot per page land in test-artifacts/.
"""

import functools
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
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


# ---------------------------------------------------------------- the book's own description

def book_config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_docnames():
    """Every page of the table of contents, in reading order (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def is_notebook(docname):
    """A MyST Markdown notebook (executed at build time) declares a kernelspec in its front matter."""
    text = (ROOT / f"{docname}.md").read_text()
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return bool(front) and "kernelspec" in (yaml.safe_load(front.group(1)) or {})


def _book_frame():
    """tools/extensions/book_frame.py, the Sphinx extension that decides which repository the links name."""
    spec = importlib.util.spec_from_file_location("book_frame", ROOT / "tools" / "extensions" / "book_frame.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_repository_url():
    """The repository the links must name, derived as the build derives it: GITHUB_REPOSITORY,
    else the git `origin` remote on GitHub, else _config.yml's repository.url."""
    return _book_frame().repository_url(book_config()["repository"]["url"], root=ROOT)


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


_builds = {}


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
    _builds[name] = build
    return build


@pytest.fixture(scope="session")
def clean_build():
    """A strict build from nothing: no HTML, no doctrees, no execution cache."""
    if SKIP_BUILD:
        pytest.skip("BOOK_SKIP_BUILD is set: not building")
    shutil.rmtree(BUILD_ROOT / "_build", ignore_errors=True)
    return run_build("clean")


@pytest.fixture(scope="session")
def cached_build(clean_build):
    """The same strict build again with nothing changed: every notebook should come from the cache."""
    if clean_build.returncode != 0:
        pytest.fail("the clean build failed, so there is no cache to rebuild from (see test-artifacts/build-clean.log)")
    return run_build("cached")


@pytest.fixture(scope="session")
def html_dir(request):
    if not SKIP_BUILD:
        request.getfixturevalue("clean_build")
    # With --keep-going a build that fails on warnings still writes the site: check it anyway,
    # test_clean_strict_build_succeeds reports the build failure itself.
    if not (HTML_DIR / "index.html").exists():
        pytest.fail("the book did not build, so there is no site to check (see test-artifacts/build-clean.log)")
    return HTML_DIR


def pytest_configure(config):
    # matplotlib 3.9 calls pyparsing names deprecated in pyparsing 3.3: upstream noise, not ours
    config.addinivalue_line("filterwarnings", "ignore:.*deprecated - use:DeprecationWarning:matplotlib")


def pytest_terminal_summary(terminalreporter):
    if not _builds:
        return
    terminalreporter.section("book build times")
    for build in _builds.values():
        status = "ok" if build.returncode == 0 else f"FAILED (exit {build.returncode})"
        terminalreporter.write_line(f"{build.name:>7} strict build: {build.seconds:6.1f} s  {status}"
                                    f"   log: test-artifacts/build-{build.name}.log")
    if SCREENSHOTS.exists():
        shots = sorted(SCREENSHOTS.glob("*.png"))
        terminalreporter.write_line(f"{len(shots)} page screenshots in test-artifacts/screenshots/")
    lines = [f"{b.name} {b.seconds:.1f} s exit={b.returncode}" for b in _builds.values()]
    (ARTIFACTS / "build-times.txt").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- the site in a browser

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(html_dir):
    """The built site served on 127.0.0.1 (a free port), for as long as the session runs."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(html_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole session: its sync API refuses to start a second one while the
    first is running, so every browser the tests launch comes from this one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
                    "(or set CHROMIUM=/path/to/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageVisit:
    """A browser tab that records everything that went wrong while it was open."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.console_errors, self.page_errors, self.blocked, self.http_errors = [], [], [], []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} (at {m.location.get('url', '?')})"))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 400 and self.http_errors.append(f"{r.status} {r.url}"))

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, docname):
        self.page.goto(f"{self.base_url}/{docname}.html", wait_until="load")
        return self.page

    def docname(self):
        path = urlparse(self.page.url).path
        return re.sub(r"\.html$", "", path.lstrip("/"))

    def problems(self):
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"page error: {e}" for e in self.page_errors]
                + [f"request outside 127.0.0.1 (blocked): {u}" for u in self.blocked]
                + [f"HTTP error: {e}" for e in self.http_errors])

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    tab = PageVisit(browser, site_url)
    yield tab
    tab.close()
