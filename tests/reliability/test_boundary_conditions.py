"""Fault campaign, boundary conditions (issue 16): refused with exit 2 naming the key, never solved.

Requirements: (1) a free body under unbalanced surface loads is refused, naming the loads and the
exact net force / moment; (2) two displacement conditions on one surface, or different values on
shared nodes, are refused naming both; (3) balanced loads on a free body still run.
Net force of a pressure p on a face of area A is p A exactly (partition of unity): 1e8 Pa x (2 um)^2
= 4e-4 N, printed to 4 significant digits. A couple of +-1e6 Pa on faces 2 um apart: 8e-12 N m.
Run time: about 25 s serial + 11 s for the 2-rank test on the shared 2-core machine (tiny box,
~1100 cells; most cases stop before the solve).
"""

from __future__ import annotations

import pytest
from conftest import run_cli

from .conftest import assert_refused


def _bc(kind: str, surfaces: list[str], extra: str = "") -> str:
    return f'\n[[boundary_conditions]]\ntype = "{kind}"\nsurfaces = {surfaces!r}\n{extra}\n'.replace("'", '"')


def test_unbalanced_pressure_on_free_body(make_case):
    case = make_case(_bc("pressure", ["xmax"], "pressure_Pa = 1e8"))
    proc = run_cli("run", case)
    assert_refused(proc, "boundary_conditions", "pressure 1e+08 Pa on xmax", "net force [-0.0004, 0, 0] N",
                   "translation x")
    assert not (case / "results" / "summary.json").exists()


def test_unbalanced_couple_on_free_body(make_case):
    case = make_case(_bc("traction", ["ymax"], "traction_Pa = [1e6, 0, 0]")
                     + _bc("traction", ["ymin"], "traction_Pa = [-1e6, 0, 0]"))
    proc = run_cli("run", case)
    assert_refused(proc, "boundary_conditions", "net force [0, 0, 0] N", "net moment [0, 0, -8e-12] N m")
    assert not (case / "results" / "summary.json").exists()


def test_balanced_pressure_on_free_body_runs(make_case):
    case = make_case(_bc("pressure", ["xmin", "xmax"], "pressure_Pa = 1e8"))
    proc = run_cli("run", case)
    assert proc.returncode == 0, proc.stderr
    assert (case / "results" / "summary.json").is_file()


def test_fixed_and_roller_on_one_surface(make_case):
    case = make_case(_bc("fixed", ["xmin"]) + _bc("roller", ["xmin", "ymin", "zmin"]))
    proc = run_cli("run", case)
    assert_refused(proc, "boundary_conditions", "boundary_conditions[0] (fixed)", "boundary_conditions[1] (roller)")
    assert not (case / "results" / "summary.json").exists()


def test_different_values_on_shared_edge(make_case):
    case = make_case(_bc("fixed", ["xmin"], "displacement_m = [0, 1e-9, 0]") + _bc("roller", ["ymin"]))
    proc = run_cli("run", case)
    assert_refused(proc, "boundary_conditions", "fixed on xmin (u = [0.0, 1e-09, 0.0] m) prescribes 1e-09 m",
                   "roller on ymin (u_y = 0) prescribes 0 m")
    assert not (case / "results" / "summary.json").exists()


def test_pressure_on_fixed_surface(make_case):
    case = make_case(_bc("fixed", ["xmin"]) + _bc("pressure", ["xmin"], "pressure_Pa = 1e6"))
    proc = run_cli("run", case)
    assert_refused(proc, "boundary_conditions", "would be ignored")


@pytest.mark.mpi
def test_bc_guards_under_mpi(make_case):
    """Same refusals on 2 ranks (collective checks; a rank may own none of the loaded facets)."""
    free = make_case(_bc("pressure", ["xmax"], "pressure_Pa = 1e8"), name="free")
    proc = run_cli("run", free, np=2)
    assert proc.returncode == 2 and "net force [-0.0004, 0, 0] N" in proc.stderr, proc.stderr
    edge = make_case(_bc("fixed", ["xmin"], "displacement_m = [0, 1e-9, 0]") + _bc("roller", ["ymin"]), name="edge")
    proc = run_cli("run", edge, np=2)
    assert proc.returncode == 2 and "roller on ymin (u_y = 0)" in proc.stderr, proc.stderr
