"""Live pages in headless Chromium: the book's code cells edited and run in the browser (Pyodide in
a Web Worker), served by the site itself; every request off 127.0.0.1 is aborted.

Contract (issue 8): a button whose accessible name starts with "Live" turns a page live; every live
cell has an editor and a button whose name starts with "Run"; outputs land in an aria-live region.
The pages' cells, hidden ones included, are read from the JSON the build exports
(_static/live/pages/<page>.json), so the tests follow whatever the chapters contain: every
exercise found there is checked in both directions.
"""

import time
import warnings
import re
from pathlib import Path

import pytest

from book_files import toc_docnames
from built_site import SCREENSHOTS
from live_site import (BOOT_BYTES_LIMIT, CODE_PAGES, LIVE, RUN, RUN_S, STOP, LiveTab,  # noqa: F401
                       checkable, engine_tab, exercises_of, exported, live_context, nothing_runs_on, opened_page, tab)

# ---------------------------------------------------------------- before the first click

def test_no_runtime_loads_before_the_first_click(tab, page_runs, html_dir):
    """Every page loads only the small loader and its stylesheet; the runtime waits for a click.
    (A code page is looked at as its one live run opens it, before it clicks Live.)"""
    boot = [Path(html_dir) / "_static" / "live" / name for name in ("boot.js", "live.css")]
    boot_bytes = sum(p.stat().st_size for p in boot)
    assert boot_bytes < BOOT_BYTES_LIMIT, f"the loader weighs {boot_bytes} bytes on every page"
    for docname in toc_docnames():
        if docname in CODE_PAGES:
            opened = page_runs(docname).opened
        else:
            t = tab(docname)
            opened = opened_page(t)
            t.close()
        assert opened["live_requests"] in ([], ["/_static/live/boot.js", "/_static/live/live.css"]), (
            docname, opened["live_requests"])
        runs = docname in CODE_PAGES and nothing_runs_on(html_dir, docname) is None
        assert opened["live_buttons"] == (1 if runs else 0), docname


def test_a_page_where_nothing_can_run_says_so_and_loads_nothing(browser, site_url, html_dir):
    """Issue 16: book/pytorch offered Live code, loaded 7 MB and started Python for nothing."""
    pages = [(d, None) for d in CODE_PAGES if nothing_runs_on(html_dir, d) is not None]
    if not pages:
        # every chapter has a live cell today: mark one as the build marks a page where none runs
        pages = [(CODE_PAGES[0], ["PyTorch"])]
    for docname, fake in pages:
        live_context = browser.new_context()  # its own: the init script must not reach other tests
        if fake:
            live_context.add_init_script("""new MutationObserver((_, observer) => {
              const cells = document.querySelector('meta[name="live-cells"]');
              if (!cells) return;
              const meta = document.createElement("meta");
              meta.name = "live-none-runs"; meta.content = "PyTorch";
              cells.after(meta); observer.disconnect();
            }).observe(document, { childList: true, subtree: true });""")
        t = LiveTab(live_context, site_url, docname)
        opened = opened_page(t)
        assert opened["live_buttons"] == 0, docname
        note = t.page.locator(".live-bar").inner_text()
        needs = fake or nothing_runs_on(html_dir, docname)
        assert "Binder" in note and all(n in note for n in needs if n != "the build"), note
        assert opened["live_requests"] == ["/_static/live/boot.js", "/_static/live/live.css"], opened
        t.close()
        live_context.close()


def test_page_opened_as_a_file_says_live_cells_need_a_server(browser, html_dir):
    context = browser.new_context()
    page = context.new_page()
    page.goto((Path(html_dir) / f"{CODE_PAGES[0]}.html").as_uri())
    button = page.get_by_role("button", name=LIVE)
    assert "web server" in button.inner_text() and button.is_disabled()
    context.close()


# ---------------------------------------------------------------- every chapter

@pytest.mark.parametrize("docname", CODE_PAGES)
def test_chapter_goes_live_and_runs_its_first_cell(page_runs, html_dir, docname):
    """Live, then the first live cell: it runs, says when it is done and speaks through aria-live; a
    cell that cannot run says so. (The page's one live run: test_live_differential.py checks the other
    cells of the same run, test_every_exercise_is_checked_in_the_browser its exercises.)"""
    if nothing_runs_on(html_dir, docname) is not None:
        pytest.skip(f"nothing on {docname} runs in the browser (its own test checks the page says so)")
    run = page_runs(docname)
    first = run.live[0]["index"] if run.live else None
    if run.live and first not in run.outputs:
        run.completed()  # the run stopped before the first cell's output: says where
        pytest.fail(f"{docname}: the first live cell did not run")
    for c in run.static:
        notes = run.static_notes.get(c["index"], [])
        assert len(notes) == 1, f"cell {c['index']} cannot run live but does not say so"
        assert "Computed when the book was built" in notes[0]
    assert run.editors == len(run.live)
    assert run.run_buttons == len(run.live)
    if not run.live:
        assert run.static, f"{docname}: no cell is live and none says why"
        return
    assert run.aria_live == "polite"
    assert first not in run.error_cells, run.outputs[first]
    assert "Done in" in run.outputs[first]
    run.completed()
    assert not run.errors, f"page errors: {run.errors}"
    assert not run.blocked, f"requests off 127.0.0.1: {run.blocked}"


# ---------------------------------------------------------------- the runtime on one engine chapter

def test_editing_a_number_changes_the_gradient(engine_tab):
    t = engine_tab
    editor = t.cell(t.first).locator(".cm-content")
    editor.click()
    t.page.keyboard.press("Control+A")
    t.page.keyboard.type("from micrograd.engine import Value; a = Value(2.0); b = a * a * a; "
                         "b.backward(); a.grad")
    assert t.run(t.first).locator(".live-result").inner_text().strip() == "12.0"
    # change the number and run with Shift+Enter
    editor.click()
    t.page.keyboard.press("Control+A")
    t.page.keyboard.type("from micrograd.engine import Value; a = Value(3.0); b = a * a * a; "
                         "b.backward(); a.grad")
    t.page.keyboard.press("Shift+Enter")
    assert t.wait_output(t.first).locator(".live-result").inner_text().strip() == "27.0"


def test_draw_dot_shows_an_svg_graph(engine_tab):
    t = engine_tab
    t.set_code(t.first, "from micrograd.engine import Value\nfrom micrograd.draw import draw_dot\n"
                        "x = Value(2.0, label='x')\ny = x * x\ny.backward()\ndraw_dot(y)")
    out = t.run(t.first)
    svg = out.locator("svg")
    assert svg.count() == 1, out.inner_html()[:300]
    assert "grad 4.0000" in svg.text_content()
    screenshot(t.cell(t.first), "live-cell")


def screenshot(locator, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_print_shows_markup_as_text(engine_tab):
    t = engine_tab
    t.set_code(t.first, 'print("<b>x</b>")')
    out = t.run(t.first)
    assert out.locator("b").count() == 0
    assert out.locator(".live-stdout").inner_text().strip() == "<b>x</b>"


def test_an_exception_shows_a_traceback_and_the_page_keeps_working(engine_tab):
    t = engine_tab
    t.set_code(t.first, "def f(x):\n    return 1 / x\nf(0)")
    out = t.run(t.first)
    text = out.locator(".live-error").inner_text()
    assert "Traceback" in text and "ZeroDivisionError" in text and "return 1 / x" in text
    t.set_code(t.first, "6 * 7")
    assert t.run(t.first).locator(".live-result").inner_text().strip() == "42"


def test_stop_ends_an_infinite_loop_and_the_next_run_works(engine_tab):
    t = engine_tab
    t.set_code(t.first, "while True:\n    pass")
    cell = t.cell(t.first)
    cell.get_by_role("button", name=RUN).click()
    stop = cell.get_by_role("button", name=STOP)
    stop.wait_for(state="visible")
    t.page.wait_for_timeout(500)
    start = time.monotonic()
    stop.click()
    t.page.wait_for_function("el => /Stopped/.test(el.textContent)",
                             arg=cell.locator(".live-output").element_handle(), timeout=2000)
    assert time.monotonic() - start < 2.0
    assert "reset" in cell.locator(".live-output").inner_text()
    t.set_code(t.first, "print(sum(range(10)))")
    out = t.run(t.first)
    assert out.locator(".live-stdout").inner_text().strip() == "45"


# ---------------------------------------------------------------- exercises

def test_every_exercise_is_checked_in_the_browser(page_runs, html_dir):
    """Every exercise has a starter, a solution and a check; in each page's live run (after its cells),
    Check fails on the unedited starter and passes on the solution typed into the starter's editor."""
    exercises = [(d, e, roles) for d in CODE_PAGES for e, roles in exercises_of(exported(html_dir, d)["cells"]).items()]
    if not exercises:
        pytest.skip("no chapter has exercises in the starter/solution/check convention yet")
    incomplete = [(d, e) for d, e, roles in exercises if set(roles) != {"starter", "solution", "check"}]
    assert not incomplete, f"exercises without all of starter, solution and check: {incomplete}"
    # An exercise whose starter or check needs what the browser lacks (numpy, scikit-learn...)
    # gets no Check button: its cells say so instead. Listed, not failed.
    offline = [(d, e, sorted(set(roles["starter"]["needs"] + roles["check"]["needs"])))
               for d, e, roles in exercises if not checkable(roles)]
    if offline:
        warnings.warn(f"exercises that cannot be checked in the browser: {offline}")
    failures = []
    for docname in sorted({d for d, _, roles in exercises if checkable(roles)}):
        run = page_runs(docname)
        run.completed()
        assert not run.errors, f"{docname}: page errors: {run.errors}"
        wanted = sorted(e for d, e, roles in exercises if d == docname and checkable(roles))
        assert sorted(x.exercise for x in run.exercises) == wanted, f"{docname}: exercises not checked"
        for x in run.exercises:
            if not x.starter_failed:
                failures.append(f"{docname} {x.exercise}: the unedited starter did not fail: {x.starter_text[:300]}")
            if not x.solution_passed:
                failures.append(f"{docname} {x.exercise}: the solution did not pass: {x.solution_text[:300]}")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the playground

def test_playground_draws_the_graph_of_the_last_value(tab, html_dir):
    data = exported(html_dir, "book/playground")
    t = tab("book/playground")
    t.go_live()
    editor = next(c for c in data["cells"] if "live-graph" in c["tags"])
    t.set_code(editor["index"], "from micrograd.engine import Value\nx = Value(3.0, label='x')\n"
                                "y = (x * x).tanh()\ny.backward()\ny")
    out = t.run(editor["index"])
    assert out.locator(".live-result").inner_text().startswith("Value(data=")
    assert out.locator("svg").count() == 1 and "tanh" in out.locator("svg").text_content()


def test_playground_moons_demo_learns_in_the_browser(tab):
    t = tab("book/playground")
    t.go_live()
    demo = t.page.locator("[data-live-moons]")
    readout = demo.locator("output")
    t.page.wait_for_function("el => /step 0/.test(el.textContent)", arg=readout.element_handle(),
                             timeout=RUN_S * 1000)
    assert demo.locator("canvas").count() == 1
    demo.get_by_role("button", name="Play").click()
    t.page.wait_for_function("el => parseFloat(el.dataset.accuracy || '0') >= 0.95",
                             arg=readout.element_handle(), timeout=400_000)
    demo.get_by_role("button", name="Pause").click()
    screenshot(demo, "live-playground-moons")
    text = readout.inner_text()
    step = int(re.search(r"step (\d+)", text).group(1))
    assert 0 < step <= 300, text
    # the canvas shows both classes' colours
    colours = t.page.evaluate("""() => { const c = document.querySelector('[data-live-moons] canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let red = 0, blue = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i] > d[i + 2] + 40) red++; if (d[i + 2] > d[i] + 40) blue++; }
        return [red, blue]; }""")
    assert min(colours) > 1000, colours
