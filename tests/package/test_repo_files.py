"""The files around the book: the Pages workflow, the Binder environment, the README, the CI script."""

import importlib.metadata
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from book_files import ROOT, book_config, book_frame, is_notebook, toc_docnames

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
TESTS_WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"
WORKFLOWS = [WORKFLOW, TESTS_WORKFLOW]
OFFICIAL_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/setup-node",
                    "actions/upload-pages-artifact", "actions/deploy-pages"}
# The oldest release of each action whose JavaScript runs on Node 24 (Node 20 is being retired
# from GitHub's runners). upload-pages-artifact is a composite action: v5 wraps upload-artifact v7.
NODE24_SINCE = {"actions/checkout": (5, 0, 0), "actions/setup-python": (6, 0, 0),
                "actions/setup-node": (5, 0, 0), "actions/upload-pages-artifact": (5, 0, 0),
                "actions/deploy-pages": (5, 0, 0)}


def _workflow(path=WORKFLOW):
    text = path.read_text()
    data = yaml.safe_load(text)
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return text, data


def test_workflows_validate_against_github_schema():
    checker = Path(sys.executable).with_name("check-jsonschema")  # both files in one run: it loads slowly
    proc = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"a workflow does not validate:\n{proc.stdout}{proc.stderr}"


def test_workflow_builds_strictly_and_deploys_with_least_privilege():
    text, workflow = _workflow()
    assert workflow["on"]["push"]["branches"] == ["main"], "the site must be built on push to main"
    assert workflow["permissions"] == {"contents": "read"}, "top-level permissions must be read-only"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "permissions" not in build, "the build job needs no more than read access"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"], "deploy only on push to main"
    commands = "\n".join(step.get("run", "") for step in build["steps"])
    assert re.search(r"apt-get install .*graphviz", commands), "the build must install Graphviz"
    assert "jupyter-book clean --all ." in commands
    assert "jupyter-book build . --all -W -n --keep-going" in commands
    assert commands.index("npm ci") < commands.index("jupyter-book build"), \
        "the live pages' runtime (npm ci) must be installed before the build"
    setups = {s["uses"].split("@")[0]: s.get("with", {}) for s in build["steps"] if "uses" in s}
    assert setups["actions/setup-python"].get("cache") == "pip", "cache pip downloads"
    assert setups["actions/setup-node"].get("cache") == "npm", "cache npm downloads"
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_uses_official_actions_pinned_by_commit(path):
    text, workflow = _workflow(path)
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", text, re.M)
    assert {u.split("@")[0] for u, _ in uses} <= OFFICIAL_ACTIONS
    for action, comment in uses:
        name, _, ref = action.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name} must be pinned by full commit SHA, not {ref!r}"
        release = re.search(r"#\s*v(\d+)\.(\d+)\.(\d+)\s*$", comment)
        assert release, f"{name}: say which release the SHA is (# vX.Y.Z)"
        version = tuple(int(part) for part in release.groups())
        assert version >= NODE24_SINCE[name], (
            f"{name} v{'.'.join(release.groups())} predates its Node 24 release "
            f"v{'.'.join(map(str, NODE24_SINCE[name]))}")


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_has_no_security_findings(workflow):
    """zizmor (offline) with its most suspicious persona finds nothing to report."""
    zizmor = Path(sys.executable).with_name("zizmor")
    proc = subprocess.run([str(zizmor), "--offline", "--persona=auditor", "--no-progress", str(workflow)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"zizmor reports:\n{proc.stdout}{proc.stderr}"
    assert "No findings" in proc.stdout, proc.stdout


def test_tests_workflow_runs_the_fast_tests_on_every_push_and_pull_request_read_only():
    text, workflow = _workflow(TESTS_WORKFLOW)
    assert "push" in workflow["on"] and "pull_request" in workflow["on"]
    assert not (workflow["on"]["push"] or {}).get("branches"), "every push, on any branch"
    assert workflow["permissions"] == {"contents": "read"}, "top-level permissions must be read-only"
    for job in workflow["jobs"].values():
        assert "permissions" not in job, "no job needs more than read access"
        commands = "\n".join(step.get("run", "") for step in job["steps"])
        assert "make test-fast" in commands
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["persist-credentials"] is False
    # The same pinned releases as the Pages workflow: one place to bump them.
    pins = dict(re.findall(r"uses:\s*([\w/-]+)@(\w+)", _workflow()[0]))
    for action, sha in re.findall(r"uses:\s*([\w/-]+)@(\w+)", text):
        assert pins.get(action) == sha, f"{action} is pinned differently from pages.yml"
    assert re.search(r"^test-fast:.*\n\t.*pytest tests/package", (ROOT / "Makefile").read_text(), re.M)


def test_binder_environment():
    """Binder reads binder/: the root pins (which install the package), graphviz, jupytext for .md."""
    requirements = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in requirements, "Binder must install exactly the root pins"
    assert any("download.pytorch.org/whl/cpu" in line for line in requirements), "CPU-only torch on Binder"
    root = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e ." in root, "requirements.txt must install the local package"
    assert any(re.fullmatch(r"jupytext==[\d.]+", line) for line in root), "Binder needs jupytext (pinned)"
    pins = [line for line in root if line and not line.startswith(("#", "-"))]
    unpinned = [line for line in pins if "==" not in line]
    assert not unpinned, f"unpinned requirements: {unpinned}"
    assert "graphviz" in (ROOT / "binder" / "apt.txt").read_text().split()
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert "jupytext-config set-default-viewer" in post_build.read_text()


def test_config_derives_every_link_from_the_repository_url():
    config = book_config()
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", config["repository"]["url"])
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["raise_on_error"] is True
    assert "colab_url" not in config["launch_buttons"], "Colab cannot open the .md chapters"


def test_readme_gives_the_two_commands_and_its_screenshot_exists():
    readme = (ROOT / "README.md").read_text()
    for needed in ("make book", "make test", "_build/html/index.html", "mybinder.org", "graphviz", "chromium"):
        assert needed in readme.lower() or needed in readme, f"README.md should mention {needed!r}"
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    assert images, "README.md should show a screenshot of the book"
    for image in images:
        assert (ROOT / image).exists(), f"README image {image} does not exist"


def test_ci_script_runs_the_readme_test_command():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "make test" in text and "apt-get install" in text


def test_make_says_what_to_install_when_graphviz_or_chromium_is_missing(tmp_path):
    make = subprocess.run(["which", "make"], capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "PATH": str(tmp_path)}   # an empty PATH: no `dot` anywhere
    proc = subprocess.run([make, "-s", "check-dot"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "apt-get install -y graphviz" in proc.stdout + proc.stderr
    proc = subprocess.run([make, "-s", "check-chromium", f"CHROMIUM={tmp_path}/chromium"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "apt-get install -y chromium" in proc.stdout + proc.stderr


def test_binder_opens_every_chapter_as_a_notebook_with_its_code():
    """In Binder, JupyterLab opens book/*.md through jupytext, which reads the file with no
    format given: the header must make it read MyST, or the reader gets a notebook of prose
    with no code cells. Compare with the cells the book build (myst-nb) executes."""
    import jupytext

    for docname in filter(is_notebook, toc_docnames()):
        path = ROOT / f"{docname}.md"
        as_binder_reads = jupytext.read(path)
        as_myst = jupytext.read(path, fmt="md:myst")
        code_cells = [c for c in as_myst.cells if c.cell_type == "code"]
        assert code_cells, f"{docname}: no code cells at all"
        assert [c.source for c in as_binder_reads.cells if c.cell_type == "code"] == \
            [c.source for c in code_cells], f"{docname}: jupytext does not read it as MyST"


@pytest.mark.parametrize("environ, remote, expected", [
    ({"GITHUB_REPOSITORY": "alice/fork"}, None, "https://github.com/alice/fork"),
    ({"GITHUB_REPOSITORY": "alice/fork", "GITHUB_SERVER_URL": "https://ghe.example.com"}, None,
     "https://ghe.example.com/alice/fork"),
    ({}, "git@github.com:bob/micrograd-book.git", "https://github.com/bob/micrograd-book"),
    ({}, "https://github.com/bob/micrograd-book", "https://github.com/bob/micrograd-book"),
    ({}, "https://github.com/bob/micrograd.book.git/", "https://github.com/bob/micrograd.book"),
    ({}, "https://gitlab.com/bob/micrograd-book.git", "https://github.com/your-org/micrograd-book"),
    ({}, None, "https://github.com/your-org/micrograd-book"),
])
def test_repository_url_is_derived_from_actions_then_git_then_config(tmp_path, environ, remote, expected):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    if remote:
        subprocess.run(["git", "remote", "add", "origin", remote], cwd=tmp_path, check=True)
    derived = book_frame().repository_url("https://github.com/your-org/micrograd-book", root=tmp_path,
                                           environ=environ)
    assert derived == expected


def test_readme_states_no_test_count_and_offers_make_lab():
    readme = (ROOT / "README.md").read_text()
    assert not re.search(r"\b\d[\d,]* tests\b", readme), "a test count in the README goes stale"
    assert "make lab" in readme


# ---------------------------------------------------------------- the Makefile as a newcomer meets it

def _make(*args, cwd=ROOT, **kwargs):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True,
                          **kwargs)


def test_make_alone_and_make_help_list_the_commands():
    """`make` with no target used to build the venv stamp only; `make help` did not exist."""
    for command in ([], ["help"]):
        proc = _make(*command)
        assert proc.returncode == 0, proc.stderr
        listed = re.findall(r"^make ([\w-]+)", proc.stdout, re.M)
        assert listed == ["book", "serve", "lab", "test", "test-fast", "bench", "clean", "help"], proc.stdout
    assert "PORT=8001" in proc.stdout


def test_make_serve_on_a_busy_port_says_so(tmp_path):
    """A second `make serve` printed a Python traceback ending in 'Address already in use'."""
    (tmp_path / "_build" / "html").mkdir(parents=True)
    (tmp_path / "_build" / "html" / "index.html").write_text("<p>the book</p>")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _make("-f", str(ROOT / "Makefile"), "serve", f"PORT={port}", f"PYTHON={sys.executable}",
                     cwd=tmp_path, timeout=60)
    assert proc.returncode != 0
    assert f"Port {port} is in use" in proc.stdout and "make serve PORT=8001" in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_make_serve_serves_the_built_site(tmp_path):
    (tmp_path / "_build" / "html").mkdir(parents=True)
    (tmp_path / "_build" / "html" / "index.html").write_text("<p>the book</p>")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["make", "-s", "-f", str(ROOT / "Makefile"), "serve", f"PORT={port}",
                               f"PYTHON={sys.executable}"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert b"the book" in response.read()
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "make serve did not serve"
                time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_make_installs_the_cpu_build_of_pytorch_on_linux(tmp_path):
    """On Linux PyPI's torch is the CUDA build plus ~19 nvidia/cuda/triton wheels. The Makefile
    installs the pinned torch from PyTorch's CPU index first, alone, as Binder and the Pages
    workflow do; TORCH_INDEX= falls back to PyPI alone."""
    pin = re.search(r"^(torch==[\d.]+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    index = "https://download.pytorch.org/whl/cpu"
    venv = tmp_path / "venv"
    for stamp, requirements in ((".book-installed", "requirements.txt"), (".dev-installed", "requirements-dev.txt")):
        steps = _make("-n", f"{venv}/{stamp}", f"VENV={venv}").stdout
        if platform.system() == "Linux":
            torch_step = f'pip install --quiet --no-deps --index-url {index} "{pin}"'
            assert torch_step in steps, steps
            assert steps.index(torch_step) < steps.index(f"pip install --quiet -r {requirements}")
        plain = _make("-n", f"{venv}/{stamp}", f"VENV={venv}", "TORCH_INDEX=").stdout
        assert "download.pytorch.org" not in plain and f"-r {requirements}" in plain
    assert index in (ROOT / "binder" / "requirements.txt").read_text()
    assert index in (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    if platform.system() == "Linux" and Path(sys.prefix, ".dev-installed").exists():  # this venv, made by make
        assert importlib.metadata.version("torch").endswith("+cpu"), importlib.metadata.version("torch")
