"""Fixtures for testing the book as readers meet it: the session's builds, the site served on
127.0.0.1, one Playwright and one headless Chromium (how: built_site.py)."""

import shutil

import pytest

from built_site import (ARTIFACTS, BUILD_ROOT, HTML_DIR, SCREENSHOTS, SKIP_BUILD, PageVisit, builds,
                        launch_chromium, run_build, serve)
# each code page's one live run, shared by the live tests' modules
from live_site import page_runs, start_page_runs  # noqa: F401


@pytest.fixture(scope="session")
def clean_build():
    """A strict build from nothing: no HTML, no doctrees, no execution cache."""
    if SKIP_BUILD:
        pytest.skip("BOOK_SKIP_BUILD is set: not building")
    shutil.rmtree(BUILD_ROOT / "_build", ignore_errors=True)
    return run_build("clean")


@pytest.fixture(scope="session")
def cached_build(clean_build):
    """The same strict build again with nothing changed: every notebook should come from the cache."""
    if clean_build.returncode != 0:
        pytest.fail("the clean build failed, so there is no cache to rebuild from (see test-artifacts/build-clean.log)")
    return run_build("cached")


@pytest.fixture(scope="session")
def html_dir(request):
    if not SKIP_BUILD:
        # Both builds before any test reads the site: the cached build (--all) rewrites every page.
        if request.getfixturevalue("clean_build").returncode == 0:
            request.getfixturevalue("cached_build")
    # With --keep-going a build that fails on warnings still writes the site: check it anyway,
    # test_clean_strict_build_succeeds reports the build failure itself.
    if not (HTML_DIR / "index.html").exists():
        pytest.fail("the book did not build, so there is no site to check (see test-artifacts/build-clean.log)")
    if any("page_runs" in item.fixturenames for item in request.session.items):
        # every code page run live, in a process of its own, while the other tests go on
        start_page_runs(request.config, HTML_DIR)
    return HTML_DIR


def pytest_collection_modifyitems(items):
    """The tests that read the live page runs (page_runs) go last, so that the runs, started in the
    background once the site is built, overlap the rest of the suite."""
    items.sort(key=lambda item: "page_runs" in getattr(item, "fixturenames", ()))


def pytest_terminal_summary(terminalreporter):
    # tables the site tests leave for the end of the run (test_reading_budget.py: reading time per page)
    for title, lines in getattr(terminalreporter.config, "_book_summaries", {}).items():
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)
    runs = getattr(terminalreporter.config, "_live_page_runs", None)
    if runs is not None and runs.seconds is not None:
        terminalreporter.section("live pages")
        terminalreporter.write_line(f"every code page run live ({len(runs.runs)} pages) in {runs.seconds:.1f} s, "
                                    "beside the other tests (tests/site/live_site.py)")
        for docname, run in runs.runs.items():
            if run.reclicks:
                terminalreporter.write_line(f"  {docname}: clicked again, the first click started nothing: "
                                            f"cell(s) {run.reclicks}")
            if run.hung_before:
                last = run.hung_before.strip().splitlines()[-1]
                terminalreporter.write_line(f"  {docname}: a cell did not finish on the first run ({last}); "
                                            f"run again: {'failed' if run.failure else 'passed'} "
                                            "(see test-artifacts/live-page-runs.log)")
    if not builds:
        return
    terminalreporter.section("book build times")
    for build in builds.values():
        status = "ok" if build.returncode == 0 else f"FAILED (exit {build.returncode})"
        terminalreporter.write_line(f"{build.name:>7} strict build: {build.seconds:6.1f} s  {status}"
                                    f"   log: test-artifacts/build-{build.name}.log")
    if SCREENSHOTS.exists():
        shots = sorted(SCREENSHOTS.glob("*.png"))
        terminalreporter.write_line(f"{len(shots)} page screenshots in test-artifacts/screenshots/")
    lines = [f"{b.name} {b.seconds:.1f} s exit={b.returncode}" for b in builds.values()]
    (ARTIFACTS / "build-times.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def site_url(html_dir):
    """The built site served on 127.0.0.1 (a free port), for as long as the session runs."""
    with serve(html_dir) as url:
        yield url


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole session: its sync API refuses to start a second one while the
    first is running, so every browser the tests launch comes from this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    try:
        browser = launch_chromium(playwright)
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    yield browser
    browser.close()


@pytest.fixture
def visit(browser, site_url):
    tab = PageVisit(browser, site_url)
    yield tab
    tab.close()
