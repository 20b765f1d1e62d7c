"""results/history.csv: one row per load increment with per-phase stress measures."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

__all__ = ["History", "HISTORY_MEASURES"]

HISTORY_MEASURES = ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")


class History:
    """Accumulates rows in memory on rank 0 and rewrites the CSV after each increment."""

    def __init__(self, phase_names: Sequence[str]):
        self.columns = ["stage", "increment", "temperature_K", "linear_iterations"] + [
            f"{p}.{m}" for p in phase_names for m in HISTORY_MEASURES
        ]
        self.rows: list[list] = []
        self.phase_names = list(phase_names)

    def add(self, stage: str, increment: int, temperature_K: float, iterations: int, phases: dict) -> None:
        row = [stage, increment, f"{temperature_K:.6g}", iterations]
        for p in self.phase_names:
            row += [f"{phases[p][m]:.10g}" for m in HISTORY_MEASURES]
        self.rows.append(row)

    def text(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows(self.rows)
        return buf.getvalue()
