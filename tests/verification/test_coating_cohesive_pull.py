"""A cohesive law on one side of a thin coating: the series law against its exact values (issue 15).

A bilinear law (penalty K, strength s, final opening d_f = 2 G_c / s) in series with a linear spring k is
again bilinear with penalty K k / (K + k), the same strength and final opening, hence the same G_c
(physics/cohesive/series.py). The two-block pull of test_cohesive_pull.py (blocks 1000x stiffer than the
interface) with the law of verification.cohesive_pull.coated_law: K = 1e17 Pa/m and a coating spring
k_n = 1e17, k_t = 4e16 Pa/m (a compliant coating, so that it matters: K_n,eff = K / 2).

Requirements and tolerances:
* S1 Mode I: the initial interface stiffness (mean normal traction / opening at half the onset) is
  K k_n / (K + k_n) within 1e-6; the peak traction is the normal strength within 1e-3 (a prescribed
  displacement sits exactly on the peak); the dissipated energy and the external work are G_Ic A within 1 %;
  the interface ends fully debonded.
* S2 Mode II (simple shear of the blocks, not exactly uniform: the tolerances of test_cohesive_pull.py): initial
  shear stiffness K k_t / (K + k_t) within 1 %, peak force S A within 1 %, dissipated energy G_IIc A within 2 %.
* S3 Serial and `mpiexec -n 2` give the same mode I curve and interface statistics (1e-6 relative), the
  partition cutting through the interface.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import MPIEXEC, _env
from stressfem.physics.cohesive import BilinearMixedMode
from stressfem.verification.cohesive_pull import COATING_KN, COATING_KT, coated_law, run_pull

BIL = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                        GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
LAW = coated_law(BIL)
K = BIL.penalty_stiffness_Pa_per_m
L = 1e-6  # block length (m), both blocks
E = 1e3 * LAW.normal_penalty_Pa_per_m * 2 * L


def _targets(strength: float, k_eff: float, gc: float, block_modulus: float) -> tuple[np.ndarray, int]:
    """Displacements of the far face: half the onset, a fine bracket with one exactly at the peak, then to
    1.05 d_f; and the index of the peak one. The blocks add strength 2 L / modulus at the peak."""
    d0, df = strength / k_eff, 2 * gc / strength
    peak = d0 + strength * 2 * L / block_modulus
    return np.concatenate([[0.5 * d0], peak * np.array([0.99, 0.995, 1.0]), np.linspace(1.05 * d0, 1.05 * df, 25)]), 3


def _work(out) -> float:
    u = np.array([0.0] + [r["displacement_m"] for r in out["rows"]])
    F = np.array([0.0] + [r["force_N"] for r in out["rows"]])
    return float(np.sum(0.5 * (F[1:] + F[:-1]) * np.diff(u)))


def test_mode_one_pull_through_a_coating():
    Keff = K * COATING_KN / (K + COATING_KN)
    assert LAW.normal_penalty_Pa_per_m == pytest.approx(Keff, rel=1e-14)
    targets, i_peak = _targets(BIL.normal_strength_Pa, Keff, BIL.GIc_J_per_m2, E)
    out = run_pull(LAW, (1.0, 0.0, 0.0), targets, cells_per_width=2, youngs_modulus_Pa=E)
    rows, A = out["rows"], out["area_m2"]
    first = rows[0]
    assert first["mean_normal_traction_Pa"] / first["max_opening_m"] == pytest.approx(Keff, rel=1e-6)
    peak = max(r["max_normal_traction_Pa"] for r in rows)
    assert rows[i_peak]["max_normal_traction_Pa"] == peak
    assert peak == pytest.approx(BIL.normal_strength_Pa, rel=1e-3), peak
    gc = BIL.GIc_J_per_m2 * A
    assert rows[-1]["dissipated_energy_J"] == pytest.approx(gc, rel=0.01)
    assert _work(out) == pytest.approx(gc, rel=0.01)
    assert rows[-1]["debonded_fraction"] == 1.0 and rows[0]["damaged_fraction"] == 0.0


def test_mode_two_pull_through_a_coating():
    Keff = K * COATING_KT / (K + COATING_KT)
    assert LAW.shear_penalty_Pa_per_m == pytest.approx(Keff, rel=1e-14)
    targets, _ = _targets(BIL.shear_strength_Pa, Keff, BIL.GIIc_J_per_m2, E / 2)
    out = run_pull(LAW, (0.0, 1.0, 0.0), targets, cells_per_width=2, youngs_modulus_Pa=E)
    rows, A = out["rows"], out["area_m2"]
    u0 = rows[0]["displacement_m"] - rows[0]["force_N"] * 2 * L / (A * E / 2)  # the interface's share of the jump
    assert rows[0]["force_N"] / (A * u0) == pytest.approx(Keff, rel=0.01)
    assert max(r["force_N"] for r in rows) == pytest.approx(BIL.shear_strength_Pa * A, rel=0.01)
    assert rows[-1]["dissipated_energy_J"] == pytest.approx(BIL.GIIc_J_per_m2 * A, rel=0.02)
    assert rows[-1]["debonded_fraction"] == 1.0


@pytest.mark.mpi
def test_coated_pull_serial_equals_mpi():
    if MPIEXEC is None:
        pytest.skip("mpiexec not found")
    cmd = [sys.executable, "-m", "stressfem.verification.cohesive_pull", "--cut", "--coated"]
    res = []
    for full in (cmd, [MPIEXEC, "-n", "2", *cmd]):
        proc = subprocess.run(full, capture_output=True, text=True, timeout=600, env=_env(), check=True)
        res.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    serial, parallel = res
    assert min(parallel["interface_facets_per_rank"]) > 0 and sum(parallel["cut_interface_facets_per_rank"]) > 0
    assert len(serial["rows"]) == len(parallel["rows"])
    assert serial["rows"][-1]["debonded_fraction"] == 1.0
    for s, p in zip(serial["rows"], parallel["rows"]):
        for key in ("force_N", "damaged_fraction", "debonded_fraction", "max_opening_m", "dissipated_energy_J",
                    "mean_normal_traction_Pa"):
            assert p[key] == pytest.approx(s[key], rel=1e-6, abs=1e-6 * max(abs(s[key]), 1e-20) + 1e-30), key
