"""The root table of case.toml: one field per table, each defined in its own module."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .boundary import BoundaryCondition
from .checks import ThinCoating, check_interfaces, thin_coatings
from .common import Name, Table
from .geometry import Geometry, ImageGeometry
from .interfaces import CohesiveSolverSpec, InterfaceSpec
from .materials import MaterialSpec
from .mesh import MeshSpec
from .orientation import OrientationSpec
from .output import OutputSpec
from .periodic import PeriodicSpec
from .solver import SolverSpec
from .stages import Stage

__all__ = ["Case"]


class Case(Table):
    """A whole case.toml."""

    title: str = ""
    geometry: Geometry
    mesh: MeshSpec = MeshSpec()
    phases: dict[Name, Name] = Field(min_length=1)
    materials: dict[Name, MaterialSpec] = {}
    stages: list[Stage] = Field(min_length=1)
    orientation: OrientationSpec = OrientationSpec()
    boundary_conditions: list[BoundaryCondition] = []
    solver: SolverSpec = SolverSpec()
    output: OutputSpec = OutputSpec()
    interfaces: list[InterfaceSpec] = []
    cohesive_solver: CohesiveSolverSpec = CohesiveSolverSpec()
    periodic: PeriodicSpec | None = None

    @field_validator("stages")
    @classmethod
    def _unique_stage_names(cls, stages: list) -> list:
        names = [s.name for s in stages]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"stage names must be unique; repeated: {sorted(dup)}")
        return stages

    @model_validator(mode="after")
    def _default_element_degree(self) -> "Case":
        if self.solver.element_degree is None:
            hex_image = isinstance(self.geometry, ImageGeometry) and self.geometry.element == "hexahedron"
            degree = 1 if self.has_interface_model or hex_image else 2
            object.__setattr__(self, "solver", self.solver.model_copy(update={"element_degree": degree}))
        return self

    @model_validator(mode="after")
    def _interface_phases(self) -> "Case":
        check_interfaces(self.interfaces, self.phases, self.geometry)
        return self

    @property
    def thin_coatings(self) -> list[ThinCoating]:
        """Unmeshed coatings listed under [phases]: spring-layer interfaces (docs/cohesive.md, "Thin coatings")."""
        return thin_coatings(self.phases, self.geometry)

    @property
    def has_interface_model(self) -> bool:
        """True when the run needs the interface (block) model: [[interfaces]] or a thin spring coating."""
        return bool(self.interfaces) or bool(self.thin_coatings)
