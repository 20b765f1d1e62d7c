"""Bounds on the effective moduli and thermal expansion of a composite (pure NumPy).

Voigt / Reuss (Hill, Proc. Phys. Soc. A 65 (1952) 349): the effective stiffness of any geometry
satisfies C* <= <C> and C*^-1 <= <C^-1> (quadratic forms), so its Voigt-type bulk and shear
averages K_V* = C*_iijj / 9 and G_V* = Tr(Lambda_s C*) / 10 lie below <K_V,i>, <G_V,i>, and its
Reuss-type averages K_R* = 1 / S*_iijj and G_R* = 5 / (2 Tr(Lambda_s S*)) above <1/K_R,i>^-1,
<1/G_R,i>^-1, where K_V,i ... G_R,i are the same averages of each phase's (crystal) stiffness:
rigorous for anisotropic crystals in any orientation too (the averages are rotation invariants).

Hashin-Shtrikman (J. Mech. Phys. Solids 11 (1963) 127), for isotropic phases, in the form of
Milton, The Theory of Composites (2002), Sec. 23.4 (any number of phases, well ordered or not):
    K(z) = <1 / (K_i + 4 z / 3)>^-1 - 4 z / 3,   K_HS- = K(G_min), K_HS+ = K(G_max)
    G(z) = <1 / (G_i + z)>^-1 - z,               G_HS- = G(zeta(K_min, G_min)), G_HS+ = G(zeta(K_max, G_max))
    zeta(K, G) = G / 6 (9 K + 8 G) / (K + 2 G)
They bound the moduli of an isotropic composite. For a box of any (anisotropic) geometry they
bound its Voigt- and Reuss-type averages: K_HS- <= K_R* <= K_V* <= K_HS+ and
G_HS- <= G_R* <= G_V* <= G_HS+. In the HS variational principle with phase-wise constant
polarisations t_i I (bulk) or t_i D_a summed over an orthonormal basis D_1..D_5 of deviatoric
tensors (shear), the geometry enters only through I : Gamma0(n) : I and Tr(Lambda_s Gamma0(n)),
which do not depend on the direction n for an isotropic reference medium; the bound is then the
one of the isotropic composite (the trace bounds of Milton & Kohn, J. Mech. Phys. Solids 36 (1988)
597, in their simplest form; the bulk case is Hill, J. Mech. Phys. Solids 11 (1963) 357).
Crystal phases (anisotropic stiffness) have no isotropic HS bound; the practical choice (Watt,
Davies & O'Connell, Rev. Geophys. 14 (1976) 541; Watt & Peselnick, J. Appl. Phys. 51 (1980) 1525
for the rigorous HS bounds of hexagonal polycrystals) used here: each crystal's Voigt moduli in
the upper and its Reuss moduli in the lower bound; these are labelled not rigorous.

Levin, Mech. Solids 2 (1967) 58: for two isotropic phases the effective CTE tensor is exactly
    alpha* = alpha_1 I + (alpha_2 - alpha_1) (S* : I - I / (3 K_1)) / (1 / (3 K_2) - 1 / (3 K_1)),
so its volumetric mean tr(alpha*) / 3 = levin_cte(K_R*) for any geometry; with
K_HS- <= K_R* <= K_HS+ it is bounded (Rosen & Hashin, Int. J. Eng. Sci. 8 (1970) 157).
Pores are a phase with K = G = 0 (the lower bounds are then 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["hashin_shtrikman", "levin_cte", "voigt_reuss", "window_check"]


def _mean_inverse(values: np.ndarray, f: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        inv = np.where(values > 0, 1.0 / np.where(values > 0, values, 1.0), np.inf)
    s = float(np.sum(f * inv))
    return 0.0 if not np.isfinite(s) else 1.0 / s


def hashin_shtrikman(K: Sequence[float], G: Sequence[float], f: Sequence[float]) -> dict[str, float]:
    """HS bounds (Pa) of the bulk and shear moduli: keys K_lower, K_upper, G_lower, G_upper."""
    K, G, f = (np.asarray(a, dtype=float) for a in (K, G, f))
    f = f / f.sum()

    def bulk(z: float) -> float:
        return _mean_inverse(K + 4.0 * z / 3.0, f) - 4.0 * z / 3.0

    def shear(z: float) -> float:
        return _mean_inverse(G + z, f) - z

    def zeta(k: float, g: float) -> float:
        return 0.0 if g == 0.0 else g / 6.0 * (9.0 * k + 8.0 * g) / (k + 2.0 * g)

    return {"K_lower": max(bulk(G.min()), 0.0), "K_upper": bulk(G.max()),
            "G_lower": max(shear(zeta(K.min(), G.min())), 0.0), "G_upper": shear(zeta(K.max(), G.max()))}


def voigt_reuss(K_V: Sequence[float], G_V: Sequence[float], K_R: Sequence[float], G_R: Sequence[float],
                f: Sequence[float]) -> dict[str, float]:
    """Voigt (upper) and Reuss (lower) bounds (Pa) from each phase's Voigt/Reuss-type moduli and fractions."""
    f = np.asarray(f, dtype=float)
    f = f / f.sum()
    return {"K_lower": _mean_inverse(np.asarray(K_R, dtype=float), f), "K_upper": float(f @ np.asarray(K_V, dtype=float)),
            "G_lower": _mean_inverse(np.asarray(G_R, dtype=float), f), "G_upper": float(f @ np.asarray(G_V, dtype=float))}


def levin_cte(K_eff: float, K: Sequence[float], alpha: Sequence[float]) -> float:
    """Effective volumetric CTE (1/K, linear) of two isotropic phases with effective bulk modulus K_eff."""
    (K1, K2), (a1, a2) = K, alpha
    return a1 + (a2 - a1) * (1.0 / K_eff - 1.0 / K1) / (1.0 / K2 - 1.0 / K1)


def window_check(value: float, lower: float, upper: float) -> dict:
    """Where a value lies in [lower, upper]: position 0 at lower, 1 at upper; within (bool)."""
    width = upper - lower
    return {"value": float(value), "lower": float(lower), "upper": float(upper),
            "position": float((value - lower) / width) if width > 0 else None,
            "within": bool(lower <= value <= upper)}
