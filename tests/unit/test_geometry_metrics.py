"""Microstructure metrics, image import and Voronoi grains (issue 3, item 9).

Requirements and tolerances:
* a straight-channel image has tortuosity factor 1 along the channel (1e-6) and none across it;
* one sphere in a box: contact fraction 1 (1e-9) and interface area 4 pi r^2 within 1 %;
* the Voronoi grains of a particle tile it: grain volumes sum to the sphere volume within 0.5 %;
* image round trip: image -> voxel mesh (hexahedra, the default; tetrahedra: tests/verification/test_image_hex.py)
  -> phase volumes equal voxel counts x voxel volume (1e-9),
  void voxels are left out and give free surfaces;
* volumes named ``<phase>#<grain>`` are grouped by phase in the driver's phase check.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stressfem.case import MeshSpec, ParticlesGeometry, load_case
from stressfem.geometry.metrics import mesh_metrics, read_tet_mesh, tortuosity
from stressfem.geometry.packing import Packing

from conftest import COOLDOWN_NMC_LLZO, write_case


def test_straight_channel_tortuosity_is_one():
    mask = np.zeros((20, 9, 9), dtype=bool)
    mask[:, 3:6, 2:5] = True  # a 3 x 3 channel along x
    along = tortuosity(mask, 0)
    assert along["tau"] == pytest.approx(1.0, abs=1e-6)
    assert along["porosity"] == pytest.approx(9 / 81)
    assert math.isinf(tortuosity(mask, 1)["tau"])  # no path across the channel


def test_one_sphere_in_a_box(tmp_path):
    from stressfem.geometry.rve import build_particle_rve

    box, r = 10.0, 3.0
    geometry = ParticlesGeometry(type="particles", box_um=(box,) * 3, volume_fraction=0.1,
                                 size_distribution={"type": "fixed", "diameter_um": 2 * r},
                                 particle_phase="AM", matrix_phase="SE")
    packing = Packing((box,) * 3, np.array([[5.0, 5.0, 5.0]]), np.array([r]), 1, 0.1,
                      4 / 3 * math.pi * r**3 / box**3, 0, np.array([0]))
    msh = tmp_path / "one.msh"
    build_particle_rve(packing, geometry, MeshSpec(size_um=1.5, interface_size_um=0.3), msh)
    m = mesh_metrics(read_tet_mesh(msh), active_phase="AM", electrolyte_phase="SE", voxels=24)
    area = m["interfaces"]["AM/SE"]["area_m2"]
    assert area == pytest.approx(4 * math.pi * (r * 1e-6) ** 2, rel=0.01)
    assert m["contact_fraction"] == pytest.approx(1.0, abs=1e-9)
    assert m["porosity"] == pytest.approx(0.0, abs=1e-9)
    assert m["volume_fractions"]["AM"] == pytest.approx(4 / 3 * math.pi * r**3 / box**3, rel=0.01)
    assert all(1.0 < m["tortuosity"][ax]["tau"] < 1.3 for ax in "xyz")


def test_voronoi_grains_tile_the_particle():
    from stressfem.geometry.gmsh_session import gmsh_session
    from stressfem.geometry.stack import _grain_volumes, uniform_quaternions, voronoi_seeds

    rng = np.random.default_rng(5)
    r, centre = 2.0, np.array([1.0, -0.5, 3.0])
    with gmsh_session() as gmsh:
        occ = gmsh.model.occ
        vols = _grain_volumes(occ, centre, r, voronoi_seeds(8, r, rng))
        occ.synchronize()
        total = sum(occ.getMass(3, v) for v in vols)
    assert len(vols) == 8
    assert total == pytest.approx(4 / 3 * math.pi * r**3, rel=0.005)
    q = uniform_quaternions(1000, rng)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0)
    assert abs(q[:, 1:].mean()) < 0.05  # no preferred axis


IMAGE_CASE = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 5e-7
labels = {{ "0" = "void", "1" = "NMC811", "2" = "LLZO" }}
axis_order = "xyz"
downsample = {downsample}
active_phase = "NMC811"
electrolyte_phase = "LLZO"
""" + COOLDOWN_NMC_LLZO  # braces-free tail, safe before .format


def _labels() -> np.ndarray:
    x, y, z = np.meshgrid(np.arange(12), np.arange(10), np.arange(8), indexing="ij")
    img = np.full((12, 10, 8), 2, dtype=np.uint8)
    img[(x - 5.5) ** 2 + (y - 4.5) ** 2 + (z - 3.5) ** 2 < 9.0] = 1
    img[9:, 7:, :2] = 0  # a pore at an edge
    img[0, 0, 7] = 0
    return img


@pytest.mark.parametrize("downsample", [1, 2])
def test_image_round_trip(tmp_path: Path, downsample: int):
    from stressfem.geometry.provide import case_mesh_file, case_metrics

    case = write_case(tmp_path / "img", IMAGE_CASE.format(downsample=downsample))
    img = _labels()
    np.save(case / "labels.npy", img)
    loaded = load_case(case)
    msh, unit, info = case_mesh_file(loaded)
    if downsample == 2:
        from stressfem.geometry.image import prepare_image

        img = prepare_image(img, None, 2)
    voxel = 5e-7 * downsample
    mesh = read_tet_mesh(msh, unit)
    vol = mesh.cell_volumes()
    for label, phase in ((1, "NMC811"), (2, "LLZO")):
        idx = mesh.group_names.index(phase)
        assert vol[mesh.cell_group == idx].sum() == pytest.approx(np.sum(img == label) * voxel**3, rel=1e-9)
        assert info["voxel_counts"][phase] == np.sum(img == label)
    m = case_metrics(loaded, msh, unit, info, voxels=12)
    assert m["porosity"] == pytest.approx(np.mean(img == 0), abs=1e-9)
    assert "NMC811/void" in m["interfaces"] or "LLZO/void" in m["interfaces"]
    assert info["min_quality"] > 0.7


def test_grain_volumes_grouped_by_phase(tmp_path: Path):
    from stressfem.solver.driver import check_phases

    case = write_case(tmp_path / "c", IMAGE_CASE.format(downsample=1))
    np.save(case / "labels.npy", _labels())
    loaded = load_case(case)
    names = check_phases(loaded, {"NMC811#1": 3, "NMC811#2": 4, "LLZO": 1}, Path("x.msh"))
    assert names == ["LLZO", "NMC811"]


def test_neck_contact_policy(tmp_path):
    """Contact policy "neck": two particles 0.02 um apart are joined by a solid neck; no thin film."""
    from stressfem.geometry.packing import neck_cylinders
    from stressfem.geometry.rve import build_particle_rve

    geometry = ParticlesGeometry(type="particles", box_um=(10.0,) * 3, volume_fraction=0.1,
                                 size_distribution={"type": "fixed", "diameter_um": 4.0},
                                 particle_phase="AM", matrix_phase="SE", contact="neck")
    centres, radii = np.array([[3.0, 5.0, 5.0], [7.02, 5.0, 5.0]]), np.array([2.0, 2.0])
    necks = neck_cylinders(centres, radii, np.array([10.0] * 3), 0.3, 0.3)
    assert len(necks) == 1 and necks[0, 6] == pytest.approx(0.6)
    packing = Packing((10.0,) * 3, centres, radii, 2, 0.1, 0.1, 0, np.array([0, 1]), necks)
    info = build_particle_rve(packing, geometry, MeshSpec(size_um=1.0, interface_size_um=0.5), tmp_path / "n.msh")
    m = mesh_metrics(read_tet_mesh(tmp_path / "n.msh"))
    assert info["min_quality"] > 0.2
    # the neck removes the matrix film: less particle surface than two free spheres
    assert m["interfaces"]["AM/SE"]["area_m2"] < 2 * 4 * math.pi * (2e-6) ** 2 * 0.99


def test_unreachable_packing_names_the_keys():
    from stressfem.errors import GeometryError
    from stressfem.geometry.packing import pack_spheres

    g = ParticlesGeometry(type="particles", box_um=(12.0,) * 3, volume_fraction=0.62, min_gap_fraction=0.15,
                          size_distribution={"type": "fixed", "diameter_um": 4.0})
    with pytest.raises(GeometryError, match="volume_fraction or min_gap_fraction"):
        pack_spheres(g)


def test_too_thin_layer_names_the_keys():
    from stressfem.case import CompositeLayer
    from stressfem.errors import GeometryError
    from stressfem.geometry.builders import _layer_packing

    layer = CompositeLayer(type="composite", name="thin", thickness_um=3.0, volume_fraction=0.3,
                           size_distribution={"type": "fixed", "diameter_um": 4.0}, particle_phase="AM",
                           matrix_phase="SE")
    with pytest.raises(GeometryError, match="thickness_um"):
        _layer_packing(layer, (10.0, 10.0), 0, 0.5, 12)
