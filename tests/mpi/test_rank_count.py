"""Results do not depend on the MPI rank count.

Requirements:
* M1 the same case (the self-test sphere octant, finer; P2 by default since issue 12) run on 1, 2 and 3 ranks (3 oversubscribes a 2-core
  machine, which is fine) gives the same dofs and cells, and the same per-phase statistics of
  every step to 1e-6 relative (CG + GAMG to rtol 1e-10; partitions change only round-off
  and the preconditioner, not the discrete solution), including the tensile statistics of
  output/tensile.py (quantiles of the maximum principal stress, volume above strength, Weibull risk).
* M2 summary.json reports the peak memory of every rank (one positive number per rank) and the
  time of geometry generation and of mesh distribution (the serial parts, see docs/cluster.md).
"""

from __future__ import annotations

import shutil

import numpy as np_
import pytest

from conftest import ROOT, read_summary, run_cli, write_case

pytestmark = pytest.mark.mpi

TINY = (ROOT / "containers" / "selftest" / "case.toml").read_text()
KEYS = ("volume_m3", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "p99_von_mises_Pa",
        "max_principal_Pa", "mean_max_principal_Pa", "p50_max_principal_Pa", "p90_max_principal_Pa",
        "p99_max_principal_Pa", "volume_fraction_above_strength", "weibull_risk", "failure_probability")


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    from stressfem.verification.concentric_spheres import write_octant_msh

    folder = write_case(tmp_path_factory.mktemp("ranks") / "np1", TINY)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.4, interface_size=0.2)
    run_cli("run", folder, "--no-plot", check=True)
    return folder


@pytest.mark.parametrize("np", [2, 3])
def test_rank_count_independence(serial, np):
    folder = serial.parent / f"np{np}"
    shutil.copytree(serial, folder, ignore=shutil.ignore_patterns("results*"))  # the same mesh
    run_cli("run", folder, "--no-plot", np=np, check=True)
    s, p = read_summary(serial), read_summary(folder)
    assert (s["mpi_ranks"], p["mpi_ranks"]) == (1, np)
    assert p["dofs"] == s["dofs"] and p["cells"] == s["cells"]
    for s_step, p_step in zip(s["steps"], p["steps"], strict=True):
        for phase, a in s_step["phases"].items():
            b = p_step["phases"][phase]
            for key in KEYS:
                assert b[key] == pytest.approx(a[key], rel=1e-6), (np, phase, key)
            scale = 1e-6 * abs(a["mean_hydrostatic_Pa"])
            assert np_.allclose(b["mean_stress_Pa"], a["mean_stress_Pa"], rtol=1e-6, atol=scale), (np, phase)
    peak = p["peak_memory_per_rank_MB"]
    assert len(peak) == np and all(m > 0 for m in peak)
    assert {"geometry", "mesh_distribution", "setup", "solve"} <= set(p["timings_s"])
