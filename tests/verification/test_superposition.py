"""Verification of superposed load paths (solver/superposition.py).

Requirements and tolerances:
* S1 For a linear model, a load path of equilibrium stages solved by superposing pattern solutions
  equals the increment-by-increment solution: cool-down with a tabulated (temperature-dependent)
  CTE, then a charge, then 3 charge/discharge cycles, on a particle composite with random
  anisotropic crystal orientations (transversely isotropic stiffness and lattice strain) and a stack
  pressure. Every per-phase measure of every history.csv row and of every summary step agrees to
  1e-8 relative to the largest magnitude of that measure along the path (KSP rtol 1e-12 in both).
* S2 The same holds for the superposed path under ``mpiexec -n 2`` against the serial incremental one.
* S3 The run records which path each step took: superposition for the equilibrium run (fewer
  combination solves than increments), incremental when turned off ([solver] superposition = "off").
* S4 The uniform expansion (solver/uniform_expansion.py) replaces a solve where it is exact and only
  there: on the S1 case (2 phases, rollers on the min faces) it is taken (log and summary.json say so;
  backward error of u = x - x_ref in the assembled system <= 1e-14; 3 combination solves instead of 4:
  particle I, particle n n^T, the pressure), and its cell stresses, evaluated like any solution's,
  are zero to 1e-12 of the stress of a unit isotropic strain mismatch (3 K of LLZO, C11 + C12 + C13 of
  the crystal).
  On a box clamped on xmin and on xmax, with a prescribed displacement on xmax, it is refused (the
  supports do not allow a free expansion) and the superposed path still equals the incremental one to
  1e-8. S1 and S2 (serial and 2 ranks) hold with the expansion in use.
Run time: about 60 s on 2 cores (five runs of a 10 um box with a few particles).
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.materials import library_material

BOX = """
[geometry]
type = "particles"
box_um = [{edge}, {edge}, {edge}]
volume_fraction = {fraction}
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 4
size_distribution = {{ type = "fixed", diameter_um = 4.0 }}
[mesh]
size_um = 2.0
interface_size_um = 1.0
[phases]
NMC811 = "{material}"
LLZO = "LLZO"
"""  # one fixed-size particle box (4 um particles, 2 um mesh, 1 um at the interfaces)

CASE = BOX.format(edge=10, fraction=0.3, material="nmc") + """
[materials.nmc]
base = "NMC811"
cte_table = { temperature_K = [300.0, 800.0, 1400.0], cte_per_K = [9e-6, 13e-6, 17e-6] }
crystal_stiffness_Pa = { C11 = 250e9, C12 = 80e9, C13 = 60e9, C33 = 160e9, C44 = 50e9 }
[orientation]
distribution = "random"
seed = 11
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[[boundary_conditions]]
type = "pressure"
surfaces = ["zmax"]
pressure_Pa = 5e6
[solver]
rtol = 1e-12
superposition = "{mode}"
[output]
fields = false
[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 4
[[stages]]
type = "soc"
name = "charge"
soc_end = 0.8
increments = 3
[[stages]]
type = "cycles"
name = "cycle"
count = 3
soc_low = 0.2
soc_high = 0.8
increments = 2
"""

MEASURES = ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")


def _history(folder) -> list[dict]:
    with open(folder / "results" / "history.csv") as fh:
        return list(csv.DictReader(fh))


def _assert_same_path(a, b, tol: float = 1e-8, rows: int = 4 + 3 + 3 * 2 * 2) -> None:
    ha, hb = _history(a), _history(b)
    assert len(ha) == len(hb) == rows
    cols = [c for c in ha[0] if c.split(".", 1)[-1] in MEASURES]
    assert len(cols) == 2 * len(MEASURES)
    for c in cols:
        x, y = np.array([float(r[c]) for r in ha]), np.array([float(r[c]) for r in hb])
        assert np.abs(x - y).max() <= tol * np.abs(y).max(), (c, np.abs(x - y).max() / np.abs(y).max())
    sa, sb = read_summary(a)["steps"], read_summary(b)["steps"]
    for pa, pb in zip(sa, sb):
        for phase in pa["phases"]:
            for m in (*MEASURES, "p99_von_mises_Pa"):
                scale = max(abs(s["phases"][phase][m]) for s in sb)
                assert abs(pa["phases"][phase][m] - pb["phases"][phase][m]) <= tol * scale, (pa["name"], phase, m)
            ta, tb = np.array(pa["phases"][phase]["mean_stress_Pa"]), np.array(pb["phases"][phase]["mean_stress_Pa"])
            assert np.abs(ta - tb).max() <= tol * np.abs(tb).max()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("superposition")
    inc = write_case(root / "incremental", CASE.replace("{mode}", "off"))
    run_cli("run", inc, check=True)
    out = {"incremental": inc}
    for name in ("superposed", "superposed-np2"):
        folder = write_case(root / name, CASE.replace("{mode}", "auto"))
        shutil.copytree(inc / "mesh", folder / "mesh")  # the same cached mesh
        out[name] = folder
    run_cli("run", out["superposed"], check=True)
    return out


def test_superposed_path_equals_incremental(runs):
    _assert_same_path(runs["superposed"], runs["incremental"])


def test_path_choice_is_recorded(runs):
    sup, inc = read_summary(runs["superposed"]), read_summary(runs["incremental"])
    assert {s["solution"] for s in sup["steps"]} == {"superposed"}
    assert {s["solution"] for s in inc["steps"]} == {"incremental"}
    rec = sup["superposition"]
    assert rec["used"] and 1 <= rec["combination_solves"] < 4 + 3 + 12
    # thermal (2 phases), chemical (I and n n^T of NMC811), the constant pressure and supports
    assert len(rec["patterns"]) == 5
    log = (runs["superposed"] / "results" / "run.log").read_text()
    assert "load path: superposition for steps" in log
    assert "incremental for every step" in (runs["incremental"] / "results" / "run.log").read_text()


def _assert_uniform_expansion_used(folder) -> None:
    """S4: the uniform expansion replaced a solve, exactly, with zero stress."""
    rec = read_summary(folder)["superposition"]
    uni = rec["uniform_expansion"]
    assert uni["used"] and uni["backward_error"] <= 1e-14, uni
    # merged chi_NMC I (thermal + chemical) against the uniform pattern, n n^T, the constant pressure
    assert rec["combination_solves"] == 3
    # the stress of a unit isotropic strain mismatch: 3 K = E / (1 - 2 nu) (LLZO), C11 + C12 + C13 (the crystal)
    mismatch = max(library_material("LLZO").youngs_modulus_Pa / (1 - 2 * library_material("LLZO").poisson_ratio),
                   250e9 + 80e9 + 60e9)
    assert uni["max_stress_Pa"] <= 1e-12 * mismatch, uni["max_stress_Pa"]
    log = (folder / "results" / "run.log").read_text()
    assert "uniform expansion (eigenstrain I on every phase): exact, no solve" in log


def test_uniform_expansion_taken_where_exact(runs):
    _assert_uniform_expansion_used(runs["superposed"])


def test_superposed_path_under_mpi(runs):
    run_cli("run", runs["superposed-np2"], np=2, check=True)
    assert read_summary(runs["superposed-np2"])["mpi_ranks"] == 2
    _assert_same_path(runs["superposed-np2"], runs["incremental"])
    _assert_uniform_expansion_used(runs["superposed-np2"])


CLAMPED = BOX.format(edge=8, fraction=0.2, material="NMC811") + """
[[boundary_conditions]]
type = "fixed"
surfaces = ["xmin"]
[[boundary_conditions]]
type = "fixed"
surfaces = ["xmax"]
displacement_m = [1e-8, 0.0, 0.0]
[solver]
rtol = 1e-12
superposition = "{mode}"
[output]
fields = false
[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 3
[[stages]]
type = "soc"
name = "charge"
soc_end = 0.8
increments = 3
"""


def test_uniform_expansion_refused_where_not_exact(tmp_path):
    """S4: clamped on xmin and xmax (a prescribed displacement on xmax): no shortcut, same path."""
    folders = {}
    for mode in ("off", "auto"):
        folders[mode] = write_case(tmp_path / mode, CLAMPED.replace("{mode}", mode))
        if mode == "auto":
            shutil.copytree(folders["off"] / "mesh", folders[mode] / "mesh")
        run_cli("run", folders[mode], check=True)
    rec = read_summary(folders["auto"])["superposition"]
    assert rec["used"] and not rec["uniform_expansion"]["used"], rec
    assert "does not allow a free expansion" in rec["uniform_expansion"]["note"]
    log = (folders["auto"] / "results" / "run.log").read_text()
    assert "uniform expansion (eigenstrain I on every phase): not exact: the support 'fixed on xmin" in log
    _assert_same_path(folders["auto"], folders["off"], rows=3 + 3)
