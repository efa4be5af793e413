"""The HTML visualisation: escaped, self-contained, and rendered by a real browser."""

from __future__ import annotations

import re

from pathlib import Path

from refute.linearize import check, parse, render_html, write_html

VIOLATION = """\
{:process 0 :type :invoke :f :write :value 1}
{:process 1 :type :invoke :f :write :value 2}
{:process 0 :type :ok :f :write :value 1}
{:process 1 :type :ok :f :write :value 2}
{:process 2 :type :invoke :f :read :value nil}
{:process 2 :type :ok :f :read :value 2}
{:process 0 :type :invoke :f :read :value nil}
{:process 0 :type :ok :f :read :value 1}
{:process 3 :type :invoke :f :write :value 3}
"""


def test_every_value_is_escaped_and_nothing_is_fetched() -> None:
    hostile = ('{:process "<img src=x onerror=alert(1)>" :type :invoke :f :write '
               ':value "</script><script>alert(2)</script>"}\n'
               '{:process "<img src=x onerror=alert(1)>" :type :ok :f :write '
               ':value "</script><script>alert(2)</script>"}\n')
    page = render_html(check(parse(hostile, file='<b>"file"</b>'), "register"))
    assert "<img" not in page and "<b>" not in page
    assert "</script><script>alert" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_a_violation_renders_in_chromium(browser, tmp_path: Path) -> None:
    result = check(parse(VIOLATION, file="history.edn"), "register")
    assert result.linearizable is False
    path = tmp_path / "violation.html"
    write_html(result, path)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("request", lambda request: errors.append(f"fetched {request.url}")
            if not request.url.startswith("file:") else None)
    page.goto(path.as_uri())
    assert page.locator("#verdict").inner_text() == "not linearizable"
    # one bar per operation, the longest prefix as numbered points, the culprit in red
    assert page.locator("svg .op").count() == len(result.partitions[0].operations)
    assert page.locator("svg .point").count() == len(result.partitions[0].linearization)
    culprit = page.locator("svg .op.unplaceable")
    assert culprit.count() == 1
    assert culprit.locator("title").text_content() == "#3 read() -> 1"
    box = culprit.locator("rect").bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10
    culprit.click()
    details = page.locator("#details").inner_text()
    assert "read() -> 1" in details and "cannot be placed next" in details
    page.locator("svg .op.linearized").first.click()
    assert "state after" in page.locator("#details").inner_text()
    page.screenshot(path=str(tmp_path / "violation.png"))
    assert errors == []
    page.close()


def test_text_and_page_number_operations_alike(browser, tmp_path: Path) -> None:
    """The text lists the prefix as "K. #I ..."; in the page, point K sits on the bar of
    operation #I (its tooltip and details say #I), for every point."""
    result = check(parse(VIOLATION, file="history.edn"), "register")
    listed = re.findall(r"^    (\d+)\. #(\d+) ", result.explain(), re.M)
    assert listed == [(str(k + 1), str(op.index))
                      for k, op in enumerate(result.partitions[0].linearization)]
    assert listed  # the example has a prefix
    path = tmp_path / "violation.html"
    write_html(result, path)
    page = browser.new_page()
    page.goto(path.as_uri())
    points = page.locator("svg .point")
    for k, index in listed:
        point = points.nth(int(k) - 1)
        assert point.locator("text").text_content() == k
        assert point.get_attribute("data-operation") == index
        bar = page.locator("svg .op title", has_text=f"#{index} ")
        assert bar.count() == 1
    page.locator("svg .op.linearized").first.click()
    details = page.locator("#details").inner_text()
    assert f"#{listed[0][1]} " in details and f"point 1 of {len(listed)}" in details
