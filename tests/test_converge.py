"""`stressfem converge CASE`: a mesh-convergence study with Richardson extrapolation.

Requirements (issue 12):
* V1 richardson() recovers the limit and the order of q(h) = q_inf + C h^p exactly (1e-9) from
  three levels; a non-monotone sequence gives no order and no extrapolated value (None, strict JSON).
* V2 On a tiny particle box, 3 levels (sizes x 2, x sqrt 2, x 1 of the case's) run, the table is
  printed, and convergence.json / .csv are written inside CASE/convergence/ only (no other new
  file or folder in CASE); the finest level is the case's own resolution; every per-phase mean
  has a value per level and its error estimate.
* V3 A geometry with a fixed mesh (type "msh") or fewer than 3 levels is refused with exit 2,
  naming the key.
* V4 Image (voxel) cases: levels subdivide every voxel (test_converge_image_subdivides_voxels).
Run time: about 30 s.
"""

from __future__ import annotations

import json
import math
import shutil

import pytest

from conftest import COOLDOWN_NMC_LLZO, ROOT, run_cli, write_case
from stressfem.batch.converge import richardson

TINY = """
[geometry]
type = "particles"
box_um = [8, 8, 8]
volume_fraction = 0.2
particle_phase = "NMC811"
matrix_phase = "LLZO"
size_distribution = { type = "fixed", diameter_um = 4.0 }
[mesh]
size_um = 1.6
interface_size_um = 0.8
[output]
fields = false
""" + COOLDOWN_NMC_LLZO


@pytest.mark.parametrize("p,r", [(1.0, 2.0), (2.0, math.sqrt(2.0)), (3.3, 1.5)])
def test_richardson_exact(p, r):
    h = [r**2, r, 1.0]
    fit = richardson([-7.0 + 0.3 * x**p for x in h], r)
    assert fit["convergence"] == "monotone"
    assert fit["extrapolated"] == pytest.approx(-7.0, rel=1e-9)
    assert fit["order"] == pytest.approx(p, rel=1e-9)


def test_richardson_not_asymptotic():
    assert richardson([1.0, 2.0, 1.5], 2.0) == {"extrapolated": None, "order": None, "convergence": "oscillatory"}
    assert richardson([1.0, 1.1, 1.3], 2.0)["order"] is None
    assert richardson([1.0, float("nan"), 1.3], 2.0)["extrapolated"] is None


def test_converge_tiny_case(tmp_path):
    folder = write_case(tmp_path / "tiny", TINY)
    proc = run_cli("converge", folder, check=True)
    assert "extrap." in proc.stdout and "mean hydrostatic" in proc.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["case.toml", "convergence"]
    study = folder / "convergence"
    assert sorted(p.name for p in study.iterdir()) == ["convergence.csv", "convergence.json", "level-0", "level-1",
                                                       "level-2"]
    data = json.loads((study / "convergence.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    sizes = [lv["interface_size_um"] for lv in data["levels"]]
    assert sizes == pytest.approx([1.6, 0.8 * math.sqrt(2), 0.8])
    assert data["levels"][0]["cells"] < data["levels"][2]["cells"]
    means = [r for r in data["rows"] if r["quantity"] == "mean hydrostatic"]
    assert {r["phase"] for r in means} == {"NMC811", "LLZO"}
    for r in means:
        assert len(r["values_Pa"]) == 3 and all(isinstance(v, float) for v in r["values_Pa"])
        assert all(isinstance(e, float) and e >= 0 for e in r["error_estimates_Pa"])
    csv_lines = (study / "convergence.csv").read_text().splitlines()
    assert csv_lines[0].startswith("step,phase,quantity,level0_MPa") and len(csv_lines) == 1 + len(data["rows"])


def test_converge_refuses(tmp_path):
    msh_case = '[geometry]\ntype = "msh"\nfile = "x.msh"\n' + COOLDOWN_NMC_LLZO
    folder = write_case(tmp_path / "msh", msh_case)
    (folder / "x.msh").write_text("")  # refused before it is read
    proc = run_cli("converge", folder)
    assert proc.returncode == 2 and "geometry.type" in proc.stderr + proc.stdout
    folder = write_case(tmp_path / "two", TINY)
    proc = run_cli("converge", folder, "--levels", "2")
    assert proc.returncode == 2 and "--levels" in proc.stderr + proc.stdout
    assert not (folder / "convergence").exists()


IMAGE = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 1e-6
labels = { "1" = "NMC811", "2" = "LLZO" }
axis_order = "xyz"
[solver]
element_degree = 1
[output]
fields = false
""" + COOLDOWN_NMC_LLZO


def test_converge_image_subdivides_voxels(tmp_path):
    """V4 An image case is refined by splitting each voxel into 1, 2, 4 cells per edge (ratio 2): the
    same staircase geometry (phase volumes = voxel counts, 1e-10), 8x the cells per level, the case's
    own mesh is level 0 and its difference from the extrapolated value is reported; the shipped
    tomography case at 3 levels exceeds the voxel-mesh cell limit and is refused naming crop_voxels."""
    import numpy as np

    x, y, z = np.meshgrid(*(np.arange(6),) * 3, indexing="ij")
    img = np.full((6, 6, 6), 2, dtype=np.uint8)
    img[(x - 2.5) ** 2 + (y - 2.5) ** 2 + (z - 2.5) ** 2 < 5.0] = 1
    folder = write_case(tmp_path / "image", IMAGE)
    np.save(folder / "labels.npy", img)
    proc = run_cli("converge", folder, check=True)
    assert "case diff" in proc.stdout
    data = json.loads((folder / "convergence" / "convergence.json").read_text())
    assert data["ratio"] == 2.0 and data["case_level"] == 0
    cells = [lv["cells"] for lv in data["levels"]]
    assert cells == [216, 216 * 8, 216 * 64]
    assert [lv["interface_size_um"] for lv in data["levels"]] == pytest.approx([1.0, 0.5, 0.25])
    from stressfem.geometry.metrics import mesh_metrics, read_cell_mesh

    n_nmc = int((img == 1).sum())
    for k in range(3):
        msh = next((folder / "convergence" / f"level-{k}" / "mesh").glob("*.msh"))
        fractions = mesh_metrics(read_cell_mesh(msh))["volume_fractions"]
        assert fractions["NMC811"] == pytest.approx(n_nmc / 216, rel=1e-10)
    mean = next(r for r in data["rows"] if r["phase"] == "NMC811" and r["quantity"] == "mean hydrostatic")
    assert mean["case_minus_extrapolated_relative"] is not None or mean["convergence"] != "monotone"
    shipped = tmp_path / "tomography"
    shutil.copytree(ROOT / "cases" / "nmc811-llzo-tomography", shipped)
    proc = run_cli("converge", shipped)
    assert proc.returncode == 2 and "geometry.crop_voxels" in proc.stderr + proc.stdout
    assert not (shipped / "convergence").exists()
