"""Checks that span tables, as plain functions of the tables they read: interface names against
[phases] and the geometry, [phases] against the phases a generated geometry makes, thin (unmeshed,
spring-layer) coatings (their laws: coating_laws.py). (Input files and the material library are checked by
LoadedCase.check_cross_references, which knows the folder.)"""

from __future__ import annotations

from dataclasses import dataclass

from .geometry import Geometry, MshGeometry, ParticlesGeometry
from .interfaces import InterfaceSpec

__all__ = ["check_interfaces", "phase_problem", "thin_coatings", "ThinCoating"]


def check_interfaces(interfaces: list[InterfaceSpec], phases: dict[str, str], geometry: Geometry) -> None:
    """Every [[interfaces]] name refers to phases of [phases] (or a .msh surface), once; ValueError if not."""
    names = [i.name for i in interfaces]
    allowed = ('"A/B" (phases A != B of [phases]), "<phase>#gb" (between volumes of one phase) or a '
               'physical surface name of a .msh geometry')
    for k, spec in enumerate(interfaces):
        if spec.kind == "phases":
            unknown = [p for p in spec.phases if p not in phases]
            if unknown or spec.phases[0] == spec.phases[1]:
                same = (f"; for boundaries between volumes of one phase use \"{spec.phases[0]}#gb\""
                        if spec.phases[0] == spec.phases[1] else "")
                raise ValueError(f"interfaces[{k}].name = {spec.name!r}: both sides must be different phases "
                                 f"of [phases] ({sorted(phases)}){same}; allowed: {allowed}")
        elif spec.kind == "bodies":
            if spec.phases[0] not in phases:
                raise ValueError(f"interfaces[{k}].name = {spec.name!r}: {spec.phases[0]!r} is not a phase of "
                                 f"[phases] ({sorted(phases)}); allowed: {allowed}")
        elif not isinstance(geometry, MshGeometry):
            raise ValueError(f"interfaces[{k}].name = {spec.name!r}: not an interface name; allowed: "
                             '"A/B" or "<phase>#gb" (named surfaces need a geometry of type "msh")')
        if names.count(spec.name) > 1 or (spec.kind == "phases" and "/".join(spec.phases[::-1]) in names):
            raise ValueError(f"interface {spec.name!r} is listed twice")


@dataclass(frozen=True)
class ThinCoating:
    """An unmeshed coating whose phase is listed under [phases]: a spring interface between the particle
    and matrix phases (physics/cohesive/spring.py), thickness in um."""

    phase: str
    particle_phase: str
    matrix_phase: str
    thickness_um: float

    @property
    def interface_name(self) -> str:
        return f"{self.particle_phase}/{self.matrix_phase}"


def _packed_tables(geometry: Geometry) -> list:
    """The tables of a geometry that may carry a coating: a particles geometry, or its composite layers."""
    if isinstance(geometry, ParticlesGeometry):
        return [geometry]
    return [layer for layer in getattr(geometry, "layers", []) if layer.type == "composite"]


def thin_coatings(phases: dict[str, str], geometry: Geometry) -> list[ThinCoating]:
    """The coatings thinner than coating.min_meshed_thickness_um whose phase is listed under [phases]."""
    out = []
    for table in _packed_tables(geometry):
        c = table.coating
        if c is not None and not c.meshed and c.phase in phases:
            out.append(ThinCoating(c.phase, table.particle_phase, table.matrix_phase, c.thickness_um))
    return out


def phase_problem(phases: dict[str, str], geometry: Geometry) -> tuple[str, str] | None:
    """(key, message) when [phases] does not match the phases a generated geometry makes, else None."""
    spring_layers = {t.phase for t in thin_coatings(phases, geometry)}  # interface models, not volumes
    phases = {p: m for p, m in phases.items() if p not in spring_layers}
    if isinstance(geometry, ParticlesGeometry):
        for key, name in (("particle_phase", geometry.particle_phase), ("matrix_phase", geometry.matrix_phase)):
            if name not in phases:
                return ("phases", f"geometry.{key} = {name!r} has no material; add `{name} = \"<material>\"` "
                        f"under [phases] (phases given: {sorted(phases)})")
        extra = set(phases) - set(geometry.phase_names)
        if extra:
            return ("phases", f"phases {sorted(extra)} are not in the generated geometry "
                    f"(it has {geometry.phase_names})")
    elif not isinstance(geometry, MshGeometry):  # layered, image: generated phases
        names = geometry.phase_names
        missing, extra = sorted(set(names) - set(phases)), sorted(set(phases) - set(names))
        if missing:
            return ("phases", f"geometry phases {missing} have no material; add "
                    f"`<name> = \"<material>\"` under [phases] for each")
        if extra:
            return ("phases", f"phases {extra} are not in the generated geometry (it has {names})")
    return None
