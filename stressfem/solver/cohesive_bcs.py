"""Boundary conditions on the block submeshes of the cohesive model.

A named parent surface is split by block: each facet is found in the submesh of the block
that owns its cell (vectorised over facets), then the Dirichlet dofs are located on that
block's space; surface loads are exterior-facet integrals on the parent mesh with the block's
test function (entities (cell, local facet) of owned facets).
"""

from __future__ import annotations

import numpy as np

from .._dolfinx import fem, ufl
from ..case import FixedBC, LoadedCase, PressureBC, RollerBC, TractionBC
from ..geometry.msh import PhaseMesh
from .bc_conflicts import DirichletEntry, conflict_message, dirichlet_entry
from .boundary import _facets, _normal_axis
from .cohesive_model import Block, BlockBCs

__all__ = ["block_facets", "face_dirichlet", "build_block_bcs"]


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
    from dolfinx.mesh import compute_midpoints

    if len(parent_facets) == 0:
        return
    a = compute_midpoints(pm.mesh, 2, parent_facets)
    b = compute_midpoints(block.submesh, 2, sub_facets)
    if np.abs(a - b).max() > 1e-9 * max(float(np.abs(a).max()), 1e-30):
        raise RuntimeError("submesh facet numbering does not follow the parent cells' local facets")


def face_dirichlet(pm: PhaseMesh, blocks, values: dict) -> BlockBCs:
    """Clamp named surfaces to vector values (arrays or fem.Constant on the parent mesh) on every block."""
    out = BlockBCs()
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


def build_block_bcs(loaded: LoadedCase, pm: PhaseMesh, blocks) -> BlockBCs:
    """Translate [[boundary_conditions]] to the blocks (same meaning as solver/boundary.py)."""
    msh = pm.mesh
    out = BlockBCs()
    n = ufl.FacetNormal(msh)
    n_owned = msh.topology.index_map(2).size_local
    load = None
    entries: dict[int, list[DirichletEntry]] = {blk.index: [] for blk in blocks}
    for i, bc in enumerate(loaded.case.boundary_conditions):
        key = f"boundary_conditions[{i}].surfaces"
        for name in bc.surfaces:
            facets = _facets(pm, loaded, key, name)
            axis = _normal_axis(pm, facets, loaded, key, name) if isinstance(bc, RollerBC) else None
            for blk in blocks:
                pf, ent, sf = block_facets(pm, blk, facets)
                if isinstance(bc, (RollerBC, FixedBC)):
                    _check_same_facets(pm, blk, pf, sf)
                if isinstance(bc, RollerBC):
                    dofs = fem.locate_dofs_topological(blk.V.sub(axis), 2, sf)
                    out.dirichlet.append(fem.dirichletbc(0.0, dofs, blk.V.sub(axis)))
                    entries[blk.index].append(dirichlet_entry(out.dirichlet[-1], f"boundary_conditions[{i}] (roller on "
                                                              f"{name})", None))
                elif isinstance(bc, FixedBC):
                    dofs = fem.locate_dofs_topological(blk.V, 2, sf)
                    value = np.asarray(bc.displacement_m, dtype=float)
                    out.dirichlet.append(fem.dirichletbc(value, dofs, blk.V))
                    entries[blk.index].append(dirichlet_entry(out.dirichlet[-1], f"boundary_conditions[{i}] (fixed on "
                                                              f"{name})", value))
                else:
                    owned = ent[pf < n_owned].ravel()
                    tag = 1000 * (i + 1) + blk.index
                    ds = ufl.Measure("ds", domain=msh, subdomain_data=[(tag, owned)])
                    if isinstance(bc, PressureBC):
                        term = -fem.Constant(msh, float(bc.pressure_Pa)) * ufl.inner(n, blk.v) * ds(tag)
                    else:
                        term = ufl.inner(fem.Constant(msh, np.asarray(bc.traction_Pa, dtype=float)), blk.v) * ds(tag)
                    load = term if load is None else load + term
            if isinstance(bc, RollerBC):
                out.described.append(f"roller on {name} (u_{'xyz'[axis]} = 0)")
            elif isinstance(bc, FixedBC):
                out.described.append(f"fixed on {name} (u = {list(bc.displacement_m)} m)")
            elif isinstance(bc, PressureBC):
                out.described.append(f"pressure {bc.pressure_Pa:g} Pa on {name}")
            else:
                out.described.append(f"traction {list(bc.traction_Pa)} Pa on {name}")
    out.load_form = load
    for blk in blocks:  # the same blocks, in the same order, on every rank
        problem = conflict_message(entries[blk.index], msh.comm)
        if problem:
            raise loaded.error("boundary_conditions", problem)
    return out
