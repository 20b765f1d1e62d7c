"""Library of cathode, electrolyte and coating materials, with a citation for every number.

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

from .material import Material

__all__ = ["LIBRARY", "library_material", "library_names"]


def _m(name: str, E: float, nu: float, cte: float, rho: float, **src: str) -> Material:
    return Material(name=name, youngs_modulus_Pa=E, poisson_ratio=nu, cte_per_K=cte,
                    density_kg_per_m3=rho, sources=src)


LIBRARY: dict[str, Material] = {
    m.name: m
    for m in (
        _m("LLZO", 163e9, 0.257, 15.0e-6, 5077.0,
           youngs_modulus_Pa="[PERSP] Table 2: G = 65 GPa, K = 112 GPa -> E = 163 GPa",
           poisson_ratio="[PERSP] Table 2 (G, K above) -> nu = 0.257; Ni et al. 2012: 0.257",
           cte_per_K="[PERSP] Sec. 3.2/Table 3 (XRD) 1.5e-5; [HUBAUD] 15.5e-6 RT-700 C",
           density_kg_per_m3="[PERSP] Table 3: 5.077 g/cm3"),
        _m("NMC811", 150e9, 0.25, 13.0e-6, 4870.0,
           youngs_modulus_Pa="estimate: lower end of the 150-185 GPa range for NMC, [PERSP] Sec. 3.2",
           poisson_ratio="estimate: NCM111 nu ~0.25-0.28, [PERSP] Table 2",
           cte_per_K="[PERSP] Sec. 3.2/Table 3: NMC effective (dilatometry) 1.3e-5",
           density_kg_per_m3="[PERSP] Table 3 / [REV]: 4.87 g/cm3"),
        _m("NCM111", 199e9, 0.25, 13.0e-6, 4770.0,
           youngs_modulus_Pa="[PERSP] Table 2 (Cheng et al., J. Eur. Ceram. Soc. 2017): 199 GPa",
           poisson_ratio="[PERSP] Table 2: G = 78, K = 132 GPa -> nu = 0.25",
           cte_per_K="estimate: NMC effective (dilatometry) 1.3e-5, [PERSP] Sec. 3.2",
           density_kg_per_m3="[PERSP] Table 3 / [REV]: NMC 4.77 g/cm3"),
        _m("NCM85", 150e9, 0.25, 13.0e-6, 4870.0,
           youngs_modulus_Pa="estimate: as NMC811, 150-185 GPa range for NMC, [PERSP] Sec. 3.2",
           poisson_ratio="estimate: NCM111 nu ~0.25-0.28, [PERSP] Table 2",
           cte_per_K="estimate: NMC effective (dilatometry) 1.3e-5, [PERSP] Sec. 3.2",
           density_kg_per_m3="estimate: as NMC811 4.87 g/cm3, [PERSP] Table 3"),
        _m("LCO", 191e9, 0.24, 12.5e-6, 5050.0,
           youngs_modulus_Pa="[CHENG-LCO] hot-pressed LiCoO2, 95 % dense: 191 GPa (secondary: abstract seen)",
           poisson_ratio="[CHENG-LCO]: 0.24 (secondary: abstract seen)",
           cte_per_K="[PERSP] Sec. 3.2: LCO effective (dilatometry) 1.25e-5, anisotropic",
           density_kg_per_m3="[PERSP] Table 3 / [REV]: 5.05 g/cm3"),
        _m("Li6PS5Cl", 22e9, 0.37, 40.0e-6, 1865.0,
           youngs_modulus_Pa="[PERSP] Table 2: G = 8 GPa, K = 28 GPa -> E = 22 GPa",
           poisson_ratio="[PERSP] Table 2 (G, K above) -> nu = 0.37",
           cte_per_K="estimate: no measured value found; by analogy with soft ionic crystals of similar "
                     "bulk modulus (NaCl ~4e-5 1/K); treat as a sensitivity parameter",
           density_kg_per_m3="derived: Z M / (N_A a^3), Z = 4, M = 268.37 g/mol, a = 9.85 A "
                             "(cubic F-43m cell, Deiseroth et al., Angew. Chem. Int. Ed. 47 (2008) 755)"),
        _m("LiPON", 77e9, 0.25, 12.0e-6, 2400.0,
           youngs_modulus_Pa="[PERSP] Table 2: G = 31 GPa, K = 51 GPa -> E = 77 GPa",
           poisson_ratio="[PERSP] Table 2 (G, K above) -> nu = 0.25",
           cte_per_K="estimate: typical of lithium phosphate/oxynitride glasses (0.8-2e-5 1/K); no measured value found",
           density_kg_per_m3="estimate: amorphous Li-P-O-N films 2.2-2.6 g/cm3; no primary value found"),
        _m("ZrO2", 210e9, 0.30, 10.5e-6, 6100.0,
           youngs_modulus_Pa="[3Y-TZP] 205-210 GPa (review/vendor tables, secondary); thin ALD films may be softer",
           poisson_ratio="[3Y-TZP] 0.30 (vendor table, secondary)",
           cte_per_K="[3Y-TZP] 10-11e-6 1/K (review/vendor tables, secondary)",
           density_kg_per_m3="[ALD]: tetragonal ZrO2 6.1 g/cm3"),
    )
}


def _with_chemistry() -> None:
    """Attach delithiation data: chemical strain tables, c_max and Li diffusivity (see chemical.py)."""
    import dataclasses

    from .chemical import CHEMICAL_STRAIN

    data = {
        # c_max = density / molar mass of LiMO2 (Li sites); D from the cited measurement or parameter set
        "NMC811": (4870.0 / 0.09728, 2.54e-15,
                   "derived: density 4.87 g/cm3 / M 97.28 g/mol ([PERSP] Table 3)",
                   "[PERSP] Table 3: 2.54e-11 cm2/s (single crystal); 2.54e-12 cm2/s polycrystal"),
        "NCM85": (4870.0 / 0.09728, 2.54e-15, "estimate: as NMC811", "estimate: as NMC811 ([PERSP] Table 3)"),
        "NCM111": (4770.0 / 0.09646, 1.0e-14,
                   "derived: density 4.77 g/cm3 / M 96.46 g/mol",
                   "secondary: BattMo NMC111 default 1e-14 m2/s; GITT on NMC532 9e-11 to 3.3e-9 cm2/s "
                   "(Yang et al., Electrochim. Acta 66 (2012) 88)"),
        "LCO": (5050.0 / 0.09787, 5.387e-15,
                "derived: density 5.05 g/cm3 / M 97.87 g/mol",
                "secondary: Dualfoil value 5.387e-15 m2/s as used by Ai et al., JES 167 (2020) 013512"),
    }
    for name, (cmax, D, src_c, src_d) in data.items():
        m = LIBRARY[name]
        src = dict(m.sources, chemical_strain=CHEMICAL_STRAIN[name].source,
                   max_concentration_mol_per_m3=src_c, diffusivity_m2_per_s=src_d)
        LIBRARY[name] = dataclasses.replace(m, chemical_strain=CHEMICAL_STRAIN[name], diffusivity_m2_per_s=D,
                                            max_concentration_mol_per_m3=cmax, sources=src)


_with_chemistry()


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
