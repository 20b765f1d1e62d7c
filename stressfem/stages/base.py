"""The stage contract: one object per [[stages]] entry that owns its steps, load states,
summary fields and history columns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..physics.eigenstrain import LoadState

__all__ = ["Step", "StageType", "StageContext", "HistoryColumn", "SurfaceLoadSpec"]

# a history column: its value for one row (a step and the load state reached), "" when not defined
HistoryColumn = Callable[["Step", LoadState], float | int | str]


@dataclass(frozen=True)
class SurfaceLoadSpec:
    """A surface load whose magnitude a stage drives: traction -p n (pressure) on named surfaces.

    Attributes:
        amplitude: key of ``LoadState.surface_loads`` holding the pressure (Pa).
        surfaces: physical surface names.
        key: dotted case key of the surfaces (for error messages).
    """

    amplitude: str
    surfaces: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Step:
    """One entry of summary.json ``steps``: a stage, or a part of one (a half cycle).

    Attributes:
        name: the step name (unique in a run).
        type: the step kind written to summary.json (``cooling``, ``soc``, ``galvanostatic``, ...).
        stage: the stage object that made it.
        increments: load increments of the step.
        data: stage-specific values (for example the soc range of a half cycle).
    """

    name: str
    type: str
    stage: "StageType"
    increments: int
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class StageContext:
    """What a stage may use while it yields load states (kinetic stages build a diffusion model).

    Attributes:
        loaded: the loaded case (errors name its file and keys).
        pm: the phase mesh.
        phase_names, materials: phases of the mesh and their materials, in the same order.
        phase_index: phase of each local cell.
        last_stress: the cell stress of the last converged increment (CellStress) or None.
        resources: objects built by stages and shared between them (closed by ``close``).
        resume_increments: increments of the next step done before a restart (the checkpoint restored
            their fields): a kinetic stage yields them without solving (the driver skips them).
    """

    loaded: Any
    pm: Any
    phase_names: list[str]
    materials: list[Any]
    phase_index: Any
    last_stress: Any = None
    resources: dict[str, Any] = field(default_factory=dict)
    resume_increments: int = 0

    def close(self) -> None:
        for r in self.resources.values():
            r.close()
        self.resources.clear()


class StageType(ABC):
    """Base class of a stage type (one module per type in this package); its step kinds are declared in
    output/schema.py (how viz plots them).

    Class attributes:
        type: the ``type`` key of the [[stages]] table.
        equilibrium: True when every load of the stage is a fixed spatial pattern times a scalar
            function of the load state (uniform temperature, uniform soc, surface-load magnitudes),
            so a linear model may superpose pattern solutions instead of solving each increment.
    """

    type: ClassVar[str] = ""
    equilibrium: ClassVar[bool] = True

    def __init__(self, spec, index: int):
        """``spec``: the validated [[stages]] table; ``index``: its position in the list."""
        self.spec, self.index = spec, index

    @property
    def name(self) -> str:
        return self.spec.name

    def steps(self) -> list[Step]:
        """The summary steps of the stage (default: one)."""
        return [Step(self.spec.name, self.type, self, self.spec.increments)]

    @abstractmethod
    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        """The load states of the step's increments, continuing from ``state`` (every stage type defines it)."""

    def summary(self, step: Step, state: LoadState, ctx: StageContext) -> dict:
        """Extra fields of the step's summary.json entry (at its end state)."""
        return {}

    def history_columns(self) -> dict[str, HistoryColumn]:
        """Extra history.csv columns this stage adds (name -> value of a row)."""
        return {}

    def surface_loads(self) -> list[SurfaceLoadSpec]:
        """Surface loads whose magnitude the stage drives (default: none)."""
        return []

    def stress_free_temperature_K(self) -> float | None:
        """The stress-free temperature this stage defines, if any (K)."""
        return None
