"""results/history.csv: one row per load increment with per-phase stress measures (columns declared
in output/schema.py; the stages add their own, stages/base.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence

from .schema import HISTORY_COLUMNS, INTERFACE_MEASURES, column
from .schema import PHASE_MEASURES as HISTORY_MEASURES

__all__ = ["History", "HISTORY_MEASURES", "INTERFACE_MEASURES"]


def _cell(value) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment.

    Columns: HISTORY_COLUMNS (stage, increment, the load state, linear_iterations), per-phase and
    per-interface measures, then the columns the case's stages add (``stage_columns``: name ->
    value of a row from its step and load state).
    """

    def __init__(self, phase_names: Sequence[str], interface_names: Sequence[str] = (),
                 stage_columns: Mapping[str, Callable] | None = None):
        self.stage_columns = dict(stage_columns or {})
        self.columns = list(HISTORY_COLUMNS) + [
            column(p, m) for p in phase_names for m in HISTORY_MEASURES
        ] + [column(i, m) for i in interface_names for m in INTERFACE_MEASURES] + list(self.stage_columns)
        self.rows: list[list] = []
        self.phase_names = list(phase_names)
        self.interface_names = list(interface_names)

    def add(self, step, increment: int, state, iterations: int, phases: dict,
            interfaces: dict | None = None) -> None:
        """One row: a step (stages/base.py Step, or its name), increment, a LoadState, iterations, statistics."""
        row = [step if isinstance(step, str) else step.name, increment, f"{state.temperature_K:.6g}", f"{state.soc:.6g}", f"{state.time_s:.6g}",
               iterations]
        for p in self.phase_names:
            row += [f"{phases[p][m]:.10g}" for m in HISTORY_MEASURES]
        for i in self.interface_names:
            row += [f"{interfaces[i][m]:.10g}" for m in INTERFACE_MEASURES]
        row += [_cell(fn(step, state)) for fn in self.stage_columns.values()]
        self.rows.append(row)

    def text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()
