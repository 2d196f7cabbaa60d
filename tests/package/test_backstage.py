"""book/backstage.py, the chapters' hidden helpers: what the chapters rely on outside the book build."""

import subprocess
import sys

from book_files import ROOT


def test_repository_file_finds_the_repository_from_any_working_directory(tmp_path):
    """Chapters read repository files through repository_file, so a chapter converted to a notebook
    and run in another folder (as a newcomer did) still finds them."""
    code = ("from backstage import repository_file\n"
            "path = repository_file('tests/package/test_engine.py')\n"
            "print(path.resolve())\n"
            "try:\n    repository_file('no/such/file.py')\n"
            "except FileNotFoundError as missing:\n    print(missing)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    found, missing = proc.stdout.splitlines()
    assert found == str((ROOT / "tests" / "package" / "test_engine.py").resolve())
    assert missing.startswith("no/such/file.py is not in ") and "run it from a checkout" in missing


def test_setup_freezes_what_exists_so_the_collector_skips_it():
    """The performance notes say the chapters' setup cell calls gc.freeze(): after setup() the
    objects that existed are in the permanent generation (outside IPython too)."""
    code = ("import gc\nfrom backstage import setup\n"
            "gc.unfreeze()\nassert gc.get_freeze_count() == 0\n"
            "setup()\nprint(gc.get_freeze_count())\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(proc.stdout) > 1000
