"""results/history.csv: one row per load increment with per-phase stress measures (columns declared
in output/schema.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .results_dir import csv_text
from .schema import HISTORY_COLUMNS, INTERFACE_MEASURES, column
from .schema import PHASE_MEASURES as HISTORY_MEASURES

__all__ = ["History", "HISTORY_MEASURES", "INTERFACE_MEASURES"]


def _cell(value) -> str:
    """A value as CSV text: floats with 10 digits, an empty cell for None (does not apply here)."""
    if value is None:
        return ""
    return f"{value:.10g}" if isinstance(value, float) else str(value)


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment.

    Columns: HISTORY_COLUMNS (stage, increment, the load state, linear_iterations), the run's
    ``extra_columns`` (``voltage_V``, ``newton_iterations``: schema.EXTRA_HISTORY_COLUMNS; values given
    to ``add``), per-phase measures (HISTORY_MEASURES and ``phase_measures``, e.g. output/tensile.py
    keys) and per-interface measures, then the columns the case's stages add (``stage_columns``:
    name -> value of a row from its step and load state).
    """

    def __init__(self, phase_names: Sequence[str], interface_names: Sequence[str] = (),
                 stage_columns: Mapping[str, Callable] | None = None, extra_columns: Sequence[str] = (),
                 phase_measures: Sequence[str] = ()):
        self.stage_columns = dict(stage_columns or {})
        self.measures = HISTORY_MEASURES + tuple(m for m in phase_measures if m not in HISTORY_MEASURES)
        self.columns = list(HISTORY_COLUMNS) + list(extra_columns) + [
            column(p, m) for p in phase_names for m in self.measures
        ] + [column(i, m) for i in interface_names for m in INTERFACE_MEASURES] + list(self.stage_columns)
        self.rows: list[list] = []
        self.phase_names = list(phase_names)
        self.interface_names = list(interface_names)

    def add(self, step, increment: int, state, iterations: int, phases: dict,
            interfaces: dict | None = None, extra: Sequence = ()) -> None:
        """One row: a step (stages/base.py Step, or its name), increment, a LoadState, iterations, the
        extra columns' values, statistics."""
        row = [step if isinstance(step, str) else step.name, increment, f"{state.temperature_K:.6g}",
               f"{state.soc:.6g}", f"{state.time_s:.6g}", iterations, *(_cell(v) for v in extra)]
        for p in self.phase_names:
            row += [_cell(phases[p].get(m)) for m in self.measures]
        for i in self.interface_names:
            row += [f"{interfaces[i][m]:.10g}" for m in INTERFACE_MEASURES]
        row += [_cell(fn(step, state)) for fn in self.stage_columns.values()]
        self.rows.append(row)

    def text(self) -> str:
        return csv_text(self.columns, self.rows)
