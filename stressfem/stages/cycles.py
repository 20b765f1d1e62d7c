"""`cycles`: repeated equilibrium charge (soc_low -> soc_high) and discharge, ``count`` times."""

from __future__ import annotations

from collections.abc import Iterator

from ..physics.eigenstrain import LoadState
from .base import StageContext, StageType, Step
from .soc import soc_ramp

__all__ = ["CyclesStageType"]


class CyclesStageType(StageType):
    """Each cycle is two summary steps, ``<name><k>-charge`` and ``<name><k>-discharge`` (type ``soc``)."""

    type = "cycles"

    def steps(self) -> list[Step]:
        s = self.spec
        out = []
        for k in range(1, s.count + 1):
            for half, a, b in (("charge", s.soc_low, s.soc_high), ("discharge", s.soc_high, s.soc_low)):
                out.append(Step(f"{s.name}{k}-{half}", "soc", self, s.increments,
                                {"soc_from": a, "soc_to": b, "cycle": k}))
        return out

    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        return soc_ramp(state, step.data["soc_from"], step.data["soc_to"], step.increments)
