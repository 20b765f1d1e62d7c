"""Surface loads on a body whose supports leave rigid motions free must be balanced.

A free rigid motion r (translation or rotation the Dirichlet conditions do not fix) does no
work in equilibrium: the surface loads must satisfy b . r = 0, b the assembled load vector.
Otherwise no static solution exists, and the solver would silently return the solution of the
projected problem (issue 16: a free body under a one-sided pressure reported -50 MPa).
Net force (N) and moment (N m) are exact sums over the load vector: Lagrange bases are a
partition of unity and reproduce linear functions.
"""

from __future__ import annotations

import numpy as np

from .._dolfinx import MPI, fem, la
from ..parallel import allreduce_array
from .nullspace import free_mode_vectors, rigid_body_modes

__all__ = ["unbalanced_load_message", "BALANCE_RTOL"]

# |b . r| / ||b|| for a unit free mode r: balanced loads give round-off (~1e-15 sqrt(n)); a load
# on part of the surface gives about sqrt(loaded dofs / all dofs), i.e. > 1e-4 for any mesh size here
BALANCE_RTOL = 1e-6
MODE_NAMES = ("translation x", "translation y", "translation z", "rotation about z", "rotation about y",
              "rotation about x")


def unbalanced_load_message(V: fem.FunctionSpace, load_form, dirichlet, loads: list[str]) -> str | None:
    """None when the loads are balanced against every free rigid mode, else what is unbalanced (collective)."""
    comm = V.mesh.comm
    modes = rigid_body_modes(V)
    free = free_mode_vectors(V, modes, dirichlet)
    if len(free) == 0 or load_form is None:
        return None
    b = fem.assemble_vector(fem.form(load_form))
    b.scatter_reverse(la.InsertMode.add)
    n_owned = modes.shape[1]
    bo = b.array[:n_owned]
    work = allreduce_array(comm, free @ bo, MPI.SUM)
    norm = float(np.sqrt(comm.allreduce(float(bo @ bo), op=MPI.SUM)))
    if norm == 0.0 or float(np.max(np.abs(work))) <= BALANCE_RTOL * norm:
        return None
    x = V.tabulate_dof_coordinates()[: n_owned // 3]
    f = bo.reshape(-1, 3)
    force = allreduce_array(comm, f.sum(axis=0), MPI.SUM)
    moment0 = allreduce_array(comm, np.cross(x, f).sum(axis=0), MPI.SUM)
    geo = V.mesh.geometry.x
    lo = allreduce_array(comm, geo.min(axis=0) if len(geo) else np.full(3, np.inf), MPI.MIN)
    hi = allreduce_array(comm, geo.max(axis=0) if len(geo) else np.full(3, -np.inf), MPI.MAX)
    centre = 0.5 * (lo + hi)
    moment = moment0 - np.cross(centre, force)
    total = comm.allreduce(float(np.abs(f).sum()), op=MPI.SUM)  # sum of |nodal loads| (N): round-off scale
    force[np.abs(force) < 1e-9 * total] = 0.0
    moment[np.abs(moment) < 1e-9 * total * float(np.max(hi - lo))] = 0.0
    in_free = allreduce_array(comm, modes @ free.T, MPI.SUM)  # (6, k): each raw mode's part in the free span
    names = [n for n, c in zip(MODE_NAMES, np.sum(in_free**2, axis=1)) if c > 0.99]
    free_txt = ", ".join(names) if names else f"{len(free)} combined rigid motion(s)"
    return (f"the supports leave the body free ({free_txt}) and the surface loads ({'; '.join(loads)}) are not "
            f"balanced: net force [{', '.join(f'{v:.4g}' for v in force)}] N, net moment "
            f"[{', '.join(f'{v:.4g}' for v in moment)}] N m about the bounding-box centre; no equilibrium exists. "
            f"Hold the body with roller/fixed conditions against the free motions, or balance the loads")
