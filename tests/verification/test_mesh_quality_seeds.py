"""Mesh quality that holds for every seed named, for each contact policy (issue 12).

Small periodic boxes (lognormal sizes, sigma_ln 0.2), meshed through the case path (packing, facet
compensation, face policy, quality gate of geometry/builders.py, Gmsh in one thread). Requirement: the
smallest Gmsh minSICN over the mesh is above the policy's floor for each seed named; for the gap policy
the meshed particle fraction is also within 0.01 of the packing's (small boxes cannot always reach the
target: face clearing; that is reported as achieved_volume_fraction). The fused boxes here are meshed
coarsely (interface elements 0.24 d50) and their meshed fraction overshoots the packing's by 0.011-0.013
(seeds 1, 2: the facet compensation of the exposed caps is calibrated on finer meshes); the fused
fraction is tested at the 0.01 tolerance on the finer 9 um box in test_geometry_packing.py. Floors, from the measured minima over seeds 1-8
(docs/geometry.md, Reproducibility) with a margin below them:

* gap   (8 um box, 0.50, d50 3 um, gap 0.02, elements 1.0 / 0.5 um): > 0.10 (measured min 0.154);
* neck  (the same box with contact = "neck"):                          > 0.005, the quality gate's floor
  (measured 0.0156, 0.0151, 0.0398, 0.0386, 0.0151 over seeds 1-5; seeds 3 and 5 needed a second
  translation: 0.0047 and 0.00033 before). The neck cylinders are fused with their spheres into one solid (geometry/rve.py):
  before that, HXT failed on seed 1 in all 4 draws ("overlapping facets").
* fused (6 um box, 0.75, d50 2.5 um, elements 1.2 / 0.6 um):           > 0.005, the quality gate's floor
  (measured min 0.0065 over seeds 1, 2, 3, 5, 6; seeds 2 and 6 needed a second translation: 0.0018 and
  0.0033 before). Seed 4 cannot reach 0.75 in so small a box (the spheres kept off the faces need more
  than the 15 % growth limit): it is refused with a GeometryError naming volume_fraction and the box,
  which is tested too.

Run time (marked slow): gap 22-27 s per seed and the refusal 3 s at load ~12 (13 s CPU for the six),
fused 23-62 s per seed at load ~3.5 (194 s for the five seeds and the refusal); neck 46-327 s per seed
at load 8-12 (seeds 3 and 5 mesh twice).
"""

from __future__ import annotations

import pytest

from conftest import COOLDOWN_NMC_LLZO, write_case
from stressfem.case import load_case
from stressfem.errors import GeometryError
from stressfem.geometry.metrics import mesh_metrics, read_tet_mesh
from stressfem.geometry.provide import case_mesh_file

pytestmark = pytest.mark.slow

SIZES = 'size_distribution = { type = "lognormal", d50_um = {d50}, sigma_ln = 0.2 }'
POLICIES = {  # policy: (extra geometry keys, box um, d50 um, interface size um, volume fraction, quality floor)
    "gap": ("min_gap_fraction = 0.02", 8.0, 3.0, 0.5, 0.50, 0.10),
    "neck": ('min_gap_fraction = 0.02\ncontact = "neck"', 8.0, 3.0, 0.5, 0.50, 0.005),
    "fused": ('contact = "fused"', 6.0, 2.5, 0.6, 0.75, 0.005),
}
SEEDS = {"gap": (1, 2, 3, 4, 5), "neck": (1, 2, 3, 4, 5), "fused": (1, 2, 3, 5, 6)}
HERE = ("gap", "fused")  # neck: test_mesh_quality_neck.py (its own file, so two pytest workers share the time)


def _case(tmp_path, policy: str, seed: int):
    extra, box, d50, isize, fraction, _ = POLICIES[policy]
    toml = f"""
[geometry]
type = "particles"
box_um = [{box}, {box}, {box}]
volume_fraction = {fraction}
seed = {seed}
particle_phase = "NMC811"
matrix_phase = "LLZO"
{SIZES.replace("{d50}", str(d50))}
{extra}

[mesh]
size_um = {2 * isize}
interface_size_um = {isize}
"""
    return load_case(write_case(tmp_path / policy, toml + COOLDOWN_NMC_LLZO))


def check_min_quality(tmp_path, policy: str, seed: int) -> None:
    """The mesh of (policy, seed) is above the policy's floor (and, for gap, holds the packed fraction)."""
    msh, unit, info = case_mesh_file(_case(tmp_path, policy, seed))
    assert info["min_quality"] > POLICIES[policy][-1], (policy, seed, info["quality_gate"])
    if policy == "gap":
        measured = mesh_metrics(read_tet_mesh(msh, unit))["volume_fractions"]["NMC811"]
        assert abs(measured - info["achieved_volume_fraction"]) <= 0.01, (policy, seed)


@pytest.mark.parametrize(("policy", "seed"), [(p, s) for p in HERE for s in SEEDS[p]])
def test_min_quality_for_every_seed(tmp_path, policy, seed):
    check_min_quality(tmp_path, policy, seed)


def test_fused_seed_that_cannot_grow_in_a_small_box_is_refused(tmp_path):
    with pytest.raises(GeometryError, match="volume_fraction.*enlarge the box"):
        case_mesh_file(_case(tmp_path, "fused", 4))
