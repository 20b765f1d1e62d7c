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
IN_PLANE = ("xx", "yy", "xy")
VOIGT_INDEX = {"xx": (0, 0), "yy": (1, 1), "zz": (2, 2), "yz": (1, 2), "xz": (0, 2), "xy": (0, 1)}
Component = Literal["xx", "yy", "zz", "yz", "xz", "xy"]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class PeriodicSpec(Table):
    """u = E x + w with w periodic along x, y and z; E per component from strain or stress."""

    directions: Literal["xyz", "xy"] = "xyz"  # "xy": lateral periodicity (layered stacks), z faces take BCs
    macro_strain: dict[Component, Finite] = {}
    macro_stress_Pa: dict[Component, Finite] = {}
    node_tolerance: Annotated[float, Field(gt=0.0, le=1e-3)] = 1e-6  # relative to the largest box length
    accept_nonperiodic_image: bool = False
    homogenize: bool = False  # effective properties at the end of the run, into summary.json

    @model_validator(mode="after")
    def _each_once(self) -> "PeriodicSpec":
        if self.directions == "xy":
            out = sorted((set(self.macro_strain) | set(self.macro_stress_Pa)) - set(IN_PLANE))
            if out:
                raise ValueError(f"components {out} are not macroscopic with directions = \"xy\" (z is not periodic: "
                                 f"use boundary conditions on zmin/zmax); allowed: xx, yy, xy")
        both = sorted(set(self.macro_strain) & set(self.macro_stress_Pa))
        if both:
            raise ValueError(f"components {both} are given in both macro_strain and macro_stress_Pa; "
                             f"prescribe each component either as a strain or as a stress")
        return self

    @property
    def axes(self) -> str:
        """The periodic axes: "xyz", or "xy" (lateral)."""
        return self.directions

    @property
    def components(self) -> tuple[str, ...]:
        """The macroscopic components: all six, or the in-plane xx yy xy when periodic in x and y only."""
        return COMPONENTS if self.directions == "xyz" else IN_PLANE

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
    lateral = c.periodic.directions == "xy"
    for i, bc in enumerate(c.boundary_conditions):
        bad = [n for n in bc.surfaces if not lateral or n not in ("zmin", "zmax")]
        if bad or (bc.type == "fixed" and any(bc.displacement_m)):
            raise loaded.error(f"boundary_conditions[{i}]",
                               "with [periodic] directions = \"xy\" only zmin/zmax take boundary conditions (rollers, "
                               "pressure, traction, fixed at zero displacement); a box periodic in x, y and z has no "
                               "free faces: prescribe periodic.macro_strain / periodic.macro_stress_Pa per component"
                               if lateral else "a periodic box has no free faces: remove [[boundary_conditions]] and "
                               "prescribe periodic.macro_strain / periodic.macro_stress_Pa per component")
    if c.has_interface_model:
        _check_cohesive(loaded)
    for i, stage in enumerate(c.stages):
        if stage.type == "pressure" and not (lateral and set(stage.surfaces) <= {"zmin", "zmax"}):
            raise loaded.error(f"stages[{i}]", "a pressure stage loads box faces; a periodic box has none: prescribe "
                               "the stack pressure as periodic.macro_stress_Pa = { zz = -p }")
    if g.type == "layered" and not lateral:
        raise loaded.error("periodic.directions", "a layered stack is periodic laterally only: set directions = \"xy\"")
    if g.type == "image" and not c.periodic.accept_nonperiodic_image:
        raise loaded.error("periodic.accept_nonperiodic_image",
                           "an image volume is in general not periodic: its opposite faces cut different "
                           "particles, and periodic conditions join them anyway. Set "
                           "accept_nonperiodic_image = true to run it (a warning is recorded), or remove [periodic]")


def _check_cohesive(loaded) -> None:
    """Cohesive (or spring-layer) interfaces inside a periodic box: what the periodic Newton path supports."""
    c = loaded.case
    for i, bc in enumerate(c.boundary_conditions):  # directions = "xy": zmin/zmax only (checked above)
        if bc.type == "fixed":
            raise loaded.error(f"boundary_conditions[{i}].type", "with cohesive interfaces inside a laterally periodic "
                               "volume the z faces take rollers, pressure or traction (a fixed face would hold the "
                               "in-plane macroscopic strain too)")
    s = c.cohesive_solver
    if s.method != "newton":
        raise loaded.error("cohesive_solver.method", f"{s.method!r} is not available inside a periodic volume: the "
                           f"periodic cohesive solve is Newton on P^T J P (docs/cohesive.md); set method = \"newton\"")
