"""What a newcomer meets: a jupytext copy beside a chapter, a fork's links, the downloaded notebook,
the status page, `make lab` and the README.

The build tests use a one-page book in a temporary folder, built with the repository's own
_config.yml and Sphinx extensions (tools/extensions/), so they take seconds, not a whole book build.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml

from book_files import ROOT, is_notebook, toc_docnames
from built_site import launch_chromium

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


AUTOSAVE_TEST_SECONDS = 3  # the test's autosave interval (JupyterLab's default is 120 s)


ORDINARY_USER = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def as_ordinary_user(command, home):
    """`command` run by root as the unprivileged user nobody, with the test's own venv. When that
    venv's Python lies under a folder only root may enter (pyenv under /root, on this machine), the
    command runs in a private mount namespace where that folder is an empty, open one with just the
    way to Python bound back in: nobody runs the same Python, and nothing outside the command
    sees the change."""
    python = Path(sys.executable).resolve()
    closed = [folder for folder in reversed(python.parents) if not os.stat(folder).st_mode & 0o001]
    if not closed:
        return ORDINARY_USER + command
    if len(closed) > 1 or any(not os.stat(folder).st_mode & 0o001 for folder in Path(sys.prefix).parents):
        pytest.skip(f"the venv's Python ({python}) is out of an ordinary user's reach in more than one place")
    way_in = closed[0] / python.relative_to(closed[0]).parts[0]  # /root/.pyenv
    stash = home / "python-stash"
    stash.mkdir()
    script = ('set -e; mount --bind "$1" "$2"; mount -t tmpfs -o mode=0755 tmpfs "$3"; '
              'mkdir -p "$1"; mount --bind "$2" "$1"; shift 3; exec "$@"')
    return ["unshare", "--mount", "sh", "-c", script, "sh", str(way_in), str(stash), str(closed[0]),
            *ORDINARY_USER, *command]


def give_to_ordinary_user(folder):
    """`folder` and all in it owned by nobody, as a user's own home and clone are."""
    for path in [folder, *folder.rglob("*")]:
        shutil.chown(path, "nobody", "nogroup")


@contextlib.contextmanager
def make_lab(home, checkout=ROOT, ordinary_user=False):
    """`make lab` as a reader runs it in `checkout` (whoever runs the tests: root in CI and
    containers; or, run by root, the unprivileged user nobody, who owns `home`), with the test's own
    settings file, port and token. It yields the server's URL and settings file."""
    config = home / "jupyter-config"
    settings = config / "labconfig" / "default_setting_overrides.json"
    settings.parent.mkdir(parents=True)
    # Autosave every few seconds unless make lab's settings turn it off: the wait stays short.
    settings.write_text(json.dumps({"@jupyterlab/docmanager-extension:plugin":
                                    {"autosaveInterval": AUTOSAVE_TEST_SECONDS}}))
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(config), HOME=str(home),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"))
    venv = Path(sys.prefix)
    command = ["make", "-o", f"{venv}/.dev-installed", "lab", f"VENV={venv}", f"LAB_SETTINGS={settings}",
               f"LAB_ARGS=--no-browser --port={port} --IdentityProvider.token=t"]
    if ordinary_user:
        command = as_ordinary_user(command, home)
        give_to_ordinary_user(home)
    log = (home / "make-lab.log").open("w")
    server = subprocess.Popen(command, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token=t", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    who = "nobody" if ordinary_user else f"uid {os.geteuid()}"
                    pytest.fail(f"make lab did not start JupyterLab ({who}):\n"
                                + (home / "make-lab.log").read_text()[-3000:])
                time.sleep(1)
        yield base, settings
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make and the JupyterLab it started
            server.wait(timeout=30)
        log.close()


def test_make_lab_opens_a_chapter_and_autosave_leaves_it_unchanged(tmp_path, playwright):
    """`make lab` starts for whoever runs it: root too (JupyterLab refuses root without
    --allow-root; the Makefile adds it, this test does not); the chapters open as notebooks and
    the package is browsable; an opened chapter stays byte-identical well past the autosave
    interval (its kernel marks it changed at once); JupyterLab's checkpoints are git-ignored."""
    pins = (ROOT / "requirements-dev.txt").read_text() + (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyterlab==[\d.]+", pins, re.M) and re.search(r"^jupytext==[\d.]+", pins, re.M)
    chapter = ROOT / "book" / "training-loop.md"
    before = chapter.read_bytes()
    try:
        _open_the_chapter_in_make_lab(tmp_path, playwright)
        assert chapter.read_bytes() == before, "JupyterLab rewrote the chapter with no edit"
    finally:
        if chapter.read_bytes() != before:
            chapter.write_bytes(before)  # leave the checkout as it was
    status = subprocess.run(["git", "status", "--porcelain", "--", "book"], cwd=ROOT, capture_output=True,
                            text=True).stdout
    assert "training-loop.md" not in status and ".ipynb_checkpoints" not in status, status
    ignored = subprocess.run(["git", "check-ignore", "-q", "book/.ipynb_checkpoints/training-loop-checkpoint.md"],
                             cwd=ROOT)
    assert ignored.returncode == 0, ".gitignore must cover JupyterLab's .ipynb_checkpoints/"


def _open_the_chapter_in_make_lab(home, playwright, checkout=ROOT, ordinary_user=False):
    with make_lab(home, checkout, ordinary_user) as (base, settings):
        docmanager = json.loads(settings.read_text())["@jupyterlab/docmanager-extension:plugin"]
        assert docmanager["defaultViewers"]["markdown"] == "Jupytext Notebook"
        with urllib.request.urlopen(f"{base}/api/contents/book/intro.md?type=notebook&token=t", timeout=30) as r:
            assert any(cell["cell_type"] == "code" for cell in json.load(r)["content"]["cells"])
        with urllib.request.urlopen(f"{base}/api/contents/micrograd?token=t", timeout=30) as r:
            assert "engine.py" in {item["name"] for item in json.load(r)["content"]}, "the package is browsable"
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(f"{base}/lab/workspaces/test/tree/book/training-loop.md?token=t&reset")
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
            tab = page.locator(".lm-TabBar-tab", has_text="training-loop.md")
            page.wait_for_timeout(4 * AUTOSAVE_TEST_SECONDS * 1000)  # past several autosaves
            assert tab.count() == 1, "the chapter's tab is open"
        finally:
            browser.close()


NOT_ROOT = "run by an ordinary user, the test above is the user's case"


@pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)
def test_make_lab_works_for_an_ordinary_user(playwright):
    """Run as root, the test above is root's `make lab`; this is a newcomer's on an ordinary
    account: the unprivileged user nobody, in a copy of the checkout and a home that nobody owns
    (a clone of their own), with the same venv. JupyterLab starts (without --allow-root), the
    chapter opens as a notebook and stays byte-identical past several autosaves."""
    home = Path(tempfile.mkdtemp(prefix="make-lab-user-"))  # /tmp: pytest's tmp_path is root's alone
    try:
        checkout = home / "micrograd-book"
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split("\0")
        for name in filter(None, tracked):
            if (ROOT / name).is_file():  # the working tree's files, as this test run sees them
                (checkout / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, checkout / name)
        chapter = checkout / "book" / "training-loop.md"
        before = chapter.read_bytes()
        _open_the_chapter_in_make_lab(home, playwright, checkout, ordinary_user=True)
        started = (home / "make-lab.log").read_text()
        assert re.search(r"jupyter lab\s+--ServerApp\.root_dir=\.", started), started  # make's echo: no --allow-root
        assert chapter.read_bytes() == before, "JupyterLab rewrote the chapter with no edit"
    finally:
        shutil.rmtree(home)


@pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)
def test_make_lab_gives_allow_root_to_root_only():
    """The command itself: root's `make lab` has --allow-root, an ordinary user's has not."""
    venv = Path(sys.prefix)
    command = ["make", "-n", "-o", f"{venv}/.dev-installed", "lab", f"VENV={venv}"]
    as_root = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    as_nobody = subprocess.run([*ORDINARY_USER, *command], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout
    assert "jupyter lab --allow-root" in as_root
    assert "jupyter lab" in as_nobody and "--allow-root" not in as_nobody



# Chapters run from any working directory: a notebook converted elsewhere (the newcomer's
# `jupytext --to ipynb book/automating.md -o ../elsewhere/...`) failed with FileNotFoundError.

# "../tests/x.py", "./data", or open("x.json") / Path("x.json"): relative to the working directory
RELATIVE_PATH = re.compile(r"""["'](\.\.?/[^"']*)["']|(?:open|Path)\(\s*["']([^"'/][^"']*)["']""")


def _code_cells(docname):
    import jupytext

    return [cell.source for cell in jupytext.read(ROOT / f"{docname}.md").cells if cell.cell_type == "code"]


def test_no_chapter_names_a_file_relative_to_the_working_directory():
    """A path like "../tests/x.py" only works from book/; backstage.repository_file works anywhere."""
    relative = {name: found for name in toc_docnames() if is_notebook(name)
                if (found := [m.group(0) for source in _code_cells(name) for m in RELATIVE_PATH.finditer(source)])}
    assert not relative, f"chapters that read files relative to the working directory: {relative}"


def test_a_chapter_that_reads_repository_files_runs_from_another_directory(tmp_path):
    """The newcomer's case: automating, which reads the package's tests, converted to a notebook in
    an unrelated folder and executed there. (Every chapter that reads a repository file does so
    through backstage.repository_file, found from the module's place: tests/package/test_backstage.py
    checks it from another directory, the scan above that no chapter names a relative path.)"""
    docname = "book/automating"
    assert "repository_file(" in (ROOT / f"{docname}.md").read_text()
    notebook = tmp_path / "elsewhere" / f"{Path(docname).name}.ipynb"
    notebook.parent.mkdir()
    subprocess.run([sys.executable, "-m", "jupytext", "--to", "ipynb", str(ROOT / f"{docname}.md"),
                    "-o", str(notebook)], check=True, capture_output=True)
    proc = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb", notebook.name],
                          cwd=notebook.parent, capture_output=True, text=True)
    assert proc.returncode == 0, f"{docname} failed when run from {notebook.parent}:\n{proc.stderr[-3000:]}"
