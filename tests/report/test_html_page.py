"""The page shell and its asset files (refute.html_page, refute/assets/)."""

from __future__ import annotations

import ast
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from refute.html_page import asset, page

from .conftest import PROJECT

ASSETS = PROJECT / "src" / "refute" / "assets"


def test_page_fills_each_slot_once_and_escapes_the_title() -> None:
    out = page("a <b> & {{body}}", "<p>{{title}}</p>", styles=("base.css",),
               scripts=("linearize.js",))
    assert "<title>a &lt;b&gt; &amp; {{body}}</title>" in out
    assert "<p>{{title}}</p>" in out  # a slot's value is not scanned for slots again
    assert asset("base.css") in out and asset("linearize.js") in out
    assert "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'" in out
    assert "connect-src 'self'" in page("t", "", connect=True)


def test_every_asset_is_package_data_and_none_closes_its_element() -> None:
    globs = tomllib.loads((PROJECT / "pyproject.toml").read_text())[
        "tool"]["setuptools"]["package-data"]["refute"]
    names = sorted(p.name for p in ASSETS.iterdir())
    assert {"page.html", "base.css", "counterexample.js"} <= set(names)
    for name in names:
        assert any(fnmatch(f"assets/{name}", glob) for glob in globs), name
        if name.endswith((".css", ".js")):
            assert "</script" not in asset(name).lower() and "</style" not in asset(name).lower()


def test_an_asset_that_would_close_its_element_is_refused(tmp_path: Path, monkeypatch) -> None:
    import refute.html_page as html_page

    class Files:
        def joinpath(self, *parts: str) -> Path:
            return tmp_path / parts[-1]

    (tmp_path / "evil.js").write_text("x = '</script>';")
    monkeypatch.setattr(html_page.resources, "files", lambda package: Files())
    with pytest.raises(ValueError, match="closing script or style tag"):
        html_page.asset.__wrapped__("evil.js")


@pytest.mark.parametrize("package", ["history", "linearize"])
def test_the_standalone_checkers_build_pages_without_refute_report(package: str) -> None:
    source = (PROJECT / "src" / "refute" / package / "html.py").read_text()
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.module}
    assert "refute.html_page" in imported
    assert not any(name.startswith("refute.report") for name in imported)


def test_no_module_writes_its_own_page_shell() -> None:
    """Every page comes from refute.html_page (its shell, assets/page.html, holds the CSP)."""
    shells = [str(path.relative_to(PROJECT)) for path in (PROJECT / "src" / "refute").rglob("*.py")
              if path.name != "html_page.py"
              and any(tag in path.read_text().lower() for tag in ("<!doctype", "<html"))]
    assert shells == []
