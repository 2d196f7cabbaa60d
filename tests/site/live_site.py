"""What the live-page tests share: the offline Chromium, one browser context, a tab on a live page,
and the cells the build exported (_static/live/pages/<page>.json), from which the tests derive what
to run (never hard-coded cell numbers: the chapters change).

Fixtures (imported by the test modules that use them): live_browser, live_context, tab.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from book_files import ROOT, toc_docnames
from built_site import launch_chromium

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


# Playwright's request interception (page.route) turns the browser's HTTP cache off, and the live
# pages are about the cache: the runtime (14 MB) loads once and later pages reuse it. So these tests
# run their own Chromium in which every host but 127.0.0.1 resolves to nothing (so any request off
# the site is aborted by the browser itself) and record every request that tried.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@pytest.fixture(scope="module")
def live_browser(playwright):
    browser = launch_chromium(playwright, OFFLINE_ARGS)
    yield browser
    browser.close()


def _record_off_site(context):
    context.blocked = []

    def seen(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and urlparse(url).hostname != "127.0.0.1":
            context.blocked.append(url)

    context.on("request", seen)


@pytest.fixture(scope="module")
def live_context(live_browser):
    """One browser context (one HTTP cache) for the module's tabs."""
    context = live_browser.new_context(viewport={"width": 1280, "height": 900})
    _record_off_site(context)
    yield context
    context.close()


class LiveTab:
    def __init__(self, context, base_url, docname):
        self.page = context.new_page()
        self.context = context
        self.errors = []
        self.requests = []
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
        cell.get_by_role("button", name=button).click()
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
