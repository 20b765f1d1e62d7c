"""Reproducible geometry (issue 12): the same case.toml gives the same mesh, and a packing file
written next to a mesh reproduces it.

Requirements and tolerances (exact, no tolerance: file bytes are compared):
* two fresh meshings of one case, in two copies of the case folder, write byte-identical .msh files
  (Gmsh in one thread, the default `mesh.threads = 1`);
* the packing file written next to the mesh is strict JSON, and a case that gives it back as
  `geometry.packing_file` (seed changed, so the seed cannot be what reproduces it) writes the same
  .msh bytes again; its cache key differs from the generating case's;
* a packing file for another box is refused with a GeometryError naming `geometry.packing_file`,
  a missing one with a CaseError naming it.
Run time: about 25 s on a loaded 2-core machine (three meshings of an 11k-tetrahedron box).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import COOLDOWN_NMC_LLZO, SMALL_BOX_NMC_LLZO, write_case
from stressfem.case import load_case
from stressfem.errors import CaseError, GeometryError
from stressfem.geometry.provide import case_mesh_file

BOX = SMALL_BOX_NMC_LLZO.replace("seed = 3\n", "seed = 3\n{extra}")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("repro") / "a", BOX.replace("{extra}", "") + COOLDOWN_NMC_LLZO)
    msh, _, info = case_mesh_file(load_case(folder))
    return folder, msh, info


def test_two_fresh_meshings_are_identical(first, tmp_path):
    folder, msh, info = first
    again, _, info2 = case_mesh_file(load_case(write_case(tmp_path / "b", (folder / "case.toml").read_text())))
    assert not info2["cached"] and again.name == msh.name
    assert _sha(again) == _sha(msh)
    assert info2["n_tetrahedra"] == info["n_tetrahedra"] > 5000


def test_packing_file_reproduces_the_mesh(first, tmp_path):
    folder, msh, info = first
    packing = msh.with_suffix(".packing.json")
    assert info["packing_file"] == packing.name
    data = json.loads(packing.read_text(), parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))
    assert data["format"] == "stressfem-packing" and data["packings"][0]["box_um"] == [8.0, 8.0, 8.0]
    case = tmp_path / "given"
    case.mkdir()
    (case / "packing.json").write_bytes(packing.read_bytes())
    toml = BOX.replace("seed = 3", "seed = 99").replace("{extra}", 'packing_file = "packing.json"\n')
    given, _, info2 = case_mesh_file(load_case(write_case(case, toml + COOLDOWN_NMC_LLZO)))
    assert given.name != msh.name  # another cache key (packing_file and its SHA-256 are in it)
    assert _sha(given) == _sha(msh)
    assert info2["n_tetrahedra"] == info["n_tetrahedra"]


def test_packing_file_for_another_box_is_refused(first, tmp_path):
    _, msh, _ = first
    case = tmp_path / "wrong"
    case.mkdir()
    (case / "packing.json").write_bytes(msh.with_suffix(".packing.json").read_bytes())
    toml = BOX.replace("[8.0, 8.0, 8.0]", "[9.0, 9.0, 9.0]").replace("{extra}", 'packing_file = "packing.json"\n')
    with pytest.raises(GeometryError, match="geometry.packing_file"):
        case_mesh_file(load_case(write_case(case, toml + COOLDOWN_NMC_LLZO)))
    toml = BOX.replace("{extra}", 'packing_file = "missing.json"\n')
    with pytest.raises(CaseError, match="geometry.packing_file"):
        load_case(write_case(tmp_path / "missing", toml + COOLDOWN_NMC_LLZO))
