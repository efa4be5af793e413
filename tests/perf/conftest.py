"""Fixtures of the performance-model tests: a page in the shared headless Chromium
(tests/conftest.py's ``browser``) that records script errors and off-page requests."""

from __future__ import annotations

import pytest


@pytest.fixture
def open_page(browser):
    """``open_page(url)``: a page with ``page.problems``: script errors, console errors, and
    any request for something other than the page itself (a report loads nothing)."""
    pages = []

    def opener(url: str, width: int = 1200, height: int = 900):
        page = browser.new_page(viewport={"width": width, "height": height})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: problems.append(f"fetched {r.url}") if r.url != url else None)
        page.problems = problems
        pages.append(page)
        page.goto(url)
        return page

    yield opener
    for page in pages:
        page.close()
