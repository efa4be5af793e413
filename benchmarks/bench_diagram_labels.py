"""The sequence diagram's label placement: the 1,000-step report's diagram, with and without.

The page's script places each message label where no arrow or label is (counterexample.js,
``placeLabel``), for every arrow it draws. The baseline is the same page with the script and
stylesheet of the commit before the placement (``BASELINE``, read with ``git show``), which
put each label at its arrow's middle. Both pages are opened alternately in Debian's Chromium,
RUNS times each (default 10), each in a fresh page, and two times are taken: the drawing of
the diagram's first window of rows (``update()`` timed in the page, the part the placement
adds to; ~140 rows and arrows) and the first animation frame after the load event (the whole
page, noisier). Prints min / median / max and the ratios of medians.

    .venv/bin/python benchmarks/bench_diagram_labels.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from refute.engine.liveness import check_model  # noqa: E402
from refute.html_page import asset  # noqa: E402
from refute.report.html import render_report  # noqa: E402
from refute.spec.compile import SpecModel  # noqa: E402
from report.conftest import Countdown  # noqa: E402

BASELINE = "b0edeaa"  # labels at their arrow's middle
FRAME = """() => new Promise(done => requestAnimationFrame(() => done([
  performance.measure('diagram', 'diagram-start', 'diagram-end').duration, performance.now()])))"""
DRAW = "  update();\n"
TIMED = ("  performance.mark('diagram-start');\n  update();\n"
         "  performance.mark('diagram-end');\n")


def timed(script: str) -> str:
    assert script.count(DRAW) == 1, "the diagram's first draw moved: update the benchmark"
    return script.replace(DRAW, TIMED)


def baseline(name: str) -> str:
    return subprocess.run(["git", "show", f"{BASELINE}:src/refute/assets/{name}"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def main(runs: int = 10) -> None:
    model = SpecModel(Countdown(1000))
    report = render_report(check_model(model), model)
    placed = report.replace(asset("counterexample.js"), timed(asset("counterexample.js")))
    middle = report.replace(asset("counterexample.js"), timed(baseline("counterexample.js"))) \
                   .replace(asset("counterexample.css"), baseline("counterexample.css"))
    folder = Path(tempfile.mkdtemp())
    pages = {"middle (baseline)": folder / "middle.html", "placed": folder / "placed.html"}
    pages["middle (baseline)"].write_text(middle)
    pages["placed"].write_text(placed)
    times: dict[str, list[float]] = {name: [] for name in pages}
    draws: dict[str, list[float]] = {name: [] for name in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            for name in (list(pages) if run % 2 == 0 else list(reversed(pages))):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(pages[name].as_uri(), wait_until="load")
                draw, frame = page.evaluate(FRAME)
                draws[name].append(draw)
                times[name].append(frame)
                page.close()
        browser.close()
    for what, measured in (("diagram draw", draws), ("first frame", times)):
        for name, values in measured.items():
            print(f"{name:18} {what} min / median / max: {min(values):.1f} / "
                  f"{statistics.median(values):.1f} / {max(values):.1f} ms")
        ratio = (statistics.median(measured["placed"])
                 / statistics.median(measured["middle (baseline)"]))
        print(f"{what}: placed / baseline (medians) {ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
