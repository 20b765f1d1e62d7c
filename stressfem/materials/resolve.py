"""Turn [phases] and [materials] of a case into one Material per phase."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from .library import library_material, library_names
from .material import Material
from .ocv import OcvTable

__all__ = ["resolve_materials", "CaseWithErrors"]


class CaseWithErrors(Protocol):
    """What resolving needs of a loaded case (stressfem.case.LoadedCase): its tables and its errors."""

    case: Any  # the validated case: .phases (phase -> material name), .materials (name -> MaterialSpec)

    def error(self, key: str, message: str) -> Exception: ...

_PROPS = ("youngs_modulus_Pa", "poisson_ratio", "density_kg_per_m3", "tensile_strength_Pa", "weibull_modulus",
          "weibull_scale_Pa", "weibull_volume_m3")


def _build(loaded: CaseWithErrors, name: str) -> Material:
    specs = loaded.case.materials
    spec = specs.get(name)
    base = library_material(spec.base if spec and spec.base else name)
    if spec is not None and spec.base and base is None:
        raise loaded.error(f"materials.{name}.base", f"unknown library material {spec.base!r}; "
                           f"allowed: {', '.join(library_names())}")
    if spec is None:
        if base is None:
            raise loaded.error("phases", f"material {name!r} is neither in the library "
                               f"({', '.join(library_names())}) nor defined under [materials.{name}]")
        return dataclasses.replace(base, name=name) if base.name != name else base
    values: dict = {}
    sources: dict[str, str] = dict(base.sources) if base else {}
    user_src = spec.source or f"case.toml [materials.{name}]"
    for prop in _PROPS:
        v = getattr(spec, prop)
        if v is not None:
            values[prop] = v
            sources[prop] = user_src
        elif base is not None:
            values[prop] = getattr(base, prop)
    if spec.cte_per_K is not None:
        values["cte_per_K"], values["cte_table"] = spec.cte_per_K, None
        sources["cte_per_K"] = user_src
    elif spec.cte_table is not None:
        values["cte_per_K"] = None
        values["cte_table"] = (tuple(spec.cte_table.temperature_K), tuple(spec.cte_table.cte_per_K))
        sources["cte_table"] = user_src
    elif base is not None:
        values["cte_per_K"], values["cte_table"] = base.cte_per_K, base.cte_table
    _chemistry(spec, base, values, sources, user_src)
    values["ocv"] = base.ocv if base is not None else None
    if spec.ocv_table is not None:
        try:
            values["ocv"] = OcvTable(tuple(spec.ocv_table.x), tuple(spec.ocv_table.voltage_V), user_src)
        except ValueError as exc:
            raise loaded.error(f"materials.{name}.ocv_table", str(exc)) from None
        sources["ocv"] = user_src
    for required in ("youngs_modulus_Pa", "poisson_ratio"):
        if required not in values:
            raise loaded.error(f"materials.{name}.{required}",
                               f"required for a material not in the library ({', '.join(library_names())})")
    if "cte_per_K" not in values:
        raise loaded.error(f"materials.{name}.cte_per_K",
                           "a new material needs cte_per_K (1/K) or a cte_table")
    try:
        return Material(name=name, sources=sources, **values)
    except ValueError as exc:
        raise loaded.error(f"materials.{name}", str(exc)) from None


def _chemistry(spec, base, values: dict, sources: dict, user_src: str) -> None:
    """Chemical strain, crystal stiffness and diffusion keys: user value, else the library's."""
    from .chemical import ChemicalStrain

    simple = ("diffusivity_m2_per_s", "max_concentration_mol_per_m3", "partial_molar_volume_m3_per_mol")
    for prop in simple + ("chemical_strain", "crystal_stiffness_Pa", "diffusivity_table"):
        values[prop] = getattr(base, prop) if base is not None else None
    for prop in simple:
        if getattr(spec, prop) is not None:
            values[prop] = getattr(spec, prop)
            sources[prop] = user_src
    cs = spec.chemical_strain
    if cs is not None:
        if cs.volume_change is not None:
            lin = tuple((1.0 + v) ** (1.0 / 3.0) - 1.0 for v in cs.volume_change)
            a, c = lin, lin
        else:
            a, c = tuple(cs.strain_a), tuple(cs.strain_c)
        values["chemical_strain"] = ChemicalStrain(tuple(cs.x), a, c, cs.x_soc0, cs.x_soc1, user_src)
        values["partial_molar_volume_m3_per_mol"] = None
        sources["chemical_strain"] = user_src
    if spec.partial_molar_volume_m3_per_mol is not None:
        values["chemical_strain"] = None
    if spec.crystal_stiffness_Pa is not None:
        k = spec.crystal_stiffness_Pa
        values["crystal_stiffness_Pa"] = (k.C11, k.C12, k.C13, k.C33, k.C44)
        sources["crystal_stiffness_Pa"] = user_src
    if spec.diffusivity_table is not None:
        values["diffusivity_table"] = (tuple(spec.diffusivity_table.x), tuple(spec.diffusivity_table.D_m2_per_s))
        values["diffusivity_m2_per_s"] = None
        sources["diffusivity_table"] = user_src
    elif spec.diffusivity_m2_per_s is not None:
        values["diffusivity_table"] = None


def resolve_materials(loaded: CaseWithErrors) -> dict[str, Material]:
    """Phase name -> Material, applying case overrides to library entries."""
    unused = set(loaded.case.materials) - set(loaded.case.phases.values())
    if unused:
        raise loaded.error("materials", f"materials {sorted(unused)} are defined but no phase uses them "
                           f"(phases: {dict(loaded.case.phases)})")
    return {phase: _build(loaded, mat) for phase, mat in loaded.case.phases.items()}
