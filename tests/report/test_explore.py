"""``refute explore``: a loopback server, clicked through in a real browser."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from refute.errors import UsageError
from refute.report.explore import Explorer, serve
from refute.spec.compile import SpecModel

from .conftest import HOSTILE, PROJECT, Hostile

sys.path.insert(0, str(PROJECT / "examples"))
from two_phase import TwoPhase  # noqa: E402


@pytest.fixture
def server_for() -> Iterator:
    servers = []

    def start(spec) -> str:
        server = serve(SpecModel(spec), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        return f"http://127.0.0.1:{port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _wait_path(page, path: str) -> None:
    page.wait_for_selector(f'body[data-path="{path}"]', state="attached", timeout=5000)


def _take(page, label: str, path: str | None = None) -> str:
    """Click the action ``label``; wait for the step (to ``path`` when given)."""
    before = page.evaluate("document.body.dataset.path")
    page.locator("#actions button", has_text=label).first.click()
    # a selector, not wait_for_function: the page's CSP forbids the eval that one needs
    page.wait_for_selector(f'body[data-path]:not([data-path="{before}"])', state="attached",
                           timeout=5000)
    now = page.evaluate("document.body.dataset.path")
    assert path is None or now == path
    return now


def test_click_through_three_steps_back_and_share(server_for, open_page,
                                                  artifacts: Path) -> None:
    url = server_for(TwoPhase(early_commit=True))
    page = open_page(url)
    _wait_path(page, "0")
    assert page.locator("#actions button").count() == 7  # tm_abort + 3 prepare + 3 abort
    assert page.locator("#invariants li.holds").all_inner_texts() == ["type_ok", "consistent"]
    _take(page, "rm_prepare(rm=r1)", "0.1")
    _take(page, "tm_rcv_prepared(rm=r1)", "0.1.1")
    _take(page, "tm_commit", "0.1.1.0")
    page.screenshot(path=str(artifacts / "explore_three_steps.png"), full_page=True)
    assert page.locator("#trail li").count() == 4
    changed = page.locator("#state tr.changed")
    assert changed.all_inner_texts() == ["tm_state\t'committed'", "msgs\t{('commit',), ('prepared', r1)}"]
    assert page.locator("#invariants li.fails").count() == 0
    # two more steps break the invariant: the page says which one fails
    path = _take(page, "rm_choose_to_abort(rm=r2)")
    _take(page, "rm_rcv_commit_msg(rm=r1)")
    assert page.locator("#invariants li.fails").all_inner_texts() == ["consistent"]
    page.screenshot(path=str(artifacts / "explore_violation.png"), full_page=True)
    # back undoes a step; the link reopens the same path in a fresh page
    page.locator("#back").click()
    _wait_path(page, path)
    link = page.locator("#link").input_value()
    assert link.endswith("#" + path)
    shared = open_page(link)
    _wait_path(shared, path)
    assert shared.locator("#trail li").all_inner_texts() == page.locator(
        "#trail li").all_inner_texts()
    assert page.problems == [] and shared.problems == []


def test_markup_in_the_explorer_is_text(server_for, open_page) -> None:
    page = open_page(server_for(Hostile()))
    _wait_path(page, "0")
    _take(page, "step(who='<u>you</u>')", "0.0")
    assert HOSTILE + "!" in page.locator("#state").inner_text()
    assert page.locator("#state img, #trail u, #actions u").count() == 0
    assert page.evaluate("window.pwned === undefined")
    assert page.problems == []


def test_bad_paths_and_foreign_hosts_are_refused(server_for) -> None:
    url = server_for(TwoPhase())
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(url + "api/state?path=0.99")
    assert bad.value.code == 400 and "only 7" in json.loads(bad.value.read())["error"]
    rebinding = urllib.request.Request(url, headers={"Host": "attacker.example:80"})
    with pytest.raises(urllib.error.HTTPError) as foreign:
        urllib.request.urlopen(rebinding)
    assert foreign.value.code == 403
    with pytest.raises(UsageError):
        Explorer(SpecModel(TwoPhase())).view([1])


def test_the_command_listens_on_loopback() -> None:
    process = subprocess.Popen([sys.executable, "-m", "refute", "explore",
                                str(PROJECT / "examples" / "two_phase.py"), "-p", "rms=2",
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("exploring TwoPhase at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split("#", 1)[0]
        with urllib.request.urlopen(url + "api/state?path=0") as response:
            view = json.loads(response.read())
        assert [s["label"] for s in view["successors"]][:2] == ["tm_abort", "rm_prepare(rm=r1)"]
    finally:
        process.terminate()
        process.wait(timeout=10)
