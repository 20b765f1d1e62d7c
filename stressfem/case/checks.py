"""Checks that span tables, as plain functions of the tables they read: interface names against
[phases] and the geometry, [phases] against the phases a generated geometry makes. (Input files and
the material library are checked by LoadedCase.check_cross_references, which knows the folder.)"""

from __future__ import annotations

from .geometry import Geometry, MshGeometry, ParticlesGeometry
from .interfaces import InterfaceSpec

__all__ = ["check_interfaces", "phase_problem"]


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


def _unmeshed_coating_message(extra: set[str], geometry: Geometry) -> str | None:
    """Why a [phases] entry that names a coating thinner than its meshed minimum is refused, or None."""
    tables = [geometry] if isinstance(geometry, ParticlesGeometry) else [
        layer for layer in getattr(geometry, "layers", []) if layer.type == "composite"]
    for table in tables:
        c = table.coating
        if c is not None and not c.meshed and c.phase in extra:
            return (f"phase {c.phase!r} is the particle coating, but the coating ({c.thickness_um:g} um) is thinner "
                    f"than coating.min_meshed_thickness_um ({c.min_meshed_thickness_um:g} um): it is not meshed and "
                    f"has no mechanical effect (a thin coating as an interface property is not implemented); set "
                    f"coating.min_meshed_thickness_um to at most {c.thickness_um:g} um to mesh it (the mesh refines "
                    f"to the shell), or remove {c.phase!r} from [phases]")
    return None


def phase_problem(phases: dict[str, str], geometry: Geometry) -> tuple[str, str] | None:
    """(key, message) when [phases] does not match the phases a generated geometry makes, else None."""
    thin = _unmeshed_coating_message(set(phases) - set(getattr(geometry, "phase_names", phases)), geometry)
    if thin is not None:
        return ("phases", thin)
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
