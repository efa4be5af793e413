"""``refute permissiveness SPEC``: count the histories a protocol allows against its level's.

Same contract as ``refute check``: exit 0 when every design's histories are allowed by the
level, 1 when a design allows a history the level forbids (listed with its anomaly), 2 on a
usage or spec error, 3 when an exploration stopped early (``--time-limit``,
``--memory-limit``).

``-p`` parameters apply to every design; each ``--compare NAME=VALUE[,NAME=VALUE...]`` is one
design on top of them, so ``--compare prepare_blocking=true --compare prepare_blocking=false``
puts the two side by side and says which one's histories include the other's.
"""

from __future__ import annotations

from typing import Any

import click

from refute.commands.common import (Outputs, json_option, limit_options,
                                    quiet_option, reports_errors, source_of, spec_options,
                                    write_json)
from refute.isolation.permissiveness import LEVELS, Permissiveness, describe, permissiveness as count


@click.command("permissiveness")
@spec_options()
@click.option("--compare", "designs", multiple=True, metavar="NAME=VALUE[,NAME=VALUE]",
              help="One design to compare: parameters on top of -p; repeatable.")
@click.option("--isolation", "-i", "level", metavar="LEVEL", type=click.Choice(LEVELS),
              default="snapshot-isolation", show_default=True,
              help="The level whose histories the designs' are counted against: "
                   f"{', '.join(LEVELS)}.")
@click.option("--list", "list_histories", is_flag=True,
              help="Print every history each design allows.")
@limit_options("each design's exploration stops there, and the counts so far are "
               "incomplete (exit 3).")
@json_option()
@quiet_option()
@reports_errors
def permissiveness(spec: str, params: tuple[str, ...], config: str | None,
                   allow_read: tuple[str, ...], designs: tuple[str, ...], level: str,
                   list_histories: bool, time_limit: float | None, json_path: str | None,
                   quiet: bool = False, memory_limit: int | None = None) -> int:
    """Count the distinct histories SPEC allows and those the isolation level allows for the
    same transactions and programs, and their ratio; compare designs side by side.

    Exit codes: 0 the level allows every history, 1 it forbids one, 2 usage or spec error,
    3 incomplete.
    """
    settings = []
    for design in designs or ("",):
        extra = tuple(p.strip() for p in design.split(",") if p.strip())
        label = design or (", ".join(params) if params else "default")
        settings.append((label, source_of(spec, params + extra, config, allow_read).load()))
    report = count(settings, level, time_limit=time_limit, memory_limit=memory_limit)
    if not quiet and json_path != "-":
        click.echo(render(report, list_histories))
    outputs = Outputs()
    if json_path:
        with outputs.writing("--json", json_path):
            write_json(json_path, to_json(report))
    return outputs.exit_code(report.status.exit_code)


def render(report: Permissiveness, list_histories: bool = False) -> str:
    width = max(len("design"), *(len(d.label) for d in report.designs))
    lines = [f"histories allowed, against {report.level}:",
             f"  {'design'.ljust(width)}  protocol  {report.level}  ratio  forbidden  states"]
    level_width = len(report.level)
    for d in report.designs:
        lines.append(f"  {d.label.ljust(width)}  {len(d.protocol):>8}  "
                     f"{len(d.allowed):>{level_width}}  {d.ratio:>5.2f}  {len(d.forbidden):>9}  "
                     f"{d.result.distinct_states:>6}")
    lines.append("(protocol: distinct histories of finished runs; ratio: the share of the "
                 "level's histories the protocol allows)")
    lines.extend(report.relations())
    for d in report.designs:
        for projected, verdict in d.forbidden:
            lines.append(f"{d.label} allows a history {report.level} forbids "
                         f"({', '.join(verdict.anomaly_types)}): {describe(projected)}")
        for projected in d.outside:
            lines.append(f"note: {d.label} allows {describe(projected)}, outside the programs "
                         "declared in the spec's programs attribute")
        if d.result.stop_reason is not None:
            lines.append(f"{d.label}: incomplete, {d.result.stop_reason.value}")
        if list_histories:
            lines.append(f"{d.label}:")
            for projected in sorted(d.protocol, key=repr):
                mark = " " if projected in d.allowed else "✗"
                lines.append(f"  {mark} {describe(projected)}")
    return "\n".join(lines)


def to_json(report: Permissiveness) -> dict[str, Any]:
    return {
        "status": report.status.value,
        "level": report.level,
        "designs": [{
            "label": d.label,
            "protocol_histories": len(d.protocol),
            "level_histories": len(d.allowed),
            "permitted": len(d.permitted),
            "ratio": round(d.ratio, 6),
            "forbidden": [{"history": describe(p), "anomalies": v.anomaly_types}
                          for p, v in d.forbidden],
            "outside": [describe(p) for p in d.outside],
            "distinct_states": d.result.distinct_states,
            "seconds": round(d.seconds_protocol + d.seconds_level, 3),
        } for d in report.designs],
        "relations": report.relations(),
    }
