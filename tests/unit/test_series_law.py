"""The series law of a thin coating at a material point (physics/cohesive/series.py) against the two-element system.

The system: a bilinear law (penalty K) on the cohesive jump d_c in series with a linear spring k, the same
traction t in both, total jump d = d_c + t / k. Walking d_c along the bilinear curve gives (d, t) pairs; the
series law must give t at d, in mode I (normal) and mode II (shear, its own spring k_t).

Requirements and tolerances (NumPy, no mesh; under 1 s):
* U1 Loading through the peak and the softening branch: the series law's traction equals the system's
  within 5e-7 of the strength (the bilinear law's smoothed opening bracket, width 1e-3 N/K, shifts the
  normal traction by at most (1e-3)^2 N / 4 past the onset) plus the law's residual stiffness
  (RESIDUAL_STIFFNESS = 1e-8 of the penalty, kept after damage: at most 4e-7 of the strength here),
  mode I and mode II; the peak is the strength (1e-9).
* U2 Unloading from the softening branch: the secant of the series law equals the system's,
  1 / (1 / ((1 - d_c) K) + 1 / k) (1e-6 relative, the residual stiffness again).
* U3 Which side governs: the one weaker in both strengths, a missing side being bonded; equal strengths: the
  smaller G_Ic; neither weaker: None. The exponential law and a snap-back (series stiffness below
  strength^2 / (2 G_c)) are ValueErrors; two springs give the spring of the three compliances (exact).
* U4 Mixed mode (the documented approximation, r = K_t / K_n = 0.571 here): on a proportional path the work to
  separation is [G_Ic + (r G_IIc - G_Ic) B^eta] (1 - B + B / r), B = r^2 js^2 / (jn^2 + r^2 js^2) the mixity
  the law sees (1e-3, trapezoidal work on 4000 steps), and so is rate_independent_dissipation at d = 1 (1e-12);
  it is 1.4 % above B-K at the path's energy mixity r / (1 + r) (the size of the approximation here).
"""

from __future__ import annotations

import numpy as np
import pytest

from stressfem.physics.cohesive import BilinearMixedMode, Exponential, LinearSpring
from stressfem.physics.cohesive.base import RESIDUAL_STIFFNESS
from stressfem.physics.cohesive.series import SeriesBilinear, governs, series_law

BIL = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                        GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0)
KN, KT = 1e17, 0.4e17


def system_curve(mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(total jump, traction, damage of the cohesive element) along the two-element system's loading path."""
    K = BIL.penalty_stiffness_Pa_per_m
    s, G, k = (BIL.normal_strength_Pa, BIL.GIc_J_per_m2, KN) if mode == "I" else (BIL.shear_strength_Pa,
                                                                                   BIL.GIIc_J_per_m2, KT)
    d0, df = s / K, 2 * G / s
    dc = np.concatenate([np.linspace(0.0, d0, 50)[1:], np.linspace(d0, 0.999 * df, 400)[1:]])
    t = np.where(dc <= d0, K * dc, s * (df - dc) / (df - d0))
    damage = np.where(dc <= d0, 0.0, 1.0 - t / (K * dc))
    return dc + t / k, t, damage


def walk(law, mode: str, jumps: np.ndarray) -> np.ndarray:
    h, out = np.zeros(1), []
    for d in jumps:
        jn, js = (d, 0.0) if mode == "I" else (0.0, d)
        tn, t1, _, h = law.traction(np.array([jn]), np.array([js]), np.zeros(1), h)
        out.append(tn[0] if mode == "I" else t1[0])
    return np.array(out)


@pytest.mark.parametrize("mode", ["I", "II"])
def test_loading_and_unloading_match_the_two_element_system(mode):
    law = series_law(BIL, None, KN, KT)
    assert isinstance(law, SeriesBilinear)
    d, t, damage = system_curve(mode)
    strength = BIL.normal_strength_Pa if mode == "I" else BIL.shear_strength_Pa
    got = walk(law, mode, d)
    k_eff = law.normal_penalty_Pa_per_m if mode == "I" else law.shear_penalty_Pa_per_m
    assert np.all(np.abs(got - t) <= 5e-7 * strength + RESIDUAL_STIFFNESS * k_eff * d)
    assert got.max() == pytest.approx(strength, rel=1e-9) and np.argmax(got) == np.argmax(t)
    i = 300  # on the softening branch: unload to half the jump
    k, K = (KN if mode == "I" else KT), BIL.penalty_stiffness_Pa_per_m
    secant = 1.0 / (1.0 / ((1 - damage[i]) * K) + 1.0 / k)
    back = walk(law, mode, np.concatenate([d[: i + 1], [0.5 * d[i]]]))[-1]
    assert 0.5 < damage[i] < 1.0
    assert back / (0.5 * d[i]) == pytest.approx(secant, rel=1e-6)


def test_governing_side_and_refusals():
    weak = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=50e6, shear_strength_Pa=80e6,
                             GIc_J_per_m2=1.0, GIIc_J_per_m2=1.0)
    strong = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                               GIc_J_per_m2=2.0, GIIc_J_per_m2=2.0)
    mixed = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=40e6, shear_strength_Pa=200e6,
                              GIc_J_per_m2=2.0, GIIc_J_per_m2=2.0)
    spring = LinearSpring(normal_stiffness_Pa_per_m=3e18, shear_stiffness_Pa_per_m=1e18)
    assert governs(weak, strong) is True and governs(strong, weak) is False
    assert governs(weak, None) is True and governs(None, weak) is False
    assert governs(spring, weak) is False and governs(mixed, weak) is None
    tougher = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=50e6, shear_strength_Pa=80e6,
                                GIc_J_per_m2=3.0, GIIc_J_per_m2=3.0)
    assert governs(tougher, weak) is False and governs(weak, tougher) is True
    exp = Exponential(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=1e8, shear_strength_Pa=1e8, GIc_J_per_m2=2.0)
    with pytest.raises(ValueError, match="no linear elastic branch"):
        series_law(exp, None, KN, KT)
    with pytest.raises(ValueError, match="snap back"):  # K_eff = 5e16 < N^2 / (2 G) = 1e17
        series_law(BilinearMixedMode(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=1e9, shear_strength_Pa=1e9,
                                     GIc_J_per_m2=5.0, GIIc_J_per_m2=5.0), None, 5.3e16, 5.3e16)
    both = series_law(spring, LinearSpring(normal_stiffness_Pa_per_m=2e18, shear_stiffness_Pa_per_m=4e18), KN, KT)
    assert isinstance(both, LinearSpring)
    assert both.normal_stiffness_Pa_per_m == pytest.approx(1 / (1 / 3e18 + 1 / 2e18 + 1 / KN), rel=1e-14)
    assert both.shear_stiffness_Pa_per_m == pytest.approx(1 / (1 / 1e18 + 1 / 4e18 + 1 / KT), rel=1e-14)


def test_mixed_mode_work_is_the_documented_approximation():
    law = series_law(BIL, None, KN, KT)  # K_n = 5e16, K_t = 2.86e16 Pa/m: r = 0.571
    r = law.ratio
    direction = np.array([1.0, 1.0]) / np.sqrt(2.0)  # jn = js
    B = r ** 2 / (1.0 + r ** 2)
    expected = (BIL.GIc_J_per_m2 + (r * BIL.GIIc_J_per_m2 - BIL.GIc_J_per_m2) * B ** BIL.bk_exponent) * (1 - B + B / r)
    s = np.linspace(0.0, 2.0 * 2 * BIL.GIIc_J_per_m2 / BIL.normal_strength_Pa, 4001)
    h, tn, ts = np.zeros(1), [], []
    for x in s:
        a, b, _, h = law.traction(np.array([x * direction[0]]), np.array([x * direction[1]]), np.zeros(1), h)
        tn.append(a[0]), ts.append(b[0])
    assert h[0] == 1.0
    power = np.array(tn) * direction[0] + np.array(ts) * direction[1]
    work = float(np.sum(0.5 * (power[1:] + power[:-1]) * np.diff(s)))
    assert work == pytest.approx(expected, rel=1e-3), (work, expected)
    jn, js = np.array([s[-1] * direction[0]]), np.array([s[-1] * direction[1]])
    assert law.rate_independent_dissipation(np.ones(1), jn, js, np.zeros(1))[0] == pytest.approx(expected, rel=1e-12)
    # against B-K at the energy mixity of this path, K_t js^2 / (K_n jn^2 + K_t js^2) = r / (1 + r): +1.4 %
    assert expected / BIL.critical_energy(r / (1 + r)) == pytest.approx(1.0142, abs=1e-3)
