"""Checks that span tables: interface names against [phases], phases against the geometry and the
material library, input files that must exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .geometry import ImageGeometry, MshGeometry, ParticlesGeometry

if TYPE_CHECKING:
    from .loader import LoadedCase
    from .root import Case

__all__ = ["check_interfaces", "check_cross_references"]


def check_interfaces(case: "Case") -> None:
    """Every [[interfaces]] name refers to phases of [phases] (or a .msh surface), once; ValueError if not."""
    names = [i.name for i in case.interfaces]
    allowed = ('"A/B" (phases A != B of [phases]), "<phase>#gb" (between volumes of one phase) or a '
               'physical surface name of a .msh geometry')
    for k, spec in enumerate(case.interfaces):
        if spec.kind == "phases":
            unknown = [p for p in spec.phases if p not in case.phases]
            if unknown or spec.phases[0] == spec.phases[1]:
                same = (f"; for boundaries between volumes of one phase use \"{spec.phases[0]}#gb\""
                        if spec.phases[0] == spec.phases[1] else "")
                raise ValueError(f"interfaces[{k}].name = {spec.name!r}: both sides must be different phases "
                                 f"of [phases] ({sorted(case.phases)}){same}; allowed: {allowed}")
        elif spec.kind == "bodies":
            if spec.phases[0] not in case.phases:
                raise ValueError(f"interfaces[{k}].name = {spec.name!r}: {spec.phases[0]!r} is not a phase of "
                                 f"[phases] ({sorted(case.phases)}); allowed: {allowed}")
        elif not isinstance(case.geometry, MshGeometry):
            raise ValueError(f"interfaces[{k}].name = {spec.name!r}: not an interface name; allowed: "
                             '"A/B" or "<phase>#gb" (named surfaces need a geometry of type "msh")')
        if names.count(spec.name) > 1 or (spec.kind == "phases" and "/".join(spec.phases[::-1]) in names):
            raise ValueError(f"interface {spec.name!r} is listed twice")


def check_cross_references(loaded: "LoadedCase") -> None:
    """Phases vs geometry, input files, materials vs library; raises CaseError naming the key."""
    from ..materials import resolve_materials

    c = loaded.case
    if isinstance(c.geometry, ParticlesGeometry):
        for key, name in (("particle_phase", c.geometry.particle_phase), ("matrix_phase", c.geometry.matrix_phase)):
            if name not in c.phases:
                raise loaded.error(
                    "phases", f"geometry.{key} = {name!r} has no material; add `{name} = \"<material>\"` "
                    f"under [phases] (phases given: {sorted(c.phases)})"
                )
        extra = set(c.phases) - set(c.geometry.phase_names)
        if extra:
            raise loaded.error("phases", f"phases {sorted(extra)} are not in the generated geometry "
                               f"(it has {c.geometry.phase_names})")
    elif not isinstance(c.geometry, MshGeometry):  # layered, image: generated phases
        names = c.geometry.phase_names
        missing, extra = sorted(set(names) - set(c.phases)), sorted(set(c.phases) - set(names))
        if missing:
            raise loaded.error("phases", f"geometry phases {missing} have no material; add "
                               f"`<name> = \"<material>\"` under [phases] for each")
        if extra:
            raise loaded.error("phases", f"phases {extra} are not in the generated geometry (it has {names})")
        if isinstance(c.geometry, ImageGeometry) and not loaded.input_path(c.geometry.file).is_file():
            raise loaded.error("geometry.file", f"file not found: {loaded.input_path(c.geometry.file)}")
    else:
        msh = loaded.msh_path()
        if not msh.is_file():
            raise loaded.error("geometry.file", f"file not found: {msh}")
    packing_file = getattr(c.geometry, "packing_file", None)
    if packing_file is not None and not loaded.input_path(packing_file).is_file():
        raise loaded.error("geometry.packing_file", f"file not found: {loaded.input_path(packing_file)} (a "
                           f"CASE/mesh/<name>.packing.json written next to a generated mesh)")
    resolve_materials(loaded)  # raises CaseError on unknown names or missing properties
    if c.periodic is not None:
        from .periodic import check_periodic_case

        check_periodic_case(loaded)
