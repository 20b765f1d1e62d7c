"""The load path: [[stages]] expanded into steps (one summary entry each) and their increments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..case import CoolingStage, CyclesStage, GalvanostaticStage, SocStage
from ..physics.eigenstrain import LoadState

__all__ = ["Step", "expand_stages", "equilibrium_increments"]


@dataclass(frozen=True)
class Step:
    """One entry of summary.json `steps`: a stage, or one half cycle of a `cycles` stage."""

    name: str
    type: str
    stage: object
    soc_from: float | None = None
    soc_to: float | None = None
    cycle: int | None = None

    @property
    def increments(self) -> int:
        return self.stage.increments


def expand_stages(stages) -> list[Step]:
    """Flatten the stage list; `cycles` becomes charge/discharge steps named <name><k>-charge ..."""
    steps: list[Step] = []
    for s in stages:
        if isinstance(s, CyclesStage):
            for k in range(1, s.count + 1):
                steps.append(Step(f"{s.name}{k}-charge", "soc", s, s.soc_low, s.soc_high, k))
                steps.append(Step(f"{s.name}{k}-discharge", "soc", s, s.soc_high, s.soc_low, k))
        elif isinstance(s, SocStage):
            steps.append(Step(s.name, "soc", s, s.soc_start, s.soc_end))
        elif isinstance(s, GalvanostaticStage):
            end = s.soc_end if s.soc_end is not None else (1.0 if s.direction == "charge" else 0.0)
            steps.append(Step(s.name, "galvanostatic", s, None, end))
        else:
            steps.append(Step(s.name, s.type, s))
    return steps


def equilibrium_increments(step: Step, state: LoadState) -> Iterator[LoadState]:
    """Load states of a cooling or equilibrium state-of-charge step, continuing from `state`."""
    n = step.increments
    if isinstance(step.stage, CoolingStage):
        for T in np.linspace(step.stage.start_K, step.stage.end_K, n + 1)[1:]:
            yield replace(state, temperature_K=float(T), cell_li_fraction=None)
    else:
        start = state.soc if step.soc_from is None else step.soc_from
        for soc in np.linspace(start, step.soc_to, n + 1)[1:]:
            yield replace(state, soc=float(soc), cell_li_fraction=None)
