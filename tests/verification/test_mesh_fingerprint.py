"""The shipped cases mesh to their committed fingerprints (issue 12: same case, same mesh on every machine).

Requirement: meshing a fresh copy of a shipped case gives exactly the mesh recorded in
cases/<case>/mesh-fingerprint.json (stressfem/geometry/fingerprint.py): the same .msh bytes (SHA-256),
the same nodes rounded to 1e-7 um and cells (geometry hash, independent of numbering), the same node
and cell counts per physical volume. A clone on another machine of this kind that fails here does not
reproduce the published meshes. The fast cases are checked here (debonding: 20k tetrahedra from its
packing.json, and its periodic variant; the periodic demo case; tomography: a voxel mesh); every shipped case, the large ones too, by
`python benchmarks/mesh_fingerprints.py` (docs/geometry.md, Reproducibility).
The fingerprint itself: invariant under node renumbering, and it changes when one node moves by 1e-6 um.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import ROOT
from stressfem.geometry.fingerprint import FINGERPRINT_FILE, case_fingerprint, compare_fingerprints, mesh_fingerprint

FAST_CASES = ("nmc811-llzo-debonding", "nmc811-llzo-debonding-periodic", "nmc811-llzo-cooldown-periodic",
              "nmc811-llzo-tomography")


@pytest.mark.parametrize("name", FAST_CASES)
def test_shipped_case_meshes_to_its_fingerprint(tmp_path, name):
    case = ROOT / "cases" / name
    expected = json.loads((case / FINGERPRINT_FILE).read_text())
    got = case_fingerprint(case, tmp_path)
    assert compare_fingerprints(expected, got) == []


def test_fingerprint_ignores_numbering_and_sees_a_moved_node(tmp_path):
    import gmsh

    from stressfem.geometry.gmsh_session import gmsh_session, write_msh

    pts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=float)
    tets = np.array([[0, 1, 2, 3], [1, 2, 3, 4]])

    def write(path, order, shift=0.0):
        p = pts.copy()
        p[4, 0] += shift
        inverse = np.argsort(order)  # new index of each old node
        with gmsh_session() as g:
            g.model.add("t")
            g.model.addDiscreteEntity(3, 1)
            g.model.mesh.addNodes(3, 1, np.arange(1, 6), p[order].ravel())
            g.model.mesh.addElementsByType(1, 4, [1, 2], (inverse[tets] + 1).ravel())
            g.model.addPhysicalGroup(3, [1], name="A")
            write_msh(g, path, scale_to_m=1e-6)
        return mesh_fingerprint(path)

    assert gmsh.__version__
    a = write(tmp_path / "a.msh", np.arange(5))
    b = write(tmp_path / "b.msh", np.array([4, 2, 0, 3, 1]))
    c = write(tmp_path / "c.msh", np.arange(5), shift=1e-6)
    assert a["geometry_sha256"] == b["geometry_sha256"] and a["file_sha256"] != b["file_sha256"]
    assert a["geometry_sha256"] != c["geometry_sha256"]
    assert (a["n_nodes"], a["n_cells"], a["cells_per_volume"]) == (5, 2, {"A": 2})
