"""The tests, in two folders: tests/package/ checks the micrograd package and the repository's
files (fast: no built book, no browser; `make test-fast`), tests/site/ builds the book and reads
it in headless Chromium as readers meet it (its fixtures: tests/site/conftest.py). Helpers both
share: tests/book_files.py."""


def pytest_configure(config):
    # matplotlib 3.9 calls pyparsing names deprecated in pyparsing 3.3: upstream noise, not ours
    config.addinivalue_line("filterwarnings", "ignore:.*deprecated - use:DeprecationWarning:matplotlib")
