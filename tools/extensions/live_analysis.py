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
import symtable
from pathlib import Path

# Top-level modules the browser cannot import, with the names readers know them by.
HEAVY = {"numpy": "numpy", "matplotlib": "matplotlib", "sklearn": "scikit-learn",
         "torch": "PyTorch", "torchvision": "PyTorch", "pandas": "pandas", "scipy": "SciPy",
         "PIL": "Pillow", "seaborn": "seaborn"}
OPT_OUT_TAG = "live-skip"
COMPOUND = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)
ROLES = {"exercise-starter": "starter", "exercise-solution": "solution", "exercise-check": "check"}


def _heavy_of(module, extra):
    """The readers' names of what `module` needs that the browser lacks (empty: nothing)."""
    top = module.split(".")[0]
    if top in HEAVY:
        return {HEAVY[top]}
    return set(extra.get(module, ()))


def _module_level(body):
    """The statements of a module body, with those inside top-level if/try blocks."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            for block in (node.body, node.orelse, getattr(node, "finalbody", []),
                          *[h.body for h in getattr(node, "handlers", [])]):
                yield from _module_level(block)


def package_modules_needing(package_dir, package):
    """{"micrograd.plot": {"numpy", "matplotlib"}, ...}: the package's modules importing HEAVY ones."""
    found = {}
    for path in sorted(Path(package_dir).glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        needs = set()
        # imports at module level only: one inside a function (micrograd.optim imports numpy
        # only for a Tensor's gradient) does not stop the rest of the module from running
        for node in _module_level(tree.body):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     else [])
            for name in names:
                if name.split(".")[0] in HEAVY:
                    needs.add(HEAVY[name.split(".")[0]])
        if needs:
            found[f"{package}.{path.stem}"] = needs
    return found


def _scope_names(source):
    """(names the statement binds at module level, module-level names it reads), by symtable:
    a comprehension's loop variable or a function's local is neither."""
    table = symtable.symtable(source, "<cell>", "exec")
    stores = {s.get_name() for s in table.get_symbols()
              if s.is_assigned() or s.is_imported() or s.is_namespace()}
    definitions = {s.get_name() for s in table.get_symbols() if s.is_imported() or s.is_namespace()}
    loads = {s.get_name() for s in table.get_symbols() if s.is_referenced()}

    def walk(t):
        for child in t.get_children():
            for s in child.get_symbols():
                if s.is_global() and (s.is_referenced() or s.is_assigned()):
                    loads.add(s.get_name())
            walk(child)

    walk(table)
    return stores, loads, definitions


def _imported(node, extra):
    """[(bound name, what it needs)] for one import statement."""
    result = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            needs = _heavy_of(alias.name if alias.asname else alias.name.split(".")[0], extra)
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
    """cells: [(index, source, metadata)] in page order -> one dict per cell for the browser.

    Statement by statement (top level): a statement that reads a tainted name needs what that
    name needs, and the names it binds become tainted; the others bind clean names. A cell with
    any such statement cannot run live (it shows what the build computed), but its other
    statements are kept as `replay`, so that the cells after it find the names they define.
    A heavy loop or block may also change the variables it reads (a training loop trains
    `model`): those become tainted too (not functions, classes or modules). A plain heavy call
    (`plt.plot(losses)`) is taken to leave its arguments alone.
    """
    extra = extra_heavy or {}
    tainted = {}  # name -> what it needs
    variables = set()  # names last bound by an assignment (not by def, class or import)
    out = []
    for index, source, metadata in cells:
        tags = list(metadata.get("tags", []))
        role = next((ROLES[t] for t in tags if t in ROLES), None)
        cell = {"index": index, "source": source, "tags": tags, "needs": [], "static": None}
        if role:
            cell["role"] = role
            cell["exercise"] = str(metadata.get("exercise", ""))
        code = without_magics(source)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            cell["static"] = "syntax"
            out.append(cell)
            continue
        opted_out = OPT_OUT_TAG in tags
        if opted_out:
            cell["static"] = "tag"
        needs, light = set(), []
        for stmt in tree.body:
            segment = ast.get_source_segment(code, stmt) or ast.unparse(stmt)
            try:
                stores, loads, definitions = _scope_names(ast.unparse(stmt))
            except SyntaxError:
                stores, loads, definitions = set(), set(), set()
            imported = ([pair for pair in _imported(stmt, extra)]
                        if isinstance(stmt, (ast.Import, ast.ImportFrom)) else [])
            stmt_needs = set()
            for name in loads:
                stmt_needs |= tainted.get(name, set())
            heavy = bool(stmt_needs) or opted_out
            for name, need in imported:
                if need:
                    tainted[name] = need
                else:
                    tainted.pop(name, None)
            for name in stores - {n for n, _ in imported}:
                if heavy:
                    tainted[name] = stmt_needs or {"the build"}
                else:
                    tainted.pop(name, None)
            if heavy and isinstance(stmt, COMPOUND):
                for name in loads & variables:
                    tainted[name] = tainted.get(name, set()) | (stmt_needs or {"the build"})
            variables = (variables | stores) - definitions
            needs |= stmt_needs
            if not heavy:
                light.append(segment)
        if needs:
            cell["needs"] = sorted(needs)
        if (needs or opted_out) and light:
            cell["replay"] = "\n".join(light)
        out.append(cell)
    return out
