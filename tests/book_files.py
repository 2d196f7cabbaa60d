"""The book's own description, read from its files: the repository root, _config.yml, the table of
contents in reading order, which pages are notebooks. Shared by the package tests (tests/package/)
and the site tests (tests/site/); nothing here builds or serves anything."""

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def book_config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def _reading_time():
    """tools/scripts/reading_time.py, the script that measures the built book (not a package)."""
    spec = importlib.util.spec_from_file_location("reading_time", ROOT / "tools" / "scripts" / "reading_time.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reading_time = _reading_time()


def toc_docnames():
    """Every page of the table of contents, in reading order (root first): read from _toc.yml by
    the reading-time script, which the status page's table also uses, so the two cannot differ."""
    return reading_time.toc_pages(ROOT)


def is_notebook(docname):
    """A MyST Markdown notebook (executed at build time) declares a kernelspec in its front matter."""
    text = (ROOT / f"{docname}.md").read_text()
    front = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return bool(front) and "kernelspec" in (yaml.safe_load(front.group(1)) or {})


def book_frame():
    """tools/extensions/book_frame.py, the Sphinx extension that decides which repository the links name."""
    spec = importlib.util.spec_from_file_location("book_frame", ROOT / "tools" / "extensions" / "book_frame.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
