"""results/history.csv: one row per load increment with per-phase stress measures (columns declared
in output/schema.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .schema import HISTORY_COLUMNS, INTERFACE_MEASURES, column
from .schema import PHASE_MEASURES as HISTORY_MEASURES

__all__ = ["History", "HISTORY_MEASURES", "INTERFACE_MEASURES"]


def _number(value) -> str:
    """A statistic as CSV text; an empty cell for None (not defined for this phase)."""
    return "" if value is None else f"{value:.10g}"


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment.

    ``extra_columns`` come after ``linear_iterations`` (``voltage_V``, ``newton_iterations``, schema.py
    EXTRA_HISTORY_COLUMNS; values given to ``add``); ``phase_measures`` are added to HISTORY_MEASURES
    per phase (output/tensile.py keys).
    """

    def __init__(self, phase_names: Sequence[str], interface_names: Sequence[str] = (),
                 extra_columns: Sequence[str] = (), phase_measures: Sequence[str] = ()):
        self.measures = HISTORY_MEASURES + tuple(phase_measures)
        self.columns = list(HISTORY_COLUMNS) + list(extra_columns) + [
            column(p, m) for p in phase_names for m in self.measures
        ] + [column(i, m) for i in interface_names for m in INTERFACE_MEASURES]
        self.rows: list[list] = []
        self.phase_names = list(phase_names)
        self.interface_names = list(interface_names)

    def add(self, stage: str, increment: int, state, iterations: int, phases: dict,
            interfaces: dict | None = None, extra: Sequence = ()) -> None:
        """One row: stage, increment, a LoadState (temperature, soc, time), iterations, extras, statistics."""
        row = [stage, increment, f"{state.temperature_K:.6g}", f"{state.soc:.6g}", f"{state.time_s:.6g}", iterations,
               *(_number(v) for v in extra)]
        for p in self.phase_names:
            row += [_number(phases[p].get(m)) for m in self.measures]
        for i in self.interface_names:
            row += [f"{interfaces[i][m]:.10g}" for m in INTERFACE_MEASURES]
        self.rows.append(row)

    def text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()
