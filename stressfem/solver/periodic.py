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
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from .._dolfinx import MPI, PETSc, fem
from ..errors import SolverError
from ..parallel import allreduce_array

__all__ = ["PeriodicityError", "box_bounds", "periodic_prolongation", "block_prolongation", "pinned_dofs", "ReducedSolver"]

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
    return block_prolongation([V], lo, hi, rel_tol, axes)


def block_prolongation(spaces: Sequence[fem.FunctionSpace], lo: np.ndarray, hi: np.ndarray, rel_tol: float = 1e-6,
                       axes: str = "xyz", labels: Sequence[np.ndarray] | None = None,
                       names: Sequence[str] | None = None) -> PETSc.Mat:
    """P for several vector spaces (block size 3) stacked as DOLFINx's ``kind="mpi"`` block vectors.

    Rows: on each rank the owned dofs of space 0, then of space 1, ...; columns: the reduced dofs
    of all spaces. Each space pairs its own max-face nodes with its own min-face nodes (the
    cohesive model's blocks: a node is never paired across blocks). ``labels``: per space an
    integer per owned node (e.g. the bonded cluster of the cohesive model); a node must have a
    partner with the same label. Raises PeriodicityError (every rank) as periodic_prolongation,
    naming the space (and its entry of ``names``) when there are several.
    """
    comm = spaces[0].mesh.comm
    tol = rel_tol * float(np.max(hi - lo))
    periodic = np.array(["xyz"[i] in axes for i in range(3)])
    parts = []
    for V in spaces:
        x = V.tabulate_dof_coordinates()[: V.dofmap.index_map.size_local]
        on_hi, on_lo = (np.abs(x - hi) < tol) & periodic, (np.abs(x - lo) < tol) & periodic
        parts.append((x, on_lo, on_hi, on_hi.any(axis=1)))
    counts = allreduce_array(comm, np.concatenate([np.concatenate([p[1].sum(axis=0), p[2].sum(axis=0)])
                                                   for p in parts]).astype(float), MPI.SUM).reshape(-1, 6)
    n_master = [int((~p[3]).sum()) for p in parts]
    offset = (comm.exscan(sum(n_master)) or 0) + np.concatenate([[0], np.cumsum(n_master)[:-1]])
    cols, worst, foreign = [], np.zeros(len(spaces)), np.zeros(len(spaces))
    for s, ((x, on_lo, on_hi, is_slave), first) in enumerate(zip(parts, offset)):
        label = np.zeros(len(x), dtype=np.int64) if labels is None else np.asarray(labels[s], dtype=np.int64)
        reduced = np.full(len(x), -1, dtype=np.int64)
        reduced[~is_slave] = first + np.arange(n_master[s])
        candidates = (~is_slave) & on_lo.any(axis=1)  # masters of slaves lie on a min face
        pts = np.concatenate(comm.allgather(x[candidates]))
        ids = np.concatenate(comm.allgather(reduced[candidates]))
        lab = np.concatenate(comm.allgather(label[candidates]))
        if is_slave.any():
            if len(pts) == 0:
                worst[s] = np.inf
            else:
                dist, k = cKDTree(pts).query(np.where(on_hi, lo, x)[is_slave])  # max face -> min face, per axis
                worst[s] = float(dist.max())
                foreign[s] = float(np.count_nonzero(lab[k] != label[is_slave]))
                reduced[is_slave] = ids[k]
        cols.append(reduced)
    worst = allreduce_array(comm, worst, MPI.MAX)
    foreign = allreduce_array(comm, foreign, MPI.SUM)
    for s in range(len(spaces)):
        c = counts[s]
        where = (f"displacement block {s}{f' ({names[s]})' if names else ''}: " if len(spaces) > 1 else "")
        if worst[s] > tol or np.any(c[:3] != c[3:]):  # (non-periodic axes count 0 on both sides)
            raise PeriodicityError(
                f"{where}opposite box faces do not carry matching nodes: nodes on the min/max faces x {c[0]:.0f}/"
                f"{c[3]:.0f}, y {c[1]:.0f}/{c[4]:.0f}, z {c[2]:.0f}/{c[5]:.0f}; largest distance of a max-face "
                f"node to its translated partner {worst[s] / np.max(hi - lo):.2e} of the box (tolerance {rel_tol:g})")
        if foreign[s]:
            raise PeriodicityError(f"{where}{foreign[s]:.0f} max-face node(s) would be joined to the node of "
                                   f"another body cluster on the opposite face")
    bs = spaces[0].dofmap.index_map_bs
    red = np.concatenate(cols)
    rows = len(red) * bs
    n_red = comm.allreduce(sum(n_master))
    P = PETSc.Mat().createAIJ(((rows, None), (sum(n_master) * bs, n_red * bs)),
                              csr=(np.arange(rows + 1, dtype=PETSc.IntType),
                                   (red[:, None] * bs + np.arange(bs)).ravel().astype(PETSc.IntType), np.ones(rows)),
                              comm=comm)
    P.assemble()
    log.info("periodic prolongation: %d node classes of %d nodes", n_red,
             sum(V.dofmap.index_map.size_global for V in spaces))
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


def pinned_dofs(P: PETSc.Mat, fixed: PETSc.Vec | None = None) -> np.ndarray:
    """Global reduced dofs (block size 3) to hold at zero: those with a member on a homogeneous Dirichlet
    condition (``fixed``: full-space vector, 1 on such dofs), and the translation components no condition
    holds, at the first reduced node (on rank 0); these are the null space of P^T A P (rotations are not
    periodic)."""
    start = P.getOwnershipRangeColumn()[0]
    held = np.zeros(0, dtype=PETSc.IntType)  # reduced dofs with a held member
    free = [True, True, True]  # translation components no condition holds
    if fixed is not None:
        fr = P.createVecRight()
        P.multTranspose(fixed, fr)
        arr = fr.getArray()
        held = (start + np.flatnonzero(arr > 0)).astype(PETSc.IntType)
        held_max = np.array([arr[i::3].max(initial=0.0) for i in range(3)])
        free = list(allreduce_array(P.getComm().tompi4py(), held_max, MPI.MAX) == 0.0)
        fr.destroy()
    pin = np.array([i for i in range(3) if free[i]], dtype=PETSc.IntType) if start == 0 else np.zeros(0, PETSc.IntType)
    return np.union1d(pin, held).astype(PETSc.IntType)


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
        self.pin = pinned_dofs(P, fixed)
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
