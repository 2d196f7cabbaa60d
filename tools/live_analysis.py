"""Which of a page's code cells can run in the reader's browser, found by reading them (AST).

Pyodide's core has the standard library and the wheels the book ships (micrograd, graphviz),
but no numpy, matplotlib, scikit-learn or torch. A cell cannot run live when it *uses* a name
that comes from one of those (directly: `np.array(...)`, or through a name an earlier such cell
defined: `X, y = make_moons(...)` taints `X` and `y`). Merely importing them is fine: the worker
answers those imports with placeholders that fail only when used, so a first cell importing
numpy *and* micrograd still runs its micrograd half.

Tags: `live-skip` keeps a cell out of the browser (it shows what the build computed);
`exercise-starter` / `exercise-solution` / `exercise-check` (with metadata `exercise: <id>`)
mark an exercise (see TEAM.md). Cells that are not valid Python (IPython magics) stay static too.
"""

import ast
from pathlib import Path

# Top-level modules the browser cannot import, with the names readers know them by.
HEAVY = {"numpy": "numpy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
         "torch": "PyTorch", "torchvision": "PyTorch", "pandas": "pandas", "scipy": "SciPy",
         "PIL": "Pillow", "seaborn": "seaborn"}
OPT_OUT_TAG = "live-skip"
ROLES = {"exercise-starter": "starter", "exercise-solution": "solution", "exercise-check": "check"}


def _heavy_of(module, extra):
    """The readers' names of what `module` needs that the browser lacks (empty: nothing)."""
    top = module.split(".")[0]
    if top in HEAVY:
        return {HEAVY[top]}
    return set(extra.get(module, ()))


def package_modules_needing(package_dir, package):
    """{"micrograd.plot": {"numpy", "matplotlib"}, ...}: the package's modules importing HEAVY ones."""
    found = {}
    for path in sorted(Path(package_dir).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        needs = set()
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     else [])
            for name in names:
                if name.split(".")[0] in HEAVY:
                    needs.add(HEAVY[name.split(".")[0]])
        if needs:
            found[f"{package}.{path.stem}"] = needs
    return found


def _bindings(tree):
    """Names the cell stores (assignments, defs, loop targets, imports) and names it loads."""
    stores, loads, imports = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            stores.add(node.name)
    return stores, loads, imports


def _imported(node, extra):
    """[(bound name, what it needs)] for one import statement."""
    result = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            module = alias.name if alias.asname else alias.name.split(".")[0]
            needs = _heavy_of(alias.name, extra) if alias.asname else _heavy_of(module, extra)
            result.append((bound, needs))
    elif node.module and not node.level:
        for alias in node.names:
            needs = _heavy_of(node.module, extra) | _heavy_of(f"{node.module}.{alias.name}", extra)
            result.append((alias.asname or alias.name, needs))
    return result


def without_magics(source):
    """IPython line magics (`%config ...`, `!ls`) become `pass`: the browser has no IPython.
    The worker (runtime.py) does the same before running a cell."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) and not stripped.startswith("%%"):
            line = line[:len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


def analyse(cells, extra_heavy=None):
    """cells: [(index, source, metadata)] in page order -> one dict per cell for the browser."""
    extra = extra_heavy or {}
    tainted = {}  # name -> what it needs
    out = []
    for index, source, metadata in cells:
        tags = list(metadata.get("tags", []))
        role = next((ROLES[t] for t in tags if t in ROLES), None)
        cell = {"index": index, "source": source, "tags": tags, "needs": [], "static": None}
        if role:
            cell["role"] = role
            cell["exercise"] = str(metadata.get("exercise", ""))
        try:
            tree = ast.parse(without_magics(source))
        except SyntaxError:
            cell["static"] = "syntax"
            out.append(cell)
            continue
        stores, loads, imports = _bindings(tree)
        imported = [pair for node in imports for pair in _imported(node, extra)]
        import_needs = {name: needs for name, needs in imported}
        needs = set()
        for name in loads:
            if name in tainted and name not in import_needs:
                needs |= tainted[name]
            elif import_needs.get(name):
                needs |= import_needs[name]
        if OPT_OUT_TAG in tags:
            cell["static"] = "tag"
        if needs:
            cell["needs"] = sorted(needs)
        static = bool(needs) or cell["static"] is not None
        for name, need in imported:
            if need:
                tainted[name] = need
            else:
                tainted.pop(name, None)
        for name in stores - set(import_needs):
            if static:
                tainted[name] = needs or {"the build"}
            else:
                tainted.pop(name, None)
        out.append(cell)
    return out
