"""Hashin-Shtrikman bounds of isotropic phases and Levin's two-phase CTE relation (pure NumPy).

Hashin & Shtrikman, J. Mech. Phys. Solids 11 (1963) 127; in the form of Milton, The Theory of
Composites (2002), Sec. 23.4 (any number of isotropic phases, well ordered or not):
    K(z) = <1 / (K_i + 4 z / 3)>^-1 - 4 z / 3,   K_HS- = K(G_min), K_HS+ = K(G_max)
    G(z) = <1 / (G_i + z)>^-1 - z,               G_HS- = G(zeta(K_min, G_min)), G_HS+ = G(zeta(K_max, G_max))
    zeta(K, G) = G / 6 (9 K + 8 G) / (K + 2 G)
Levin, Mech. Solids 2 (1967) 58 (two isotropic phases, exact given the effective bulk modulus):
    alpha = alpha_1 + (alpha_2 - alpha_1) (1/K - 1/K_1) / (1/K_2 - 1/K_1);
with the HS bulk bounds it bounds the effective volumetric CTE (Rosen & Hashin, Int. J. Eng. Sci. 8
(1970) 157). Pores are a phase with K = G = 0 (the lower bounds are then 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["hashin_shtrikman", "levin_cte"]


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


def levin_cte(K_eff: float, K: Sequence[float], alpha: Sequence[float]) -> float:
    """Effective volumetric CTE (1/K, linear) of two isotropic phases with effective bulk modulus K_eff."""
    (K1, K2), (a1, a2) = K, alpha
    return a1 + (a2 - a1) * (1.0 / K_eff - 1.0 / K1) / (1.0 / K2 - 1.0 / K1)
