"""Python packaging habits: py.typed, __version__, results inline in Jupyter, the pytest plugin."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path


import refute
from refute.history import check_history, parse_history
from refute.linearize import check as check_linearizable
from refute.linearize import parse as parse_operations

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
WRITE_SKEW = "\n".join([
    "{:type :ok, :f :txn, :process 1, :index 1, :value [[:r :x []] [:r :y []] [:append :x 1]]}",
    "{:type :ok, :f :txn, :process 2, :index 2, :value [[:r :x []] [:r :y []] [:append :y 1]]}",
])
STALE_READ = ("{:process 0 :type :invoke :f :write :value 1}\n"
              "{:process 0 :type :ok :f :write :value 1}\n"
              "{:process 1 :type :invoke :f :read :value nil}\n"
              "{:process 1 :type :ok :f :read :value 2}\n")


def test_py_typed_is_shipped() -> None:
    assert (ROOT / "src" / "refute" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["refute"]


def test_version() -> None:
    try:
        expected = metadata.version("refute")
    except metadata.PackageNotFoundError:
        expected = "0+unknown"
    assert refute.__version__ == expected
    assert PYPROJECT["project"]["version"] == expected or expected == "0+unknown"


def test_pytest_plugin_is_an_entry_point() -> None:
    assert PYPROJECT["project"]["entry-points"]["pytest11"] == {"refute": "refute.pytest_plugin"}


def _inline_results() -> dict[str, object]:
    from write_skew import WriteSkew

    return {"check": refute.check(WriteSkew()),
            "history": check_history(parse_history(WRITE_SKEW, file="h.edn")),
            "linearizable": check_linearizable(parse_operations(STALE_READ), "register")}


def test_results_render_inline_in_a_notebook(browser) -> None:
    expected = {"check": ("at_least_one_on_call is violated after 4 step(s)", 5),
                "history": ("VIOLATED", 0), "linearizable": ("not linearizable", 0)}
    for kind, result in _inline_results().items():
        markup = result._repr_html_()
        assert markup.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_content(f"<html><body>{markup}</body></html>")
        frame = page.frame_locator("iframe")
        verdict, steps = expected[kind]
        assert verdict in frame.locator("#verdict").inner_text(), kind
        if steps:  # drawn by the page's script: scripts run inside the sandboxed frame
            assert frame.locator("#steps .step").count() == steps
        assert errors == []
        page.close()


def test_plain_results_have_no_inline_page() -> None:
    from refute.engine.result import Result
    from refute.status import Status

    assert not hasattr(Result(Status.OK, "S", 1, 1, 1, 0.0), "_repr_html_")


def test_the_fixture_fails_with_the_rendered_counterexample(tmp_path: Path, plugin_args: list[str]) -> None:
    (tmp_path / "test_specs.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT / "examples")!r})
        from write_skew import WriteSkew

        def test_holds(refute_check):
            assert refute_check(WriteSkew(isolation="serializable")).distinct_states == 14

        def test_refuted(refute_check):
            refute_check(WriteSkew())
        """))
    run = subprocess.run([sys.executable, "-m", "pytest", *plugin_args, "-q",
                          "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "tmp"),
                          str(tmp_path / "test_specs.py")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert "refute: WriteSkew does not hold" in run.stdout
    assert "✗ invariant at_least_one_on_call is violated after 4 step(s)" in run.stdout
    report = run.stdout.split("HTML report: ", 1)[1].split()[0]
    assert Path(report).is_file() and "at_least_one_on_call" in Path(report).read_text()


def test_the_plugin_imports_refute_only_when_a_test_asks_for_it() -> None:
    """It is loaded by every pytest run wherever refute is installed."""
    tree = ast.parse((ROOT / "src" / "refute" / "pytest_plugin.py").read_text())
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top for a in n.names] + [n.module for n in top
                                                      if isinstance(n, ast.ImportFrom)]
    assert not any(str(name).startswith("refute") for name in names), names
