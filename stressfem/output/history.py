"""results/history.csv: one row per load increment with per-phase stress measures."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence

__all__ = ["History", "HISTORY_MEASURES", "INTERFACE_MEASURES"]

HISTORY_MEASURES = ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")
# per cohesive interface (columns "<A/B>.<measure>"), see docs/cohesive.md
INTERFACE_MEASURES = ("area_m2", "damaged_fraction", "debonded_fraction", "contact_fraction", "max_opening_m",
                      "dissipated_energy_J")


def _cell(value) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment.

    Columns: stage, increment, the load state (temperature_K, soc, time_s), linear_iterations, the
    columns the case's stages add (``stage_columns``: name -> value of a row, stages/base.py), then
    per-phase and per-interface measures.
    """

    def __init__(self, phase_names: Sequence[str], interface_names: Sequence[str] = (),
                 stage_columns: Mapping[str, Callable] | None = None):
        self.stage_columns = dict(stage_columns or {})
        self.columns = ["stage", "increment", "temperature_K", "soc", "time_s", "linear_iterations",
                        *self.stage_columns] + [
            f"{p}.{m}" for p in phase_names for m in HISTORY_MEASURES
        ] + [f"{i}.{m}" for i in interface_names for m in INTERFACE_MEASURES]
        self.rows: list[list] = []
        self.phase_names = list(phase_names)
        self.interface_names = list(interface_names)

    def add(self, step, increment: int, state, iterations: int, phases: dict,
            interfaces: dict | None = None) -> None:
        """One row: a step (stages/base.py Step), increment, a LoadState, iterations, statistics."""
        row = [step.name, increment, f"{state.temperature_K:.6g}", f"{state.soc:.6g}", f"{state.time_s:.6g}",
               iterations] + [_cell(fn(step, state)) for fn in self.stage_columns.values()]
        for p in self.phase_names:
            row += [f"{phases[p][m]:.10g}" for m in HISTORY_MEASURES]
        for i in self.interface_names:
            row += [f"{interfaces[i][m]:.10g}" for m in INTERFACE_MEASURES]
        self.rows.append(row)

    def text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()
