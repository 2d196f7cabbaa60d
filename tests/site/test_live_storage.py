"""The reader's work is kept (issue 16): edits and passed exercises survive a reload and a browser
restart (a persistent Chromium profile), stale edits are not applied to a cell the book changed,
"Reset" and "Reset this page" undo, the page's code downloads as a notebook that nbformat (and so
JupyterLab) accepts, the table of contents shows each chapter's passed exercises, and nothing leaves
the browser: no request off 127.0.0.1, and no request to it but GETs.
"""

import json
from urllib.parse import urlparse

import nbformat
import pytest

from built_site import launch_chromium
from live_site import CHECK, LiveTab, checkable, exercises_of, exported, runnable

PAGE = "book/value"
KEY = "micrograd-book:live:" + PAGE


def launch(playwright, profile):
    context = launch_chromium(playwright, profile=profile, viewport={"width": 1280, "height": 900},
                              accept_downloads=True)
    context.sent = []

    def seen(request):
        if urlparse(request.url).hostname not in (None, "127.0.0.1") and not request.url.startswith(("data:", "blob:")):
            context.sent.append(request.url)
        elif request.method != "GET":
            context.sent.append(f"{request.method} {request.url}")

    context.on("request", seen)
    return context


def code_of(tab, index):
    return tab.page.evaluate("(i) => window.liveBook.cells.find(c => c.data.index === i).editor.getCode()", index)


def progress_badge(tab):
    # the link to the page itself is href="#" on that page
    badges = tab.page.locator(f"nav a.reference.internal[href$='{PAGE.split('/')[-1]}.html'] .live-progress, "
                              "nav a.current.reference.internal[href='#'] .live-progress")
    return badges.first.inner_text().strip() if badges.count() else None


@pytest.fixture(scope="module")
def cells(html_dir):
    data = exported(html_dir, PAGE)["cells"]
    first = next(c for c in data if c["shown"] and c["input_shown"] and runnable(c) and not c.get("role"))
    exercise = next(roles for roles in exercises_of(data).values() if checkable(roles))
    total = len({c["exercise"] for c in data if c.get("role") == "check"})
    return first, exercise, total


def test_edits_and_progress_survive_reload_and_restart(playwright, site_url, tmp_path, cells):
    first, exercise, total = cells
    starter, solution = exercise["starter"], exercise["solution"]
    edit = "# my own version\n" + first["source"]
    profile = tmp_path / "profile"

    context = launch(playwright, profile)
    t = LiveTab(context, site_url, PAGE)
    t.go_live()
    t.set_code(first["index"], edit)
    t.set_code(starter["index"], solution["source"])
    assert t.run(starter["index"], button=CHECK).locator(".live-pass").count() == 1
    t.page.wait_for_timeout(600)  # edits are saved 300 ms after the last key
    t.page.reload()
    assert "Your edits to 2 cell(s)" in t.page.locator(".live-status").inner_text()
    assert progress_badge(t) == f"✓ 1/{total}"
    t.go_live()
    assert code_of(t, first["index"]) == edit.rstrip()
    assert t.cell(first["index"]).get_by_role("button", name="Reset cell").is_visible()
    assert "kept in this browser" in t.cell(first["index"]).inner_text()
    t.close()
    context.close()

    # a browser restart on the same profile
    context = launch(playwright, profile)
    t = LiveTab(context, site_url, "book/intro")
    assert progress_badge(t) == f"✓ 1/{total}", "the table of contents on another page shows the progress"
    t.close()
    t = LiveTab(context, site_url, PAGE)
    t.go_live()
    assert code_of(t, first["index"]) == edit.rstrip()
    assert code_of(t, starter["index"]) == solution["source"].rstrip()

    # Reset one cell: the book's code again, and it stays so after a reload
    t.cell(first["index"]).get_by_role("button", name="Reset cell").click()
    assert code_of(t, first["index"]) == first["source"].rstrip()
    t.page.reload()
    t.go_live()
    assert code_of(t, first["index"]) == first["source"].rstrip()
    assert code_of(t, starter["index"]) == solution["source"].rstrip()

    # Download: the page's code with the edit, a notebook nbformat accepts
    with t.page.expect_download() as download:
        t.page.get_by_role("button", name="Download this page's code").click()
    path = download.value.path()
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    assert download.value.suggested_filename == "value.ipynb"
    assert notebook.metadata.kernelspec.name == "python3"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) == exported_cells(t)
    assert solution["source"].rstrip() in "".join(c.source for c in code)
    assert any("remove-cell" in c.metadata.get("tags", []) for c in code)

    # A rebuilt book changed the starter: the old edit is not applied to the new code
    t.page.evaluate("""([key, index]) => { const d = JSON.parse(localStorage.getItem(key));
        d.cells[index].original = "00000000"; localStorage.setItem(key, JSON.stringify(d)); }""",
                    [KEY, starter["index"]])
    t.page.reload()
    t.go_live()
    assert code_of(t, starter["index"]) == starter["source"].rstrip()

    # Reset this page: every cell, and the progress
    t.set_code(first["index"], edit)
    t.page.wait_for_timeout(600)
    t.page.get_by_role("button", name="Reset this page").click()
    assert code_of(t, first["index"]) == first["source"].rstrip()
    assert t.page.evaluate("(key) => localStorage.getItem(key)", KEY) is None
    t.page.reload()
    assert progress_badge(t) is None
    assert not t.errors, t.errors
    t.close()
    assert not context.sent, f"requests that left the page: {context.sent}"
    context.close()


def exported_cells(t):
    return t.page.evaluate("() => window.liveBook.cells.length")
