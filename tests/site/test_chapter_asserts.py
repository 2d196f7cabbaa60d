"""Every hidden assert in the chapters says what it checks.

The chapters back each claim of their prose with an assert in a hidden (remove-cell) cell, and the
intro invites readers to change the numbers. A reader whose edit trips one of those asserts sees
only the build's log: `assert x == 3` fails with a bare AssertionError, while
`assert x == 3, "the slope at x = 3 is 3"` says what broke. Checked on the chapters' source, cell
by cell (IPython magics are left out before parsing).
"""

import ast
import re
import sys

import jupytext
import pytest

from book_files import ROOT, is_notebook, toc_docnames

NOTEBOOKS = [name for name in toc_docnames() if is_notebook(name)]


def hidden_asserts_without_message(docname):
    """(line in the .md, source) of every assert with no message in the page's remove-cell cells."""
    path = ROOT / f"{docname}.md"
    text = path.read_text()
    found, searched_from = [], 0
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code":
            continue
        start = text.find(cell.source, searched_from)  # where the cell's code sits in the file
        searched_from = max(start, searched_from)
        if "remove-cell" not in cell.metadata.get("tags", []):
            continue
        source = "\n".join("" if re.match(r"\s*[%!]", line) else line for line in cell.source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert) and node.msg is None:
                line = text.count("\n", 0, start) + node.lineno if start >= 0 else None
                found.append((line, ast.get_source_segment(source, node)))
    return found


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_every_hidden_assert_says_what_it_checks(docname):
    bare = hidden_asserts_without_message(docname)
    listing = "\n".join(f"  {docname}.md:{line}: {text}" for line, text in bare)
    assert not bare, f"{docname}.md: {len(bare)} hidden asserts without a message:\n{listing}"


def test_an_assert_without_a_message_is_found(tmp_path, monkeypatch):
    """The scan itself: a bare assert is found, one with a message is not, magics do not break it."""
    page = tmp_path / "book" / "page.md"
    page.parent.mkdir()
    page.write_text("---\nkernelspec: {name: python3, display_name: Python 3}\n---\n\n"
                    "```{code-cell} ipython3\n:tags: [remove-cell]\n\n%config X = 1\n"
                    "assert 1 + 1 == 2\nassert 2 > 1, 'two is more than one'\n```\n\n"
                    "```{code-cell} ipython3\nassert True\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert hidden_asserts_without_message("book/page") == [(9, "assert 1 + 1 == 2")]
