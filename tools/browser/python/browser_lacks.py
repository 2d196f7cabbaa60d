"""What the browser's Python lacks, written once for the build and the worker.

The build (tools/extensions/live_analysis.py) reads it to decide which cells can run live; the
worker (shims.py, cells.py) reads it to answer those imports with placeholders and to run cells
the way the build's IPython did. Standard library only: it runs in both places.
"""

# Top-level modules Pyodide here cannot import (its core has the standard library and the wheels
# the book ships: micrograd, backstage, graphviz), with the names readers know them by.
MODULES = {"numpy": "numpy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
           "torch": "PyTorch", "torchvision": "PyTorch", "pandas": "pandas", "scipy": "SciPy",
           "PIL": "Pillow", "seaborn": "seaborn", "myst_nb": "myst-nb"}
# Of those, the ones the worker leaves to fail at import (the others import as placeholders that
# fail only when used): backstage.publish reads an ImportError of myst_nb as "no prose to fill in".
FAIL_AT_IMPORT = {"myst_nb"}


def without_magics(source):
    """IPython line magics (`%config ...`, `!ls`) become `pass`: the browser has no IPython.
    The lines keep their places, so tracebacks name the reader's line numbers."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) and not stripped.startswith("%%"):
            line = line[:len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)
