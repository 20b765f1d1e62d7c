"""`pressure`: a stack pressure ramped linearly on named surfaces, and held by the stages after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from ..physics.eigenstrain import LoadState
from .base import HistoryColumn, StageContext, StageType, Step, SurfaceLoadSpec

__all__ = ["PressureStageType"]


class PressureStageType(StageType):
    """Pressure (Pa) on ``surfaces`` against their outward normal, from ``pressure_start_Pa`` (default:
    where the path left it, 0 at first) to ``pressure_end_Pa``; an equilibrium stage (superposable)."""

    type = "pressure"

    @property
    def column(self) -> str:
        """Its history.csv column: the pressure (Pa)."""
        return f"{self.name}.pressure_Pa"

    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        start = self.spec.pressure_start_Pa
        start = float(state.surface_loads.get(self.name, 0.0)) if start is None else start
        for p in np.linspace(start, self.spec.pressure_end_Pa, step.increments + 1)[1:]:
            yield replace(state, surface_loads={**state.surface_loads, self.name: float(p)}, cell_li_fraction=None)

    def summary(self, step: Step, state: LoadState, ctx: StageContext) -> dict:
        return {"pressure_Pa": state.surface_loads[self.name]}

    def history_columns(self) -> dict[str, HistoryColumn]:
        return {self.column: lambda step, state: float(state.surface_loads.get(self.name, 0.0))}

    def surface_loads(self) -> list[SurfaceLoadSpec]:
        return [SurfaceLoadSpec(self.name, tuple(self.spec.surfaces), f"stages[{self.index}].surfaces")]
