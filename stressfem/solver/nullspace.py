"""Rigid-body modes: the GAMG near-nullspace, and the modes a body's supports leave free."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .._dolfinx import MPI, PETSc, fem, la
from ..parallel import allreduce_array

__all__ = ["rigid_body_modes", "near_nullspace", "free_rigid_modes", "free_mode_vectors"]

log = logging.getLogger(__name__)


def rigid_body_modes(V: fem.FunctionSpace) -> np.ndarray:
    """The six rigid-body modes, orthonormalised, as a (6, owned dofs) array (m)."""
    imap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    basis = [la.vector(imap, bs=bs, dtype=PETSc.ScalarType) for _ in range(6)]
    x = V.tabulate_dof_coordinates()
    for i in range(3):
        basis[i].array[i::3] = 1.0
    basis[3].array[0::3], basis[3].array[1::3] = -x[:, 1], x[:, 0]
    basis[4].array[0::3], basis[4].array[2::3] = x[:, 2], -x[:, 0]
    basis[5].array[2::3], basis[5].array[1::3] = x[:, 1], -x[:, 2]
    la.orthonormalize(basis)
    n = imap.size_local * bs
    return np.array([b.array[:n] for b in basis])


def _nullspace(modes: np.ndarray, comm) -> PETSc.NullSpace:
    vecs = [PETSc.Vec().createWithArray(m.copy(), bsize=3, comm=comm) for m in modes]
    return PETSc.NullSpace().create(vectors=vecs, comm=comm)


def near_nullspace(modes: np.ndarray, comm) -> PETSc.NullSpace:
    """All six modes: the near-nullspace that GAMG needs for elasticity."""
    return _nullspace(modes, comm)


def free_mode_vectors(V: fem.FunctionSpace, modes: np.ndarray, bcs: Sequence[fem.DirichletBC]) -> np.ndarray:
    """The rigid motions the Dirichlet BCs leave unconstrained, as a (k, owned dofs) array, k <= 6.

    A mode combination is free when it vanishes on every constrained dof; these are the
    eigenvectors of the Gram matrix of the modes restricted to constrained dofs with
    (numerically) zero eigenvalue. The rows are orthonormal over all ranks.
    """
    comm = V.mesh.comm
    n_owned = modes.shape[1]
    constrained = np.zeros(n_owned, dtype=bool)
    for bc in bcs:
        idx, n_owned_bc = bc.dof_indices()
        idx = np.asarray(idx[:n_owned_bc])
        constrained[idx[idx < n_owned]] = True
    R = modes[:, constrained]
    gram = allreduce_array(comm, R @ R.T, MPI.SUM)
    w, Q = np.linalg.eigh(gram)
    free = Q[:, w < 1e-10 * max(1.0, float(np.trace(gram)))]
    vecs = free.T @ modes
    # orthonormalise the combinations (globally)
    out: list[np.ndarray] = []
    for v in vecs:
        for o in out:
            v = v - comm.allreduce(float(o @ v), op=MPI.SUM) * o
        v = v / np.sqrt(comm.allreduce(float(v @ v), op=MPI.SUM))
        out.append(v)
    return np.array(out).reshape(len(out), n_owned)


def free_rigid_modes(V: fem.FunctionSpace, modes: np.ndarray, bcs: Sequence[fem.DirichletBC]) -> PETSc.NullSpace | None:
    """The free rigid motions (free_mode_vectors) as the operator's nullspace; None when all are fixed."""
    free = free_mode_vectors(V, modes, bcs)
    if len(free) == 0:
        return None
    log.info("%d rigid-body mode(s) are not fixed by the boundary conditions; solving in their "
             "orthogonal complement", len(free))
    return _nullspace(free, V.mesh.comm)
