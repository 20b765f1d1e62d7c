"""Fault campaign of issue 16 as tests: one test per class of hostile or unusual input.

Requirement: each input is refused with the documented exit code (docs/failure-modes.md), a
one-line message naming the dotted key (or the option / file) and what to do, no traceback, and
no results/summary.json. Refusals at `stressfem check` are tested there (no mesh, no MPI); the
others with `stressfem run` on tiny meshes (~1100 cells) or fail before meshing.
Run time: about 60 s on the shared 2-core machine (about 1-2 s per CLI call).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, run_cli, shipped_case_toml, write_case

from .conftest import assert_refused

DEMO = shipped_case_toml("nmc811-llzo-cooldown")
SOLVER = "[solver]\npetsc_options = {options}\n[phases]"

CHECK_REFUSALS = [
    # (class, old -> new in the shipped cool-down case, key, words in the message)
    ("infinite temperature", ("stress_free_temperature_C = 1050.0", "stress_free_temperature_C = inf"),
     "stages[0].stress_free_temperature_C", ["finite"]),
    ("huge temperature", ("stress_free_temperature_C = 1050.0", "stress_free_temperature_C = 1e300"),
     "stages[0].stress_free_temperature_C", ["less than or equal to 2726.85"]),
    ("zero c axis", ("[phases]", "[orientation]\ndistribution = \"aligned\"\nc_axis = [0, 0, 0]\n[phases]"),
     "orientation.c_axis", ["non-zero"]),
    ("degenerate modulus", ('NMC811 = "NMC811"\nLLZO = "LLZO"', 'NMC811 = "soft"\nLLZO = "LLZO"\n[materials.soft]\n'
                            'base = "NMC811"\nyoungs_modulus_Pa = 1e-300'), "materials.soft.youngs_modulus_Pa",
     ["greater than or equal to 1000"]),
    ("nanometre box", ("box_um = [20.0, 20.0, 20.0]", "box_um = [1e-3, 1e-3, 1e-3]"), "geometry.box_um[0]",
     ["greater than or equal to 0.01"]),
    ("particle larger than box", ("d50_um = 6.0", "d50_um = 40.0"), "geometry",
     ["d50_um = 40 um is not smaller than the box"]),
    ("nonsense ksp type", ("[phases]", SOLVER.format(options='{ ksp_type = "nonsense" }')), "solver.petsc_options",
     ["ksp_type", "'nonsense' is not allowed", "gmres"]),
    ("string tolerance", ("[phases]", SOLVER.format(options='{ ksp_rtol = "abc" }')), "solver.petsc_options",
     ["ksp_rtol", "must be a number"]),
    ("preonly without direct pc", ("[phases]", SOLVER.format(options='{ ksp_type = "preonly", pc_type = "none" }')),
     "solver.petsc_options", ["preonly", "direct pc_type"]),
    ("unknown petsc option", ("[phases]", SOLVER.format(options="{ ksp_frobnicate = 3 }")), "solver.petsc_options",
     ["ksp_frobnicate", "not a supported solver-tuning option"]),
    ("snes option in bulk solver", ("[phases]", SOLVER.format(options="{ snes_rtol = 1e-6 }")),
     "solver.petsc_options", ["cohesive_solver"]),
    ("mesh too large", ("box_um = [20.0, 20.0, 20.0]", "box_um = [2000.0, 2000.0, 2000.0]"), "mesh.max_cells",
     ["about", "cells", "size_um", "raise mesh.max_cells"]),
    ("fixed and roller on one face", ('[[boundary_conditions]]\ntype = "roller"',
                                      '[[boundary_conditions]]\ntype = "fixed"\nsurfaces = ["xmin"]\n'
                                      '[[boundary_conditions]]\ntype = "roller"'),
     "boundary_conditions", ["'xmin' has two displacement conditions", "boundary_conditions[0] (fixed)"]),
]


@pytest.mark.parametrize("desc,change,key,words", CHECK_REFUSALS, ids=[c[0] for c in CHECK_REFUSALS])
def test_refused_at_check(tmp_path, desc, change, key, words):
    old, new = change
    assert old in DEMO
    folder = write_case(tmp_path / "bad", DEMO.replace(old, new, 1))
    proc = run_cli("check", folder)
    assert_refused(proc, key, *words)
    assert str(folder / "case.toml") in proc.stderr


def test_interface_surface_name_accepted_for_flux(tmp_path):
    charge = shipped_case_toml("nmc811-llzo-fastcharge")
    old = 'type = "galvanostatic"'
    assert old in charge
    folder = write_case(tmp_path / "ok", charge.replace(old, old + '\nflux_surfaces = ["NMC811/LLZO"]', 1))
    proc = run_cli("check", folder)
    assert proc.returncode == 0, proc.stderr


def test_too_few_particles_allowed_is_refused_before_packing(tmp_path):
    text = DEMO.replace("box_um = [20.0, 20.0, 20.0]", "box_um = [40.0, 40.0, 40.0]\nmax_particles = 10")
    folder = write_case(tmp_path / "cap", text)
    proc = run_cli("run", folder)
    assert proc.returncode == 4, proc.stderr
    assert "geometry.max_particles = 10" in proc.stderr and "times larger" in proc.stderr
    assert not (folder / "results" / "summary.json").exists()


@pytest.mark.parametrize("mesh,key,words", [
    ("two_bodies", "geometry.file", ["2 disconnected bodies", "matrix", "particle", "Join them"]),
    ("untagged", "geometry.file", ["belong to no physical volume", "would be dropped"]),
], ids=["disconnected bodies", "untagged volumes"])
def test_imported_mesh_defects(make_case, mesh_dir, mesh, key, words):
    from .meshes import write_boxes

    if mesh == "untagged":
        write_boxes(mesh_dir / "untagged.msh", [("matrix", (0, 0, 0, 2, 2, 2)), ("particle", (2, 0, 0, 1, 2, 2))],
                    untagged=1)
    extra = '\n[[boundary_conditions]]\ntype = "roller"\nsurfaces = ["xmin", "ymin", "zmin"]\n'
    case = make_case(extra, mesh=mesh)
    if mesh == "two_bodies":
        text = (case / "case.toml").read_text().replace('matrix = "LLZO"', 'matrix = "LLZO"\nparticle = "NMC811"')
        (case / "case.toml").write_text(text)
    proc = run_cli("run", case)
    assert_refused(proc, key, *words)
    assert not (case / "results" / "summary.json").exists()


def test_wrong_length_unit(make_case):
    from .conftest import ROLLERS
    from .meshes import BOX_CASE

    case = make_case(ROLLERS, base=BOX_CASE.replace('file = "box.msh"', 'file = "box.msh"\nlength_unit_m = 1e-6'))
    proc = run_cli("run", case)
    assert_refused(proc, "geometry.length_unit_m", "spans 2e-12 m", "1e-6 for micrometres")
    assert not (case / "results" / "summary.json").exists()


def test_image_phase_without_voxels(tmp_path):
    labels = np.ones((4, 4, 4), dtype=np.uint8)  # label 2 is mapped but absent
    folder = tmp_path / "img"
    folder.mkdir()
    np.save(folder / "labels.npy", labels)
    write_case(folder, """
[geometry]
type = "image"
file = "labels.npy"
voxel_size_m = 1e-6
labels = { "1" = "LLZO", "2" = "NMC811" }

[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]

[output]
fields = false
""" + "\n" + (ROOT / "tests" / "conftest.py").read_text().split('COOLDOWN_NMC_LLZO = """')[1].split('"""')[0])
    proc = run_cli("run", folder)
    assert proc.returncode == 2, proc.stderr
    assert "NMC811" in proc.stderr and "Traceback" not in proc.stderr
    assert not (folder / "results" / "summary.json").exists()


def test_stage_pressure_on_a_fixed_surface_is_refused(tmp_path):
    stage = '[[stages]]\ntype = "pressure"\nsurfaces = ["zmax"]\npressure_end_Pa = 1e6\n\n[[boundary_conditions]]'
    text = DEMO.replace("[[boundary_conditions]]", stage, 1).replace('surfaces = ["xmin", "ymin", "zmin"]',
                                                                       'surfaces = ["xmin", "ymin", "zmin"]\n'
                                                                       '[[boundary_conditions]]\ntype = "fixed"\n'
                                                                       'surfaces = ["zmax"]', 1)
    proc = run_cli("check", write_case(tmp_path / "bad", text))
    assert_refused(proc, "boundary_conditions", "stages[1]", "would be ignored")


def test_thin_coating_with_a_cohesive_law_on_its_interface_is_refused(tmp_path):
    """Issue 15: a 20 nm ALD ZrO2 shell below coating.min_meshed_thickness_um listed under [phases] is a spring
    layer on the NMC811/LLZO facets (tests/verification/test_thin_coating.py); its cohesive laws are given per
    side, "NMC811/ZrO2" and "ZrO2/LLZO" (tests/verification/test_thin_coating_cohesive.py). A law named
    "NMC811/LLZO" is ambiguous (which side?) and refused, naming the allowed names and the other fixes."""
    toml = DEMO.replace('matrix_phase = "LLZO"', 'matrix_phase = "LLZO"\ncoating = { phase = "ZrO2", thickness_um = 0.02 }', 1)
    toml = toml.replace('LLZO = "LLZO"', 'LLZO = "LLZO"\nZrO2 = "ZrO2"', 1)
    assert "coating = " in toml and 'ZrO2 = "ZrO2"' in toml
    assert run_cli("check", write_case(tmp_path / "coated", toml)).returncode == 0
    toml += ('\n[[interfaces]]\nname = "NMC811/LLZO"\nlaw = { type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, '
             'normal_strength_Pa = 100e6, shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.0, GIIc_J_per_m2 = 2.0 }\n')
    proc = run_cli("check", write_case(tmp_path / "coated-cohesive", toml))
    assert_refused(proc, "interfaces[0].name", "'ZrO2' (0.02 um", "min_meshed_thickness_um <= 0.02",
                   '"NMC811/ZrO2" (core/coating side)', '"ZrO2/LLZO" (coating/LLZO side)')
