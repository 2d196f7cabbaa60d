"""The GPT trains in the reader's browser (issue 17, item 8).

On the training chapter, in headless Chromium where every host but 127.0.0.1 resolves to nothing,
the live cell that trains the scalar-engine GPT (micrograd.gpt on `Value`s, no NumPy) runs: its
progress lines appear while it still runs, its loss falls below the unigram baseline the cell
prints within the steps the page runs, and Stop ends a run at once.
"""

import re
import time

import pytest

from live_site import RUN, STOP, exported, live_context, runnable, tab  # noqa: F401

PAGE = "book/gpt-training"
TRAIN_S = 600          # the cells above (the names, the split) and the training, on a busy machine
PROGRESS = re.compile(r"step +(\d+): loss (\d+\.\d+)")
BASELINE = re.compile(r"unigram baseline (\d+\.\d+)")


def training_cell(html_dir):
    """The live cell that trains the scalar GPT: it calls scalar_loss and generate."""
    cells = [c for c in exported(html_dir, PAGE)["cells"]
             if c["shown"] and "scalar_loss(w, [order[step]])" in c["source"]]
    assert len(cells) == 1, "the page should have one live training cell"
    cell = cells[0]
    assert runnable(cell), f"the training cell cannot run in the browser: needs {cell['needs']}"
    return cell


@pytest.fixture
def gpt_tab(tab):
    t = tab(PAGE)
    t.go_live()
    return t


def test_the_gpt_trains_in_the_browser_and_beats_the_unigram_model(page_runs, html_dir):
    """The training cell's output in the page's one live run (live_site.page_runs; the differential
    test compares the same output with the build's). That its progress streams while it trains is
    checked by the Stop test below, which watches it happen."""
    cell = training_cell(html_dir)
    steps = int(re.search(r"STEPS, LR = (\d+)", cell["source"]).group(1))
    run = page_runs(PAGE)
    trained = [r for r in run.results if r[0]["index"] == cell["index"]]
    if not trained:
        run.completed()
    assert trained, "the page's live run did not reach the training cell"
    _, _, text, _ = trained[0]
    assert not run.errors, run.errors
    assert cell["index"] not in run.error_cells, run.outputs[cell["index"]]
    assert "Done in" in run.outputs[cell["index"]], run.outputs[cell["index"]]
    unigram = float(BASELINE.search(text).group(1))
    progress = [(int(s), float(loss)) for s, loss in PROGRESS.findall(text)]
    assert progress and progress[-1][0] == steps, f"the run should reach step {steps}: {text}"
    assert progress[-1][1] < unigram, (
        f"after {steps} steps the loss {progress[-1][1]} should be below the unigram model's "
        f"{unigram}:\n{text}")
    assert progress[-1][1] < progress[0][1], f"the loss should fall:\n{text}"


def test_stop_ends_the_training_at_once(gpt_tab, html_dir):
    t = gpt_tab
    cell = training_cell(html_dir)
    element = t.cell(cell["index"])
    out = element.locator(".live-output")
    element.get_by_role("button", name=RUN).click()
    # progress while it trains: a step line appears before the cell has finished
    t.page.wait_for_function("el => /step +20:/.test(el.textContent) && el.getAttribute('aria-busy') === 'true'",
                             arg=out.element_handle(), timeout=TRAIN_S * 1000)
    start = time.monotonic()
    element.get_by_role("button", name=STOP).click()
    t.page.wait_for_function("el => /Stopped/.test(el.textContent)", arg=out.element_handle(),
                             timeout=5000)
    assert time.monotonic() - start < 5.0
    assert element.get_by_role("button", name=RUN).get_attribute("aria-disabled") != "true"
