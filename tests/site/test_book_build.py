"""The strict build: from clean, again from the execution cache, and the links of what it produced."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from book_files import ROOT, is_notebook, toc_docnames

NOTEBOOKS = [name for name in toc_docnames() if is_notebook(name)]


def test_clean_strict_build_succeeds(clean_build):
    """`jupyter-book build . --all -W -n --keep-going` from nothing: every cell runs, no warning."""
    problems = "\n".join(clean_build.problems()[:40])
    assert clean_build.returncode == 0, (
        f"the clean strict build failed (exit {clean_build.returncode}); full log in "
        f"test-artifacts/build-clean.log. Warnings and errors:\n{problems}")
    assert not clean_build.problems(), f"the build passed but printed:\n{problems}"
    # tools/extensions/parallel_execution.py runs the notebooks in a pool first ("Executing notebook (in a
    # pool of N)"), then myst-nb takes them from the cache; a notebook that failed in the pool is
    # executed again by myst-nb. Either way every chapter must show as executed in a clean build.
    executed = set(re.findall(r"^(\S+): Executing notebook", clean_build.output, re.M))
    # jupyter-cache stores a notebook by the hash of its code: two chapters with identical code
    # (placeholders) share one execution, so the second shows as cached even in a clean build.
    cached = set(re.findall(r"^(\S+): Using cached notebook", clean_build.output, re.M))
    expected = {str(ROOT / f"{name}.md") for name in NOTEBOOKS}
    assert executed and executed | cached == expected, (
        f"the build should run all {len(NOTEBOOKS)} notebooks; it executed {sorted(executed)}, "
        f"reused {sorted(cached - executed)}")
    pooled = re.search(r"^executing (\d+) notebooks, (\d+) at a time", clean_build.output, re.M)
    if (os.cpu_count() or 1) > 1:
        assert pooled and int(pooled.group(1)) == len(executed), \
            "with several CPU cores the notebooks should run in a pool (tools/extensions/parallel_execution.py)"


def test_cached_rebuild_executes_nothing(cached_build):
    """A no-change rebuild (still strict, --all) takes every notebook from the execution cache."""
    problems = "\n".join(cached_build.problems()[:40])
    assert cached_build.returncode == 0, (
        f"the cached rebuild failed (exit {cached_build.returncode}); see test-artifacts/build-cached.log:\n{problems}")
    executed = re.findall(r"^(\S+): Executing notebook", cached_build.output, re.M)
    assert not executed, f"these notebooks were executed again although nothing changed: {executed}"
    cached = re.findall(r"^(\S+): Using cached notebook", cached_build.output, re.M)
    assert len(cached) == len(NOTEBOOKS), (
        f"expected {len(NOTEBOOKS)} notebooks from the cache, the log shows {len(cached)}: {cached}")


def test_status_page_lists_every_chapter_as_executed(html_dir):
    """book/status has myst-nb's execution table: one row per notebook, all successful."""
    html = (html_dir / "book" / "status.html").read_text()
    table = re.search(r"<table(?![^>]*reading-times).*?</table>", html, re.S)  # not the reading-time table
    assert table, "the status page has no execution table"
    rows = re.findall(r"<tr.*?</tr>", table.group(0), re.S)[1:]
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]
             for row in rows]
    documents = {row[0] for row in cells}
    missing = [name for name in NOTEBOOKS if name not in documents]
    assert not missing, f"chapters missing from the status table: {missing} (table lists {sorted(documents)})"
    # book_frame writes myst-nb's status marks as words: every row must say "passed".
    not_passed = [row[0] for row in cells if "passed" not in row]
    assert not not_passed, f"the status table does not report these as passed: {not_passed}"


def test_no_broken_internal_links(html_dir):
    """linkchecker over the built files (offline: external links are not followed)."""
    linkchecker = Path(sys.executable).with_name("linkchecker")
    site = html_dir
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # As root, linkchecker drops to the user `nobody`: give it a world-readable copy.
        tmp = Path(tempfile.mkdtemp(prefix="book-linkcheck-"))
        site = tmp / "html"
        shutil.copytree(html_dir, site)
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    try:
        proc = subprocess.run([str(linkchecker), "--no-status", "--no-warnings", str(site / "index.html")],
                              capture_output=True, text=True, timeout=600)
    finally:
        if site != html_dir:
            shutil.rmtree(site.parent, ignore_errors=True)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"linkchecker found broken links or anchors:\n{report[-6000:]}"
    assert re.search(r"\b0 errors found", report), f"unexpected linkchecker report:\n{report[-3000:]}"


@pytest.mark.parametrize("docname", toc_docnames())
def test_every_toc_page_was_built(html_dir, docname):
    assert (html_dir / f"{docname}.html").exists(), f"{docname} is in _toc.yml but was not built"
