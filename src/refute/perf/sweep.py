"""Sweeps: the same figures at every value of one side-file parameter, as CSV and charts.

``--sweep hit_ratio=0.1:0.9:0.1`` is the values ``0.1, 0.2, ..., 0.9`` (both ends
included; each value rounded to 12 significant digits so that ``0.30000000000000004`` is
``0.3``). The state graph is explored once and the chain rebuilt per value, unless a state
expression of the side file reads the parameter (then each value explores again).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from refute.errors import UsageError
from refute.html_page import repr_html
from refute.perf.result import PerfResult


@dataclass
class Sweep:
    """The results at each value of ``parameter``."""

    parameter: str
    values: list[float]
    results: list[PerfResult]

    def columns(self) -> list[str]:
        names: list[str] = []
        for result in self.results:
            for name in result.columns():
                if name not in names:
                    names.append(name)
        return names

    def series(self, column: str) -> list[float | None]:
        return [r.columns().get(column) for r in self.results]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = self.columns()
        writer.writerow([self.parameter, *columns])
        for value, result in zip(self.values, self.results):
            figures = result.columns()
            writer.writerow([_text(value), *(_text(figures.get(c)) for c in columns)])
        return out.getvalue()

    def to_json(self) -> dict:
        return {"parameter": self.parameter, "values": self.values,
                "results": [r.to_json() for r in self.results]}

    def _repr_html_(self) -> str | None:
        """The sweep's page, inline in a notebook (rendered by :mod:`refute.perf.report`)."""
        return repr_html(self)


def parse_sweep(text: str) -> tuple[str, list[float]]:
    """``name=start:stop:step`` -> the name and the values."""
    name, _, spec = text.partition("=")
    parts = spec.split(":")
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise UsageError(f"--sweep {text!r} is not NAME=START:STOP:STEP",
                         hint="e.g. --sweep hit_ratio=0.1:0.9:0.1") from None
    if not name or step <= 0 or stop < start or not all(map(math.isfinite, (start, stop, step))):
        raise UsageError(f"--sweep {text!r}: need a name, START <= STOP and STEP > 0",
                         hint="e.g. --sweep hit_ratio=0.1:0.9:0.1")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 10_000:
        raise UsageError(f"--sweep {text!r} has {count:,} values; at most 10,000")
    return name, [float(f"{start + i * step:.12g}") for i in range(count)]


def run_sweep(parameter: str, values: list[float],
              compute: Callable[[float], PerfResult]) -> Sweep:
    return Sweep(parameter, values, [compute(v) for v in values])


def _text(value: float | None) -> str:
    if value is None:
        return ""
    return repr(float(value)) if math.isfinite(value) else ("inf" if value > 0 else "nan")
