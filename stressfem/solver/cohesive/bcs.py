"""Boundary conditions on the block submeshes of the cohesive model.

The neutral description (solver/boundary.py BoundarySpec) is applied per block: each facet of a
named parent surface is found in the submesh of the block that owns its cell (vectorised over
facets), then the Dirichlet dofs are located on that block's space; surface loads are
exterior-facet integrals on the parent mesh with the block's test function (entities (cell,
local facet) of owned facets).
"""

from __future__ import annotations

import numpy as np

from ..._dolfinx import fem, mesh, ufl
from ...geometry.msh import PhaseMesh
from ..boundary import AppliedBCs, BoundarySpec
from .stepping import Block

__all__ = ["block_facets", "face_dirichlet", "apply_boundary_to_blocks"]


def block_facets(pm: PhaseMesh, block: Block, facets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For parent boundary facets: those in the block, their parent (cell, local facet), and submesh facets."""
    msh = pm.mesh
    msh.topology.create_connectivity(2, 3)
    msh.topology.create_connectivity(3, 2)
    f2c = msh.topology.connectivity(2, 3)
    c2f = msh.topology.connectivity(3, 2).array.reshape(-1, 4)
    facets = np.asarray(facets, dtype=np.int32)
    cells = f2c.array[f2c.offsets[facets]]  # boundary facets have one cell
    in_block = np.zeros(len(c2f), dtype=bool)
    in_block[block.parent_cells] = True
    sel = in_block[cells]
    facets, cells = facets[sel], cells[sel]
    local = np.argmax(c2f[cells] == facets[:, None], axis=1).astype(np.int32)
    sub_cells = block.entity_map.sub_topology_to_topology(cells.astype(np.int32), inverse=True)
    sub = block.submesh
    sub.topology.create_connectivity(3, 2)
    sub.topology.create_connectivity(2, 3)
    sub_facets = sub.topology.connectivity(3, 2).array.reshape(-1, 4)[sub_cells, local].astype(np.int32)
    return facets, np.column_stack([cells, local]).astype(np.int32), sub_facets


def _check_same_facets(pm: PhaseMesh, block: Block, parent_facets: np.ndarray, sub_facets: np.ndarray) -> None:
    if len(parent_facets) == 0:
        return
    a = mesh.compute_midpoints(pm.mesh, 2, parent_facets)
    b = mesh.compute_midpoints(block.submesh, 2, sub_facets)
    if np.abs(a - b).max() > 1e-9 * max(float(np.abs(a).max()), 1e-30):
        raise RuntimeError("submesh facet numbering does not follow the parent cells' local facets")


def face_dirichlet(pm: PhaseMesh, blocks, values: dict) -> AppliedBCs:
    """Clamp named surfaces to vector values (arrays or fem.Constant on the parent mesh) on every block."""
    out = AppliedBCs()
    for name, value in values.items():
        facets = pm.facet_tags.find(pm.surfaces[name])
        for blk in blocks:
            pf, _, sf = block_facets(pm, blk, facets)
            _check_same_facets(pm, blk, pf, sf)
            dofs = fem.locate_dofs_topological(blk.V, 2, sf)
            if isinstance(value, fem.Constant):
                out.dirichlet.append(fem.dirichletbc(value, dofs, blk.V))
            else:
                out.dirichlet.append(fem.dirichletbc(np.asarray(value, dtype=float), dofs, blk.V))
        out.described.append(f"fixed on {name}")
    return out


def apply_boundary_to_blocks(spec: BoundarySpec, pm: PhaseMesh, blocks) -> AppliedBCs:
    """The spec on the block spaces (same meaning as solver/boundary.py ``apply_boundary``)."""
    msh = pm.mesh
    out = AppliedBCs(described=spec.described)
    n_owned = msh.topology.index_map(2).size_local
    for s in spec.supports:
        value = out.dirichlet_value(msh, s)
        for blk in blocks:
            pf, _, sf = block_facets(pm, blk, s.facets)
            _check_same_facets(pm, blk, pf, sf)
            W = blk.V if s.axis is None else blk.V.sub(s.axis)
            out.dirichlet.append(fem.dirichletbc(value, fem.locate_dofs_topological(W, 2, sf), W))
    for i, load in enumerate(spec.loads):
        facets = pm.facet_tags.find(load.tag)
        for blk in blocks:
            pf, ent, _ = block_facets(pm, blk, facets)
            tag = 1000 * (i + 1) + blk.index
            ds = ufl.Measure("ds", domain=msh, subdomain_data=[(tag, ent[pf < n_owned].ravel())])
            out.add_load(msh, load, blk.v, ds(tag))
    return out
