"""`cooling`: a uniform temperature ramp from the stress-free temperature to a final one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from ..physics.eigenstrain import LoadState
from .base import StageContext, StageType, Step

__all__ = ["CoolingStageType"]


class CoolingStageType(StageType):
    """Temperature (K) ramped linearly in ``increments`` equal steps; defines the stress-free temperature."""

    type = "cooling"

    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        for T in np.linspace(self.spec.start_K, self.spec.end_K, step.increments + 1)[1:]:
            yield replace(state, temperature_K=float(T), cell_li_fraction=None)

    def summary(self, step: Step, state: LoadState, ctx: StageContext) -> dict:
        return {"stress_free_temperature_K": self.spec.start_K}

    def stress_free_temperature_K(self) -> float:
        return self.spec.start_K
