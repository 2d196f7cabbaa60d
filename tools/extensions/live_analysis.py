"""Which of a page's code cells can run in the reader's browser, found by reading them (AST).

Pyodide's core has the standard library and the wheels the book ships (micrograd, graphviz),
but no numpy, matplotlib, scikit-learn or torch. A cell cannot run live when it *uses* a name
that comes from one of those (directly: `np.array(...)`, or through a name an earlier such cell
defined: `X, y = make_moons(...)` taints `X` and `y`). Merely importing them is fine: the worker
answers those imports with placeholders that fail only when used, so a first cell importing
numpy *and* micrograd still runs its micrograd half.

Tags: `live-skip` keeps a cell out of the browser (it shows what the build computed);
`exercise-starter` / `exercise-solution` / `exercise-check` (with metadata `exercise: <id>`)
mark an exercise (their checks get a Check button). Cells that are not valid Python (IPython magics) stay static too.
"""

import ast
import builtins
import symtable
import sys
from pathlib import Path

# What the browser lacks is written once, beside the worker's Python that uses it too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser" / "python"))
from browser_lacks import FAIL_AT_IMPORT, MODULES as HEAVY, without_magics  # noqa: E402,F401

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


def _targets(node):
    """The plain names an assignment target binds: `a`, `a, (b, c)`, `*rest`."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_targets(e) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Starred):
        return _targets(node.value)
    return set()


def _loads(node, bound):
    """Names an expression (or a def/lambda/comprehension inside it) reads that `bound` does not hold."""
    inner = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.comprehension):
            inner |= _targets(sub.target)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            inner |= {a.arg for a in ast.walk(sub.args) if isinstance(a, ast.arg)}
            inner |= {n.id for n in ast.walk(sub) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and n.id not in bound and n.id not in inner}


def _reads(stmts, bound, reads):
    """Walk statements in the order they run, adding to `reads` the names read before this
    statement itself bound them (`for lr in ...: f(lr)` does not read an earlier `lr`).
    Returns the names bound for sure afterwards."""
    for s in stmts:
        if isinstance(s, ast.Assign):
            reads |= _loads(s.value, bound)
            for target in s.targets:
                reads |= _loads(target, bound)  # a[i] = ... reads a and i
            bound = bound | set().union(*(_targets(t) for t in s.targets))
        elif isinstance(s, (ast.AugAssign, ast.AnnAssign)):
            reads |= _loads(s.target, bound) | (_targets(s.target) - bound if isinstance(s, ast.AugAssign) else set())
            if s.value is not None:
                reads |= _loads(s.value, bound)
            bound = bound | _targets(s.target)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            reads |= _loads(s.iter, bound)
            _reads(s.body, bound | _targets(s.target), reads)
            _reads(s.orelse, bound, reads)
        elif isinstance(s, ast.While):
            reads |= _loads(s.test, bound)
            _reads(s.body, bound, reads)
            _reads(s.orelse, bound, reads)
        elif isinstance(s, ast.If):
            reads |= _loads(s.test, bound)
            bound = _reads(s.body, bound, reads) & _reads(s.orelse, bound, reads)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                reads |= _loads(item.context_expr, bound)
                if item.optional_vars is not None:
                    bound = bound | _targets(item.optional_vars)
            bound = _reads(s.body, bound, reads)
        elif isinstance(s, ast.Try):
            _reads(s.body, bound, reads)
            for handler in s.handlers:
                if handler.type is not None:
                    reads |= _loads(handler.type, bound)
                _reads(handler.body, bound | ({handler.name} if handler.name else set()), reads)
            _reads(s.orelse, bound, reads)
            _reads(s.finalbody, bound, reads)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            reads |= _loads(s, bound)
            bound = bound | {s.name}
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            bound = bound | {(a.asname or a.name).split(".")[0] for a in s.names}
        else:
            reads |= _loads(s, bound)
    return bound


def _outside_reads(stmt):
    """The module-level names a top-level statement reads from before it (not those it binds first)."""
    reads = set()
    _reads([stmt], frozenset(), reads)
    return reads


BUILTINS = set(dir(builtins))
REPOSITORY_FILES = "the book's repository files"


def _reads_repository_files(stmt):
    """backstage.repository_file("tests/x.py"), or a path such as "../benchmarks/x.json": the
    site ships neither, so the statement cannot run in the browser."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == "repository_file")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "repository_file")):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("../"):
            return True
    return False


# Methods that only read the object they are called on: calling them does not change it.
READ_ONLY_METHODS = {"items", "keys", "values", "get", "copy", "count", "index", "format"}


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _mutated(stmt, tainted):
    """Names a statement may change: the objects it calls a method on (`model.zero_grad()`) or
    calls (`model(x)`), stores an attribute or item into (`p.data -= ...`, `d[k] = v`), or passes
    to a function of its own (`train(model)`); not what it passes to the heavy modules
    (`ax.plot(losses)`) or to Python's builtins (`zip(rates, styles)`)."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if func.attr not in READ_ONLY_METHODS:
                    names.add(func.value.id)
            elif isinstance(func, ast.Name):
                names.add(func.id)
            root = _root(func)
            if root not in tainted and root not in BUILTINS:
                names |= {a.id for a in node.args if isinstance(a, ast.Name)}
                names |= {k.value.id for k in node.keywords if isinstance(k.value, ast.Name)}
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base = node.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
    return names


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


def _modules_of(stmt):
    """The top-level modules an import statement imports."""
    if isinstance(stmt, ast.Import):
        return {a.name.split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
        return {stmt.module.split(".")[0]}
    return set()


def list_of(names):
    """["numpy", "PyTorch", "scikit-learn"] -> "numpy, PyTorch and scikit-learn"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def analyse(cells, extra_heavy=None):
    """cells: [(index, source, metadata)] in page order -> one dict per cell for the browser.

    Statement by statement (top level): a statement that reads a tainted name needs what that
    name needs, and the names it binds become tainted; the others bind clean names. A cell with
    any such statement cannot run live (it shows what the build computed), but its other
    statements are kept as `replay`, so that the cells after it find the names they define.
    A name a statement binds before reading it (a loop variable, `net = MLP(...)` in a loop) is
    not read from before. A heavy loop or block may also change the variables it calls methods on
    or stores into (a training loop trains `model`): those become tainted too (not functions,
    classes or modules). A plain heavy call (`plt.plot(losses)`) is taken to leave its arguments
    alone.
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
                stores, _, definitions = _scope_names(ast.unparse(stmt))
            except SyntaxError:
                stores, definitions = set(), set()
            loads = _outside_reads(stmt)
            imported = ([pair for pair in _imported(stmt, extra)]
                        if isinstance(stmt, (ast.Import, ast.ImportFrom)) else [])
            stmt_needs = {REPOSITORY_FILES} if _reads_repository_files(stmt) else set()
            for name in loads:
                stmt_needs |= tainted.get(name, set())
            for module in _modules_of(stmt):  # these fail at the import itself in the worker
                if module in FAIL_AT_IMPORT:
                    stmt_needs.add(HEAVY[module])
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
                for name in (_mutated(stmt, tainted) - stores) & variables:
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
