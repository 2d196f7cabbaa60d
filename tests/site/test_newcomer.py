"""What a newcomer meets: a jupytext copy beside a chapter, a fork's links, the downloaded notebook,
the status page, `make lab` and the README.

The build tests use a one-page book in a temporary folder, built with the repository's own
_config.yml and Sphinx extensions (tools/extensions/), so they take seconds, not a whole book build.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

from book_files import ROOT, is_notebook, toc_docnames

PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec: {name: python3, display_name: Python 3}
---
# A page

```{code-cell} ipython3
print(6 * 7)
```
"""


def jupyter_book():
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book"]


def make_small_book(folder):
    """book/page.md plus its jupytext copy book/page.ipynb, with the repository's config and tools."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config["sphinx"].get("local_extensions", {})
    # only the frame and the execution pool: other extensions may need more than this folder has
    config["sphinx"]["local_extensions"] = {name: path for name, path in extensions.items()
                                            if name in ("book_frame", "parallel_execution")}
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/page\n")
    shutil.copytree(ROOT / "tools", folder / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "book" / "images").mkdir(parents=True)
    favicon = config.get("html", {}).get("favicon")
    if favicon:
        shutil.copy(ROOT / favicon, folder / favicon)
    (folder / "book" / "page.md").write_text(PAGE)
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", "book/page.md"], cwd=folder,
                   check=True, capture_output=True)
    assert (folder / "book" / "page.ipynb").exists()


def build(folder, **environ):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_REPOSITORY"}
    env.update(environ)
    proc = subprocess.run(jupyter_book() + ["build", ".", "-W", "-n", "--keep-going"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def code_outputs(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


def problems(log):
    return "\n".join(line for line in log.splitlines() if re.search(r"WARNING|ERROR|Error|rror:", line))


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """Built once, as a fork's GitHub Actions would build it."""
    folder = tmp_path_factory.mktemp("small-book")
    make_small_book(folder)
    code, log = build(folder, GITHUB_REPOSITORY="alice/backprop-fork")
    assert code == 0, problems(log)
    return folder, log


def test_jupytext_copy_beside_a_chapter_does_not_break_the_build(small_book):
    """`jupytext --to ipynb book/page.md` leaves book/page.ipynb: the strict build must still pass,
    and the Binder link must still open the .md that the repository holds."""
    small_book, log = small_book
    assert "multiple files found" not in log
    html = (small_book / "_build" / "html" / "book" / "page.html").read_text()
    binder = re.findall(r'href="(https://mybinder\.org/[^"]+)"', html)
    assert binder == ["https://mybinder.org/v2/gh/alice/backprop-fork/main?urlpath=lab/tree/book/page.md"]


def test_a_fork_publishes_links_to_itself(small_book):
    """In GitHub Actions GITHUB_REPOSITORY names the repository: repository and issue buttons follow."""
    small_book, _ = small_book
    html = (small_book / "_build" / "html" / "book" / "page.html").read_text()
    assert 'href="https://github.com/alice/backprop-fork"' in html
    assert "https://github.com/alice/backprop-fork/issues/new" in html
    assert "your-org" not in html


def test_the_download_button_offers_the_executed_notebook(small_book):
    """Also when the outputs come from the execution cache (a rebuild of the HTML only)."""
    small_book, _ = small_book
    for folder in (small_book / "_build").iterdir():  # all but the execution cache
        if folder.name != ".jupyter_cache":
            shutil.rmtree(folder)
    code, log = build(small_book, GITHUB_REPOSITORY="alice/backprop-fork")
    assert code == 0, problems(log)
    html = (small_book / "_build" / "html" / "book" / "page.html").read_text()
    assert re.search(r'href="\.\./_sources/book/page\.ipynb"', html), "no .ipynb download button"
    outputs = code_outputs(small_book / "_build" / "html" / "_sources" / "book" / "page.ipynb")
    assert [o.get("text") for o in outputs] == ["42\n"]


# The built book (the session's clean build).

def test_every_chapter_download_has_outputs(html_dir):
    empty = [name for name in toc_docnames() if is_notebook(name)
             if not code_outputs(html_dir / "_sources" / f"{name}.ipynb")]
    assert not empty, f"downloadable notebooks without outputs: {empty}"


def test_status_page_says_passed_in_words(html_dir):
    """An emoji check mark drew an empty box where no emoji font is installed."""
    html = (html_dir / "book" / "status.html").read_text()
    assert "\u2705" not in html and "\u274c" not in html
    chapters = [name for name in toc_docnames() if is_notebook(name)]
    assert html.count("<p>passed</p>") == len(chapters)


# `make lab` and the README.

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_opens_the_chapters_as_notebooks(tmp_path):
    """The Makefile's jupytext setting makes JupyterLab open book/*.md as notebooks."""
    dry = subprocess.run(["make", "-n", "lab", f"VENV={Path(sys.prefix)}"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "set-default-viewer markdown myst" in dry and "jupyter lab book/intro.md" in dry
    pins = (ROOT / "requirements-dev.txt").read_text() + (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyterlab==[\d.]+", pins, re.M) and re.search(r"^jupytext==[\d.]+", pins, re.M)

    settings = tmp_path / "labconfig" / "default_setting_overrides.json"
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "jupytext-config"), "--settings-file", str(settings), "set-default-viewer",
                    "markdown", "myst"], check=True, capture_output=True)
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(tmp_path))
    server = subprocess.Popen([str(bin_dir / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
                               "--ServerApp.ip=127.0.0.1", "--ServerApp.token=t", "--ServerApp.open_browser=False"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token=t", timeout=5):
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    pytest.fail("jupyter lab did not start")
                time.sleep(1)
        url = f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin?token=t"
        with urllib.request.urlopen(url, timeout=30) as response:
            viewers = json.load(response)["schema"]["properties"]["defaultViewers"]["default"]
        assert viewers.get("markdown") == "Jupytext Notebook"
        with urllib.request.urlopen(f"{base}/api/contents/book/intro.md?type=notebook&token=t", timeout=30) as r:
            notebook = json.load(r)["content"]
        assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
    finally:
        server.terminate()
        server.wait(timeout=30)
