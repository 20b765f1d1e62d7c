"""Library of cathode, electrolyte and coating materials, with a citation for every number
(the numbers and their sources are in library.toml, package data).

Abbreviations of the sources (full references in docs/materials.md):
    [PERSP] Ren, Danner, ..., Fattakhova-Rohlfing, Adv. Energy Mater. 2022, doi:10.1002/aenm.202201939
            (Table 2 elastic moduli; its bulk and shear columns are printed swapped, used here
            swapped back; Sec. 3.2 and Table 3 CTE and density).
    [REV]   Balaish et al., Chem. Soc. Rev. 54 (2025) 8925.
    [ALD]   Kitsche et al., Small Sci. 2022.
    [HUBAUD] Hubaud et al., J. Alloys Compd. 644 (2015) 804.
    [NI]    Ni et al., J. Mater. Sci. 47 (2012) 7978.
    [CHENG-LCO] Cheng, Taylor, Wolfenstine, Sakamoto, J. Asian Ceram. Soc. 5 (2017) 113.
    [3Y-TZP] tetragonal zirconia property tables: review PMC9972857 Table 3; Bentham Open
            TOBIOMTJ-5-1 Table 1.
Values marked "estimate" are not from a primary measurement of that exact material; the
citation says what they stand on. Override them in case.toml ([materials.<name>]).
"""

from __future__ import annotations

import tomllib
from importlib import resources

from .chemical import CHEMICAL_STRAIN
from .material import Material

__all__ = ["LIBRARY", "library_material", "library_names"]


def _load() -> dict[str, Material]:
    """The materials of library.toml: ``key = { value = ..., source = "..." }`` per property, and
    ``chemical_strain = "<table of chemical.py>"`` (its source comes with the table)."""
    data = tomllib.loads(resources.files(__package__).joinpath("library.toml").read_text(encoding="utf-8"))
    out: dict[str, Material] = {}
    for name, props in data.items():
        values, sources = {}, {}
        for key, entry in props.items():
            if key == "chemical_strain":
                values[key] = CHEMICAL_STRAIN[entry]
                sources[key] = CHEMICAL_STRAIN[entry].source
            else:
                values[key], sources[key] = float(entry["value"]), entry["source"]
        out[name] = Material(name=name, sources=sources, **values)
    return out


LIBRARY: dict[str, Material] = _load()


def _with_strength_and_ocv() -> None:
    """Attach tensile strength and Weibull parameters (strength.py) and OCV tables (ocv.py)."""
    import dataclasses

    from .ocv import OCV
    from .strength import STRENGTH

    for name, st in STRENGTH.items():
        m = LIBRARY[name]
        LIBRARY[name] = dataclasses.replace(
            m, tensile_strength_Pa=st.tensile_strength_Pa, weibull_modulus=st.weibull_modulus,
            weibull_scale_Pa=st.weibull_scale_Pa, weibull_volume_m3=st.weibull_volume_m3,
            sources=dict(m.sources, **st.sources))
    for name, table in OCV.items():
        m = LIBRARY[name]
        LIBRARY[name] = dataclasses.replace(m, ocv=table, sources=dict(m.sources, ocv=table.source))


_with_strength_and_ocv()


def library_names() -> list[str]:
    """Names of the shipped materials."""
    return sorted(LIBRARY)


def library_material(name: str) -> Material | None:
    """A library material by name (exact, then case-insensitive), or None."""
    if name in LIBRARY:
        return LIBRARY[name]
    lowered = {k.lower(): v for k, v in LIBRARY.items()}
    return lowered.get(name.lower())
