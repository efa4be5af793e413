"""Without its C extensions refute says so: once per run, in --version and in JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from refute.engine import native

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_AS_PURE_PYTHON = """
import sys
for name in {extensions!r}:
    sys.modules[name] = None  # as if it had not been built
from refute.cli import main
sys.argv = ["refute"] + sys.argv[1:]
main()
"""


def _refute(*args: str, pure: bool) -> subprocess.CompletedProcess:
    code = _AS_PURE_PYTHON.format(extensions=native.EXTENSIONS if pure else ())
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_this_install_runs_the_c_extensions():
    assert native.IMPLEMENTATION == "c" and native.MISSING == () and native.note() is None


def test_pure_python_says_so_once_per_run_and_in_the_json(tmp_path):
    out = tmp_path / "result.json"
    run = _refute("check", "examples/two_phase.py", "-p", "rms=2", "--json", str(out), pure=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("refute is running as pure Python") == 1
    assert "refute._values" in run.stderr and "about 10x slower" in run.stderr
    assert json.loads(out.read_text())["implementation"] == "python"
    assert json.loads(out.read_text())["distinct_states"] == 56  # the same answer, slower


def test_c_extensions_say_nothing_but_the_json_names_them(tmp_path):
    out = tmp_path / "result.json"
    run = _refute("check", "examples/two_phase.py", "-p", "rms=2", "--json", str(out), pure=False)
    assert run.returncode == 0, run.stderr
    assert "pure Python" not in run.stderr
    assert json.loads(out.read_text())["implementation"] == "c"


def test_version_says_which_implementation():
    assert "(C extensions built)" in _refute("--version", pure=False).stdout
    pure = _refute("--version", pure=True).stdout
    assert "pure Python: 5 of 5 C extensions not built, about 10x slower" in pure
