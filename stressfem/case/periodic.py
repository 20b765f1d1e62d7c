"""[periodic]: periodic boundary conditions and macroscopic loading per component.

Each of the six components (xx yy zz yz xz xy) of the macroscopic strain E (-, tensor
components: E_xy is half the engineering shear) or of the macroscopic stress Sigma (Pa) is
prescribed; components given in neither table have Sigma = 0 (free expansion). docs/periodic.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .common import Table

__all__ = ["PeriodicSpec", "COMPONENTS", "VOIGT_INDEX", "check_periodic_case"]

COMPONENTS = ("xx", "yy", "zz", "yz", "xz", "xy")
VOIGT_INDEX = {"xx": (0, 0), "yy": (1, 1), "zz": (2, 2), "yz": (1, 2), "xz": (0, 2), "xy": (0, 1)}
Component = Literal["xx", "yy", "zz", "yz", "xz", "xy"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class PeriodicSpec(Table):
    """u = E x + w with w periodic along x, y and z; E per component from strain or stress."""

    macro_strain: dict[Component, Finite] = {}
    macro_stress_Pa: dict[Component, Finite] = {}
    node_tolerance: Annotated[float, Field(gt=0.0, le=1e-3)] = 1e-6  # relative to the largest box length
    accept_nonperiodic_image: bool = False
    homogenize: bool = False  # effective properties at the end of the run, into summary.json

    @model_validator(mode="after")
    def _each_once(self) -> "PeriodicSpec":
        both = sorted(set(self.macro_strain) & set(self.macro_stress_Pa))
        if both:
            raise ValueError(f"components {both} are given in both macro_strain and macro_stress_Pa; "
                             f"prescribe each component either as a strain or as a stress")
        return self

    @property
    def axes(self) -> str:
        """The periodic axes (all three)."""
        return "xyz"

    def strain_prescribed(self) -> list[bool]:
        """Per Voigt component (xx yy zz yz xz xy): True if E is prescribed, False if Sigma is."""
        return [c in self.macro_strain for c in COMPONENTS]

    def targets(self) -> list[float]:
        """Per Voigt component: the prescribed E (-) or Sigma (Pa), Sigma = 0 when not given."""
        return [self.macro_strain[c] if c in self.macro_strain else self.macro_stress_Pa.get(c, 0.0)
                for c in COMPONENTS]


def check_periodic_case(loaded) -> None:
    """Cross-table checks of a case with [periodic]; raises CaseError naming the key."""
    c = loaded.case
    g = c.geometry
    if c.boundary_conditions:
        raise loaded.error("boundary_conditions", "a periodic box has no free faces: remove [[boundary_conditions]] "
                           "and prescribe periodic.macro_strain / periodic.macro_stress_Pa per component")
    if c.interfaces:
        raise loaded.error("interfaces", "cohesive interfaces inside periodic volumes are not supported yet; "
                           "remove [periodic] or [[interfaces]]")
    for i, stage in enumerate(c.stages):
        if stage.type == "pressure":
            raise loaded.error(f"stages[{i}]", "a pressure stage loads box faces; a periodic box has none: prescribe "
                               "the stack pressure as periodic.macro_stress_Pa = { zz = -p }")
    if g.type == "layered":
        raise loaded.error("periodic", "layered stacks are not supported with [periodic] yet (lateral periodicity "
                           "is planned); allowed geometries: particles, msh, image")
    if g.type == "particles" and (g.coating is not None or g.grains is not None):
        raise loaded.error("periodic", "coated or polycrystalline particle boxes are not meshed periodic yet; "
                           "remove geometry.coating / geometry.grains or [periodic]")
    if g.type == "image" and not c.periodic.accept_nonperiodic_image:
        raise loaded.error("periodic.accept_nonperiodic_image",
                           "an image volume is in general not periodic: its opposite faces cut different "
                           "particles, and periodic conditions join them anyway. Set "
                           "accept_nonperiodic_image = true to run it (a warning is recorded), or remove [periodic]")
