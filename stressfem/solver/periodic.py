"""Periodic fluctuations through a prolongation matrix: P^T A P solved by CG + GAMG.

The periodic displacement space is the image of P (full dofs x reduced dofs): every dof on a
max face of the box is a copy of its partner on the min face (matched by a KD-tree on dof
coordinates, within a tolerance relative to the box), every other dof is its own class. The
reduced operator P^T A P is built once, one node is pinned (the translations are its nullspace;
a singular operator breaks GAMG's coarse solve down) and the KSP with its AMG hierarchy is set
up once and reused for every right-hand side. dolfinx_mpc is not available here; the method
follows shared/examples/periodic_ptap.py.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.spatial import cKDTree

from .._dolfinx import MPI, PETSc, fem
from ..errors import SolverError
from ..parallel import allreduce_array

__all__ = ["PeriodicityError", "box_bounds", "periodic_prolongation", "ReducedSolver"]

log = logging.getLogger(__name__)


class PeriodicityError(ValueError):
    """Opposite faces of the mesh do not carry matching nodes (raised on every rank)."""


def box_bounds(msh) -> tuple[np.ndarray, np.ndarray]:
    """Global (lo, hi) corners (m) of the mesh's bounding box."""
    x = msh.geometry.x
    lo = allreduce_array(msh.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
    hi = allreduce_array(msh.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
    return lo, hi


def periodic_prolongation(V: fem.FunctionSpace, lo: np.ndarray, hi: np.ndarray, rel_tol: float = 1e-6,
                          axes: str = "xyz") -> PETSc.Mat:
    """P (owned full dofs x reduced dofs) for a box [lo, hi] (m) periodic along ``axes``.

    Raises PeriodicityError (on every rank) when a node of a max face has no partner within
    rel_tol * (largest box length) on the min face, or the face node counts differ.
    """
    comm = V.mesh.comm
    imap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    n_own = imap.size_local
    x = V.tabulate_dof_coordinates()[:n_own]
    tol = rel_tol * float(np.max(hi - lo))
    periodic = np.array(["xyz"[i] in axes for i in range(3)])
    on_hi, on_lo = (np.abs(x - hi) < tol) & periodic, (np.abs(x - lo) < tol) & periodic
    counts = allreduce_array(comm, np.concatenate([on_lo.sum(axis=0), on_hi.sum(axis=0)]).astype(float), MPI.SUM)
    master_x = np.where(on_hi, lo, x)  # a max-face coordinate maps to the min face, axis by axis
    is_slave = on_hi.any(axis=1)
    n_master = int((~is_slave).sum())
    offset = comm.exscan(n_master) or 0
    reduced = np.full(n_own, -1, dtype=np.int64)
    reduced[~is_slave] = offset + np.arange(n_master)
    candidates = (~is_slave) & on_lo.any(axis=1)  # masters of slaves lie on a min face
    pts = np.concatenate(comm.allgather(x[candidates]))
    ids = np.concatenate(comm.allgather(reduced[candidates]))
    worst = 0.0
    if is_slave.any():
        if len(pts) == 0:
            worst = np.inf
        else:
            dist, k = cKDTree(pts).query(master_x[is_slave])
            worst = float(dist.max())
            reduced[is_slave] = ids[k]
    worst = comm.allreduce(worst, op=MPI.MAX)
    if worst > tol or np.any(counts[:3] != counts[3:]):  # (non-periodic axes count 0 on both sides)
        raise PeriodicityError(
            f"opposite box faces do not carry matching nodes: nodes on the min/max faces x {counts[0]:.0f}/"
            f"{counts[3]:.0f}, y {counts[1]:.0f}/{counts[4]:.0f}, z {counts[2]:.0f}/{counts[5]:.0f}; largest "
            f"distance of a max-face node to its translated partner {worst / np.max(hi - lo):.2e} of the box "
            f"(tolerance {rel_tol:g})")
    n_red = comm.allreduce(n_master)
    rows = n_own * bs
    cols = (reduced[:, None] * bs + np.arange(bs)).ravel().astype(PETSc.IntType)
    P = PETSc.Mat().createAIJ(((rows, None), (n_master * bs, n_red * bs)),
                              csr=(np.arange(rows + 1, dtype=PETSc.IntType), cols, np.ones(rows)), comm=comm)
    P.assemble()
    log.info("periodic prolongation: %d node classes of %d nodes", n_red, imap.size_global)
    return P


def _translations(A: PETSc.Mat) -> PETSc.NullSpace:
    """The three translations in A's (block size 3) row layout, normalised."""
    vecs = []
    for i in range(3):
        v = A.createVecRight()
        arr = v.getArray()
        arr[:] = 0.0
        arr[i::3] = 1.0
        v.normalize()
        vecs.append(v)
    return PETSc.NullSpace().create(vectors=vecs, comm=A.getComm())


class ReducedSolver:
    """Solves P^T A P w = P^T b for the periodic fluctuation; operator and AMG built once.

    Args:
        A: the assembled full stiffness (no Dirichlet rows).
        P: periodic_prolongation of the same space.
        options: PETSc options (CG + GAMG defaults, solver/options.py), set under ``prefix``.
    """

    def __init__(self, A: PETSc.Mat, P: PETSc.Mat, options: dict, prefix: str, fixed: PETSc.Vec | None = None):
        """fixed: full-space vector, 1 on dofs with a homogeneous Dirichlet condition (None: none)."""
        self.P = P
        self.Ar = A.PtAP(P)
        self.Ar.setBlockSize(3)
        self.Ar.setNearNullSpace(_translations(self.Ar))
        start = self.Ar.getOwnershipRange()[0]
        held = np.zeros(0, dtype=PETSc.IntType)  # reduced dofs with a held member
        free = [True, True, True]  # translation components no condition holds
        if fixed is not None:
            fr = self.Ar.createVecRight()
            P.multTranspose(fixed, fr)
            arr = fr.getArray()
            held = (start + np.flatnonzero(arr > 0)).astype(PETSc.IntType)
            held_max = np.array([arr[i::3].max(initial=0.0) for i in range(3)])
            free = list(allreduce_array(A.getComm().tompi4py(), held_max, MPI.MAX) == 0.0)
            fr.destroy()
        pin = np.array([i for i in range(3) if free[i]], dtype=PETSc.IntType) if start == 0 else np.zeros(0, PETSc.IntType)
        self.pin = np.union1d(pin, held).astype(PETSc.IntType)
        self.Ar.zeroRowsColumns(self.pin, diag=self.Ar.getDiagonal().max()[1])
        self.br, self.wr = self.Ar.createVecRight(), self.Ar.createVecRight()
        opts = PETSc.Options()
        for k, v in options.items():
            opts[f"{prefix}{k}"] = v
        self.ksp = PETSc.KSP().create(A.getComm())
        self.ksp.setOptionsPrefix(prefix)
        self.ksp.setOperators(self.Ar)
        self.ksp.setFromOptions()
        self.ksp.setUp()
        self.total_iterations = 0
        self.reduced_dofs = self.Ar.getSize()[0]

    def solve(self, b: PETSc.Vec, w: PETSc.Vec, where: str) -> int:
        """w = P (P^T A P)^-1 P^T b (owned entries; the caller scatters ghosts); returns iterations."""
        self.P.multTranspose(b, self.br)
        self.br.setValues(self.pin, np.zeros(len(self.pin)))
        self.br.assemble()
        self.wr.set(0.0)
        self.ksp.solve(self.br, self.wr)
        reason, its = self.ksp.getConvergedReason(), self.ksp.getIterationNumber()
        if reason < 0:
            raise SolverError(f"{where}: the periodic solve diverged (PETSc reason {reason}, {its} iterations, "
                              f"residual norm {self.ksp.getResidualNorm():.3e})")
        self.P.mult(self.wr, w)
        self.total_iterations += its
        return its

    def destroy(self) -> None:
        for obj in (self.ksp, self.Ar, self.P, self.br, self.wr):
            obj.destroy()
