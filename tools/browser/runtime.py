"""The Python side of the live pages' worker (runs inside Pyodide, in a Web Worker).

One namespace per page, like a notebook kernel. `run(code, ...)` executes one cell and returns
its outputs as JSON: printed text, the repr of the last expression, Graphviz objects as SVG
(rendered by Graphviz compiled to WebAssembly, handed in by worker.js), and the traceback of an
exception. Shims stand in for what only the book's build has: `myst_nb.glue` (does nothing),
`IPython.display` (display, Markdown, HTML shown as text), and numpy, matplotlib, scikit-learn,
torch..., which import as placeholders that fail, with an explanation, only when used.
"""

import ast
import builtins
import html.parser
import importlib.abc
import importlib.util
import io
import json
import linecache
import sys
import time
import traceback
import types

HEAVY = {"numpy": "numpy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
         "torch": "PyTorch", "torchvision": "PyTorch", "pandas": "pandas", "scipy": "SciPy",
         "PIL": "Pillow", "seaborn": "seaborn"}

namespace = {"__name__": "__main__", "__builtins__": builtins}
# The book's own modules that import numpy & co at load time (from runtime.json, found at build
# time): {"micrograd.tensor": ["numpy"]}. They import as placeholders too.
unavailable_modules = {}
_outputs = None
_render_svg = None
_cell_counter = 0


# ---------------------------------------------------------------- outputs

class _Stream(io.TextIOBase):
    def __init__(self, kind):
        self.kind = kind

    def writable(self):
        return True

    def write(self, text):
        if _outputs is not None and text:
            if _outputs and _outputs[-1]["kind"] == self.kind:
                _outputs[-1]["text"] += text
            else:
                _outputs.append({"kind": self.kind, "text": text})
        return len(text)


class _TextOnly(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _strip_tags(markup):
    parser = _TextOnly()
    parser.feed(markup)
    return "".join(parser.parts)


def _is_graphviz(obj):
    return type(obj).__module__.split(".")[0] == "graphviz" and hasattr(obj, "source")


def svg_of(dot_source, engine="dot"):
    if _render_svg is None:
        raise RuntimeError("Graphviz is not loaded in this worker")
    return str(_render_svg(dot_source, engine or "dot"))


def rich(obj):
    """One output for a displayed object: SVG for Graphviz graphs, text for everything else."""
    if _is_graphviz(obj):
        return {"kind": "svg", "svg": svg_of(obj.source, getattr(obj, "engine", "dot"))}
    if isinstance(obj, Markdown):
        return {"kind": "result", "text": obj.data}
    if isinstance(obj, HTML):
        return {"kind": "result", "text": _strip_tags(obj.data)}
    return {"kind": "result", "text": repr(obj)}


def display(*objs, **kwargs):
    for obj in objs:
        if _outputs is not None:
            _outputs.append(rich(obj))


# ---------------------------------------------------------------- shims

class _Shown:
    def __init__(self, data="", **kwargs):
        self.data = data

    def __repr__(self):
        return str(self.data)


class Markdown(_Shown):
    pass


class HTML(_Shown):
    pass


def _glue(name, variable=None, display=True):
    """myst_nb.glue: the build stores values for the prose; in the browser there is nothing to do."""


def _module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def _unavailable_message(name):
    for module, needs in unavailable_modules.items():
        if name == module or name.startswith(module + "."):
            return (f"{module} needs {' and '.join(needs)}, which the browser does not have: "
                    f"this cell ran when the book was built; open this chapter in Binder to run it")
    top = name.split(".")[0]
    return (f"{HEAVY.get(top, top)} is not available in the browser (Pyodide here has only the "
            f"standard library and micrograd): this cell ran when the book was built; open "
            f"this chapter in Binder to run it")


class _Placeholder:
    """Stands for anything taken from a module the browser lacks; fails when used."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{self._name}.{attr}")

    def _fail(self, *args, **kwargs):
        raise ModuleNotFoundError(_unavailable_message(self._name))

    __call__ = __iter__ = __getitem__ = __len__ = __add__ = __mul__ = __sub__ = _fail
    __truediv__ = __radd__ = __rmul__ = __bool__ = __float__ = __int__ = _fail

    def __repr__(self):
        return f"<{self._name}: not available in the browser>"


class _UnavailableModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{self.__name__}.{attr}")


class _UnavailableFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in HEAVY or fullname in unavailable_modules:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return _UnavailableModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []


def _install_shims():
    display_module = _module("IPython.display", display=display, Markdown=Markdown, HTML=HTML,
                             Latex=Markdown, clear_output=lambda *a, **k: None)
    sys.modules["IPython"] = _module("IPython", display=display_module)
    sys.modules["IPython.display"] = display_module
    sys.modules["myst_nb"] = _module("myst_nb", glue=_glue)
    sys.meta_path.insert(0, _UnavailableFinder())


def _patch_graphviz():
    """graphviz builds DOT text; piping it to the `dot` program becomes a call to the wasm Graphviz."""
    import graphviz

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        fmt = format or self.format or "svg"
        if fmt != "svg":
            raise RuntimeError(f"in the browser Graphviz renders SVG only, not {fmt!r}")
        svg = svg_of(self.source, engine or getattr(self, "engine", "dot"))
        return svg if encoding else svg.encode("utf-8")

    for cls in (graphviz.Source, graphviz.Digraph, graphviz.Graph):
        cls.pipe = pipe


def _free_iteratively(self):
    """Value.__del__ in the browser. Freeing a Value frees its children inside its own free, so a
    graph 5,000 operations deep is freed 10,000 C calls deep: CPython manages, but a Web Worker's
    stack overflows ("Maximum call stack size exceeded"). Here a dying node hands its children to
    a list first; those no one else holds are dismantled the same way, one at a time."""
    prev = self._prev
    if not prev:
        return
    self._prev = ()
    pending = list(prev)
    del prev
    while pending:
        node = pending.pop()
        # held only by `node` and getrefcount's argument: it dies when `node` moves on
        if sys.getrefcount(node) <= 2 and node._prev:
            pending.extend(node._prev)
            node._prev = ()


def _patch_micrograd():
    from micrograd.engine import Value
    Value.__del__ = _free_iteratively


def setup(render_svg, unavailable="{}"):
    """Called once by worker.js: `render_svg(dot, engine) -> str` is Graphviz in WebAssembly;
    `unavailable`: JSON {module: [what it needs]} for the package's modules the browser lacks."""
    global _render_svg
    _render_svg = render_svg
    unavailable_modules.update(json.loads(unavailable))
    _install_shims()
    _patch_graphviz()
    _patch_micrograd()
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")


# ---------------------------------------------------------------- running a cell

def without_magics(source):
    """IPython line magics (`%config ...`, `!ls`) become `pass`: there is no IPython here."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) and not stripped.startswith("%%"):
            line = line[:len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


def _user_traceback(exc):
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _graph_of(value):
    """For the playground: the computation graph of a micrograd Value, else None."""
    engine = sys.modules.get("micrograd.engine")
    if engine is None or not isinstance(value, engine.Value):
        return None
    from micrograd.draw import draw_dot
    return rich(draw_dot(value))


def run(code, name="cell", graph_values=False):
    """Run one cell in the page's namespace; JSON: {"outputs": [...], "error": {...} or null}."""
    global _outputs, _cell_counter
    _cell_counter += 1
    filename = f"<{name}>"
    source = without_magics(code)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _outputs = outputs = []
    error = None
    start = time.perf_counter()
    try:
        tree = ast.parse(source, filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval"), namespace)
            if value is not None:
                namespace["_"] = value
                outputs.append(rich(value))
                if graph_values:
                    graph = _graph_of(value)
                    if graph:
                        outputs.append(graph)
    except BaseException as exc:  # noqa: BLE001  (the reader's code may raise anything)
        error = {"type": type(exc).__name__, "message": str(exc), "traceback": _user_traceback(exc)}
    finally:
        _outputs = None
    return json.dumps({"outputs": outputs, "error": error,
                       "seconds": round(time.perf_counter() - start, 4)})
