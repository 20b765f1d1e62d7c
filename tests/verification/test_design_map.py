"""Verification of design maps (`stressfem map`, solver/design_map.py).

Requirements and tolerances:
* M1 A map over stress-free temperature x state of charge, evaluated from pattern solutions, equals
  direct runs (`stressfem run`, incremental, cool-down to 25 C then a charge to that soc) at 3 grid
  points: every requested per-phase quantity (means, maxima, volume-weighted 99th percentiles of
  the maximum principal stress) to 1e-8 relative (KSP rtol 1e-12 in both).
* M2 The map writes CSV (one row per grid point, x fastest) and a PNG into CASE/results/maps/.
* M3 Bad parameters and quantities are refused with exit code 2, naming the option and what is allowed.
* M4 The map uses the uniform expansion (solver/uniform_expansion.py; rollers on x0, y0, z0): 2
  combination solves (the particle's I and n n^T) instead of 3, and M1 holds with it.
Run time: about 35 s on 2 cores.
"""

from __future__ import annotations

import csv

import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.verification.concentric_spheres import write_octant_msh

CASE = """
[geometry]
type = "msh"
file = "octant.msh"
length_unit_m = 1e-6
[phases]
particle = "NMC811"
matrix = "LLZO"
[orientation]
distribution = "aligned"
c_axis = [1, 2, 3]
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[solver]
rtol = 1e-12
superposition = "off"
[output]
fields = false
[[stages]]
type = "cooling"
stress_free_temperature_C = {T0}
final_temperature_C = 25
increments = 1
[[stages]]
type = "soc"
soc_end = {soc}
increments = 1
"""

QUANTITIES = ("particle.mean_hydrostatic_Pa", "particle.max_von_mises_Pa", "matrix.max_principal_Pa",
              "matrix.p99_max_principal_Pa", "matrix.mean_von_mises_Pa")
POINTS = ((900.0, 0.0), (1050.0, 0.5), (1200.0, 1.0))  # corners and centre of the grid


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    root = tmp_path_factory.mktemp("map")
    folder = write_case(root / "map", CASE.format(T0=1050.0, soc=0.5))
    write_octant_msh(folder / "octant.msh", a=1.0, b=2.0, size=0.3, interface_size=0.15)
    args = ["map", folder, "--x", "stress_free_temperature_C=900:1200:3", "--y", "soc=0,0.5,1"]
    for q in QUANTITIES:
        args += ["--quantity", q]
    proc = run_cli(*args, check=True)
    said = " ".join((proc.stdout + proc.stderr).split())  # the log, unwrapped
    assert "uniform expansion exact, no solve" in said and "from 2 solve(s)" in said  # M4
    return folder


def test_map_equals_direct_runs(mapped, tmp_path):
    with open(mapped / "results" / "maps" / "stress_free_temperature_C--soc.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9
    assert [float(r["stress_free_temperature_C"]) for r in rows[:3]] == [900.0, 1050.0, 1200.0]
    for T0, soc in POINTS:
        row = next(r for r in rows if float(r["stress_free_temperature_C"]) == T0 and float(r["soc"]) == soc)
        folder = write_case(tmp_path / f"run-{T0:g}-{soc:g}", CASE.format(T0=T0, soc=soc))
        (folder / "octant.msh").write_bytes((mapped / "octant.msh").read_bytes())
        run_cli("run", folder, check=True)
        phases = read_summary(folder)["steps"][-1]["phases"]
        for q in QUANTITIES:
            phase, measure = q.split(".")
            direct = phases[phase][measure]
            assert abs(float(row[q]) - direct) <= 1e-8 * abs(direct), (T0, soc, q, float(row[q]), direct)


def test_map_writes_plot(mapped):
    png = mapped / "results" / "maps" / "stress_free_temperature_C--soc.png"
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("args, message", [
    (["--x", "pressure=0:1:3", "--y", "soc=0,1", "--quantity", "matrix.max_principal_Pa"], "unknown parameter"),
    (["--x", "soc=0:1:3", "--y", "cte_per_K:nope=1e-6,2e-6", "--quantity", "matrix.max_principal_Pa"], "not a phase"),
    (["--x", "soc=0:1:3", "--y", "temperature_C=25,100", "--quantity", "matrix.nothing"], "unknown measure"),
])
def test_map_refuses_bad_input(mapped, args, message):
    proc = run_cli("map", mapped, *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
