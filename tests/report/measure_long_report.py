"""Measure how fast Chromium opens the report of a 1,000-step counterexample.

Run ``.venv/bin/python tests/report/measure_long_report.py [RUNS]`` from the project root:
it writes the report of ``Countdown(1000)`` (tests/report/conftest.py) and opens it RUNS
times (5 by default) in Debian's Chromium, each in a fresh page, and prints the load event
and the first animation frame after it (``performance.now()`` in the page) with their
min/median/max. The numbers are for docs/reports.md; no test asserts them.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from refute.engine.liveness import check_model  # noqa: E402
from refute.report.html import write_report  # noqa: E402
from refute.spec.compile import SpecModel  # noqa: E402
from report.conftest import Countdown  # noqa: E402

FRAME = """() => new Promise(done => requestAnimationFrame(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    done({load: nav.loadEventEnd, painted: performance.now()});
}))"""


def main(runs: int = 5) -> None:
    model = SpecModel(Countdown(1000))
    result = check_model(model)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "long.html"
        started = time.perf_counter()
        write_report(report, result, model)
        rendered = time.perf_counter() - started
        print(f"{report.stat().st_size / 1e6:.2f} MB, written in {rendered * 1000:.0f} ms")
        loads, frames = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(report.as_uri())
                timing = page.evaluate(FRAME)
                loads.append(timing["load"])
                frames.append(timing["painted"])
                print(f"load event {timing['load']:.0f} ms, first frame {timing['painted']:.0f} ms")
                page.close()
            browser.close()
    for name, values in (("load event", loads), ("first frame", frames)):
        print(f"{name}: min {min(values):.0f} ms, median {statistics.median(values):.0f} ms, "
              f"max {max(values):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
