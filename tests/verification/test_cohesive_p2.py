"""Cohesive interfaces with quadratic (P2) bulk elements (docs/cohesive.md, "Quadratic elements").

P2 integrates the interface terms with the degree-4 facet rule and keeps the history at its points
(solver/cohesive/state.py). Requirements and tolerances:
* The pull tests of test_cohesive_pull.py (peak, G_c, unloading, serial = 2 ranks with the partition
  cutting the interface) run at P1 and P2 there.
* Q3 Bonded stage of the concentric-sphere octant (verification/concentric_spheres.py; analytical
  radial traction sigma_r = e / (C + 1/(K a)), test_cohesive_case.py): at half the critical cooling
  (no damage) the particle's mean hydrostatic stress and the interface's mean normal traction are
  within 0.5 % of sigma_r at P2 and at least 4x closer to it than P1 on the same mesh (measured:
  P1 +2.2 % / +2.1 %, P2 +0.01 % / -0.18 %).
* Q4 Stiff-spring limit: against the bonded P2 solution on the same mesh (no [[interfaces]]), the
  cohesive P2 particle stress is lower by the analytical spring share (1/(K a)) / (C + 1/(K a)) within
  2 % of that share, for K = 1e18 and 1e19 Pa/m (the difference falls as 1/K; measured 0.22 % and
  0.45 % of the shares 0.118 and 0.0132).
* Q5 Serial and `mpiexec -n 2` give the same octant run through damage onset at P2 (1e-6; one rank
  holds no interface facet).
* Q6 P2 with cohesive interfaces is refused (exit 2, naming solver.element_degree and what is allowed)
  with the secant methods (check and run) and inside periodic volumes (check); a P2 cohesive run writes
  no restart checkpoint (warned once) and `run --restart` is refused.
* Q7 The iterative linear solver (GAMG, rigid-body modes per P2 block) gives the direct solver's pull
  curve (1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.verification.concentric_spheres import write_octant_msh
from test_cohesive_case import ALPHA_P, N, case_toml

A_M, B_M = 1.0e-6, 3.0e-6  # particle and shell radii of the octant (m)
IFACE = "particle/matrix"


def lame_compliance() -> float:
    """C of the sphere-in-shell (free outer surface): sigma_r = e / (C + 1/(K a)) (Pa^-1)."""
    p, m = LIBRARY["NMC811"], LIBRARY["LLZO"]
    f = (A_M / B_M) ** 3
    return (1 - 2 * p.poisson_ratio) / p.youngs_modulus_Pa + (
        (1 + m.poisson_ratio) + 2 * (1 - 2 * m.poisson_ratio) * f) / (2 * m.youngs_modulus_Pa * (1 - f))


def mismatch(cooling_K: float) -> float:
    return (ALPHA_P - LIBRARY["LLZO"].cte_per_K) * cooling_K


def critical_cooling_K(K: float = 1e18) -> float:
    return N * (lame_compliance() + 1.0 / (K * A_M)) / mismatch(1.0)


def octant_toml(final_K: float, degree: int | None, K: float | None, increments: int = 1, extra: str = "") -> str:
    """test_cohesive_case.py's octant case (law with penalty K; K None: no [[interfaces]], bonded) with
    ``increments`` and ``[solver] element_degree = degree`` (None: the default)."""
    law = (f'{{ type = "bilinear", penalty_stiffness_Pa_per_m = {K:g}, normal_strength_Pa = {N:g}, '
           f'shear_strength_Pa = 100e6, GIc_J_per_m2 = 2.0, GIIc_J_per_m2 = 2.0 }}' if K is not None else None)
    text = case_toml(final_K, law).replace("increments = 11", f"increments = {increments}")
    if K is None:
        text = text[: text.index("[[interfaces]]")]
    solver = f"[solver]\nelement_degree = {degree}\n" if degree is not None else ""
    return text + solver + extra


@pytest.fixture(scope="module")
def octant_runs(tmp_path_factory):
    """Half the critical cooling (no damage) on one mesh: (degree, K) -> summary; K None: bonded."""
    root = tmp_path_factory.mktemp("czm-p2-octant")
    write_octant_msh(root / "octant.msh", a=1.0, b=3.0, size=0.4, interface_size=0.15)
    cooling = 0.5 * critical_cooling_K()
    out = {}
    for degree, K in ((1, 1e18), (2, 1e18), (2, 1e19), (2, None)):
        folder = write_case(root / f"p{degree}-{K}", octant_toml(1300 - cooling, degree, K))
        (folder / "octant.msh").write_bytes((root / "octant.msh").read_bytes())
        run_cli("run", folder, check=True)
        out[degree, K] = read_summary(folder)
    return cooling, out


def test_p2_bonded_stage_matches_lame_better_than_p1(octant_runs):
    cooling, runs = octant_runs
    exact = mismatch(cooling) / (lame_compliance() + 1.0 / (1e18 * A_M))  # radial tension at the interface (Pa)
    assert exact == pytest.approx(0.5 * N, rel=1e-12)
    err = {}
    for degree in (1, 2):
        step = runs[degree, 1e18]["steps"][-1]
        assert step["interfaces"][IFACE]["damaged_fraction"] == 0.0
        hyd = step["phases"]["particle"]["mean_hydrostatic_Pa"]  # uniform sigma_r inside the particle
        tn = step["interfaces"][IFACE]["mean_normal_traction_Pa"]
        err[degree] = np.array([hyd / exact - 1, tn / exact - 1])
    assert np.all(np.abs(err[2]) < 0.005), err
    assert np.all(np.abs(err[1]) > 4 * np.abs(err[2])), err


def test_p2_runs_write_no_restart_checkpoint(tmp_path):
    """Field checkpoints are P1-only: a P2 cohesive run says so once and writes none; --restart is refused."""
    root = tmp_path / "restart"
    folder = write_case(root, octant_toml(1290, 2, 1e18, increments=2))
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.8, interface_size=0.4)
    proc = run_cli("run", folder, check=True)
    assert (proc.stdout + proc.stderr).count("no restart checkpoints") == 1
    assert not list(folder.glob(".stressfem-checkpoint*"))
    proc = run_cli("run", "--restart", folder)
    assert proc.returncode == 2 and "solver.element_degree" in proc.stderr and "allowed: 1" in proc.stderr


def test_p2_stiff_spring_limit_is_bonded(octant_runs):
    _, runs = octant_runs
    bonded = runs[2, None]["steps"][-1]["phases"]["particle"]["mean_hydrostatic_Pa"]
    assert runs[2, None]["error_estimate"]["element_degree"] == 2 and "interfaces" not in runs[2, None]["steps"][-1]
    C = lame_compliance()
    for K in (1e18, 1e19):
        cohesive = runs[2, K]["steps"][-1]["phases"]["particle"]["mean_hydrostatic_Pa"]
        share = (1.0 / (K * A_M)) / (C + 1.0 / (K * A_M))
        assert 1.0 - cohesive / bonded == pytest.approx(share, rel=0.02), K


@pytest.mark.mpi
def test_p2_octant_debonding_serial_equals_mpi(tmp_path):
    """Through damage onset at P2: no damage at 0.9 of the critical cooling, all damaged at 1.1 (as K1 of
    test_cohesive_case.py at P1); serial and 2 ranks agree (1e-6)."""
    cooling = critical_cooling_K()
    runs = []
    for np_ in (1, 2):
        folder = write_case(tmp_path / f"np{np_}", octant_toml(1300 - 1.1 * cooling, 2, 1e18, increments=11))
        write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.25)
        run_cli("run", folder, np=np_, check=True)
        runs.append(folder)
    s, p = read_summary(runs[0]), read_summary(runs[1])
    import csv

    with open(runs[0] / "results" / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert float(rows[8][f"{IFACE}.damaged_fraction"]) == 0.0
    assert float(rows[10][f"{IFACE}.damaged_fraction"]) == 1.0
    for a, b in zip(s["steps"], p["steps"]):
        for key, v in a["interfaces"][IFACE].items():
            assert b["interfaces"][IFACE][key] == pytest.approx(v, rel=1e-6, abs=1e-20), key
        for ph in ("particle", "matrix"):
            assert b["phases"][ph]["mean_hydrostatic_Pa"] == pytest.approx(a["phases"][ph]["mean_hydrostatic_Pa"],
                                                                           rel=1e-6)


@pytest.mark.parametrize("method", ["secant", "newton_secant"])
def test_p2_refusals(tmp_path, method):
    extra = f'[cohesive_solver]\nmethod = "{method}"\n'
    folder = write_case(tmp_path / method, octant_toml(1250, 2, 1e18, extra=extra))
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.8, interface_size=0.4)
    for cmd in ("check", "run"):
        proc = run_cli(cmd, folder)
        assert proc.returncode == 2, proc.stderr
        assert "solver.element_degree" in proc.stderr + proc.stdout and "allowed: 1" in proc.stderr + proc.stdout


def test_p2_refused_inside_periodic_volumes(tmp_path):
    from stressfem.verification.periodic_cells import write_laminate_msh

    folder = write_case(tmp_path / "periodic", (
        '[geometry]\ntype = "msh"\nfile = "laminate.msh"\n[phases]\nA = "LLZO"\nB = "NMC811"\n'
        '[[stages]]\ntype = "cooling"\nstress_free_temperature_C = 1000\nfinal_temperature_C = 0\nincrements = 1\n'
        '[[interfaces]]\nname = "A/B"\nlaw = { type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, '
        'normal_strength_Pa = 1e8, shear_strength_Pa = 1e8, GIc_J_per_m2 = 1.0, GIIc_J_per_m2 = 1.0 }\n'
        '[periodic]\n[solver]\nelement_degree = 2\n'))
    write_laminate_msh(folder / "laminate.msh", fraction=0.5, size=0.5)
    proc = run_cli("check", folder)
    assert proc.returncode == 2, proc.stderr
    assert "solver.element_degree" in proc.stderr and "periodic" in proc.stderr and "allowed: 1" in proc.stderr


def test_p2_iterative_equals_direct():
    """GAMG with the rigid-body near-nullspace of each P2 block (solver/cohesive/linear.py) gives the direct
    solver's pull curve (1e-6)."""
    from stressfem.physics.cohesive import BilinearMixedMode
    from stressfem.verification.cohesive_pull import mode_targets, run_pull

    law = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                            GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
    runs = [run_pull(law, (1.0, 0.0, 0.0), mode_targets(law, "I"), cells_per_width=2, degree=2, linear_solver=ls)
            for ls in ("direct", "iterative")]
    assert runs[1]["model"].linear_solver == "iterative"
    for key in ("force_N", "dissipated_energy_J", "damaged_fraction"):
        scale = max(abs(r[key]) for r in runs[0]["rows"])  # the first rows' energies are round-off (1e-30 J)
        for d, i in zip(runs[0]["rows"], runs[1]["rows"]):
            assert i[key] == pytest.approx(d[key], rel=1e-6, abs=1e-6 * scale), key
