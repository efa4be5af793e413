"""The HTML report of ``refute perf``: the sweep chart renders in headless Chromium (a
screenshot goes to test-artifacts/perf/), markup from the side file shows as text, and the
page loads nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cache_lookup import CacheLookup

from refute.perf import performance
from refute.perf.chart import sweep_charts
from refute.perf.report import report_html
from refute.perf.sweep import parse_sweep, run_sweep
from refute.spec.compile import SpecModel

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "perf"
SIDE = str(ROOT / "examples" / "cache_lookup.perf.yaml")


def test_sweep_values_and_csv():
    name, values = parse_sweep("hit_ratio=0.1:0.9:0.1")
    assert name == "hit_ratio" and values == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    model = SpecModel(CacheLookup())
    sweep = run_sweep(name, values[:3], lambda v: performance(model, SIDE, hit_ratio=v))
    assert sweep.series("mean latency") == [93.7, 84.4, 75.1] or \
        all(abs(a - b) < 1e-9 for a, b in zip(sweep.series("mean latency"), [93.7, 84.4, 75.1]))
    assert sweep.to_csv().splitlines()[0].startswith("hit_ratio,P(hit),P(found)")
    html = sweep_charts(sweep)
    assert html.count("<svg") >= 4  # P(hit), P(found), P(not_found), mean latency, ...
    assert "<script" not in html
    assert sweep._repr_html_().startswith("<iframe srcdoc=")
    assert "mean latency" in performance(model, SIDE)._repr_html_()


def test_sweep_chart_in_chromium(open_page, tmp_path):
    page_path = tmp_path / "cache.html"
    done = subprocess.run([sys.executable, "-m", "refute", "perf", "examples/cache_lookup.py",
                           "--sweep", "hit_ratio=0.1:0.9:0.1", "--html", str(page_path),
                           "--depth", "10", "-q"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    page = open_page(page_path.as_uri())
    charts = page.locator("svg.chart")
    assert charts.count() >= 4
    titles = [charts.nth(i).locator("title").first.text_content() for i in range(charts.count())]
    assert "mean latency against hit_ratio" in titles
    box = charts.nth(titles.index("mean latency against hit_ratio")).bounding_box()
    assert box["width"] > 300 and box["height"] > 200  # drawn, not collapsed
    assert page.locator("svg.chart circle").count() >= 9 * 4
    assert page.problems == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cache_sweep.png"), full_page=True)


def test_markup_in_names_is_escaped():
    model = SpecModel(CacheLookup())
    result = performance(model, SIDE)
    result.outcomes["<img src=x onerror=alert(1)>"] = result.outcomes["hit"]
    page = report_html(result)
    assert "<img src=x" not in page and "&lt;img src=x" in page
