"""Which pages are notebooks: the one answer for the build's extensions and for the tests.

A page is a notebook (its code cells are executed and rendered with their outputs) when myst-nb
reads it as one: a Markdown file whose front matter says `jupytext: text_representation:
format_name: myst`. myst-nb's own test decides, so this answer cannot drift from the build's.
"""

from pathlib import Path


def is_notebook(path):
    """True if the page at `path` is a MyST Markdown notebook, as myst-nb decides."""
    from myst_nb.core.read import is_myst_markdown_notebook  # imported when asked: it is slow

    path = Path(path)
    return path.suffix == ".md" and is_myst_markdown_notebook(path.read_text(encoding="utf-8"))
