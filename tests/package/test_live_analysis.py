"""Which cells can run in the browser: the build-time analysis behind the live pages (no browser)."""

import sys

from book_files import ROOT

sys.path.insert(0, str(ROOT / "tools" / "extensions"))

import live_analysis as la  # noqa: E402


def analyse(*sources, tags=None):
    cells = [(i, s, {"tags": (tags or {}).get(i, [])}) for i, s in enumerate(sources)]
    return la.analyse(cells, la.package_modules_needing(ROOT / "micrograd", "micrograd"))


def test_importing_numpy_beside_micrograd_still_runs_but_using_it_does_not():
    cells = analyse("import numpy as np\nfrom micrograd.engine import Value\nv = Value(1.0)",
                    "xs = np.linspace(0, 1, 5)",
                    "v.data + 1")
    assert cells[0]["needs"] == [] and cells[0]["static"] is None
    assert cells[1]["needs"] == ["numpy"]
    assert cells[2]["needs"] == []


def test_names_computed_from_heavy_code_taint_later_cells_statement_by_statement():
    cells = analyse("from sklearn.datasets import make_moons",
                    "X, y = make_moons(100)\nn = 3\nprint(n)",
                    "total = sum(x for x in X)",
                    "n * 2")
    assert cells[1]["needs"] == ["scikit-learn"]
    assert cells[1]["replay"] == "n = 3\nprint(n)"   # the part the browser can replay
    assert cells[2]["needs"] == ["scikit-learn"]
    assert cells[3]["needs"] == []


def test_loop_variables_and_locals_are_not_module_names():
    cells = analyse("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nfor x in range(3):\n    ax.plot(x)",
                    "squares = [x * x for x in range(3)]\ndef f(ax):\n    return ax\nf(1)")
    assert cells[0]["needs"] == ["matplotlib"]
    assert cells[1]["needs"] == []


def test_a_function_reading_a_heavy_global_is_heavy():
    cells = analyse("import numpy as np", "def f(v):\n    return np.tanh(v)", "f(1.0)")
    assert cells[1]["needs"] == ["numpy"] and cells[2]["needs"] == ["numpy"]


def test_package_modules_that_need_heavy_libraries():
    cells = analyse("from micrograd.plot import decision_boundary", "decision_boundary(None, [], [])")
    assert set(cells[1]["needs"]) == {"numpy", "matplotlib"}


def test_magics_tags_and_exercise_roles():
    cells = analyse("%config InlineBackend.figure_formats = ['svg']\nx = 1", "%%time\nx = 2", "x + 1",
                    tags={2: ["live-skip"]})
    assert cells[0]["static"] is None and cells[1]["static"] == "syntax" and cells[2]["static"] == "tag"
    assert la.without_magics("  %time f()\nprint(1)") == "  pass\nprint(1)"
    ex = la.analyse([(0, "def f(): return 0", {"tags": ["exercise-starter"], "exercise": "e1"}),
                     (1, "assert f() == 1, 'f is wrong'", {"tags": ["remove-cell", "exercise-check"],
                                                           "exercise": "e1"})])
    assert [(c["role"], c["exercise"]) for c in ex] == [("starter", "e1"), ("check", "e1")]


def test_a_heavy_statement_taints_the_variables_it_may_change():
    cells = analyse("from sklearn.datasets import make_moons\nfrom micrograd.nn import MLP\n"
                    "X, y = make_moons(10)\nmodel = MLP(2, [4, 1])\n"
                    "for x in X:\n    model(x)",
                    "model([1.0, 2.0])",
                    "MLP(2, [1])")
    assert cells[0]["replay"] == "from sklearn.datasets import make_moons\nfrom micrograd.nn import MLP\nmodel = MLP(2, [4, 1])"
    assert cells[1]["needs"] == ["scikit-learn"]
    assert cells[2]["needs"] == []


def test_a_plotting_loop_leaves_what_it_plots_clean():
    """Issue 16: training-loop cells that only reuse names a plotting loop read (STEPS, lr) were
    marked static, and neurons' input-gradients exercise lost its Check."""
    cells = analyse("import matplotlib.pyplot as plt\nfrom micrograd.nn import MLP\nSTEPS = 40\n"
                    "RATES = (0.05, 0.5)\ncurves = {lr: [1.0] * STEPS for lr in RATES}",
                    "fig, ax = plt.subplots()\nfor lr, style in zip(RATES, (':', '-')):\n"
                    "    ax.plot(range(STEPS), curves[lr], style)",
                    "for lr in (0.05, 0.5):\n    net = MLP(3, [4, 1], seed=0)\n    print(lr, STEPS, net)",
                    "print(curves[0.05][:STEPS])")
    assert cells[1]["needs"] == ["matplotlib"]
    assert [c["needs"] for c in cells[2:]] == [[], []], cells[2:]


def test_a_heavy_loop_taints_what_it_passes_to_the_books_functions():
    cells = analyse("import numpy as np\nfrom micrograd.nn import MLP\nmodel = MLP(2, [4, 1])\n"
                    "def train(m, x):\n    m(x)",
                    "for x in np.ones((3, 2)):\n    train(model, x)",
                    "model([1.0, 2.0])")
    assert cells[1]["needs"] == ["numpy"] and cells[2]["needs"] == ["numpy"]


def test_a_cell_reading_the_repositorys_files_is_static():
    """Issue 16: a tensors cell read ../benchmarks/bench_tensor.json and always failed live."""
    cells = analyse('import json\nfrom pathlib import Path\nbench = json.loads(Path("../benchmarks/b.json").read_text())',
                    "print(bench)",
                    "from backstage import repository_file\nsource = repository_file('tests/test_engine.py').read_text()",
                    "print(1 + 1)")
    assert [c["needs"] for c in cells] == [[la.REPOSITORY_FILES]] * 3 + [[]]


def test_importing_myst_nb_is_left_out_of_the_browser():
    """The worker lets `import myst_nb` fail (backstage.publish reads that as "no prose to fill"), so a
    chapter still importing it keeps the rest of its first cell: the imports after it."""
    cells = analyse("import math\nfrom myst_nb import glue\nfrom micrograd.engine import Value",
                    "glue('x', 1)\nprint(Value(1.0))")
    assert cells[0]["needs"] == ["myst-nb"]
    assert cells[0]["replay"] == "import math\nfrom micrograd.engine import Value"
    assert cells[1]["replay"] == "print(Value(1.0))"
