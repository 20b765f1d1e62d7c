"""Material-point verification of the cohesive laws (NumPy backend = the code the solver uses).

Requirements and tolerances:
* C1 Under monotonic mode I and mode II opening the peak traction equals the strength within 1 %.
* C2 The work of the traction over the opening path up to complete separation equals G_c within 2 %.
* C3 Unloading from the softening branch follows the damaged secant to the origin, and
  reloading retraces it (irreversible damage, d = max(d, d_old)).
* C4 Compression causes no damage and the normal traction is the contact penalty K jn,
  also on a fully debonded interface.
* C5 Bilinear mixed mode: onset follows the Camanho-Davila quadratic criterion and the
  dissipated energy at fixed mixity equals the Benzeggagh-Kenane G_c(B) within 2 %.
* C6 Viscous regularisation delays damage and converges to the rate-independent law as dt grows.
"""

from __future__ import annotations

import numpy as np
import pytest

from stressfem.physics.cohesive import BilinearMixedMode, Exponential

BIL = dict(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
           GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
EXP = dict(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6, GIc_J_per_m2=2.0)


def drive(law, path):
    """Follow a jump path (n, 3) [jn, js1, js2]; returns tractions (n, 3) and histories."""
    h = 0.0
    out, hs = [], []
    for jn, j1, j2 in path:
        tn, t1, t2, h = law.traction(jn, j1, j2, h)
        out.append((tn, t1, t2))
        hs.append(float(h))
    return np.array(out, dtype=float), np.array(hs)


def work(path, traction):
    """Trapezoidal integral of traction . d(jump) (J/m2)."""
    dj = np.diff(path, axis=0)
    tm = 0.5 * (traction[1:] + traction[:-1])
    return float(np.sum(tm * dj))


def ramp(direction, jmax, n=20001):
    s = np.linspace(0.0, jmax, n)
    return s[:, None] * np.asarray(direction, dtype=float)[None, :]


LAWS = [("bilinear", BilinearMixedMode(**BIL)), ("exponential", Exponential(**EXP))]


@pytest.mark.parametrize("name,law", LAWS)
@pytest.mark.parametrize("mode", ["I", "II"])
def test_peak_and_energy(name, law, mode):
    direction, comp, strength = ((1, 0, 0), 0, law.normal_strength_Pa) if mode == "I" else ((0, 1, 0), 1, law.shear_strength_Pa)
    gc = law.GIc_J_per_m2 if (mode == "I" or name == "exponential") else law.GIIc_J_per_m2
    jmax = (2.0 * gc / strength * 1.2) if name == "bilinear" else 30.0 * gc / (np.e * strength)
    path = ramp(direction, jmax)
    t, h = drive(law, path)
    assert abs(t[:, comp].max() - strength) / strength < 0.01
    assert abs(work(path, t) - gc) / gc < 0.02
    assert law.damage(h[-1]) == pytest.approx(1.0)


@pytest.mark.parametrize("name,law", LAWS)
def test_unloading_follows_damaged_secant(name, law):
    j_peak = 2 * (law.normal_strength_Pa / law.penalty_stiffness_Pa_per_m if name == "bilinear" else law.dn)
    j_soft = 3.0 * j_peak
    up = ramp((1, 0, 0), j_soft, 2001)
    down = up[::-1]
    path = np.vstack([up, down[1:], up[1:]])
    t, h = drive(law, path)
    t_top = t[len(up) - 1, 0]
    secant = t_top / j_soft
    n = len(up)
    # unloading and reloading: on the secant; damage frozen
    # (atol: the contact switch at jn = 0 is smoothed over 1e-3 reference openings)
    assert np.allclose(t[n:, 0], secant * path[n:, 0], rtol=1e-9, atol=1e-3 * law.normal_strength_Pa)
    assert np.all(h[n:] == h[n - 1])
    assert law.damage(h[n - 1]) > 0


@pytest.mark.parametrize("name,law", LAWS)
def test_compression_does_not_damage(name, law):
    K = law.penalty_stiffness_Pa_per_m
    path = ramp((-1, 0, 0), 100 * law.normal_strength_Pa / K)
    t, h = drive(law, path)
    assert np.all(law.damage(h) == 0.0)
    assert np.allclose(t[:, 0], K * path[:, 0], atol=1e-3 * law.normal_strength_Pa)  # smoothed switch at 0
    # a fully debonded interface still carries compression by contact
    tn, *_ = law.traction(-1e-9, 0.0, 0.0, 1.0 if name == "bilinear" else 25.0)
    assert tn == pytest.approx(-K * 1e-9)


@pytest.mark.parametrize("beta", [0.3, 1.0, 3.0])
def test_bilinear_mixed_mode_bk(beta):
    law = BilinearMixedMode(**BIL)
    K, N, S = law.penalty_stiffness_Pa_per_m, law.normal_strength_Pa, law.shear_strength_Pa
    direction = np.array([1.0, beta, 0.0]) / np.hypot(1.0, beta)
    B = beta ** 2 / (1 + beta ** 2)
    gc = BIL["GIc_J_per_m2"] + (BIL["GIIc_J_per_m2"] - BIL["GIc_J_per_m2"]) * B ** BIL["bk_exponent"]
    path = ramp(direction, 1.2 * 2 * gc / min(N, S))
    t, h = drive(law, path)
    assert abs(work(path, t) - gc) / gc < 0.02
    # onset: the tractions at the onset jump meet the quadratic criterion (tn/N)^2 + (ts/S)^2 = 1,
    # damage starts there and not before
    j0 = law.onset_jump(B) * direction
    tn, ts, _, d = law.traction(*j0, 0.0)
    assert (tn / N) ** 2 + (ts / S) ** 2 == pytest.approx(1.0, rel=1e-6)
    assert law.traction(*(0.999 * j0), 0.0)[3] == 0.0 and law.traction(*(1.001 * j0), 0.0)[3] > 0.0


def test_viscous_regularisation_converges():
    law = BilinearMixedMode(**BIL, viscosity_s=1e-3)
    plain = BilinearMixedMode(**BIL)
    j = 3 * law.normal_strength_Pa / law.penalty_stiffness_Pa_per_m
    d_plain = plain.history(j, 0.0, 0.0, 0.0)
    slow = law.history(j, 0.0, 0.0, 0.0, dt_s=1e-3)
    assert 0 < slow < d_plain
    assert law.history(j, 0.0, 0.0, 0.0, dt_s=1e3) == pytest.approx(d_plain, rel=1e-5)


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="too small"):
        BilinearMixedMode(**{**BIL, "penalty_stiffness_Pa_per_m": 1e12})
    with pytest.raises(ValueError, match="positive"):
        Exponential(**{**EXP, "GIc_J_per_m2": 0.0})


def test_rate_independent_dissipation():
    """Rate-independent dissipation (the reference of the viscous share): 0 undamaged, G_c at complete
    separation (bilinear at d = 1 in mode I and II: G_Ic, G_IIc; exponential as lam -> 20: within
    1e-6 of G_c), monotone in the history; equal to the traction work minus the recoverable energy of a
    monotone mode I path (bilinear, d = 0.5: 1e-9 relative)."""
    from stressfem.physics.cohesive import BilinearMixedMode, Exponential

    bil = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                            GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0)
    one, zero = np.ones(1), np.zeros(1)
    jn = np.array([1e-8])
    assert bil.rate_independent_dissipation(zero, jn, zero, zero)[0] == 0.0
    assert bil.rate_independent_dissipation(one, jn, zero, zero)[0] == pytest.approx(2.0, rel=1e-9)
    assert bil.rate_independent_dissipation(one, zero, jn, zero)[0] == pytest.approx(5.0, rel=1e-6)
    # mode I path to d = 0.5: work under the bilinear curve minus 0.5 t delta
    K, N, G = 1e17, 100e6, 2.0
    d0, df = N / K, 2 * G / N
    delta = df * d0 / (df - 0.5 * (df - d0))
    work = 0.5 * N * d0 + 0.5 * (N + N * (df - delta) / (df - d0)) * (delta - d0)
    t = 0.5 * K * delta
    assert bil.rate_independent_dissipation(0.5 * one, np.array([delta]), zero, zero)[0] == pytest.approx(
        work - 0.5 * t * delta, rel=1e-9)
    exp = Exponential(penalty_stiffness_Pa_per_m=1e18, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                      GIc_J_per_m2=2.0)
    lam = np.array([0.0, 0.5, 1.0, 3.0, 20.0])
    phi = exp.rate_independent_dissipation(lam, lam * 0, lam * 0, lam * 0)
    assert phi[0] == 0.0 and np.all(np.diff(phi) > 0) and phi[-1] == pytest.approx(2.0, rel=1e-6)
