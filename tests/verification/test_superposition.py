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
Run time: about 40 s on 2 cores (three runs of a 10 um box with a few particles).
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case

CASE = """
[geometry]
type = "particles"
box_um = [10, 10, 10]
volume_fraction = 0.3
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 4
size_distribution = { type = "fixed", diameter_um = 4.0 }
[mesh]
size_um = 2.0
interface_size_um = 1.0
[phases]
NMC811 = "nmc"
LLZO = "LLZO"
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


def _assert_same_path(a, b, tol: float = 1e-8) -> None:
    ha, hb = _history(a), _history(b)
    assert len(ha) == len(hb) == 4 + 3 + 3 * 2 * 2
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


def test_superposed_path_under_mpi(runs):
    run_cli("run", runs["superposed-np2"], np=2, check=True)
    assert read_summary(runs["superposed-np2"])["mpi_ranks"] == 2
    _assert_same_path(runs["superposed-np2"], runs["incremental"])
