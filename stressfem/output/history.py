"""results/history.csv: one row per load increment with per-phase stress measures."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

__all__ = ["History", "HISTORY_MEASURES", "INTERFACE_MEASURES"]

HISTORY_MEASURES = ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")
# per cohesive interface (columns "<A/B>.<measure>"), see docs/cohesive.md
INTERFACE_MEASURES = ("area_m2", "damaged_fraction", "debonded_fraction", "contact_fraction", "max_opening_m",
                      "dissipated_energy_J")


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment."""

    def __init__(self, phase_names: Sequence[str], interface_names: Sequence[str] = ()):
        self.columns = ["stage", "increment", "temperature_K", "soc", "time_s", "linear_iterations"] + [
            f"{p}.{m}" for p in phase_names for m in HISTORY_MEASURES
        ] + [f"{i}.{m}" for i in interface_names for m in INTERFACE_MEASURES]
        self.rows: list[list] = []
        self.phase_names = list(phase_names)
        self.interface_names = list(interface_names)

    def add(self, stage: str, increment: int, state, iterations: int, phases: dict,
            interfaces: dict | None = None) -> None:
        """One row: stage, increment, a LoadState (temperature, soc, time), iterations, statistics."""
        row = [stage, increment, f"{state.temperature_K:.6g}", f"{state.soc:.6g}", f"{state.time_s:.6g}", iterations]
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
