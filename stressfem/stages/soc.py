"""`soc`: equilibrium (de)lithiation, a uniform state of charge swept quasi-statically."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from ..physics.eigenstrain import LoadState
from .base import StageContext, StageType, Step

__all__ = ["SocStageType", "soc_ramp"]


def soc_ramp(state: LoadState, start: float | None, end: float, n: int) -> Iterator[LoadState]:
    """States at ``n`` equal soc steps from ``start`` (None: the current soc) to ``end`` (-)."""
    start = state.soc if start is None else start
    for soc in np.linspace(start, end, n + 1)[1:]:
        yield replace(state, soc=float(soc), cell_li_fraction=None)


class SocStageType(StageType):
    """Uniform state of charge from ``soc_start`` (default: where the path is) to ``soc_end``."""

    type = "soc"

    def steps(self) -> list[Step]:
        s = self.spec
        return [Step(s.name, self.type, self, s.increments, {"soc_from": s.soc_start, "soc_to": s.soc_end})]

    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        return soc_ramp(state, step.data["soc_from"], step.data["soc_to"], step.increments)
