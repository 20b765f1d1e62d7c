"""Verification of cohesive interfaces inside periodic volumes (solver/cohesive/periodic.py).

Periodic sandwich (stressfem/verification/periodic_cohesive.py): layer A (one body across the
periodic z faces) and layer B, E 150 / 75 GPa, nu 0.3 / 0.15 (nu / E equal: uniaxial stress stays
uniaxial), cohesive surfaces ``weak`` (bilinear, K = 1e17 Pa/m, 100 MPa, G_Ic = 2 J/m2) and
``strong`` (same K, strengths 1e11 Pa: linear), L = 1 um, E_eff = 100 GPa.

Requirements and tolerances:
* PC1 Macroscopic strain E_zz prescribed through the peak and the softening branch, the other five
  macroscopic stresses zero (mixed loading, Schur complement): at every step Sigma_zz equals the
  normal traction of both interfaces (1e-8 of the strength), E_zz = Sigma_zz / E_eff +
  (delta_weak + delta_strong) / L (1e-8 of E_zz), E_xx = E_yy = -nu_A Sigma_zz / E_A (1e-8), the
  weak traction follows the bilinear law at its opening (1e-6 of the strength); the peak Sigma_zz
  is the strength (1 %), the dissipated energy of the weak interface and the external work
  V int Sigma_zz dE_zz are G_Ic A (1 %).
* PC2 Sigma_zz prescribed (50 and 90 MPa, all other stresses zero): E_zz = Sigma_zz / E_eff +
  2 Sigma_zz / (K L) (1e-8), in one step per increment and in four sub-steps (the targets ramped
  over the sub-steps from the value reached).
* PC3 Serial and `mpiexec -n 2` give the same macroscopic stresses, openings and dissipated energies
  (1e-6 of the strength / of G_Ic A).
* PC5 linear_solver = "iterative" (GMRES + GAMG on P^T J P) equals the direct solve (1e-6), on a finer
  sandwich through the peak and softening.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import MPIEXEC, _env
from stressfem.physics.cohesive import BilinearMixedMode
from stressfem.solver.cohesive import StepControl
from stressfem.verification.periodic_cohesive import MATERIALS, effective_modulus, run_laminate

K, STRENGTH, GIC, L = 1e17, 100e6, 2.0, 1e-6
AREA = L * L
WEAK = BilinearMixedMode(penalty_stiffness_Pa_per_m=K, normal_strength_Pa=STRENGTH, shear_strength_Pa=150e6,
                         GIc_J_per_m2=GIC, GIIc_J_per_m2=5.0, bk_exponent=1.45)
STRONG = BilinearMixedMode(penalty_stiffness_Pa_per_m=K, normal_strength_Pa=1e11, shear_strength_Pa=1e11,
                           GIc_J_per_m2=1e6, GIIc_J_per_m2=1e6, bk_exponent=1.45)


def _bilinear(delta: float) -> float:
    d0, df = STRENGTH / K, 2.0 * GIC / STRENGTH
    return K * delta if delta <= d0 else STRENGTH * max(df - delta, 0.0) / (df - d0)


def test_strain_ramp_through_softening():
    E_eff = effective_modulus(L)
    d0, df = STRENGTH / K, 2.0 * GIC / STRENGTH
    peak = STRENGTH / E_eff + 2.0 * d0 / L
    ezz = np.concatenate([[0.5 * peak, 0.99 * peak, peak],
                          np.linspace(d0 + 0.05 * (df - d0), 1.05 * df, 20) / L + STRENGTH / (K * L)])
    out = run_laminate(WEAK, STRONG, ezz=ezz)
    S, E = [0.0], [0.0]
    nu_a, E_a = MATERIALS[0].poisson_ratio, MATERIALS[0].youngs_modulus_Pa
    for r in out["rows"]:
        s, e = np.array(r["stress_Pa"]), np.array(r["strain"])
        szz, w, st = s[2, 2], r["weak"], r["strong"]
        assert abs(w["traction_Pa"] - szz) < 1e-8 * STRENGTH and abs(st["traction_Pa"] - szz) < 1e-8 * STRENGTH
        assert abs(e[2, 2] - szz / E_eff - (w["opening_m"] + st["opening_m"]) / L) < 1e-8 * e[2, 2]
        assert abs(e[0, 0] + nu_a * szz / E_a) < 1e-8 * e[2, 2] and abs(e[1, 1] - e[0, 0]) < 1e-8 * e[2, 2]
        assert abs(w["traction_Pa"] - _bilinear(w["opening_m"])) < 1e-6 * STRENGTH
        s[2, 2] = 0.0
        assert np.abs(s).max() < 1e-8 * STRENGTH  # the free macroscopic stresses
        S.append(szz)
        E.append(e[2, 2])
    S, E = np.array(S), np.array(E)
    assert abs(S.max() / STRENGTH - 1.0) < 0.01
    work = float(np.sum(0.5 * (S[1:] + S[:-1]) * np.diff(E))) * L**3
    assert abs(work / (GIC * AREA) - 1.0) < 0.01, work
    last = out["rows"][-1]["weak"]
    assert abs(last["dissipated_energy_J"] / (GIC * AREA) - 1.0) < 0.01
    assert last["debonded_fraction"] == 1.0 and out["rows"][-1]["strong"]["damaged_fraction"] == 0.0


@pytest.mark.parametrize("substeps", [1, 4])
def test_stress_prescribed(substeps):
    E_eff = effective_modulus(L)
    step = StepControl(first_fraction=1.0 / substeps, max_fraction=1.0 / substeps)
    out = run_laminate(WEAK, STRONG, szz=[50e6, 90e6], step=step)
    for r, szz in zip(out["rows"], (50e6, 90e6)):
        exact = szz / E_eff + 2.0 * szz / (K * L)
        assert abs(r["strain"][2][2] - exact) < 1e-8 * exact
        assert abs(r["stress_Pa"][2][2] - szz) < 1e-8 * szz


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
def test_serial_equals_two_ranks():
    module = [sys.executable, "-m", "stressfem.verification.periodic_cohesive"]
    runs = [json.loads(subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=300, check=True).stdout)
            for cmd in (module, [MPIEXEC, "-n", "2", *module])]
    for a, b in zip(runs[0]["rows"], runs[1]["rows"]):
        assert np.abs(np.array(a["stress_Pa"]) - np.array(b["stress_Pa"])).max() < 1e-6 * STRENGTH
        assert np.abs(np.array(a["strain"]) - np.array(b["strain"])).max() < 1e-6 * abs(a["strain"][2][2])
        for name in ("weak", "strong"):
            assert abs(a[name]["opening_m"] - b[name]["opening_m"]) < 1e-6 * abs(a[name]["opening_m"])
            assert abs(a[name]["dissipated_energy_J"] - b[name]["dissipated_energy_J"]) < 1e-6 * GIC * AREA
    assert runs[0]["rows"][-1]["weak"]["dissipated_energy_J"] > 0.5 * GIC * AREA  # the ramp reached softening


def test_iterative_equals_direct():
    """PC5 GMRES + GAMG on P^T J P (the blocks' translations as near-nullspace) gives the direct solution:
    a finer sandwich (1617 dofs, 1080 reduced) through peak and softening, 1e-6 of the strength / G_c A."""
    E_eff = effective_modulus(L)
    d0, df = STRENGTH / K, 2.0 * GIC / STRENGTH
    ezz = np.concatenate([[0.5, 1.0] * np.array(STRENGTH / E_eff + 2.0 * d0 / L),
                          np.linspace(d0 + 0.05 * (df - d0), 1.05 * df, 6) / L + STRENGTH / (K * L)])
    runs = [run_laminate(WEAK, STRONG, ezz=ezz, n_xy=6, n_z=8, linear_solver=kind) for kind in ("direct", "iterative")]
    for a, b in zip(runs[0]["rows"], runs[1]["rows"]):
        assert np.abs(np.array(a["stress_Pa"]) - np.array(b["stress_Pa"])).max() < 1e-6 * STRENGTH
        assert abs(a["weak"]["dissipated_energy_J"] - b["weak"]["dissipated_energy_J"]) < 1e-6 * GIC * AREA
    assert runs[1]["rows"][-1]["weak"]["debonded_fraction"] == 1.0
