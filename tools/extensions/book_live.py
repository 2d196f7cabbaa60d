"""Live pages: the book's code cells run and can be edited in the reader's browser.

A Sphinx extension, loaded from _config.yml (sphinx.local_extensions). At build time it

- exports every notebook page's code cells, hidden ones included, to
  `_static/live/pages/<page>.json` (source, tags, exercise role, and what each cell needs that
  the browser does not have: see live_analysis.py), and marks each rendered cell with the class
  `live-cell-<index>` so the browser can find it;
- adds a small loader (`_static/live/boot.js`, a few KB) to every page; nothing else of the
  runtime loads until the reader presses the page's "Live" button;
- copies the runtime into `_static/live/`: Pyodide's core files and Graphviz compiled to
  WebAssembly from node_modules (pinned in package-lock.json), the CodeMirror editor bundled
  with esbuild, the book's own small JS modules (tools/browser/) and the Python side of the worker
  (tools/browser/python/), and two wheels: `micrograd` with `backstage` zipped from this checkout
  (so the browser runs exactly the tested code) and `graphviz` zipped from the installed, pinned
  distribution. Nothing is downloaded.

node_modules comes from `npm ci` (the Makefile runs it); without it the build stops and says so.
"""

import base64
import hashlib
import html
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).parent))
import live_analysis  # noqa: E402  (beside this file)
from notebook_pages import is_notebook  # noqa: E402

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
LIVE_SRC = ROOT / "tools" / "browser"
WORKER_PYTHON = LIVE_SRC / "python"
NODE_MODULES = ROOT / "node_modules"
# The files of Pyodide's npm package that the browser loads (not the Node.js ones, not the maps).
PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json"]
GRAPHVIZ_JS = "@hpcc-js/wasm-graphviz/dist/index.js"
WHEEL_TAG = "py3-none-any"


# ---------------------------------------------------------------- reading the cells

def _notebook_cells(app, docname):
    """The page's notebook cells as myst-nb reads them (same indices as its doctree)."""
    path = Path(app.env.doc2path(docname))
    if not is_notebook(path):
        return None
    from myst_nb.core.read import read_myst_markdown_notebook
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=str(path))
    return notebook.cells


def export_cells(app, doctree):
    """doctree-read: remember the page's code cells and tag the rendered ones."""
    docname = app.env.docname
    cells = _notebook_cells(app, docname)
    if cells is None:
        return
    heavy_modules = live_analysis.package_modules_needing(ROOT / "micrograd", "micrograd")
    exported = live_analysis.analyse(
        [(i, c.source, c.get("metadata", {})) for i, c in enumerate(cells) if c.cell_type == "code"],
        extra_heavy=heavy_modules)
    by_index = {c["index"]: c for c in exported}
    for node in doctree.findall(lambda n: isinstance(n, nodes.Element) and n.get("nb_element") == "cell_code"):
        index = node.get("cell_index")
        cell = by_index.get(index)
        if cell is None:
            logger.warning(f"live pages: cell {index} of {docname} is not a code cell of its notebook",
                           location=docname)
            continue
        node["classes"].append(f"live-cell-{index}")
        cell["shown"] = True
        cell["input_shown"] = not any(
            t in cell["tags"] for t in ("remove-input", "remove_input"))
    for cell in exported:
        cell.setdefault("shown", False)
        cell.setdefault("input_shown", False)
    if not exported:
        return
    app.env.live_pages[docname] = {"page": docname, "cells": exported}


def purge(app, env, docname):
    env.live_pages.pop(docname, None)


def merge(app, env, docnames, other):
    env.live_pages.update({d: other.live_pages[d] for d in docnames if d in other.live_pages})


def init_env(app, env, docnames):
    if not hasattr(env, "live_pages"):
        env.live_pages = {}


# ---------------------------------------------------------------- writing the pages

def exercise_counts(env):
    """{page: number of exercises with a check}, for the table of contents' progress (boot.js)."""
    counts = {}
    for page, data in getattr(env, "live_pages", {}).items():
        ids = {c["exercise"] for c in data["cells"] if c.get("role") == "check"}
        if ids:
            counts[page] = len(ids)
    return counts


def page_context(app, pagename, templatename, context, doctree):
    counts = exercise_counts(app.env)
    if counts:
        context["metatags"] = context.get("metatags", "") + (
            f'\n<meta name="live-exercises" content="{html.escape(json.dumps(counts, sort_keys=True))}">')
    data = getattr(app.env, "live_pages", {}).get(pagename)
    if not data:
        return
    out = Path(app.outdir) / "_static" / "live" / "pages" / f"{pagename}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=None, separators=(",", ":")), encoding="utf-8")
    tags = f'\n<meta name="live-cells" content="{pagename}.json">'
    shown = [c for c in data["cells"] if c["shown"] and c["input_shown"]]
    if shown and all(c["needs"] or c["static"] is not None for c in shown):
        # nothing on the page can run: boot.js says so instead of offering to load Python
        needs = sorted({n for c in shown for n in c["needs"] if n != "the build"})
        what = live_analysis.list_of(needs) if needs else "what only the book's build has"
        tags += f'\n<meta name="live-none-runs" content="{html.escape(what)}">'
    context["metatags"] = context.get("metatags", "") + tags


# ---------------------------------------------------------------- the runtime

def _write_wheel(path, name, version, files):
    """A minimal wheel (PEP 427): the files, METADATA, WHEEL and RECORD. `files`: {arcname: bytes}."""
    dist_info = f"{name}-{version}.dist-info"
    files = dict(files)
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n").encode()
    files[f"{dist_info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: book_live\nRoot-Is-Purelib: true\n"
                                   f"Tag: {WHEEL_TAG}\n").encode()
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname in sorted(files):
            info = zipfile.ZipInfo(arcname, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, files[arcname])


def build_wheels(folder):
    """micrograd from this checkout; graphviz from the installed (pinned) distribution."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.whl"):
        old.unlink()
    package = ROOT / "micrograd"
    version = importlib.metadata.version("micrograd-book") if _installed("micrograd-book") else "0.1.0"
    files = {f"micrograd/{p.name}": p.read_bytes() for p in sorted(package.glob("*.py"))}
    files["backstage.py"] = (ROOT / "book" / "backstage.py").read_bytes()  # the chapters' hidden helpers
    names = [f"micrograd_book-{version}-{WHEEL_TAG}.whl"]
    _write_wheel(folder / names[0], "micrograd_book", version, files)

    dist = importlib.metadata.distribution("graphviz")
    files = {}
    for entry in dist.files or []:
        parts = Path(entry).parts
        if parts and parts[0] == "graphviz" and entry.suffix == ".py":
            files[str(entry).replace(os.sep, "/")] = Path(dist.locate_file(entry)).read_bytes()
    if not files:
        raise ExtensionError("live pages: the installed graphviz package has no files to pack")
    names.append(f"graphviz-{dist.version}-{WHEEL_TAG}.whl")
    _write_wheel(folder / names[1], "graphviz", dist.version, files)

    # The GPT chapters' names (micrograd.gpt.load_names): the pinned `names` package's module and
    # its two first-name lists (not its 2 MB of surnames).
    dist = importlib.metadata.distribution("names")
    files = {str(entry).replace(os.sep, "/"): Path(dist.locate_file(entry)).read_bytes()
             for entry in dist.files or [] if Path(entry).parts[0] == "names"
             and (entry.suffix == ".py" or entry.name.endswith(".first"))}
    names.append(f"names-{dist.version}-{WHEEL_TAG}.whl")
    _write_wheel(folder / names[-1], "names", dist.version, files)
    return names


def _installed(name):
    try:
        importlib.metadata.version(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def _copy(src, dst):
    """Copy when missing or changed (size or mtime), so a rebuild copies nothing."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        s, d = src.stat(), dst.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return
    shutil.copy2(src, dst)


def bundle_editor(target, stamp):
    """CodeMirror 6 and its Python mode, bundled by esbuild into one minified script."""
    entry = LIVE_SRC / "editor-src.js"
    key = hashlib.sha256(entry.read_bytes() + (ROOT / "package-lock.json").read_bytes()).hexdigest()
    if target.exists() and stamp.exists() and stamp.read_text() == key:
        return
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    proc = subprocess.run([str(esbuild), str(entry), "--bundle", "--minify", "--format=iife",
                           "--legal-comments=none", "--target=es2020", f"--outfile={target}"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ExtensionError(f"live pages: esbuild failed to bundle the editor:\n{proc.stderr}")
    stamp.write_text(key)


def check_node_modules(app, config=None):
    missing = [f for f in [f"pyodide/{p}" for p in PYODIDE_FILES] + [GRAPHVIZ_JS, ".bin/esbuild"]
               if not (NODE_MODULES / f).exists()]
    if missing:
        raise ExtensionError(
            "live pages: node_modules is missing or incomplete (no " + ", ".join(missing[:3]) + "). "
            "Run `npm ci` at the repository root (it installs the versions pinned in "
            "package-lock.json; needs nodejs and npm: apt-get install -y nodejs npm), "
            "or `make book`, which runs it for you.")


def copy_runtime(app, exception):
    if exception or app.builder.format != "html":
        return
    check_node_modules(app)
    live = Path(app.outdir) / "_static" / "live"
    for name in PYODIDE_FILES:
        _copy(NODE_MODULES / "pyodide" / name, live / "pyodide" / name)
    _copy(NODE_MODULES / GRAPHVIZ_JS, live / "graphviz.js")
    for src in sorted(LIVE_SRC.iterdir()):
        if src.suffix in (".js", ".css") and src.name != "editor-src.js":
            shutil.copy2(src, live / src.name)
    python = sorted(WORKER_PYTHON.glob("*.py"))
    for src in python:
        _copy(src, live / "python" / src.name)
    bundle_editor(live / "editor.js", Path(app.doctreedir) / "live-editor.stamp")
    wheels = build_wheels(live / "wheels")
    (live / "runtime.json").write_text(json.dumps({
        "wheels": [f"wheels/{w}" for w in wheels],
        "python": [f"python/{src.name}" for src in python],
        # the package's modules that import numpy & co when loaded: placeholders in the browser
        "unavailable": {name: sorted(needs) for name, needs in
                        live_analysis.package_modules_needing(ROOT / "micrograd", "micrograd").items()},
    }))


def setup(app):
    app.connect("config-inited", check_node_modules)
    app.connect("env-before-read-docs", init_env)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-read", export_cells)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", copy_runtime)
    app.add_js_file("live/boot.js", loading_method="defer")
    app.add_css_file("live/live.css")
    # The exported cells live in the environment: when this extension or the analysis changes,
    # a new env_version makes Sphinx read every page again (execution stays cached).
    code = b"".join(p.read_bytes() for p in (Path(__file__), Path(live_analysis.__file__),
                                             WORKER_PYTHON / "browser_lacks.py"))
    version = int(hashlib.sha256(code).hexdigest()[:8], 16)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": version}
