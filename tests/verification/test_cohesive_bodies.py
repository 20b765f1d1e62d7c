"""Cohesive interfaces between bodies (physical volumes) of one phase, and coating interfaces.

Interface kinds (docs/cohesive.md): grain boundaries ``<phase>#gb`` between the Voronoi grains of a
polycrystalline particle, particle/particle contacts named by a physical surface, and the two
interfaces of a coated particle (core/coating, coating/electrolyte) with different laws.

Requirements and tolerances:
* B1 Two-grain bar (volumes G#1, G#2 of one phase, planar boundary ``G#gb``) pulled in mode I:
  peak traction = normal strength within 1 %, external work and dissipated_energy_J = G_Ic A
  within 2 %, fully debonded at the end (the pull machinery of test_cohesive_pull.py); serial and
  ``mpiexec -n 2`` with a rank that holds no grain-boundary facet agree (1e-6 relative).
* B2 Bodies are coloured by vertex adjacency: four grains meeting at one edge (2 x 2 checkerboard)
  need four blocks (facet adjacency alone would give two and pin diagonal grains along the edge);
  the diagonal pairs share no facet, so no (plus, minus) integration group joins them.
* B3 A cohesive interface whose two sides are also joined through bonded contacts is refused,
  naming the bonded contact to list (``G/M``); so are a named surface lying inside a volume and
  two interfaces sharing facets (a named grain-boundary surface alone: plus = the grain in block 0).
  Through the CLI, a surface that does not exist is a case error naming the file and
  ``interfaces[0].name``, and ``A/A`` points to ``A#gb``. When the case is read: ``X#gb`` of an unknown phase, a surface name with a generated geometry and ``A/A`` are case
  errors naming the file, the key and what is allowed.
* B4 Particle/particle: two touching particle volumes NMC811#0, NMC811#1 of a hand-built .msh with a
  named contact surface ``contact``, shrunk by cooling against rollers (free opening 2 L alpha dT =
  54 nm > final opening 2 G_c / N = 48 nm): through ``stressfem run`` the contact opens and debonds
  completely; steps[].interfaces["contact"] and history.csv report it;
  area = 1 um2 (1e-9), dissipated energy = G_Ic A within 2 % (uniform mode I opening).
* B5 Polycrystalline NMC811 particle (4 Voronoi grains, the generated geometry) in LLZO with
  cohesive ``NMC811#gb`` and ``NMC811/LLZO``, charged (anisotropic chemical strain, one c axis per
  grain): the grain boundaries damage and open; interface fields are written for ParaView.
* B6 The same case on ``mpiexec -n 2`` gives the same interface statistics (1e-6 relative).
* B8 Compile cost: the forms handed to FFCx do not grow with the number of block pairs (4 grains in 4
  blocks with 4 or 6 block pairs: the same 12 distinct form signatures, one compiled module each); the
  off-diagonal Jacobian blocks and facet quantities are built per pair (solver/cohesive/pairs.py).
* B7 Coated particle (generated, meshed ZrO2 shell) with cohesive ``NMC811/ZrO2`` (bilinear) and
  ``ZrO2/LLZO`` (weaker, exponential): both reported per step in summary.json and history.csv with
  area ratio (r_outer / r_inner)^2 within 3 %; on charge the shrinking core pulls away from the
  shell (core/coating damaged) while the shell/electrolyte interface stays intact.

Interface parameters are test inputs: no measured grain-boundary, particle/particle or coating
interface strength exists ([PERSP] Sec. 4.2.2 in ../shared/reference/literature.md); G_c = 2.4 J/m2
is the DFT NMC811|LLZO value of Barai et al., Chem. Mater. 33 (2021) 5527.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.physics.cohesive import BilinearMixedMode
from stressfem.verification.cohesive_pull import mode_targets, run_pull

BIL = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                        GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
LAW = ('{ type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, normal_strength_Pa = 100e6, '
       'shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.4, GIIc_J_per_m2 = 2.4 }')
KEYS = {"area_m2", "damaged_fraction", "debonded_fraction", "bonded_fraction", "contact_fraction", "max_opening_m",
        "dissipated_energy_J", "mean_normal_traction_Pa", "min_normal_traction_Pa", "max_normal_traction_Pa",
        "mean_shear_traction_Pa"}


# ----------------------------------------------------------------------------- B1 two-grain bar
def test_two_grain_bar_mode_I():
    out = run_pull(BIL, (1.0, 0.0, 0.0), mode_targets(BIL, "I"), cells_per_width=2, grains=True)
    u = np.array([0.0] + [r["displacement_m"] for r in out["rows"]])
    F = np.array([0.0] + [r["force_N"] for r in out["rows"]])
    A = out["area_m2"]
    assert A == pytest.approx(1e-12, rel=1e-12)
    assert abs(F.max() / (BIL.normal_strength_Pa * A) - 1) < 0.01
    work = float(np.sum(0.5 * (F[1:] + F[:-1]) * np.diff(u)))
    assert abs(work / (BIL.GIc_J_per_m2 * A) - 1) < 0.02
    assert abs(out["rows"][-1]["dissipated_energy_J"] / (BIL.GIc_J_per_m2 * A) - 1) < 0.02
    assert out["rows"][-1]["debonded_fraction"] == 1.0
    model = out["model"]
    assert [blk.bodies for blk in model.blocks] == [["G#1"], ["G#2"]]


@pytest.mark.mpi
def test_two_grain_bar_serial_equals_mpi_with_an_empty_rank():
    import json
    import subprocess
    import sys

    from conftest import MPIEXEC, _env

    if MPIEXEC is None:
        pytest.skip("mpiexec not found")
    cmd = [sys.executable, "-m", "stressfem.verification.cohesive_pull", "--grains"]
    res = [json.loads(subprocess.run(c, capture_output=True, text=True, timeout=600, env=_env(), check=True)
                      .stdout.strip().splitlines()[-1]) for c in (cmd, [MPIEXEC, "-n", "2", *cmd])]
    serial, parallel = res
    assert 0 in parallel["interface_facets_per_rank"], parallel["interface_facets_per_rank"]
    assert len(serial["rows"]) == len(parallel["rows"]) > 0
    for s, p in zip(serial["rows"], parallel["rows"]):
        for key in ("force_N", "damaged_fraction", "debonded_fraction", "max_opening_m", "dissipated_energy_J"):
            # as test_cohesive_pull.py: values at round-off level (~1e-30 J before damage) compare absolutely
            assert p[key] == pytest.approx(s[key], rel=1e-6, abs=1e-6 * max(abs(s[key]), 1e-20) + 1e-30), key


# ----------------------------------------------------------------------------- B2, B3 layout
def _box_bodies(names_of, volumes: dict[str, int], n: int = 4):
    """A unit cube (m) of n^3 x 6 tetrahedra whose cells get the tag names_of(midpoints); surfaces
    ``x050`` (x = 0.5) and ``x025`` (x = 0.25)."""
    from stressfem._dolfinx import MPI, mesh
    from stressfem.geometry.msh import PhaseMesh

    msh = mesh.create_box(MPI.COMM_WORLD, [np.zeros(3), np.ones(3)], [n, n, n],
                          ghost_mode=mesh.GhostMode.shared_facet)
    imap = msh.topology.index_map(3)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    tags = names_of(mesh.compute_midpoints(msh, 3, cells)).astype(np.int32)
    ct = mesh.meshtags(msh, 3, cells, tags)
    planes = [mesh.locate_entities(msh, 2, lambda x, c=c: np.isclose(x[0], c)) for c in (0.5, 0.25)]
    facets = np.concatenate(planes).astype(np.int32)
    values = np.concatenate([np.full(len(p), k + 1) for k, p in enumerate(planes)]).astype(np.int32)
    order = np.argsort(facets)
    ft = mesh.meshtags(msh, 2, facets[order], values[order])
    return PhaseMesh(msh, ct, ft, volumes, {"x050": 1, "x025": 2}, Path("box"))


def test_colouring_uses_vertex_adjacency():
    from stressfem.solver.cohesive.bodies import BlockLayout
    from stressfem.solver.cohesive.model import CohesiveInterface

    def quadrant(mid):  # 2 x 2 checkerboard in (y, z): four grains meeting along the edge y = z = 0.5
        return 1 + (mid[:, 1] > 0.5) + 2 * (mid[:, 2] > 0.5)

    pm = _box_bodies(quadrant, {f"G#{k}": k for k in (1, 2, 3, 4)})
    layout = BlockLayout(pm, ["G"], [CohesiveInterface("G#gb", "G", "G", BIL)])
    assert layout.n_blocks == 4
    assert sorted(b for blocks in layout.block_bodies for b in blocks) == ["G#1", "G#2", "G#3", "G#4"]
    # G#1 (y, z low) and G#4 (both high) touch only along the edge: no integration group joins them
    block_of = {b: k for k, blocks in enumerate(layout.block_bodies) for b in blocks}
    pairs = {frozenset((P, M)) for P, M, _ in layout.groups[0]}
    assert frozenset((block_of["G#1"], block_of["G#4"])) not in pairs
    assert frozenset((block_of["G#1"], block_of["G#2"])) in pairs


def test_bonded_path_is_refused():
    from stressfem.solver.cohesive.bodies import BlockLayout, InterfaceLayoutError
    from stressfem.solver.cohesive.model import CohesiveInterface

    def grains_under_matrix(mid):  # G#1 | G#2 split at x = 0.5, a matrix layer M on top of both
        return np.where(mid[:, 2] > 0.75, 3, 1 + (mid[:, 0] > 0.5))

    pm = _box_bodies(grains_under_matrix, {"G#1": 1, "G#2": 2, "M": 3})
    with pytest.raises(InterfaceLayoutError, match=r"bonded contacts \(G/M\)") as err:
        BlockLayout(pm, ["G", "M"], [CohesiveInterface("G#gb", "G", "G", BIL)])
    assert err.value.index == 0
    layout = BlockLayout(pm, ["G", "M"], [CohesiveInterface("G#gb", "G", "G", BIL),
                                          CohesiveInterface("G/M", "G", "M", BIL)])
    assert layout.n_blocks == 3
    # x = 0.5 is the grain boundary and a plane inside M, x = 0.25 lies inside G#1 and M: refused
    for extra, message in ((CohesiveInterface("x050", None, None, BIL, surface="x050"), "inside one physical volume"),
                           (CohesiveInterface("x025", None, None, BIL, surface="x025"), "inside one physical volume")):
        with pytest.raises(InterfaceLayoutError, match=message):
            BlockLayout(pm, ["G", "M"], [CohesiveInterface("G/M", "G", "M", BIL), extra])
    halves = _box_bodies(lambda mid: 1 + (mid[:, 0] > 0.5), {"G#1": 1, "G#2": 2})
    with pytest.raises(InterfaceLayoutError, match="'G#gb' and 'x050' share"):
        BlockLayout(halves, ["G"], [CohesiveInterface("G#gb", "G", "G", BIL),
                                        CohesiveInterface("x050", None, None, BIL, surface="x050")])


def _compiled_form_signatures(monkeypatch, names_of) -> tuple[int, int, set]:
    """Build the cohesive model (G#gb) of a 4-grain unit cube; returns its blocks, its block pairs and the
    UFL signatures of the forms handed to the JIT compiler (one compiled FFCx module per signature)."""
    from stressfem._dolfinx import dolfinx, ufl
    from stressfem.materials import Material
    from stressfem.physics.eigenstrain import LoadState
    from stressfem.solver.boundary import AppliedBCs
    from stressfem.solver.bulk import build_bulk
    from stressfem.solver.cohesive import CohesiveInterface, CohesiveModel

    seen, jit = set(), dolfinx.jit.ffcx_jit

    def record(comm, obj, *args, **kwargs):
        if isinstance(obj, ufl.Form):
            seen.add(obj.signature())
        return jit(comm, obj, *args, **kwargs)

    monkeypatch.setattr(dolfinx.jit, "ffcx_jit", record)
    pm = _box_bodies(names_of, {f"G#{k}": k for k in (1, 2, 3, 4)})
    stiff = Material(name="stiff", youngs_modulus_Pa=1e11, poisson_ratio=0.25, cte_per_K=0.0)
    bulk = build_bulk(pm, ["G"], [stiff], 300.0, eigenstrains=False)
    model = CohesiveModel(pm, bulk, lambda blocks: AppliedBCs(), [CohesiveInterface("G#gb", "G", "G", BIL)],
                          initial_state=LoadState(temperature_K=300.0))
    out = model.layout.n_blocks, len(model.layout.groups[0]), seen
    model.close()
    monkeypatch.undo()
    return out


def test_compiled_forms_do_not_grow_with_block_pairs(monkeypatch):
    """B8: 4 grains in 4 blocks, with 4 block pairs (2 x 2 checkerboard: the diagonal grains touch only at an
    edge) or 6 (every grain touches every other through a facet): the same number of compiled forms."""
    def checkerboard(mid):
        return 1 + (mid[:, 1] > 0.5) + 2 * (mid[:, 2] > 0.5)

    def all_adjacent(mid):  # x < 0.5 split at y = 0.5 (G#1, G#2), x > 0.5 split at z = 0.5 (G#3, G#4)
        return np.where(mid[:, 0] < 0.5, 1 + (mid[:, 1] > 0.5), 3 + (mid[:, 2] > 0.5))

    blocks4, pairs4, sig4 = _compiled_form_signatures(monkeypatch, checkerboard)
    blocks6, pairs6, sig6 = _compiled_form_signatures(monkeypatch, all_adjacent)
    assert (blocks4, pairs4, blocks6, pairs6) == (4, 4, 4, 6)
    # per block a residual and a diagonal Jacobian block; per law and block order one off-diagonal Jacobian
    # form each way, one facet-quantity form and one area form (extracted per block pair: 4 + 4 + 2 x 4 + 2)
    assert len(sig4) == len(sig6) == 4 + 4 + 2 + 2, (len(sig4), len(sig6))


# ----------------------------------------------------------------------------- B4 particle/particle
def write_two_particles_msh(path: Path) -> None:
    """Two unit cubes (um) NMC811#0 = [0,1]^3 and NMC811#1 = [1,2]x[0,1]^2 sharing the face 'contact'."""
    from stressfem.geometry.gmsh_session import gmsh_session

    with gmsh_session() as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("two-particles")
        a, b = occ.addBox(0, 0, 0, 1, 1, 1), occ.addBox(1, 0, 0, 1, 1, 1)
        occ.fragment([(3, a)], [(3, b)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [a], name="NMC811#0")
        gmsh.model.addPhysicalGroup(3, [b], name="NMC811#1")

        def faces(test):
            out = []
            for _, s in gmsh.model.getEntities(2):
                x = gmsh.model.occ.getCenterOfMass(2, s)
                if test(np.array(x)):
                    out.append(s)
            return out

        for name, test in (("contact", lambda x: abs(x[0] - 1) < 1e-9), ("xmin", lambda x: abs(x[0]) < 1e-9),
                           ("xmax", lambda x: abs(x[0] - 2) < 1e-9), ("ymin", lambda x: abs(x[1]) < 1e-9),
                           ("zmin", lambda x: abs(x[2]) < 1e-9)):
            gmsh.model.addPhysicalGroup(2, faces(test), name=name)
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.5)
        gmsh.model.mesh.generate(3)
        gmsh.write(str(path))


PARTICLES_TOML = f"""
[geometry]
type = "msh"
file = "two.msh"
length_unit_m = 1e-6
[phases]
NMC811 = "shrinking"
[materials.shrinking]
base = "NMC811"
cte_per_K = 3e-5
[[stages]]
type = "cooling"
stress_free_temperature_K = 1100
final_temperature_K = 200
increments = 45
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "xmax", "ymin", "zmin"]
[[interfaces]]
name = "contact"
law = {LAW}
"""


def test_particle_particle_contact(tmp_path):
    folder = write_case(tmp_path / "pp", PARTICLES_TOML)
    write_two_particles_msh(folder / "two.msh")
    run_cli("run", folder, check=True)
    st = read_summary(folder)["steps"][-1]["interfaces"]["contact"]
    assert set(st) == KEYS
    assert st["area_m2"] == pytest.approx(1e-12, rel=1e-9)
    assert st["debonded_fraction"] == 1.0 and st["max_opening_m"] > 1.05 * 2 * 2.4 / 100e6  # beyond the final opening
    assert st["dissipated_energy_J"] == pytest.approx(2.4 * 1e-12, rel=0.02)
    with open(folder / "results" / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert float(rows[0]["contact.damaged_fraction"]) == 0.0 and float(rows[-1]["contact.debonded_fraction"]) == 1.0
    assert (folder / "results" / "interface_contact.pvd").is_file()


def test_unknown_surface_and_same_phase_pair_are_case_errors(tmp_path):
    folder = write_case(tmp_path / "bad", PARTICLES_TOML.replace('name = "contact"', 'name = "kontakt"')
                        .replace("increments = 45", "increments = 1"))
    write_two_particles_msh(folder / "two.msh")
    proc = run_cli("run", folder)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "case.toml" in out and "interfaces[0].name" in out and "contact" in out, out
    folder2 = write_case(tmp_path / "same", PARTICLES_TOML.replace('name = "contact"', 'name = "NMC811/NMC811"'))
    shutil.copy(folder / "two.msh", folder2 / "two.msh")
    proc = run_cli("check", folder2)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "interfaces[0].name" in out and "NMC811#gb" in out, out


def test_interface_names_are_checked_when_the_case_is_read(tmp_path):
    from stressfem.case import load_case
    from stressfem.errors import CaseError

    cases = {"LLZO2#gb": "not a phase of [phases]", "contact": 'named surfaces need a geometry of type "msh"',
             "NMC811/NMC811": '"NMC811#gb"'}
    for k, (name, expected) in enumerate(cases.items()):
        folder = write_case(tmp_path / f"c{k}", POLY_TOML.replace('name = "NMC811/LLZO"', f'name = "{name}"'))
        with pytest.raises(CaseError) as err:
            load_case(folder)
        assert "interfaces[1].name" in str(err.value) and expected in str(err.value), str(err.value)
        assert str(folder / "case.toml") in str(err.value)


# ----------------------------------------------------------------------------- B5, B6 polycrystal
def one_particle_case(extra_geometry: str, size_um: float, extra_phases: str, interfaces: dict[str, str]) -> str:
    """One NMC811 particle (d = 2.6 um, cut by the box) in a 4 um LLZO box, charged to soc 0.5 in 2 increments."""
    ifaces = "".join(f'[[interfaces]]\nname = "{n}"\nlaw = {law}\n' for n, law in interfaces.items())
    return f"""
[geometry]
type = "particles"
box_um = [4.0, 4.0, 4.0]
volume_fraction = 0.14
particle_phase = "NMC811"
matrix_phase = "LLZO"
max_particles = 1
size_distribution = {{ type = "fixed", diameter_um = 2.6 }}
{extra_geometry}
[mesh]
size_um = {size_um}
interface_size_um = 0.6
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
{extra_phases}
[[stages]]
type = "soc"
name = "charge"
soc_end = 0.5
increments = 2
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
{ifaces}"""


POLY_TOML = one_particle_case("grains = { grains_per_particle = 4 }", 1.0, "", {
    "NMC811#gb": ('{ type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, normal_strength_Pa = 50e6, '
                  'shear_strength_Pa = 75e6, GIc_J_per_m2 = 1.0, GIIc_J_per_m2 = 1.0, viscosity_s = 0.05 }'),
    "NMC811/LLZO": LAW})


@pytest.fixture(scope="module")
def polycrystal(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("czm-poly"), POLY_TOML)
    run_cli("run", folder, check=True)
    return folder


def test_grain_boundaries_open(polycrystal):
    summary = read_summary(polycrystal)
    gb = summary["steps"][-1]["interfaces"]["NMC811#gb"]
    assert set(gb) == KEYS
    assert gb["area_m2"] > 0 and gb["damaged_fraction"] > 0.5 and gb["max_opening_m"] > 1e-9
    assert gb["dissipated_energy_J"] > 0
    assert "NMC811/LLZO" in summary["steps"][-1]["interfaces"]
    log = (polycrystal / "results" / "run.log").read_text()
    assert "5 physical volume(s)" in log  # 4 grains + LLZO, each its own body
    assert (polycrystal / "results" / "interface_NMC811-gb.pvd").is_file()


@pytest.mark.mpi
def test_polycrystal_serial_equals_mpi(polycrystal, tmp_path):
    folder = write_case(tmp_path / "mpi", POLY_TOML)
    shutil.copytree(polycrystal / "mesh", folder / "mesh")  # the cached mesh: no second meshing
    run_cli("run", folder, np=2, check=True)
    s, p = read_summary(polycrystal), read_summary(folder)
    assert p["mpi_ranks"] == 2 and len(s["steps"]) == len(p["steps"]) and p["dofs"] == s["dofs"]

    def layout_line(case):  # bodies, clusters and blocks: the same colouring on any rank count
        log = (case / "results" / "run.log").read_text()
        return log[log.index("cohesive bodies:"):].splitlines()[0]

    assert layout_line(folder) == layout_line(polycrystal)
    assert (folder / "results" / "interface_NMC811-gb.pvd").is_file()
    for a, b in zip(s["steps"], p["steps"]):
        for name, stats in a["interfaces"].items():
            for key, v in stats.items():
                assert b["interfaces"][name][key] == pytest.approx(v, rel=1e-6, abs=1e-20), (name, key)


# ----------------------------------------------------------------------------- B7 coating
COATED_TOML = one_particle_case('coating = { phase = "ZrO2", thickness_um = 0.5 }', 1.2, 'ZrO2 = "ZrO2"', {
    "NMC811/ZrO2": ('{ type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, normal_strength_Pa = 100e6, '
                    'shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.4, GIIc_J_per_m2 = 2.4, viscosity_s = 0.05 }'),
    "ZrO2/LLZO": ('{ type = "exponential", penalty_stiffness_Pa_per_m = 1e18, normal_strength_Pa = 40e6, '
                  'shear_strength_Pa = 60e6, GIc_J_per_m2 = 1.0, viscosity_s = 0.05 }')})


def test_coating_interfaces(tmp_path):
    folder = write_case(tmp_path / "coated", COATED_TOML)
    run_cli("run", folder, check=True)
    steps = read_summary(folder)["steps"]
    core, shell = steps[-1]["interfaces"]["NMC811/ZrO2"], steps[-1]["interfaces"]["ZrO2/LLZO"]
    assert set(core) == KEYS and set(shell) == KEYS
    # both spheres are cut by the same box planes: areas scale with the radius squared (1.3 / 0.8 um)
    assert shell["area_m2"] / core["area_m2"] == pytest.approx((1.3 / 0.8) ** 2, rel=0.03)
    assert core["damaged_fraction"] > 0.9 and core["max_opening_m"] > 1e-9
    assert shell["damaged_fraction"] < 0.1
    with open(folder / "results" / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    for name in ("NMC811/ZrO2", "ZrO2/LLZO"):
        for key in KEYS:
            assert f"{name}.{key}" in rows[0]
    assert (folder / "results" / "interface_ZrO2-LLZO.pvd").is_file()
