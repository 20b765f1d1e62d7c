"""Checks of a Gmsh model before it becomes the solver mesh: untagged volumes, disconnected bodies.

Cells outside every physical volume are dropped on import (a silent change of the geometry), and
a body that no other body touches has its own six rigid motions, which the supports of the
others do not fix: the solve diverges with a message blaming the boundary conditions (issue 16).
Bodies are connected components of cells sharing a node (NumPy + scipy.sparse, no cell loops).
"""

from __future__ import annotations

import numpy as np

__all__ = ["untagged_volumes_message", "bodies_message"]


def untagged_volumes_message(gmsh) -> str | None:
    """Volumes (with cells) in no physical volume group, or None."""
    tagged = {t for d, g in gmsh.model.getPhysicalGroups(3) for t in gmsh.model.getEntitiesForPhysicalGroup(d, g)}
    loose = []
    for _, tag in gmsh.model.getEntities(3):
        if tag not in tagged:
            _, elems, _ = gmsh.model.mesh.getElements(3, tag)
            n = sum(len(e) for e in elems)
            if n:
                loose.append((tag, n))
    if not loose:
        return None
    listed = ", ".join(f"volume {t} ({n} cells)" for t, n in loose)
    return (f"{listed} belong to no physical volume and would be dropped from the mesh; add each to the physical "
            f"volume of its phase (Physical Volume(\"<phase>\") = {{...}}), or delete them from the model")


def _cells(gmsh) -> tuple[np.ndarray, list[np.ndarray], list[str]]:
    """(phase index per cell, corner nodes per cell type block, phase names) of the physical volumes."""
    phases: list[str] = []
    owner, corners = [], []
    for d, g in gmsh.model.getPhysicalGroups(3):
        name = gmsh.model.getPhysicalName(d, g).split("#", 1)[0]
        if name not in phases:
            phases.append(name)
        for ent in gmsh.model.getEntitiesForPhysicalGroup(d, g):
            types, _, nodes = gmsh.model.mesh.getElements(3, ent)
            for etype, enodes in zip(types, nodes):
                _, _, _, n_nodes, _, n_primary = gmsh.model.mesh.getElementProperties(etype)
                block = np.asarray(enodes, dtype=np.int64).reshape(-1, n_nodes)[:, :n_primary]
                corners.append(block)
                owner.append(np.full(len(block), phases.index(name)))
    return (np.concatenate(owner) if owner else np.zeros(0, int)), corners, phases


def bodies_message(gmsh, max_listed: int = 5) -> str | None:
    """None when the physical volumes form one connected body, else how many bodies and their phases."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    owner, corners, phases = _cells(gmsh)
    if len(owner) == 0:
        return None
    first = np.concatenate([c[:, 0] for c in corners])
    src = np.concatenate([np.repeat(c[:, 0], c.shape[1] - 1) for c in corners])
    dst = np.concatenate([c[:, 1:].reshape(-1) for c in corners])
    nodes, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    n = len(nodes)
    graph = coo_matrix((np.ones(len(src)), (inverse[:len(src)], inverse[len(src):])), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    if count == 1:
        return None
    body = label[np.searchsorted(nodes, first)]
    sizes = np.bincount(body, minlength=count)
    order = np.argsort(-sizes)
    lines = []
    for rank, b in enumerate(order[:max_listed], start=1):
        names = sorted({phases[i] for i in np.unique(owner[body == b])})
        lines.append(f"body {rank}: {sizes[b]} cells of {', '.join(names)}")
    more = f"; and {count - max_listed} more" if count > max_listed else ""
    return (f"the mesh has {count} disconnected bodies ({'; '.join(lines)}{more}). Each body needs its own supports, "
            f"and bodies that should be bonded must share nodes on their common faces (conforming mesh: Gmsh "
            f"BooleanFragments / Coherence). Join them, or remove the extra bodies from the mesh")
