"""The book's own description, read from its files: the repository root, _config.yml, the table of
contents in reading order, which pages are notebooks. Shared by the package tests (tests/package/)
and the site tests (tests/site/); nothing here builds or serves anything."""

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def book_config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def _tool(path):
    """A module of the build's tools, loaded from its file (tools/ is not a package)."""
    path = ROOT / path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reading_time = _tool("tools/scripts/reading_time.py")  # the script that measures the built book
notebook_pages = _tool("tools/extensions/notebook_pages.py")  # the build's "is this a notebook?"


def toc_docnames():
    """Every page of the table of contents, in reading order (root first): read from _toc.yml by
    the reading-time script, which the status page's table also uses, so the two cannot differ."""
    return reading_time.toc_pages(ROOT)


def is_notebook(docname):
    """Is the page a notebook (executed at build time)? As the build decides: notebook_pages.py."""
    return notebook_pages.is_notebook(ROOT / f"{docname}.md")


def book_frame():
    """tools/extensions/book_frame.py, the Sphinx extension that decides which repository the links name."""
    return _tool("tools/extensions/book_frame.py")
