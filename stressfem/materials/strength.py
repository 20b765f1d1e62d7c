"""Tensile strength and Weibull weakest-link parameters of the shipped materials, with citations.

Weakest-link failure probability of a body under a tensile maximum principal stress sigma_1
(Weibull 1939): P_f = 1 - exp(-(1/V0) * integral of (max(sigma_1, 0) / sigma_0)^m dV), with
Weibull modulus m (-), scale sigma_0 (Pa) at the reference volume V0 (m3).

Sources (full references in docs/materials.md; literature notes in the project's reference file):
    [PERSP] Ren, Danner, ..., Fattakhova-Rohlfing, Adv. Energy Mater. 2022, doi:10.1002/aenm.202201939:
            LLZO fracture strength about 100-150 MPa (Sec. 3.2, 4.2.2); layered-oxide particle fracture
            strength "around hundreds of MPa"; NMC811 d50 10 um.
    [FU]    Fu, Gong, ..., Wachsman, ECS Meeting 232 (2017) abstract 550: dense Ca/Nb-doped garnet
            flexural strength about 150 MPa (ASTM C1161).
    [ISO13356] ISO 13356 (zirconia implants) requires m >= 8; dense technical ceramics have m = 5-20.
No measured Weibull modulus exists in our sources for LLZO or the layered oxides: every m, and
the reference volumes, are labelled estimates. Override them per case ([materials.<name>] keys
``tensile_strength_Pa``, ``weibull_modulus``, ``weibull_scale_Pa``, ``weibull_volume_m3``) and
vary m (docs/materials.md, "Strength and failure probability").
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Strength", "STRENGTH", "ASTM_C1161_B_EFFECTIVE_VOLUME_M3"]

# Effective volume of the ASTM C1161 configuration B four-point bend bar (b 4 mm, d 3 mm, outer span
# L 40 mm, inner span L/2) at m = 10: V_eff = b d L (m L_i/L + 1) / (2 (m + 1)^2) = 11.9 mm3
# (weakest-link integral of (sigma/sigma_max)^m over the tensile half of the bar: linear stress through the
# depth, constant moment between the inner rollers, linear moment outside them).
ASTM_C1161_B_EFFECTIVE_VOLUME_M3 = 4e-3 * 3e-3 * 40e-3 * (10 * 0.5 + 1) / (2 * 11**2)
_PARTICLE_10UM_M3 = 3.141592653589793 / 6.0 * (10e-6) ** 3  # volume of a 10 um sphere


@dataclass(frozen=True)
class Strength:
    """Tensile strength (Pa) and Weibull parameters (m, sigma_0 in Pa, V0 in m3) with their citations."""

    tensile_strength_Pa: float
    weibull_modulus: float
    weibull_scale_Pa: float
    weibull_volume_m3: float
    sources: dict[str, str]


_CATHODE_SOURCES = {
    "tensile_strength_Pa": "estimate: 200 MPa, lower end of the layered-oxide particle fracture strength "
                           "'around hundreds of MPa' ([PERSP])",
    "weibull_modulus": "estimate: 10, middle of m = 5-20 of dense technical ceramics ([ISO13356]); no measured "
                       "value for layered oxides in our sources",
    "weibull_scale_Pa": "estimate: 200 MPa = the tensile strength above, taken as the strength of a particle "
                        "of volume V0",
    "weibull_volume_m3": "estimate: volume of a 10 um sphere (5.2e-16 m3), the particle size of [PERSP] "
                         "(NMC811 d50 10 um) to which the quoted particle strength refers",
}

STRENGTH: dict[str, Strength] = {
    "LLZO": Strength(
        100e6, 10.0, 150e6, ASTM_C1161_B_EFFECTIVE_VOLUME_M3,
        {"tensile_strength_Pa": "[PERSP] Sec. 3.2/4.2.2: LLZO fracture strength about 100-150 MPa; lower end",
         "weibull_modulus": "estimate: 10, middle of m = 5-20 of dense technical ceramics ([ISO13356]: m >= 8 "
                            "for zirconia); no measured LLZO value in our sources",
         "weibull_scale_Pa": "[FU]: flexural strength about 150 MPa (ASTM C1161), taken as sigma_0 at V0",
         "weibull_volume_m3": "estimate: effective volume 1.19e-8 m3 of an ASTM C1161 B four-point bar at "
                              "m = 10 (the test configuration of [FU] is not stated)"}),
    **{name: Strength(200e6, 10.0, 200e6, _PARTICLE_10UM_M3, dict(_CATHODE_SOURCES))
       for name in ("NMC811", "NCM85", "NCM111", "LCO")},
}
