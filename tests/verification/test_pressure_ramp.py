"""Verification of the `pressure` stage (a stack-pressure ramp, stressfem/stages/pressure.py).

Requirements and tolerances:
* P1 A homogeneous block on rollers (xmin, ymin, zmin) under a pressure p ramped on zmax is in
  uniaxial stress: sigma_zz = -p and every other component 0 in every cell, at every increment
  (1e-6 relative to p), whether the ramp is superposed or solved increment by increment.
* P2 Later stages hold the pressure: a uniform cool-down of the free-to-expand block after the
  ramp leaves sigma = -p e_z e_z (1e-6 relative).
* P3 The ramp is superposed automatically (one load combination for the pressure; the cool-down of
  the free-to-expand block is the uniform expansion, no solve) and records
  its pressure in history.csv (`<name>.pressure_Pa`) and summary.json (`pressure_Pa`).
* P4 A surface that is not in the mesh is refused (exit 2, naming stages[0].surfaces).
Run time: about 20 s on 2 cores.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.output.read import read_fields
from stressfem.verification.bimetal import write_strip_msh

P = 20e6
CASE = """
[geometry]
type = "msh"
file = "block.msh"
[phases]
bottom = "LLZO"
top = "LLZO"
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[solver]
rtol = 1e-12
superposition = "{mode}"
[output]
fields_every_increment = true
[[stages]]
type = "pressure"
name = "stack"
surfaces = ["{surface}"]
pressure_end_Pa = 20e6
increments = 4
[[stages]]
type = "cooling"
stress_free_temperature_C = 25
final_temperature_C = -40
increments = 2
"""


@pytest.fixture(scope="module")
def block(tmp_path_factory):
    return write_strip_msh(tmp_path_factory.mktemp("block") / "block.msh", 2e-6, 1e-6, 0.5e-6, 0.5e-6, 0.4e-6)


@pytest.mark.parametrize("mode", ["auto", "off"])
def test_uniaxial_stress_under_stack_pressure(tmp_path, block, mode):
    folder = write_case(tmp_path / mode, CASE.format(mode=mode, surface="zmax"))
    (folder / "block.msh").write_bytes(block.read_bytes())
    run_cli("run", folder, check=True)
    summary = read_summary(folder)
    ramp = [k / 4 * P for k in range(1, 5)] + [P, P]  # 4 ramp increments, then 2 cooling increments
    for k, p in enumerate(ramp):
        sigma = read_fields(folder / "results", k).cell_data["stress_Pa"].reshape(-1, 3, 3)
        expected = np.zeros((3, 3))
        expected[2, 2] = -p
        assert np.abs(sigma - expected).max() <= 1e-6 * P, (k, np.abs(sigma - expected).max())
    steps = summary["steps"]
    assert steps[0]["pressure_Pa"] == pytest.approx(P, rel=1e-12)
    assert {s["solution"] for s in steps} == {"superposed" if mode == "auto" else "incremental"}
    if mode == "auto":
        # the stack pressure; the thermal strains of the two (equal) phases are the uniform expansion, which
        # needs no solve on rollers (solver/uniform_expansion.py)
        assert summary["superposition"]["combination_solves"] == 1
        assert summary["superposition"]["uniform_expansion"]["used"]
    with open(folder / "results" / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["stack.pressure_Pa"]) for r in rows] == pytest.approx(ramp, rel=1e-12)


def test_unknown_surface_is_refused(tmp_path, block):
    folder = write_case(tmp_path / "bad", CASE.format(mode="auto", surface="top_face"))
    (folder / "block.msh").write_bytes(block.read_bytes())
    proc = run_cli("run", folder)
    assert proc.returncode == 2
    assert "stages[0].surfaces" in proc.stderr and "allowed" in proc.stderr
