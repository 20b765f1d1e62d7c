"""[output] interior_margin_um: cells near the box faces are left out of the per-phase statistics.

Requirement: on a voxel (hexahedral) mesh of an 8^3 image with 1 um voxels, a margin of 2 um on
all axes keeps exactly the central 4^3 voxels (kept volume fraction 0.125, phase volumes equal
to the voxel counts, to 1e-12 relative); with interior_axes = "z" it keeps the 8 x 8 x 4 voxels
between z = 2 and 6 um. The solve is unchanged (the same displacement iterations).
Run time about 13 s (three small runs).
"""

from __future__ import annotations

import numpy as np

from conftest import COOLDOWN_NMC_LLZO, read_summary, run_cli, write_case

CASE = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 1e-6
labels = { 0 = "LLZO", 1 = "NMC811" }
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[output]
fields = false
"""


def _run(tmp_path, name: str, output: str) -> tuple[dict, np.ndarray]:
    folder = tmp_path / name
    labels = np.zeros((8, 8, 8), dtype=np.uint8)
    labels[3:7, 2:5, 1:6] = 1  # (z, y, x)
    write_case(folder, CASE + output + COOLDOWN_NMC_LLZO)
    np.save(folder / "labels.npy", labels)
    run_cli("run", folder, check=True)
    return read_summary(folder), labels


def test_interior_margin_keeps_the_central_voxels(tmp_path):
    full, labels = _run(tmp_path, "full", "")
    inner, _ = _run(tmp_path, "inner", "interior_margin_um = 2.0\n")
    z_only, _ = _run(tmp_path, "z", 'interior_margin_um = 2.0\ninterior_axes = "z"\n')
    assert "statistics" not in full
    assert abs(inner["statistics"]["kept_volume_fraction"] - 0.125) < 1e-12
    assert abs(z_only["statistics"]["kept_volume_fraction"] - 0.5) < 1e-12
    for summary, block in ((inner, labels[2:6, 2:6, 2:6]), (z_only, labels[2:6])):
        phases = summary["steps"][-1]["phases"]
        assert abs(phases["NMC811"]["volume_m3"] - np.count_nonzero(block) * 1e-18) < 1e-12 * 1e-18 * block.size
        assert abs(phases["LLZO"]["volume_m3"] - np.count_nonzero(block == 0) * 1e-18) < 1e-12 * 1e-18 * block.size
    assert inner["solver"]["linear_iterations"] == full["solver"]["linear_iterations"]
