"""Bounds on effective moduli and thermal expansion (homogenize/bounds.py), against closed forms.

Requirements:
* R1 For a laminate of two isotropic phases (the most anisotropic two-phase geometry; exact
  stiffness by Backus' formulas) the Voigt- and Reuss-type bulk and shear averages of the exact
  effective stiffness satisfy K_HS- <= K_R <= K_V <= K_HS+ and G_HS- <= G_R <= G_V <= G_HS+ (the
  bounds hold for any geometry, docs/periodic.md), over volume fractions 0.1..0.9, both orderings
  of the phases and a non-well-ordered pair; and the HS window lies inside the Voigt-Reuss window.
  The laminate's volumetric CTE from Levin's exact relation with K_R lies inside the Levin/HS
  bounds and equals the exact laminate value (1e-12).
* R2 Voigt/Reuss-type averages of a crystal stiffness are rotation invariants (1e-12), reduce to
  K and G for an isotropic crystal (1e-12), and the crystal's Voigt moduli exceed its Reuss moduli.
* R3 window_check: position 0 at the lower and 1 at the upper bound, within only inside.
"""

from __future__ import annotations

import numpy as np
import pytest

from stressfem.homogenize.bounds import hashin_shtrikman, levin_cte, voigt_reuss, window_check
from stressfem.homogenize.effective import isotropic_moduli
from stressfem.verification.periodic_cells import isotropic_voigt, laminate_effective

PAIRS = [((150e9, 0.25), (40e9, 0.35)),   # well ordered: stiff phase has the larger K and G
         ((40e9, 0.35), (150e9, 0.25)),   # the same, phases swapped
         ((100e9, 0.45), (120e9, 0.1))]   # not well ordered: larger K, smaller G


def _kg(E: float, nu: float) -> tuple[float, float]:
    return E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("f1", [0.1, 0.35, 0.5, 0.9])
def test_laminate_averages_within_hashin_shtrikman(pair, f1):
    (E1, nu1), (E2, nu2) = pair
    f = [f1, 1 - f1]
    alphas = [13e-6, 15e-6]
    C_ph = [isotropic_voigt(E1, nu1), isotropic_voigt(E2, nu2)]
    C, b = laminate_effective(C_ph, [Ck @ np.r_[1, 1, 1, 0, 0, 0] * a for Ck, a in zip(C_ph, alphas)], f)
    iso = isotropic_moduli(C)
    K, G = zip(_kg(E1, nu1), _kg(E2, nu2))
    hs, vr = hashin_shtrikman(K, G, f), voigt_reuss(K, G, K, G, f)
    eps = 1e-12 * max(K)
    for q in ("K", "G"):
        lo, hi = hs[f"{q}_lower"], hs[f"{q}_upper"]
        reuss, voigt = iso[f"{q}_from_compliance_Pa"], iso[f"{q}_from_C_Pa"]
        assert vr[f"{q}_lower"] - eps <= lo <= reuss + eps
        assert reuss <= voigt + eps
        assert voigt <= hi + eps <= vr[f"{q}_upper"] + 2 * eps
    assert abs(iso["G_from_C_Pa"] - iso["G_from_compliance_Pa"]) > 1e-4 * max(G)  # the laminate is anisotropic
    # Levin: volumetric CTE of the exact laminate (free expansion E = C^-1 b per unit dT) from K_R
    E = np.linalg.solve(C, b)
    alpha_vol = E[:3].mean()
    assert abs(alpha_vol - levin_cte(iso["K_from_compliance_Pa"], K, alphas)) < 1e-12 * alpha_vol
    lo, hi = sorted(levin_cte(hs[k], K, alphas) for k in ("K_lower", "K_upper"))
    assert lo - 1e-12 * hi <= alpha_vol <= hi + 1e-12 * hi


def test_crystal_averages_are_invariants():
    from stressfem.physics.elasticity import frame_from_axis, rotate_voigt, transversely_isotropic_voigt

    crystal = transversely_isotropic_voigt(270e9, 90e9, 70e9, 180e9, 60e9)  # test constants
    ref = isotropic_moduli(crystal)
    axes = np.random.default_rng(3).normal(size=(5, 3))
    for Cr in rotate_voigt(crystal, frame_from_axis(axes)):
        iso = isotropic_moduli(Cr)
        for k, v in ref.items():
            assert abs(iso[k] - v) < 1e-12 * v
    assert ref["K_from_C_Pa"] > ref["K_from_compliance_Pa"] and ref["G_from_C_Pa"] > ref["G_from_compliance_Pa"]
    E, nu = 163e9, 0.257
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    iso = isotropic_moduli(transversely_isotropic_voigt(lam + 2 * mu, lam, lam, lam + 2 * mu, mu))
    K, G = _kg(E, nu)
    for kind in ("from_C", "from_compliance"):
        assert abs(iso[f"K_{kind}_Pa"] - K) < 1e-12 * K and abs(iso[f"G_{kind}_Pa"] - G) < 1e-12 * G


def test_window_check():
    assert window_check(1.0, 1.0, 3.0)["position"] == 0.0 and window_check(3.0, 1.0, 3.0)["position"] == 1.0
    assert window_check(2.0, 1.0, 3.0) == {"value": 2.0, "lower": 1.0, "upper": 3.0, "position": 0.5, "within": True}
    assert not window_check(3.0 + 1e-9, 1.0, 3.0)["within"] and not window_check(0.5, 1.0, 3.0)["within"]
