"""A serial run and an `mpiexec -n 2` run of a generated geometry, each meshing for itself in its own
fresh copy of the case, give the same mesh and the same results (issue 12).

tests/mpi/test_rank_count.py shares one mesh file between its runs; here each run generates its mesh,
so a mesh that depended on the rank count, on which rank meshes or on thread timing would show.
Requirements and tolerances: the two .msh files are byte-identical; dofs and cells are equal; every
per-phase figure of every step in summary.json agrees to 1e-6 relative (CG + GAMG to rtol 1e-10, as in
test_rank_count.py). Run time: about 40 s on a loaded 2-core machine.
"""

from __future__ import annotations

import hashlib

import pytest

from conftest import COOLDOWN_NMC_LLZO, SMALL_BOX_NMC_LLZO, read_summary, run_cli, write_case

pytestmark = pytest.mark.mpi

CASE = SMALL_BOX_NMC_LLZO + COOLDOWN_NMC_LLZO

KEYS = ("volume_m3", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "p99_von_mises_Pa",
        "max_principal_Pa")


def test_serial_and_two_ranks_mesh_alike(tmp_path):
    serial, ranks = write_case(tmp_path / "np1", CASE), write_case(tmp_path / "np2", CASE)
    run_cli("run", serial, "--no-plot", check=True)
    run_cli("run", ranks, "--no-plot", np=2, check=True)
    (m1,), (m2,) = sorted((serial / "mesh").glob("*.msh")), sorted((ranks / "mesh").glob("*.msh"))
    assert hashlib.sha256(m1.read_bytes()).digest() == hashlib.sha256(m2.read_bytes()).digest()
    s, p = read_summary(serial), read_summary(ranks)
    assert (s["mpi_ranks"], p["mpi_ranks"]) == (1, 2)
    assert p["dofs"] == s["dofs"] and p["cells"] == s["cells"]
    for s_step, p_step in zip(s["steps"], p["steps"], strict=True):
        for phase, a in s_step["phases"].items():
            for key in KEYS:
                assert p_step["phases"][phase][key] == pytest.approx(a[key], rel=1e-6), (phase, key)
