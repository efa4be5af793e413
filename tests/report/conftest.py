"""Shared fixtures of the report tests: a real browser, small specs, and where screenshots go.

The browser fixtures follow tests/linearize/conftest.py: Playwright drives Debian's Chromium
(/usr/bin/chromium, installed by scripts/ensure-chromium.sh), never a downloaded browser.
Screenshots are test artefacts, written to test-artifacts/report/ at the project's root.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refute import Spec, State, action, each, invariant

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts" / "report"

HOSTILE = "</script><script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"


class Hostile(Spec):
    """A spec whose state, labels and process names hold markup: all of it must show as text."""

    def init(self):
        return State(note=HOSTILE, count=0)

    @action
    def step(self, s, who=each(["<u>you</u>"])):
        if s.count < 2:
            return s.update(count=s.count + 1, note=s.note + "!")

    @invariant
    def small(self, s):
        return s.count < 2

    def message_flow(self, label, before, after):
        return [("send", "<b>proc</b>", HOSTILE), ("receive", "<i>other</i>", HOSTILE)]


class Countdown(Spec):
    """A 1,000-step counterexample: two processes pass a token back and forth ``steps``
    times, and the invariant fails only at the end."""

    def __init__(self, steps: int = 1000):
        self.steps = steps

    def init(self):
        return State(count=0, holder="ping", log=())

    @action
    def hand_over(self, s):
        if s.count < self.steps:
            other = "pong" if s.holder == "ping" else "ping"
            return s.update(count=s.count + 1, holder=other, log=(s.log + (s.count,))[-3:])

    @invariant
    def not_done(self, s):
        return s.count < self.steps

    def message_flow(self, label, before, after):
        return [("send", before.holder, f"token {after.count}"),
                ("receive", after.holder, f"token {after.count}")]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_page(browser):
    """``open_page(url)``: a page that records script errors and any request off the page's
    own origin in ``page.problems`` (a report must load nothing)."""
    pages = []

    def opener(url: str, width: int = 1200, height: int = 900):
        page = browser.new_page(viewport={"width": width, "height": height})
        problems: list[str] = []
        origin = url.split("#")[0].rsplit("/", 1)[0]
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: problems.append(f"fetched {r.url}")
                if not r.url.startswith(origin) else None)
        page.problems = problems
        pages.append(page)
        page.goto(url)
        return page

    yield opener
    for page in pages:
        page.close()
