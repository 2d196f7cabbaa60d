"""The book's backstage: what the chapters' hidden cells share.

A chapter opens with one hidden setup cell, ``from backstage import ...``, and after a shown cell
comes at most one hidden cell: its asserts (each with a message saying what it checks), then one
``publish(...)`` call that hands the numbers to the prose. Everything a reader does not need to see
lives here, once: publishing values, the one table helper, the figure format, the CPU-time clock and
the path to files in the repository.

The module is installed with the package (``pip install -e .`` maps it from ``book/``), so a
chapter imports it from any working directory, and it ships in the wheel the live pages run, where
``publish`` does nothing (there is no prose to fill in the browser) and the rest works as in the
build.
"""

import gc
import time
from contextlib import contextmanager
from pathlib import Path

__all__ = ["publish", "table", "stopwatch", "last_cell_seconds", "repository_file", "setup",
           "cell_started", "cell_finished"]

# The repository's root when the book runs from a checkout (this file is book/backstage.py).
REPOSITORY = Path(__file__).resolve().parent.parent


def publish(**values):
    """Hand named values to the prose: ``publish(loss=0.12)`` makes ``{glue:text}`loss:.2f```.

    In the build (and in Jupyter) this is myst-nb's ``glue(name, value, display=False)``; in the
    browser, where nothing reads them, it does nothing. Returns None, so a cell ending with it shows
    no output.
    """
    try:
        from myst_nb import glue
    except ImportError:  # the live pages: no prose to fill in
        return
    for name, value in values.items():
        # A NumPy scalar (np.float64(0.5) since NumPy 2) becomes a Python number: glue formats
        # {glue:text}`name:.2f` from the value's repr, which must then read as a plain number.
        if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
            value = value.item()
        glue(name, value, display=False)


def table(header, rows):
    """A Markdown table (an ``IPython.display.Markdown``) from a header and rows of cells.

    Cells are turned into text with ``str``; format numbers before passing them. Publish the result
    and show it with ``{glue:md}`` (``:format: myst``), or make it a cell's last value.
    """
    from IPython.display import Markdown

    header = [str(cell) for cell in header]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows:
        row = [str(cell) for cell in row]
        if len(row) != len(header):
            raise ValueError(f"table row {row} has {len(row)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(row) + " |")
    return Markdown("\n".join(lines))


class _Clock:
    seconds = None


@contextmanager
def stopwatch():
    """CPU time of a block: ``with stopwatch() as clock: ...`` then ``clock.seconds``.

    The book times everything with CPU time (``time.process_time``), the same way on every page: a
    busy machine stretches the wall clock but not the CPU time a computation needs.
    """
    clock = _Clock()
    start = time.process_time()
    try:
        yield clock
    finally:
        clock.seconds = time.process_time() - start


_cells = {"start": None, "last": None}


def cell_started(*args):
    """Start timing a cell. IPython calls it before each cell (see setup); the live pages' runtime
    calls it and ``cell_finished`` around each cell it runs, so timings work there too."""
    _cells["start"] = time.process_time()


def cell_finished(*args):
    """Stop timing the cell ``cell_started`` began: ``last_cell_seconds()`` then returns it."""
    if _cells["start"] is not None:
        _cells["last"] = time.process_time() - _cells["start"]


def last_cell_seconds():
    """CPU seconds the previous cell took to run (the shown cell above a hidden one).

    This is how a chapter times the loop a reader studies without a stopwatch inside it. Needs
    ``setup()`` to have run in IPython (or the live runtime calling ``cell_started`` and
    ``cell_finished``); raises RuntimeError otherwise.
    """
    if _cells["last"] is None:
        raise RuntimeError("no cell has been timed: call backstage.setup() in the first cell, in IPython")
    return _cells["last"]


def repository_file(relative_path):
    """A file of the repository, e.g. ``repository_file("tests/package/test_engine.py")``, found from
    this module's place, not the working directory; FileNotFoundError names it if it is missing.
    """
    path = REPOSITORY / relative_path
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative_path} is not in {REPOSITORY}: this chapter reads a file of the book's "
            f"repository, so run it from a checkout of the repository (the browser has none)")
    return path


def setup(figures="svg", freeze_gc=True):
    """The chapter's first hidden cell calls this once.

    - figures: matplotlib figures are drawn as SVG (sharp at any zoom, readable in both themes);
    - cell timing: every cell's CPU time is recorded, for ``last_cell_seconds()``;
    - freeze_gc: the objects made by the imports are moved out of the garbage collector's sight.
      The package's graphs hold no reference cycles, so the collector finds nothing to free in
      them, but each of its passes rescans everything it tracks; freezing spares training loops
      that work (see the performance notes appendix).

    Outside IPython (the browser) only the parts that apply are done.
    """
    try:
        ipython = get_ipython()  # noqa: F821 (a builtin inside IPython)
    except NameError:
        ipython = None
    if ipython is not None:
        try:
            from matplotlib_inline.backend_inline import set_matplotlib_formats
        except ImportError:
            pass
        else:
            set_matplotlib_formats(figures)
        for event, hook in (("pre_run_cell", cell_started), ("post_run_cell", cell_finished)):
            if hook not in ipython.events.callbacks[event]:
                ipython.events.register(event, hook)
    if freeze_gc:
        gc.collect()
        gc.freeze()
