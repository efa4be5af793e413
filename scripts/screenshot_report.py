"""Save docs/images/dns_race_report.png: the README's picture of an HTML report.

    .venv/bin/python scripts/screenshot_report.py

Runs ``refute check examples/dns_race.py --html``, opens the page in Debian's Chromium
(/usr/bin/chromium, via Playwright; see scripts/ensure-chromium.sh) and captures the top of
it: verdict, coverage, the sequence diagram and the first steps.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from refute.engine.liveness import check_model
from refute.report.html import write_report
from refute.spec.compile import SpecModel
from refute.spec.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(out: Path = ROOT / "docs" / "images" / "dns_race_report.png") -> None:
    model = SpecModel(load_spec(str(ROOT / "examples" / "dns_race.py"), {}))
    model.source = "examples/dns_race.py"  # the path a reader of the README would type
    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "dns_race.html"
        write_report(page_path, check_model(model), model)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1250})
            page.goto(page_path.as_uri())
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:]))
