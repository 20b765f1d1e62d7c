"""Per-particle results, results/particles.csv (stressfem/output/particles.py).

Requirements and tolerances:
* P1 Grouped quantile: per group, the vectorised p99 equals stats.weighted_quantiles of that group's
  cells exactly (3 random seeds, 50 groups of random sizes including empty ones -> NaN).
* P2 Two-volume hand case (two stacked 2 um cubes under a uniform 250 MPa tension along z, msh
  geometry, conftest.UNIFORM_BAR_CASE): one row per volume with volume 8 um3 (1e-9), centroids (1, 1, 1) and (1, 1, 3) um (1e-9),
  equivalent diameter (6 V / pi)^(1/3), cut = 1 (both touch the box), mean hydrostatic 250/3 MPa,
  mean von Mises and p99 of sigma_1 250 MPa (1e-6). About 3 s.
* P3 Generated periodic packing (fixed diameter 3 um): one row per particle plus the matrix; the
  particle volumes add up to the phase volume of summary.json (1e-12); periodic pieces are joined, so
  every particle's equivalent diameter is within 3 % of 3 um (the facet compensation of the mesh
  enlarges spheres by about 1 %); `mpiexec -n 2` gives the same table (1e-6 relative). About 20 s (meshing, then a serial and a 2-rank run).
* P4 Labelled image: one row per connected region of each label (touching particles with different
  labels stay apart), exact voxel volumes (1e-12) and centroids. About 6 s.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from conftest import COOLDOWN_NMC_LLZO, UNIFORM_BAR_CASE, read_summary, run_cli, write_case
from stressfem.output.particles import grouped_quantile
from stressfem.output.stats import weighted_quantiles
from stressfem.verification.bimetal import write_strip_msh


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grouped_quantile_matches_weighted_quantiles(seed):
    rng = np.random.default_rng(seed)
    n_groups, n = 50, 2000
    groups = rng.integers(0, n_groups - 5, n)  # the last groups stay empty
    values, weights = rng.normal(size=n), rng.uniform(0.1, 2.0, n)
    got = grouped_quantile(groups, values, weights, n_groups, 0.99)
    for g in range(n_groups):
        sel = groups == g
        if sel.any():
            assert got[g] == weighted_quantiles(values[sel], weights[sel], 0.99)[0]
        else:
            assert np.isnan(got[g])




def _rows(folder) -> list[dict]:
    with open(folder / "results" / "particles.csv") as fh:
        return list(csv.DictReader(fh))


def test_two_volume_hand_case(tmp_path):
    folder = write_case(tmp_path / "bar", UNIFORM_BAR_CASE)
    write_strip_msh(folder / "bar.msh", 2e-6, 2e-6, 2e-6, 2e-6, 1e-6)
    run_cli("run", folder, check=True)
    rows = {r["id"]: r for r in _rows(folder)}
    assert set(rows) == {"bottom", "top"}
    for name, zc in (("bottom", 1e-6), ("top", 3e-6)):
        r = rows[name]
        assert r["step"] == "load" and r["phase"] == name and r["cut"] == "1"
        assert float(r["volume_m3"]) == pytest.approx(8e-18, rel=1e-9)
        assert [float(r[f"centroid_{c}_m"]) for c in "xyz"] == pytest.approx([1e-6, 1e-6, zc], rel=1e-9)
        assert float(r["equivalent_diameter_m"]) == pytest.approx((6 * 8e-18 / np.pi) ** (1 / 3), rel=1e-9)
        assert float(r["mean_hydrostatic_Pa"]) == pytest.approx(250e6 / 3, rel=1e-6)
        assert float(r["mean_von_mises_Pa"]) == pytest.approx(250e6, rel=1e-6)
        assert float(r["p99_max_principal_Pa"]) == pytest.approx(250e6, rel=1e-6)


PACKING = """
[geometry]
type = "particles"
box_um = [6.0, 6.0, 6.0]
volume_fraction = 0.2
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 2
size_distribution = { type = "fixed", diameter_um = 3.0 }
[mesh]
size_um = 1.0
interface_size_um = 0.6
[output]
fields = false
""" + COOLDOWN_NMC_LLZO


@pytest.mark.mpi
def test_generated_packing(tmp_path):
    folder = write_case(tmp_path / "pk", PACKING)
    run_cli("run", folder, check=True)
    rows = _rows(folder)
    particles = [r for r in rows if r["phase"] == "NMC811"]
    assert [r["id"] for r in rows if r["phase"] == "LLZO"] == ["LLZO"]
    assert sorted(int(r["id"]) for r in particles) == list(range(len(particles))) and len(particles) >= 3
    total = read_summary(folder)["steps"][-1]["phases"]["NMC811"]["volume_m3"]
    assert sum(float(r["volume_m3"]) for r in particles) == pytest.approx(total, rel=1e-12)
    for r in particles:
        assert float(r["equivalent_diameter_m"]) == pytest.approx(3e-6, rel=0.03)
    par = write_case(tmp_path / "np2", PACKING)
    (par / "mesh").mkdir()
    for f in (folder / "mesh").iterdir():
        (par / "mesh" / f.name).write_bytes(f.read_bytes())
    run_cli("run", par, np=2, check=True)
    for a, b in zip(rows, _rows(par), strict=True):
        assert a["id"] == b["id"] and a["cut"] == b["cut"]
        for k in ("volume_m3", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "p99_max_principal_Pa"):
            assert float(b[k]) == pytest.approx(float(a[k]), rel=1e-6), (a["id"], k)


IMAGE = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 5e-7
labels = { "0" = "void", "1" = "NMC811", "2" = "LLZO", "3" = "NMC811" }
axis_order = "xyz"
element = "hexahedron"
[output]
fields = false
""" + COOLDOWN_NMC_LLZO


def test_labelled_image_particles(tmp_path):
    """P4: a 6 x 4 x 4 voxel image (0.5 um voxels, hexahedra) with two separate blobs of label 1 and a
    label-3 block between them (both NMC811), LLZO around and a void line: one row per connected region
    of each label, volumes 8 voxels = 1e-18 m3 for each particle and 66 voxels for the LLZO (1e-12)."""
    import numpy as np

    img = np.full((6, 4, 4), 2, dtype=np.uint8)
    img[0:2, :2, :2] = 1
    img[4:6, :2, :2] = 1
    img[2:4, :2, :2] = 3
    img[:, 3, 3] = 0
    folder = write_case(tmp_path / "img", IMAGE)
    np.save(folder / "labels.npy", img)
    run_cli("run", folder, check=True)
    rows = _rows(folder)
    nmc = [r for r in rows if r["phase"] == "NMC811"]
    llzo = [r for r in rows if r["phase"] == "LLZO"]
    assert len(nmc) == 3 and len(llzo) == 1 and len({r["id"] for r in rows}) == 4
    for r in nmc:
        assert float(r["volume_m3"]) == pytest.approx(8 * 0.5e-6 ** 3, rel=1e-12) and r["cut"] == "1"
    assert float(llzo[0]["volume_m3"]) == pytest.approx(66 * 0.5e-6 ** 3, rel=1e-12)
    xs = sorted(float(r["centroid_x_m"]) for r in nmc)
    assert xs == pytest.approx([0.5e-6, 1.5e-6, 2.5e-6], rel=1e-12)  # blob, middle block, blob
