"""The package under the live pages' stand-ins for NumPy (tools/browser/python/shims.py).

In the browser, `import numpy` and `import micrograd.tensor` give placeholder modules whose
attributes are placeholders, not classes. The scalar engine's optimisers and checkers must still
work on a page whose cells imported them: they ask "is this a Tensor / an array?" and must answer
"no" there instead of failing inside isinstance. Run in a fresh interpreter, with the real shims.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = r"""
import sys
sys.path.insert(0, sys.argv[1])
import shims
shims.install({"micrograd.tensor": ["numpy"]})

import numpy                      # the browser's stand-ins, as a chapter's setup cell imports them
import micrograd.tensor
assert not isinstance(numpy.ndarray, type) and not isinstance(micrograd.tensor.Tensor, type)

from micrograd.engine import Value
from micrograd.gradcheck import gradcheck
from micrograd.optim import SGD, AdamW

w = Value(2.0)
optimizer = AdamW([w], lr=0.1)
(w * w).backward()
optimizer.step()
assert abs(w.data - (2.0 - 0.1 * 0.01 * 2.0 - 0.1)) < 1e-6, w.data
SGD([w], lr=0.1).step()
backprop, numerical = gradcheck(lambda a, b: a * b + a.tanh(), [0.5, -1.5])
assert abs(backprop[0] - numerical[0]) < 1e-6
print("ok")
"""


def test_optimisers_and_gradcheck_work_beside_the_browser_standins():
    shims_dir = ROOT / "tools" / "browser" / "python"
    run = subprocess.run([sys.executable, "-c", PROGRAM, str(shims_dir)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]
