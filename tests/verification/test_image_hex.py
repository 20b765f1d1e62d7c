"""Tomography import with hexahedral voxel meshes (issue 3, item 5), end to end.

Requirements and tolerances:
* H1 Round trip: `element = "hexahedron"` (the default) writes one hexahedron per solid voxel (Gmsh
  type 5, surfaces quadrilaterals, type 3); `"tetrahedron"` writes 6 tetrahedra per voxel. Either
  way phase volumes = voxel counts x voxel volume (1e-10 relative), also after crop and downsample.
  Void voxels are left out: each face between a solid and a void voxel is a facet of `<phase>/void`
  and nothing else (facet count exact, area to 1e-10); a box face holds exactly the solid voxels on
  it. DOLFINx reads the hexahedra and their quadrilateral facet tags.
* H2 Single-phase block, rollers on all six faces, cooled by dT: sigma = -E alpha dT / (1 - 2 nu) I
  in every cell (mean and max principal 1e-6 relative, von Mises < 1e-6 |sigma|).
* H3 Bilayer (layers normal to z), rollers on the four lateral faces and zmin, top free: in layer i
  sigma_xx = sigma_yy = -E_i alpha_i dT / (1 - nu_i), sigma_zz = 0 (1e-6 of |sigma|).
* H4 Two layers in series along x between rollers on all six faces (uniaxial strain): the uniform
  sigma_xx = -dT sum(h_i 3 K_i alpha_i / C11_i) / sum(h_i / C11_i) (rule of mixtures of the layer
  compliances) and sigma_yy_i = C12_i e_i - 3 K_i alpha_i dT with e_i = (sigma_xx + 3 K_i alpha_i dT) / C11_i
  (1e-6 relative). Q1 contains these piecewise-linear displacements, so H2-H4 are exact up to the
  linear-solver tolerance (rtol 1e-12 here).
* H5 The shipped case cases/nmc811-llzo-tomography (cropped to 16^3 voxels, one cell per voxel, 2 increments per stage)
  runs with hexahedra through cooling and a galvanostatic charge with Li diffusion; serial and
  `mpiexec -n 2` per-phase statistics agree to 1e-6 relative; its VTK fields hold hexahedra (VTK
  type 12) with the volume of the solid voxels (1e-10), and the 3D figures render from them.
* H6 [[interfaces]] on a hexahedral mesh is a case error naming geometry.element.
* H7 Crystal orientation units of an image are its connected regions of one label: two touching
  particles with different labels are two units, two separate blobs of one label are two units.
* H8 Optional Taubin smoothing (`smoothing_iterations = 3`) of a voxelised sphere (r = 4.3 voxels):
  the interface area drops from the staircase (>= 1.3 x 4 pi r^2) to within 15 % of 4 pi r^2,
  each phase volume changes by less than 1 %, no cell has a scaled corner Jacobian below 0.2; the
  solve runs on the smoothed (non-parallelepiped) hexahedra and the phase volumes still fill the
  box (sum = box volume, 1e-10); smoothing with tetrahedra is a case error.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import ROOT, read_summary, run_cli, write_case
from stressfem.case import load_case
from stressfem.geometry.image import prepare_image
from stressfem.geometry.metrics import read_cell_mesh
from stressfem.geometry.provide import case_mesh_file

VOXEL = 5e-7

ROUND_TRIP = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = {voxel}
labels = {{ "0" = "void", "1" = "NMC811", "2" = "LLZO" }}
axis_order = "xyz"
element = "{element}"
downsample = {downsample}
{extra}
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"

[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 1
"""


def _labels() -> np.ndarray:
    """12 x 10 x 8 voxels [x, y, z]: a sphere of 1 in 2, a pore at an edge, a closed pore, a corner pore."""
    x, y, z = np.meshgrid(np.arange(12), np.arange(10), np.arange(8), indexing="ij")
    img = np.full((12, 10, 8), 2, dtype=np.uint8)
    img[(x - 5.5) ** 2 + (y - 4.5) ** 2 + (z - 3.5) ** 2 < 9.0] = 1
    img[9:, 7:, :2] = 0
    img[1:3, 6:8, 3:5] = 0  # a closed pore inside LLZO
    img[0, 0, 7] = 0
    return img


def _void_faces(phase: np.ndarray) -> dict[int, int]:
    """Per phase index: number of faces shared by one of its voxels and a void voxel."""
    out: dict[int, int] = {}
    for ax in range(3):
        a = np.take(phase, np.arange(phase.shape[ax] - 1), axis=ax)
        b = np.take(phase, np.arange(1, phase.shape[ax]), axis=ax)
        for p, q in ((a, b), (b, a)):
            sel = (p >= 0) & (q < 0)
            for i, n in zip(*np.unique(p[sel], return_counts=True)):
                out[int(i)] = out.get(int(i), 0) + int(n)
    return out


@pytest.mark.parametrize("element,downsample,crop", [
    ("hexahedron", 1, None), ("hexahedron", 2, None), ("hexahedron", 1, [[1, 11], [0, 9], [2, 8]]),
    ("tetrahedron", 1, [[1, 11], [0, 9], [2, 8]])])
def test_round_trip(tmp_path, element, downsample, crop):
    """H1."""
    from stressfem.geometry.gmsh_session import gmsh_session

    crop_line = f"crop_voxels = {crop}" if crop else ""
    case = write_case(tmp_path / "img", ROUND_TRIP.format(voxel=VOXEL, element=element, downsample=downsample,
                                                           extra=crop_line))
    np.save(case / "labels.npy", _labels())
    msh, unit, info = case_mesh_file(load_case(case))
    img = prepare_image(_labels(), crop, downsample)
    phase = np.select([img == 1, img == 2], [0, 1], -1)  # NMC811 0, LLZO 1 (order of `labels`), void -1
    h = VOXEL * downsample
    hexes = element == "hexahedron"
    with gmsh_session() as g:
        g.open(str(msh))
        assert set(g.model.mesh.getElementTypes(3)) == {5 if hexes else 4}
        assert set(g.model.mesh.getElementTypes(2)) == {3 if hexes else 2}
    mesh = read_cell_mesh(msh, unit)
    vol = mesh.cell_volumes()
    for i, name in enumerate(("NMC811", "LLZO")):
        cells = mesh.cell_group == mesh.group_names.index(name)
        assert cells.sum() == np.sum(phase == i) * (1 if hexes else 6)
        assert vol[cells].sum() == pytest.approx(np.sum(phase == i) * h**3, rel=1e-10)
    # free surfaces: exactly the solid/void voxel faces (quadrilaterals: 1 facet each; triangles: 2)
    per_face = 1 if hexes else 2
    want = _void_faces(phase)
    for i, name in enumerate(("NMC811", "LLZO")):
        assert info["surface_facets"].get(f"{name}/void", 0) == per_face * want.get(i, 0)
    solid = phase >= 0
    for ax, (lo, hi) in enumerate((("xmin", "xmax"), ("ymin", "ymax"), ("zmin", "zmax"))):
        assert info["surface_facets"][lo] == per_face * np.take(solid, 0, axis=ax).sum()
        assert info["surface_facets"][hi] == per_face * np.take(solid, -1, axis=ax).sum()
    from stressfem.geometry.metrics import mesh_metrics

    m = mesh_metrics(mesh)
    void_area = sum(v["area_m2"] for k, v in m["interfaces"].items() if k.endswith("/void"))
    assert void_area == pytest.approx(sum(want.values()) * h**2, rel=1e-10)
    assert m["porosity"] == pytest.approx(np.mean(phase < 0), abs=1e-12)
    assert m["cell_type"] == element
    if hexes and downsample == 1 and crop is None:  # DOLFINx reads hexahedra and quadrilateral facet tags
        from stressfem.geometry.msh import read_phase_mesh

        pm = read_phase_mesh(msh)
        assert pm.mesh.topology.cell_type.name == "hexahedron"
        assert len(pm.facet_tags.find(pm.surfaces["LLZO/void"])) == want[1]


BLOCK = """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 1e-6
axis_order = "xyz"
labels = {{ "1" = "A", "2" = "B" }}
[phases]
{phases}
{materials}
[[stages]]
type = "cooling"
stress_free_temperature_K = 400
final_temperature_K = 300
increments = 1
[solver]
rtol = 1e-12
[[boundary_conditions]]
type = "roller"
surfaces = {rollers}
[output]
fields = false
"""
DT = -100.0
MATS = {"A": (150e9, 0.25, 1.0e-5), "B": (100e9, 0.3, 2.0e-5)}


def _run_block(tmp_path, name: str, img: np.ndarray, rollers: list[str]) -> dict:
    from stressfem.solver.driver import run_case

    used = [p for k, p in ((1, "A"), (2, "B")) if np.any(img == k)]
    phases = "\n".join(f'{p} = "mat_{p}"' for p in used)
    materials = "\n".join(f"[materials.mat_{p}]\nyoungs_modulus_Pa = {MATS[p][0]}\npoisson_ratio = {MATS[p][1]}\n"
                          f"cte_per_K = {MATS[p][2]}" for p in used)
    labels = ", ".join(f'"{"AB".index(p) + 1}" = "{p}"' for p in used)
    toml = BLOCK.format(phases=phases, materials=materials, rollers=rollers).replace(
        '{ "1" = "A", "2" = "B" }', f"{{ {labels} }}")
    case = write_case(tmp_path / name, toml.replace("'", '"'))
    np.save(case / "labels.npy", img.astype(np.uint8))
    run_case(case)
    summary = read_summary(case)
    assert summary["mesh"]["element"] == "hexahedron"
    return summary["steps"][-1]["phases"]


def _lame(E: float, nu: float) -> tuple[float, float, float]:
    """(C11, C12, 3 K) of an isotropic material (Pa)."""
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    return lam + 2 * mu, lam, 3 * lam + 2 * mu


def test_constrained_block_and_layers(tmp_path):
    """H2, H3, H4 (one process: forms compiled once)."""
    all_faces = ["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]
    # H2: one phase, all faces on rollers
    stats = _run_block(tmp_path, "block", np.ones((4, 3, 3)), all_faces)["A"]
    E, nu, a = MATS["A"]
    s = -E * a * DT / (1 - 2 * nu)
    assert np.allclose(stats["mean_stress_Pa"], s * np.eye(3), rtol=0, atol=1e-6 * abs(s))
    assert stats["max_principal_Pa"] == pytest.approx(s, rel=1e-6)
    assert stats["max_von_mises_Pa"] < 1e-6 * abs(s)
    # H3: bilayer normal to z, lateral rollers and zmin, free top
    img = np.ones((4, 4, 5))
    img[:, :, 2:] = 2
    stats = _run_block(tmp_path, "bilayer", img, ["xmin", "xmax", "ymin", "ymax", "zmin"])
    for p in ("A", "B"):
        E, nu, a = MATS[p]
        s = -E * a * DT / (1 - nu)
        assert np.allclose(stats[p]["mean_stress_Pa"], np.diag([s, s, 0.0]), rtol=0, atol=1e-6 * abs(s))
        assert stats[p]["max_von_mises_Pa"] == pytest.approx(abs(s), rel=1e-6)  # uniform in the layer
    # H4: layers in series along x (3 and 5 voxels), all faces on rollers
    img = np.ones((8, 3, 3))
    img[3:] = 2
    stats = _run_block(tmp_path, "series", img, all_faces)
    h = {"A": 3.0, "B": 5.0}
    c = {p: _lame(*MATS[p][:2]) for p in "AB"}
    sxx = -DT * sum(h[p] * c[p][2] * MATS[p][2] / c[p][0] for p in "AB") / sum(h[p] / c[p][0] for p in "AB")
    for p in "AB":
        C11, C12, K3 = c[p]
        e = (sxx + K3 * MATS[p][2] * DT) / C11
        syy = C12 * e - K3 * MATS[p][2] * DT
        assert np.allclose(stats[p]["mean_stress_Pa"], np.diag([sxx, syy, syy]), rtol=0,
                           atol=1e-6 * max(abs(sxx), abs(syy)))
        assert stats[p]["max_von_mises_Pa"] == pytest.approx(abs(sxx - syy), rel=1e-6)


def _shipped_case(folder):
    src = ROOT / "cases" / "nmc811-llzo-tomography"
    shutil.copytree(src, folder, ignore=shutil.ignore_patterns("results*", "mesh", ".results*"))
    toml = (folder / "case.toml").read_text()
    assert 'element = "hexahedron"' in toml
    toml = toml.replace('element = "hexahedron"', 'element = "hexahedron"\ncrop_voxels = [[0, 16], [4, 20], [8, 24]]')
    assert "subdivide = 2" in toml  # one cell per voxel here: rank independence, not accuracy, is tested
    toml = toml.replace("subdivide = 2", "subdivide = 1")
    (folder / "case.toml").write_text(toml.replace("increments = 4", "increments = 2"))
    return folder


def test_shipped_tomography_case_serial_vs_mpi(tmp_path):
    """H5."""
    import pyvista as pv

    serial, parallel = _shipped_case(tmp_path / "serial"), _shipped_case(tmp_path / "np2")
    run_cli("run", serial, check=True)
    run_cli("run", parallel, np=2, check=True)
    s1, s2 = read_summary(serial), read_summary(parallel)
    assert s1["mesh"]["element"] == "hexahedron" and s1["mesh"]["n_hexahedra"] == s1["cells"]
    assert [s["type"] for s in s1["steps"]] == ["cooling", "galvanostatic"]
    assert s2["steps"][1]["mean_li_fraction"] == pytest.approx(s1["steps"][1]["mean_li_fraction"], rel=1e-6)
    for a, b in zip(s1["steps"], s2["steps"]):
        for p in a["phases"]:
            for key in ("volume_m3", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa",
                        "p99_von_mises_Pa", "max_principal_Pa"):
                assert b["phases"][p][key] == pytest.approx(a["phases"][p][key], rel=1e-6), (a["name"], p, key)
    assert s1["steps"][1]["soc"] == pytest.approx(0.3)
    # fields: hexahedra with the solid volume; figures render from them
    from stressfem.viz.data import ResultsData
    from stressfem.viz.figures import render_step

    data = ResultsData(serial)
    grid = data.read_field(data.step_field_index(1), None)
    assert set(np.asarray(grid.celltypes).tolist()) == {pv.CellType.HEXAHEDRON}
    solid = sum(p["volume_m3"] for p in s1["steps"][-1]["phases"].values())
    assert grid.compute_cell_sizes()["Volume"].sum() == pytest.approx(solid, rel=1e-10)
    data.figures.mkdir(exist_ok=True)
    entries = render_step(data, 1, grid, kinds=("von_mises", "particles"))
    assert len(entries) == 2
    assert all((data.figures / e["file"]).stat().st_size > 10_000 for e in entries)


def test_cohesive_interfaces_refuse_hexahedra(tmp_path):
    """H6."""
    toml = ROUND_TRIP.format(voxel=VOXEL, element="hexahedron", downsample=1, extra="") + """
[[interfaces]]
name = "NMC811/LLZO"
[interfaces.law]
type = "bilinear"
penalty_stiffness_Pa_per_m = 1e18
normal_strength_Pa = 1e8
shear_strength_Pa = 1e8
GIc_J_per_m2 = 2.0
GIIc_J_per_m2 = 2.0
"""
    from stressfem.errors import CaseError
    from stressfem.solver.driver import run_case

    case = write_case(tmp_path / "coh", toml)
    np.save(case / "labels.npy", _labels())
    with pytest.raises(CaseError, match='geometry.element.*element = "tetrahedron"'):
        run_case(case)


def test_orientation_units_are_image_regions(tmp_path):
    """H7."""
    from stressfem.geometry.image import voxel_grains
    from stressfem.physics.orientation import PARTICLE_OFFSET, voxel_units

    img = np.full((6, 4, 4), 2, dtype=np.uint8)
    img[0:2, :2, :2] = 1  # blob 1 of label 1
    img[4:6, :2, :2] = 1  # blob 2 of label 1, apart from blob 1
    img[2:4, :2, :2] = 3  # touches both blobs, its own label
    img[:, 3, 3] = 0
    toml = ROUND_TRIP.format(voxel=VOXEL, element="hexahedron", downsample=1, extra="").replace(
        '"2" = "LLZO" }', '"2" = "LLZO", "3" = "NMC811" }')
    case = write_case(tmp_path / "grains", toml)
    np.save(case / "labels.npy", img)
    loaded = load_case(case)
    grains, voxel = voxel_grains(loaded.case.geometry, loaded.input_path("labels.npy"))
    assert voxel == VOXEL and grains.max() == 3  # blob, blob, matrix, middle particle
    mid = (np.array([[0.5, 0.5, 0.5], [1.5, 1.5, 1.5], [4.5, 0.5, 0.5], [2.5, 1.0, 0.5], [3.5, 3.5, 0.5]])
           * VOXEL)
    u = voxel_units(mid, grains, voxel) - PARTICLE_OFFSET
    assert u[0] == u[1] and len({u[0], u[2], u[3], u[4]}) == 4
    assert np.all(grains[img == 0] == -1)


def test_smoothing(tmp_path):
    """H8."""
    import math

    from stressfem.errors import CaseError
    from stressfem.geometry.metrics import mesh_metrics
    from stressfem.solver.driver import run_case

    n, r = 12, 4.3
    x, y, z = np.meshgrid(*(np.arange(n) + 0.5,) * 3, indexing="ij")
    img = np.where((x - 6) ** 2 + (y - 6) ** 2 + (z - 6) ** 2 < r * r, 1, 2).astype(np.uint8)
    toml = ROUND_TRIP.format(voxel=1e-6, element="hexahedron", downsample=1,
                               extra="smoothing_iterations = 3")
    toml += '[[boundary_conditions]]\ntype = "roller"\nsurfaces = ["xmin", "ymin", "zmin"]\n'
    case = write_case(tmp_path / "smooth", toml)
    np.save(case / "labels.npy", img)
    msh, unit, info = case_mesh_file(load_case(case))
    sphere = 4 * math.pi * (r * 1e-6) ** 2
    m = mesh_metrics(read_cell_mesh(msh, unit))
    area = m["interfaces"]["LLZO/NMC811"]["area_m2"]
    assert _void_faces(np.where(img == 1, -1, 0))[0] * 1e-12 >= 1.3 * sphere  # the staircase area
    assert abs(area / sphere - 1.0) < 0.15
    assert max(abs(c) for c in info["smoothing"]["relative_volume_change_by_phase"]) < 0.01
    assert info["min_quality"] >= 0.2
    run_case(case)
    volumes = [p["volume_m3"] for p in read_summary(case)["steps"][-1]["phases"].values()]
    assert sum(volumes) == pytest.approx((n * 1e-6) ** 3, rel=1e-10)
    bad = write_case(tmp_path / "bad", toml.replace('element = "hexahedron"', 'element = "tetrahedron"'))
    np.save(bad / "labels.npy", img)
    with pytest.raises(CaseError, match="smoothing_iterations"):
        load_case(bad)
