"""Field checkpoints of path-dependent runs (cohesive damage, Li diffusion) for `stressfem run --restart`.

What is saved at an increment boundary (collective gather, rank 0 writes one .npz):

* cohesive model: the displacement of each bonded block (m, per mesh node), and per interface facet
  the irreversible history (damage or maximum opening, the law's ``h``; viscous regularisation
  also reads it as the old state), the last converged facet quantities and the traction work
  (J/m2); the model's load state and Newton counters;
* Li diffusion: the Li content x (-, per node) and the hydrostatic stress of the last mechanical
  solve (Pa, per cell) that stress-driven diffusion reads at the next increment.

Values are keyed by rank-independent ids of the .msh read on rank 0: node ``input_global_indices``,
cell ``original_cell_index`` and, for facets, the sorted input indices of their three nodes; on
restart every rank looks its own entities up, so a run restarts on any rank count. The .npz gets
a new name per save (``.stressfem-checkpoint-<n>.npz``, written atomically before the JSON
checkpoint that names it), so a kill between the two writes leaves a consistent pair.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .._dolfinx import mesh as dmesh

__all__ = ["P2_REFUSAL", "supports_fields", "save_fields", "load_fields", "restore_fields", "remove_fields",
           "has_fields"]

log = logging.getLogger(__name__)

PREFIX = ".stressfem-checkpoint-"


P2_REFUSAL = ("restart field checkpoints support cohesive runs with linear elements only (P1 nodes, one history "
              "value per facet); allowed: 1 for a restartable run (--restart)")


def supports_fields(model) -> bool:
    """Whether this module can checkpoint the model's fields: not a cohesive model of degree above 1."""
    return not (getattr(model, "interface_state", None) and getattr(model, "degree", 1) != 1)


def has_fields(model, ctx) -> bool:
    """Whether the run holds path-dependent fields (cohesive interfaces or a built diffusion model)."""
    return bool(getattr(model, "interface_state", None)) or "diffusion" in ctx.resources


# ----------------------------------------------------------------------------- keys
def _node_keys(msh) -> np.ndarray:
    return np.asarray(msh.geometry.input_global_indices, dtype=np.int64)


def _p1_dof_nodes(V, cell_nodes: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local dofs, parent geometry nodes) of a P1 space whose cells have the geometry nodes ``cell_nodes``;
    ``x``: the parent node coordinates (m), to check that dof and node layouts agree."""
    dofs, first = np.unique(V.dofmap.list.ravel(), return_index=True)
    gnodes = cell_nodes.ravel()[first]
    if len(dofs):
        scale = float(np.abs(x).max(initial=1e-30))
        if np.abs(V.tabulate_dof_coordinates()[dofs] - x[gnodes]).max() > 1e-9 * scale:
            raise RuntimeError("field checkpoint: P1 dof and mesh node layouts differ")
    return dofs, gnodes


def _owned(V, dofs: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sel = dofs < V.dofmap.index_map.size_local
    return dofs[sel], keys[sel]


def _facet_keys(msh, facets: np.ndarray) -> np.ndarray:
    """(n, 3) sorted input node indices of parent facets."""
    nodes = dmesh.entities_to_geometry(msh, 2, np.asarray(facets, dtype=np.int32))
    return np.sort(_node_keys(msh)[nodes], axis=1)


def _lookup(saved: np.ndarray, local: np.ndarray, what: str) -> np.ndarray:
    """Row indices into ``saved`` of every row of ``local`` (1-D ids or (n, k) id rows)."""
    if saved.ndim == 2:
        both = np.unique(np.vstack([saved, local]), axis=0, return_inverse=True)[1].ravel()
        saved, local = both[: len(saved)], both[len(saved):]
    order = np.argsort(saved, kind="stable")
    pos = np.searchsorted(saved, local, sorter=order)
    pos = np.minimum(pos, len(saved) - 1)
    idx = order[pos] if len(saved) else pos
    if len(local) and (len(saved) == 0 or np.any(saved[idx] != local)):
        raise ValueError(f"field checkpoint: {what} of this mesh are missing from the checkpoint (another mesh)")
    return idx


# ----------------------------------------------------------------------------- save
def _local_parts(model, ctx) -> dict[str, np.ndarray]:
    """This rank's owned values and their keys, flat name -> array."""
    msh = model.pm.mesh
    gdm = msh.geometry.dofmap
    nodes = _node_keys(msh)
    n_nodes = msh.geometry.index_map().size_local  # owned nodes: every node once over the ranks
    parts: dict[str, np.ndarray] = {"nodes/key": nodes[:n_nodes], "nodes/x": msh.geometry.x[:n_nodes]}
    if getattr(model, "interface_state", None):
        for blk in model.blocks:
            dofs, gnodes = _owned(blk.V, *_p1_dof_nodes(blk.V, gdm[blk.parent_cells], msh.geometry.x))
            parts[f"u{blk.index}/key"] = nodes[gnodes]
            parts[f"u{blk.index}/val"] = blk.u.x.array.reshape(-1, 3)[dofs]
        for i, g in enumerate(model.interface_state):
            n = g["n_owned"]
            facets = g["emap"].sub_topology_to_topology(np.arange(n, dtype=np.int32), inverse=False)
            parts[f"g{i}/key"] = _facet_keys(msh, facets)
            parts[f"g{i}/h"] = g["h"].x.array[g["hdofs"]]
            parts[f"g{i}/values"] = g["values"]
            parts[f"g{i}/work"] = g["work"]
    diffusion = ctx.resources.get("diffusion")
    if diffusion is not None:
        V = diffusion.V
        dofs, gnodes = _owned(V, *_p1_dof_nodes(V, gdm[: len(V.dofmap.list)], msh.geometry.x))
        parts["x/key"] = nodes[gnodes]
        parts["x/val"] = diffusion.x.x.array[dofs]
        if ctx.last_stress is not None:
            n_own = msh.topology.index_map(3).size_local
            parts["sh/key"] = np.asarray(msh.topology.original_cell_index[:n_own], dtype=np.int64)
            parts["sh/val"] = np.asarray(ctx.last_stress.hydrostatic[:n_own], dtype=float)
    return parts


def _merge(gathered: list[dict]) -> dict[str, np.ndarray]:
    """Concatenate the ranks' parts; duplicate keys (none for owned entities) are dropped."""
    out = {}
    for name in gathered[0]:
        out[name] = np.concatenate([p[name] for p in gathered if name in p], axis=0)
    return out


def save_fields(folder: Path, serial: int, model, ctx, comm) -> dict | None:
    """Gather the fields to rank 0 and write ``.stressfem-checkpoint-<serial>.npz`` atomically (collective).

    Returns (rank 0) the JSON part of the checkpoint: the npz name, the model's load state and counters."""
    parts = _local_parts(model, ctx)
    gathered = comm.gather(parts, root=0) if comm.size > 1 else [parts]
    if comm.rank != 0:
        return None
    data = _merge([g for g in gathered if g] or [{}])
    name = f"{PREFIX}{serial}.npz"
    buf = io.BytesIO()
    np.savez(buf, **data)
    tmp = Path(folder) / f"{name}.tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, Path(folder) / name)
    doc: dict = {"file": name, "serial": serial}
    if getattr(model, "interface_state", None):
        s = model.load_state
        doc["cohesive"] = {"state": {"temperature_K": s.temperature_K, "soc": s.soc, "time_s": s.time_s,
                                     "surface_loads": {k: float(v) for k, v in s.surface_loads.items()},
                                     "li_field": s.cell_li_fraction is not None},
                           "counts": vars(model.solver).copy()}
    return doc


def remove_fields(folder: Path, keep: str | None = None) -> None:
    """Delete field checkpoints (rank 0), except ``keep``."""
    for p in Path(folder).glob(f"{PREFIX}*.npz*"):
        if p.name != keep:
            p.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- restore
def load_fields(folder: Path, doc: dict, comm) -> dict[str, np.ndarray]:
    """Rank 0 reads the npz named in ``doc``; every rank gets all arrays (collective); ValueError on every
    rank when it is missing or unreadable."""
    data, error = None, ""
    if comm.rank == 0:
        try:
            with np.load(Path(folder) / doc["file"]) as z:
                data = {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError) as exc:
            error = f"field checkpoint {doc.get('file')} is unreadable ({exc})"
    if comm.size > 1:
        data, error = comm.bcast((data, error), root=0)
    if error:
        raise ValueError(error)
    return data


def _match(data: dict[str, np.ndarray], doc: dict, model, diffusion) -> dict[str, np.ndarray]:
    """Row indices into the checkpoint arrays of this rank's entities (local, no collectives); ValueError
    when the mesh is not the checkpoint's (missing ids or moved nodes)."""
    msh = model.pm.mesh
    gdm, x = msh.geometry.dofmap, msh.geometry.x
    nodes = _node_keys(msh)
    idx = _lookup(data["nodes/key"], nodes, "mesh nodes")
    if len(idx) and np.abs(data["nodes/x"][idx] - x).max() > 1e-9 * float(np.abs(x).max(initial=1e-30)):
        raise ValueError("field checkpoint: the mesh nodes moved since the checkpoint (another mesh)")
    out = {}
    if "cohesive" in doc:
        for blk in model.blocks:
            dofs, gnodes = _p1_dof_nodes(blk.V, gdm[blk.parent_cells], x)
            out[f"u{blk.index}"] = dofs, _lookup(data[f"u{blk.index}/key"], nodes[gnodes], f"block {blk.index} nodes")
        for i, g in enumerate(model.interface_state):
            facets = g["emap"].sub_topology_to_topology(np.arange(g["n_owned"], dtype=np.int32), inverse=False)
            out[f"g{i}"] = None, _lookup(data[f"g{i}/key"], _facet_keys(msh, facets), f"{g['name']} facets")
    if diffusion is not None:
        dofs, gnodes = _p1_dof_nodes(diffusion.V, gdm[: len(diffusion.V.dofmap.list)], x)
        out["x"] = dofs, _lookup(data["x/key"], nodes[gnodes], "Li field nodes")
        if "sh/key" in data:
            n_own = msh.topology.index_map(3).size_local
            cells = np.asarray(msh.topology.original_cell_index[:n_own], dtype=np.int64)
            out["sh"] = None, _lookup(data["sh/key"], cells, "cells")
    return out


def restore_fields(data: dict[str, np.ndarray], doc: dict, model, ctx, li_state: bool, comm):
    """Set the model's and the diffusion model's fields from a checkpoint (collective). Returns the cell Li
    fractions to carry in the resumed load state (or None); ValueError on every rank when a rank's mesh
    entities are not in the checkpoint."""
    from ..physics.eigenstrain import LoadState

    diffusion = None
    if "x/key" in data:
        from ..stages.galvanostatic import diffusion_model

        diffusion = diffusion_model(ctx)  # collective construction, before any rank may fail
    try:
        match, error = _match(data, doc, model, diffusion), ""
    except (ValueError, RuntimeError) as exc:
        match, error = {}, str(exc)
    errors = [e for e in (comm.allgather(error) if comm.size > 1 else [error]) if e]
    if errors:
        raise ValueError(errors[0])
    if "cohesive" in doc:
        for blk in model.blocks:
            dofs, idx = match[f"u{blk.index}"]
            blk.u.x.array.reshape(-1, 3)[dofs] = data[f"u{blk.index}/val"][idx]
            blk.u.x.scatter_forward()
        for i, g in enumerate(model.interface_state):
            idx = match[f"g{i}"][1]
            g["h"].x.array[g["hdofs"]] = data[f"g{i}/h"][idx]
            g["h"].x.scatter_forward()
            g["values"] = data[f"g{i}/values"][idx]
            g["work"] = data[f"g{i}/work"][idx].copy()
        for k, v in doc["cohesive"]["counts"].items():
            setattr(model.solver, k, v)
    li = None
    if diffusion is not None:
        dofs, idx = match["x"]
        diffusion.x.x.array[dofs] = data["x/val"][idx]
        diffusion.x.x.scatter_forward()
        diffusion.x_old.x.array[:] = diffusion.x.x.array
        if "sh" in match:
            ctx.last_stress = SimpleNamespace(hydrostatic=data["sh/val"][match["sh"][1]])
        li = diffusion.cell_li_fraction() if li_state else None
    if "cohesive" in doc:
        s = dict(doc["cohesive"]["state"])
        model.load_state = LoadState(cell_li_fraction=li if s.pop("li_field") else None, **s)
    return li
