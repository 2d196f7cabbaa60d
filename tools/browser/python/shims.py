"""Browser shims: what the worker puts in place of what only a desktop Python has.

- numpy, matplotlib, scikit-learn, torch... (browser_lacks.MODULES), and the book's own modules
  that import them, import as placeholders that fail with an explanation only when used, so a cell
  importing numpy *and* micrograd still runs its micrograd half;
- `IPython.display` (display, Markdown, HTML: shown as text);
- `input()`, which cannot wait for the keyboard in a Web Worker, says so;
- graphviz's `pipe` (it runs the `dot` program) calls Graphviz compiled to WebAssembly instead.
"""

import builtins
import importlib.abc
import importlib.util
import sys
import types

import outputs
from browser_lacks import FAIL_AT_IMPORT, MODULES

# The book's own modules that import numpy & co at load time (from runtime.json, found at build
# time): {"micrograd.tensor": ["numpy"]}.
unavailable_modules = {}


def _unavailable_message(name):
    for module, needs in unavailable_modules.items():
        if name == module or name.startswith(module + "."):
            return (f"{module} needs {' and '.join(needs)}, which the browser does not have: "
                    f"this cell ran when the book was built; open this chapter in Binder to run it")
    top = name.split(".")[0]
    return (f"{MODULES.get(top, top)} is not available in the browser (Pyodide here has only the "
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

    # isinstance(x, Tensor) where Tensor could not load: nothing is one (micrograd.optim asks)
    def __instancecheck__(self, obj):
        return False

    def __subclasscheck__(self, cls):
        return False


class _UnavailableModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Placeholder(f"{self.__name__}.{attr}")


class _UnavailableFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if (top in MODULES and top not in FAIL_AT_IMPORT) or fullname in unavailable_modules:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return _UnavailableModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []


def _module(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def no_input(prompt=""):
    """input() in the browser: there is no keyboard to wait for in a Web Worker."""
    if prompt:
        print(prompt, end="")
    raise EOFError("input() cannot wait for typing on a live page: write the value into the "
                   "code instead (for example name = 'Ada')")


def _patch_graphviz():
    """graphviz builds DOT text; piping it to the `dot` program becomes a call to the wasm Graphviz."""
    import graphviz

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        fmt = format or self.format or "svg"
        if fmt != "svg":
            raise RuntimeError(f"in the browser Graphviz renders SVG only, not {fmt!r}")
        svg = outputs.svg_of(self.source, engine or getattr(self, "engine", "dot"))
        return svg if encoding else svg.encode("utf-8")

    for cls in (graphviz.Source, graphviz.Digraph, graphviz.Graph):
        cls.pipe = pipe


def install(unavailable):
    """`unavailable`: {module: [what it needs]} for the package's modules the browser lacks."""
    unavailable_modules.update(unavailable)
    display = _module("IPython.display", display=outputs.display, Markdown=outputs.Markdown,
                      HTML=outputs.HTML, Latex=outputs.Markdown, clear_output=lambda *a, **k: None)
    sys.modules["IPython"] = _module("IPython", display=display)
    sys.modules["IPython.display"] = display
    sys.meta_path.insert(0, _UnavailableFinder())
    builtins.input = no_input
    _patch_graphviz()
