"""Verification of the cohesive finite-element model: two stiff blocks pulled across an interface.

The blocks are 1000 times stiffer than the interface (E = 1e3 K L), so the interface opens
uniformly and the force-displacement curve is the traction-separation law times the area A.

Requirements and tolerances:
* P1 Mode I and mode II (bilinear), mode I (exponential): the peak force is strength x A within 1 %.
  P1 to P3 and P7 (partition cutting the interface) run with linear and with quadratic elements
  (P2: degree-4 facet rule, history per integration point, docs/cohesive.md "Quadratic elements").
* P2 The external work up to complete separation, and the model's dissipated_energy_J, equal
  G_c A within 2 %.
* P3 Unloading from the softening branch follows the damaged secant (force/displacement within 1 %
  of the secant at the turning point) and the damaged fraction does not change.
* P4 Compression causes no damage; the contact penalty keeps the interpenetration at F/(K A).
* P5 Mixed mode (opening direction at 45 degrees, B = 0.5): dissipated energy = B-K G_c(B) A within 2 %.
* P6 The dissipated energy does not depend on the mesh (2 and 4 cells per width agree within 0.5 %).
* P7 Serial and `mpiexec -n 2` give the same force-displacement curve and interface statistics
  (1e-6 relative), on a mesh where one rank holds no interface facet and on one where the
  partition cuts through the interface (facets whose two cells are on different ranks).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import MPIEXEC, _env
from stressfem.physics.cohesive import BilinearMixedMode, Exponential
from stressfem.verification.cohesive_pull import mode_targets, run_pull

BIL = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                        GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
EXP = Exponential(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6, GIc_J_per_m2=2.0)
DIRECTION = {"I": (1.0, 0.0, 0.0), "II": (0.0, 1.0, 0.0)}


def curve(out):
    u = np.array([0.0] + [r["displacement_m"] for r in out["rows"]])
    F = np.array([0.0] + [r["force_N"] for r in out["rows"]])
    return u, F


def external_work(u, F):
    return float(np.sum(0.5 * (F[1:] + F[:-1]) * np.diff(u)))


@pytest.mark.parametrize("degree", [1, 2], ids=["P1", "P2"])
@pytest.mark.parametrize("law,mode", [(BIL, "I"), (BIL, "II"), (EXP, "I")], ids=["bilinear-I", "bilinear-II", "exponential-I"])
def test_peak_and_energy(law, mode, degree):
    out = run_pull(law, DIRECTION[mode], mode_targets(law, mode), cells_per_width=2, degree=degree)
    g = out["model"].interface_state[0]
    assert len(g["area"]) == g["n_owned"] * (6 if degree == 2 else 1)  # P2: the 6 points of the degree-4 rule
    u, F = curve(out)
    A = out["area_m2"]
    strength = law.normal_strength_Pa if mode == "I" else law.shear_strength_Pa
    gc = law.GIc_J_per_m2 if (mode == "I" or isinstance(law, Exponential)) else law.GIIc_J_per_m2
    assert A == pytest.approx(1e-12, rel=1e-12)
    assert abs(F.max() / (strength * A) - 1) < 0.01
    assert abs(external_work(u, F) / (gc * A) - 1) < 0.02
    last = out["rows"][-1]
    assert abs(last["dissipated_energy_J"] / (gc * A) - 1) < 0.02
    assert last["debonded_fraction"] == 1.0


@pytest.mark.parametrize("degree", [1, 2], ids=["P1", "P2"])
def test_unloading_follows_damaged_secant(degree):
    d0 = BIL.normal_strength_Pa / BIL.penalty_stiffness_Pa_per_m
    top = 10 * d0
    targets = np.concatenate([np.linspace(d0, top, 6), np.linspace(top, 0.0, 6)[1:], np.linspace(0.0, top, 4)[1:]])
    out = run_pull(BIL, DIRECTION["I"], targets, cells_per_width=2, degree=degree)
    u, F = curve(out)
    i_top = 6
    secant = F[i_top] / u[i_top]
    d_top = out["rows"][i_top - 1]["damaged_fraction"]
    for k in range(i_top + 1, len(u)):
        assert F[k] == pytest.approx(secant * u[k], rel=0.01, abs=1e-3 * F[i_top])
    assert all(r["damaged_fraction"] == d_top for r in out["rows"][i_top:])
    assert 0 < secant < BIL.penalty_stiffness_Pa_per_m * out["area_m2"]


def test_compression_no_damage():
    d0 = BIL.normal_strength_Pa / BIL.penalty_stiffness_Pa_per_m
    out = run_pull(BIL, DIRECTION["I"], -np.linspace(d0, 5 * d0, 3), cells_per_width=2)
    last = out["rows"][-1]
    assert last["damaged_fraction"] == 0.0 and last["contact_fraction"] == 1.0
    model = out["model"]
    jn = model._gamma[0]["values"][:, 2]
    expected = last["force_N"] / (BIL.penalty_stiffness_Pa_per_m * out["area_m2"])
    assert np.allclose(jn, expected, rtol=0.01)


def test_mixed_mode_bk():
    direction = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    B = 0.5
    gc = float(BIL.critical_energy(B))
    d0 = float(BIL.onset_jump(B))
    df = 2 * gc / (BIL.penalty_stiffness_Pa_per_m * d0)
    targets = np.concatenate([[0.5 * d0], np.linspace(0.99 * d0, 1.01 * d0, 5), np.linspace(1.05 * d0, 1.05 * df, 25)])
    out = run_pull(BIL, direction, targets, cells_per_width=2)
    u, F = curve(out)
    A = out["area_m2"]
    assert abs(external_work(u, F) / (gc * A) - 1) < 0.02
    assert abs(out["rows"][-1]["dissipated_energy_J"] / (gc * A) - 1) < 0.02
    # peak effective traction = K d0 (Camanho-Davila onset)
    assert abs(F.max() / (BIL.penalty_stiffness_Pa_per_m * d0 * A) - 1) < 0.01


def test_energy_is_mesh_independent():
    energies = []
    for n in (2, 4):
        out = run_pull(BIL, DIRECTION["I"], mode_targets(BIL, "I"), cells_per_width=n)
        energies.append(out["rows"][-1]["dissipated_energy_J"])
    assert energies[1] == pytest.approx(energies[0], rel=0.005)


@pytest.mark.mpi
@pytest.mark.parametrize("layout", ["empty-rank", "cut", "cut-P2"])
def test_serial_equals_mpi(layout):
    if MPIEXEC is None:
        pytest.skip("mpiexec not found")
    cmd = [sys.executable, "-m", "stressfem.verification.cohesive_pull"] + (["--cut"] if "cut" in layout else []) + (
        ["--p2"] if layout.endswith("P2") else [])
    res = []
    for np_ in (1, 2):
        full = cmd if np_ == 1 else [MPIEXEC, "-n", "2", *cmd]
        proc = subprocess.run(full, capture_output=True, text=True, timeout=600, env=_env(), check=True)
        res.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    serial, parallel = res
    if layout == "empty-rank":  # one rank holds no interface facet
        assert 0 in parallel["interface_facets_per_rank"], parallel["interface_facets_per_rank"]
    else:  # interface facets on both ranks, some with their two cells on different ranks
        assert min(parallel["interface_facets_per_rank"]) > 0 and sum(parallel["cut_interface_facets_per_rank"]) > 0
    assert len(serial["rows"]) == len(parallel["rows"])
    for s, p in zip(serial["rows"], parallel["rows"]):
        for key in ("force_N", "damaged_fraction", "debonded_fraction", "max_opening_m", "dissipated_energy_J", "area_m2"):
            assert p[key] == pytest.approx(s[key], rel=1e-6, abs=1e-6 * max(abs(s[key]), 1e-20) + 1e-30), key
