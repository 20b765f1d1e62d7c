"""Load stages: one module per [[stages]] type; each owns its steps, load states, summary fields and
history columns (base.py: the contract; reference.py: the stress-free state).

Adding a stage type: a schema table in the case stage union, a module here with a ``StageType``
subclass, and one line in ``STAGE_TYPES`` (docs/design.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import HistoryColumn, StageContext, StageType, Step, SurfaceLoadSpec
from .cooling import CoolingStageType
from .cycles import CyclesStageType
from .galvanostatic import GalvanostaticStageType
from .pressure import PressureStageType
from .reference import ROOM_TEMPERATURE_K, ReferenceState
from .soc import SocStageType

__all__ = ["STAGE_TYPES", "StageType", "Step", "StageContext", "SurfaceLoadSpec", "HistoryColumn",
           "ReferenceState", "ROOM_TEMPERATURE_K", "make_stages", "plan_steps", "history_columns"]

# [[stages]] `type` -> its stage class
STAGE_TYPES: dict[str, type[StageType]] = {
    cls.type: cls for cls in (CoolingStageType, SocStageType, CyclesStageType, GalvanostaticStageType,
                              PressureStageType)
}


def make_stages(specs: Sequence) -> list[StageType]:
    """The stage objects of a validated [[stages]] list, in order."""
    return [STAGE_TYPES[spec.type](spec, i) for i, spec in enumerate(specs)]


def plan_steps(stages: Sequence[StageType]) -> list[Step]:
    """All summary steps of the load path, in order."""
    return [step for s in stages for step in s.steps()]


def history_columns(stages: Sequence[StageType]) -> dict[str, HistoryColumn]:
    """The extra history.csv columns of a load path (union over its stages, first definition wins)."""
    out: dict[str, HistoryColumn] = {}
    for s in stages:
        for name, fn in s.history_columns().items():
            out.setdefault(name, fn)
    return out
