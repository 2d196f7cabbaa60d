"""Running cells in the live pages' worker (Pyodide, in a Web Worker): the entry point worker.js calls.

One namespace per page, like a notebook kernel. `run(code, name)` executes one cell as IPython does
(the last expression's value is displayed; a trailing `;` hides it; line magics become `pass`),
times it for backstage.last_cell_seconds() as the build's IPython does, and returns its outputs
(outputs.py) and the traceback of an exception, as JSON.
"""

import ast
import builtins
import importlib
import json
import linecache
import sys
import time
import traceback

import outputs
import shims
from browser_lacks import without_magics

namespace = {"__name__": "__main__", "__builtins__": builtins}
_timer = None  # backstage, whose clock the chapters read: last_cell_seconds()
_OWN_FILES = {outputs.__file__, shims.__file__, __file__}


def setup(render_svg, unavailable="{}", on_text=None):
    """Called once by worker.js: `render_svg(dot, engine) -> str` is Graphviz in WebAssembly;
    `unavailable`: JSON {module: [what it needs]} for the package's modules the browser lacks;
    `on_text(kind, text)`, if given, receives what a cell prints as soon as it prints it."""
    global _timer
    outputs._render_svg = render_svg
    outputs.on_text = on_text
    shims.install(json.loads(unavailable))
    sys.stdout, sys.stderr = outputs.Stream("stdout"), outputs.Stream("stderr")
    import backstage
    _timer = backstage


def _error(exc, skip_all=False):
    """The reader's traceback: the worker's own frames left out (all of them for a syntax error
    in the cell, which the parser, not the reader's code, raised)."""
    tb = None if skip_all else exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in _OWN_FILES:
        tb = tb.tb_next
    return {"type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(type(exc), exc, tb))}


def run(code, name="cell", graph_values=False):
    """Run one cell in the page's namespace; JSON: {"outputs": [...], "error": {...} or null, "seconds"}."""
    filename = f"<{name}>"
    source = without_magics(code)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    capture = outputs.current = outputs.Capture()
    error = None
    start = time.perf_counter()
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as exc:
        tree, error = None, _error(exc, skip_all=True)
    if tree is not None:
        _timer.cell_started()
        try:
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(last, filename, "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    capture.add(outputs.rich(value))
                    graph = outputs.graph_of(value) if graph_values else None
                    if graph:
                        capture.add(graph)
        except BaseException as exc:  # noqa: BLE001  (the reader's code may raise anything)
            error = _error(exc)
        finally:
            _timer.cell_finished()
    outputs.current = None
    return json.dumps({"outputs": capture.finish(), "error": error,
                       "seconds": round(time.perf_counter() - start, 4)})


def call(module, func, args="{}"):
    """A function of the worker's Python by name (the playground's demo: moons_demo.step), JSON in and
    out; an exception comes back as {"error": "ValueError: ..."}, the line a reader needs."""
    try:
        return json.dumps({"result": json.loads(getattr(importlib.import_module(module), func)(args))})
    except Exception as exc:  # noqa: BLE001  (reported to the page)
        return json.dumps({"error": f"{type(exc).__name__}: {exc}"})
