"""The HTML reports: rendered by a real browser, self-contained, and escaped."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from refute import Spec, State, action, invariant
from refute.cli import main
from refute.engine.model import Label
from refute.engine.result import Result, Step, Violation, ViolationKind
from refute.history import check_history, parse_history
from refute.history.html import render_history_html
from refute.report.html import render_report, write_report
from refute.spec.compile import SpecModel
from refute.status import Status

from .conftest import HOSTILE, PROJECT, Countdown, Hostile

TWO_PHASE = str(PROJECT / "examples" / "two_phase.py")
DNS_RACE = str(PROJECT / "examples" / "dns_race.py")
WRITE_SKEW = "\n".join([
    "{:type :ok, :f :txn, :process 1, :index 1, :value [[:r :x []] [:r :y []] [:append :x 1]]}",
    "{:type :ok, :f :txn, :process 2, :index 2, :value [[:r :x []] [:r :y []] [:append :y 1]]}",
])



def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll a condition with page.evaluate: wait_for_function needs an eval the CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)

def _check(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 1, result.output


def test_two_phase_counterexample_in_chromium(open_page, tmp_path: Path, artifacts: Path) -> None:
    report = tmp_path / "two_phase.html"
    _check("check", TWO_PHASE, "-p", "early_commit=true", "-q", "--html", str(report))
    page = open_page(report.as_uri())
    assert "consistent is violated after 5 step(s)" in page.locator("#verdict").inner_text()
    steps = page.locator("#steps .step")
    assert steps.count() == 6
    violating = page.locator("#steps .violating")
    assert violating.count() == 1
    assert violating.get_attribute("id") == "step-6"
    assert "rm_rcv_commit_msg(rm=r1)" in violating.inner_text()
    assert "violates consistent" in violating.inner_text()
    # changed values highlighted, unchanged ones folded until asked for
    assert steps.nth(1).locator(".new").first.inner_text() == "'prepared'"
    assert steps.nth(1).locator(".add").first.inner_text() == "+ ('prepared', r1)"
    assert not steps.nth(1).locator("details.unchanged code.values").is_visible()
    page.locator("#unfold").click()
    assert steps.nth(1).locator("details.unchanged code.values").is_visible()
    # the sequence diagram: the TM and the RMs that acted, an arrow per message received
    diagram = page.locator("#sequence")
    assert diagram.locator(".process text").all_text_contents() == ["r1", "TM", "r2"]
    assert diagram.locator(".message").count() == 2
    assert diagram.locator(".message text").all_text_contents() == ["('prepared', r1)",
                                                                  "('commit',)"]
    band = diagram.locator(".violating-band").bounding_box()
    assert band is not None and band["height"] > 10
    page.screenshot(path=str(artifacts / "two_phase_report.png"), full_page=True)
    assert page.problems == []


def test_dns_race_report(open_page, tmp_path: Path, artifacts: Path) -> None:
    report = tmp_path / "dns_race.html"
    _check("check", DNS_RACE, "-q", "--html", str(report))
    page = open_page(report.as_uri())
    assert page.locator("#steps .step").count() == 12
    assert "never_delete_active" in page.locator("#steps .violating").inner_text()
    lifelines = page.locator("#sequence .process text").all_text_contents()
    assert lifelines == ["planner", "enactor 1", "enactor 2", "Route 53"]
    assert "delete plans [1]" in page.locator("#sequence .message").last.text_content()
    page.screenshot(path=str(artifacts / "dns_race_report.png"), full_page=True)
    assert page.problems == []


def test_markup_in_a_state_shows_as_text(open_page, tmp_path: Path, artifacts: Path) -> None:
    model = SpecModel(Hostile())
    from refute.engine.liveness import check_model
    html = render_report(check_model(model), model)
    assert "<script>window" not in html and "<img" not in html
    assert "<b>proc" not in html and "<u>you" not in html
    report = tmp_path / "hostile.html"
    report.write_text(html, encoding="utf-8")
    page = open_page(report.as_uri())
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#steps img, #sequence img, b, u").count() == 0
    assert HOSTILE in page.locator("#steps .step").first.inner_text()
    assert "step(who='<u>you</u>')" in page.locator("#steps").inner_text()
    assert "<b>proc</b>" in page.locator("#sequence .process").first.text_content()
    page.screenshot(path=str(artifacts / "hostile_report.png"))
    assert page.problems == []


class Quiet(Spec):
    """Markup in a field that never changes: it is shown only when its fold is opened."""

    def init(self):
        return State(note=HOSTILE, count=0)

    @action
    def tick(self, s):
        if s.count < 2:
            return s.update(count=s.count + 1)

    @invariant
    def small(self, s):
        return s.count < 2


def test_markup_in_a_folded_value_shows_as_text(open_page, tmp_path: Path) -> None:
    model = SpecModel(Quiet())
    from refute.engine.liveness import check_model
    report = tmp_path / "quiet.html"
    write_report(report, check_model(model), model)
    page = open_page(report.as_uri())
    fold = page.locator("#step-3 details.unchanged")
    assert fold.locator("summary").inner_text() == "unchanged: note"
    fold.locator("summary").click()  # one fold opened by hand
    assert HOSTILE in fold.locator("code.values").inner_text()
    page.locator("#unfold").click()  # and all of them
    assert HOSTILE in page.locator("#step-2 details.unchanged code.values").inner_text()
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#steps img, #steps script").count() == 0
    assert page.problems == []


def test_a_thousand_step_trace_opens_quickly(open_page, tmp_path: Path, artifacts: Path) -> None:
    """Prints how long the page takes to load and paint: timings are recorded in
    docs/reports.md (tests/report/measure_long_report.py measures five runs), not asserted:
    they depend on the machine."""
    model = SpecModel(Countdown(1000))
    from refute.engine.liveness import check_model
    result = check_model(model)
    assert len(result.violation.trace) == 1001
    started = time.perf_counter()
    report = tmp_path / "long.html"
    write_report(report, result, model)
    rendered = time.perf_counter() - started
    started = time.perf_counter()
    page = open_page(report.as_uri())
    # the first animation frame after load: the page has been laid out and painted once
    timing = page.evaluate("""() => new Promise(done => requestAnimationFrame(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        done({load: nav.loadEventEnd, painted: performance.now()});
    }))""")
    opened = time.perf_counter() - started
    print(f"\n1,000-step report: {report.stat().st_size / 1e6:.2f} MB rendered in "
          f"{rendered * 1000:.0f} ms; in Chromium load event at {timing['load']:.0f} ms, "
          f"first frame at {timing['painted']:.0f} ms; page.goto to frame {opened * 1000:.0f} ms")
    # every step has its row; the rows at the start and at the violation show what changed
    # at once, the others once the page is idle
    steps = page.locator("#steps .step")
    assert steps.count() == 1001
    assert steps.nth(1).locator(".new").first.inner_text() == "1"
    violating = page.locator("#steps .violating")
    assert violating.get_attribute("id") == "step-1001"
    # (text_content: a row out of view is not rendered, content-visibility: auto)
    assert "violates not_done" in violating.text_content()
    assert violating.locator(".new").first.text_content() == "1000"
    wait_until(page, "document.querySelectorAll('#steps .change').length === 3000")
    assert "holder: 'pong' → 'ping'" in steps.nth(500).text_content()
    # the diagram opens at the violation and draws the rows near what is in view
    diagram = page.locator("#sequence")
    assert diagram.locator(".process text").all_text_contents() == ["ping", "pong"]
    drawn = diagram.locator(".message").count()
    assert 0 < drawn < 200
    assert diagram.locator(".message text").last.text_content() == "token 1000"
    assert diagram.locator(".violating-band").is_visible()
    page.screenshot(path=str(artifacts / "long_report.png"))
    # scrolled to the top, the first steps are drawn
    page.evaluate("document.getElementById('sequence').scrollTop = 0")
    wait_until(page, "[...document.querySelectorAll('#sequence .message text')]"
                     ".some(t => t.textContent === 'token 1')")
    assert diagram.locator(".step-label").first.text_content() == "1 initial state"
    # a step label in the diagram links to its row
    diagram.locator(".step-label").nth(3).click()
    assert page.evaluate("location.hash") == "#step-4"
    assert page.problems == []


def test_a_lasso_marks_its_loop(open_page, tmp_path: Path) -> None:
    model = SpecModel(Countdown(3))
    states = model.init_states()
    label, second = model.next_states(states[0])[0]
    violation = Violation(ViolationKind.LIVENESS, "eventually_done",
                          (Step(None, states[0]), Step(label, second)), loop_start=0,
                          loop_action=Label("reset"))
    result = Result(Status.VIOLATION, "Countdown", 2, 2, 2, 0.0, violation=violation)
    report = tmp_path / "lasso.html"
    report.write_text(render_report(result, model), encoding="utf-8")
    page = open_page(report.as_uri())
    loop = page.locator("#steps .step.loop")
    assert loop.count() == 3  # both states and the closing line
    assert "loop starts here" in page.locator("#steps .loop-start").inner_text()
    end = page.locator("#steps .loop-end")
    assert "back to step 1" in end.inner_text() and "reset" in end.inner_text()
    assert page.locator("#steps .violating").count() == 0
    assert page.locator("#sequence .loop-band").count() == 1
    assert page.problems == []


def test_the_page_data_cannot_end_its_script() -> None:
    from refute.report.html import script_json
    text = script_json({"v": ["</script><!-- & \u2028"]})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    import json
    assert json.loads(text) == {"v": ["</script><!-- & \u2028"]}


def test_simulate_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "simulate.html"
    _check("simulate", TWO_PHASE, "-p", "early_commit=true", "-q", "--traces", "200",
           "--html", str(report))
    html = report.read_text()
    assert "refute simulate" in html and "violates consistent" in html
    assert "simulated" in html and "seed 0" in html


def test_a_report_without_a_violation_has_no_steps(tmp_path: Path) -> None:
    report = tmp_path / "holds.html"
    result = CliRunner().invoke(main, ["check", TWO_PHASE, "-q", "--html", str(report)])
    assert result.exit_code == 0, result.output
    html = report.read_text()
    assert "holds: every reachable state" in html and 'id="steps"' not in html
    assert "Coverage" in html


def test_history_cycle_drawn_in_chromium(open_page, tmp_path: Path, artifacts: Path) -> None:
    history = tmp_path / "h.edn"
    history.write_text(WRITE_SKEW)
    report = tmp_path / "history.html"
    result = CliRunner().invoke(main, ["history", str(history), "--model", "serializable",
                                       "--json", str(tmp_path / "h.json"),
                                       "--html", str(report)])
    assert result.exit_code == 1, result.output
    page = open_page(report.as_uri())
    assert page.locator("#verdict").inner_text() == "VIOLATED"
    graph = page.locator("svg.cycle-graph")
    assert graph.count() == 1
    assert graph.locator(".txn text").all_text_contents() == ["T1", "T2"]
    assert graph.locator(".edge.rw").count() == 2
    for box in (graph.locator(".txn rect").nth(i).bounding_box() for i in range(2)):
        assert box is not None and box["width"] > 40
    page.screenshot(path=str(artifacts / "history_report.png"), full_page=True)
    assert page.problems == []


def test_history_values_are_escaped() -> None:
    text = WRITE_SKEW.replace(":x", '"<script>x</script>"')
    result = check_history(parse_history(text, file="<b>h</b>.edn"), model="serializable")
    html = render_history_html(result)
    assert result.anomalies and "<script>x" not in html and "<b>h" not in html
    assert "&lt;script&gt;x" in html


# Every point of every arrow, mapped into each message label's own (rotated) coordinates: a
# label is crossed when a point of any arrow falls inside its box (shrunk by a pixel).
_LABELS_CROSSED = """() => {
  const crossed = [];
  const messages = [...document.querySelectorAll('#sequence .message')];
  for (const g of messages) {
    const text = g.querySelector('text'), box = text.getBBox();
    const toText = text.getScreenCTM().inverse();
    for (const other of messages) {
      const path = other.querySelector('path'), length = path.getTotalLength();
      const toScreen = path.getScreenCTM();
      for (let at = 0; at <= length; at += 1) {
        const p = path.getPointAtLength(at).matrixTransform(toScreen).matrixTransform(toText);
        if (p.x > box.x + 1 && p.x < box.x + box.width - 1 &&
            p.y > box.y + 1 && p.y < box.y + box.height - 1) {
          crossed.push(text.textContent + ' by ' + other.querySelector('text').textContent);
          break;
        }
      }
    }
  }
  return crossed;
}"""


def test_no_message_label_sits_on_an_arrow(open_page, tmp_path: Path, artifacts: Path) -> None:
    report = tmp_path / "dns.html"
    _check("check", DNS_RACE, "-q", "--html", str(report))
    page = open_page(report.as_uri())
    assert page.locator("#sequence .message").count() == 8
    assert page.evaluate(_LABELS_CROSSED) == []
    page.locator("#sequence").screenshot(path=str(artifacts / "dns_race_diagram.png"))
    assert page.problems == []
