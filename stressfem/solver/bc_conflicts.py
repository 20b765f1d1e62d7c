"""Conflicting boundary conditions: two displacement conditions on one surface or on shared dofs.

Dirichlet conditions are applied together; where two constrain the same dof with different
values, one silently wins (issue 16). Also refused: two displacement conditions naming the same
surface (one overrides the other), and a load on a surface whose displacement is fixed (the
load does no work and is silently ignored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DirichletEntry", "dirichlet_entry", "conflict_message", "surface_conflict_message"]


@dataclass
class DirichletEntry:
    """One Dirichlet condition on one surface: local unrolled dof indices and their values (m)."""

    label: str  # e.g. "boundary_conditions[1] (roller on xmin)"
    dofs: np.ndarray
    values: np.ndarray


def dirichlet_entry(bc, label: str, value: np.ndarray | None) -> DirichletEntry:
    """The dofs (local, unrolled) a DOLFINx DirichletBC sets and their values (m; zero for a roller)."""
    dofs = np.asarray(bc.dof_indices()[0], dtype=np.int64)
    values = np.zeros(len(dofs)) if value is None else np.asarray(value, dtype=float)[dofs % 3]
    return DirichletEntry(label, dofs, values)


def surface_conflict_message(conditions: list[tuple[str, str, str]]) -> str | None:
    """``conditions``: (label, type, surface) for every surface of [[boundary_conditions]] (label
    ``boundary_conditions[i]``) and of pressure stages (``stages[i]``, type ``pressure``).

    Refuses two displacement conditions (fixed, roller) on one surface, and a load (pressure,
    traction) on a fixed surface or a pressure on a roller surface (both would be ignored).
    """
    seen: dict[str, tuple[str, str]] = {}
    loads: list[tuple[str, str, str]] = []
    for label, kind, surface in conditions:
        if kind in ("fixed", "roller"):
            if surface in seen and seen[surface][0] != label:
                other_label, other = seen[surface]
                return (f"surface {surface!r} has two displacement conditions: {other_label} ({other}) "
                        f"and {label} ({kind}); keep one of them")
            seen.setdefault(surface, (label, kind))
        else:
            loads.append((label, kind, surface))
    for label, kind, surface in loads:
        other_label, other = seen.get(surface, (None, None))
        if other == "fixed" or (other == "roller" and kind == "pressure"):
            return (f"the {kind} of {label} on {surface!r} is carried entirely by the {other} condition "
                    f"{other_label} on the same surface and would be ignored; remove one")
    return None


def conflict_message(entries: list[DirichletEntry], comm) -> str | None:
    """Dofs constrained by two entries with values differing by more than 1e-9 of the largest value (collective)."""
    found = None
    scale = comm.allreduce(max([float(np.max(np.abs(e.values))) for e in entries if len(e.values)] + [0.0]),
                           op=_max_op(comm))
    atol = 1e-9 * scale
    if entries:
        dofs = np.concatenate([e.dofs for e in entries])
        vals = np.concatenate([e.values for e in entries])
        owner = np.concatenate([np.full(len(e.dofs), k) for k, e in enumerate(entries)])
        order = np.lexsort((owner, dofs))
        d, v, o = dofs[order], vals[order], owner[order]
        clash = np.flatnonzero((d[1:] == d[:-1]) & (o[1:] != o[:-1]) & (np.abs(v[1:] - v[:-1]) > atol))
        if len(clash):
            k = clash[0]
            found = (entries[o[k]].label, entries[o[k + 1]].label, float(v[k]), float(v[k + 1]))
    found = next((f for f in comm.allgather(found) if f is not None), None)
    if found is None:
        return None
    a, b, va, vb = found
    return (f"conflicting displacement conditions where surfaces meet: {a} prescribes {va:g} m and {b} prescribes "
            f"{vb:g} m on the same nodes; make the prescribed values agree on shared edges, or drop one")


def _max_op(comm):
    from .._dolfinx import MPI  # lazily: `stressfem check` uses this module without MPI

    return MPI.MAX
