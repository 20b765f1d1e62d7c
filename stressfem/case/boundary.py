"""[[boundary_conditions]]: rollers, prescribed displacements (m), pressures and tractions (Pa)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .common import DisplacementM, Name, StressPa, Table

__all__ = ["Surfaces", "RollerBC", "FixedBC", "PressureBC", "TractionBC", "BoundaryCondition"]

Surfaces = Annotated[list[Name], Field(min_length=1)]


class RollerBC(Table):
    """Symmetry: zero normal displacement on planar, axis-aligned surfaces."""

    type: Literal["roller"]
    surfaces: Surfaces


class FixedBC(Table):
    """Prescribed displacement (m), zero by default."""

    type: Literal["fixed"]
    surfaces: Surfaces
    displacement_m: tuple[DisplacementM, DisplacementM, DisplacementM] = (0.0, 0.0, 0.0)


class PressureBC(Table):
    """Uniform pressure (Pa) acting against the outward normal (stack pressure)."""

    type: Literal["pressure"]
    surfaces: Surfaces
    pressure_Pa: StressPa


class TractionBC(Table):
    """Uniform traction vector (Pa) on the surfaces."""

    type: Literal["traction"]
    surfaces: Surfaces
    traction_Pa: tuple[StressPa, StressPa, StressPa]


BoundaryCondition = Annotated[
    Union[RollerBC, FixedBC, PressureBC, TractionBC], Field(discriminator="type")
]
