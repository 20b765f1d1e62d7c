"""Cohesive interfaces inside a periodic box: u = E x + w in every block, Newton on P^T J P.

The macroscopic part E (x - lo) is continuous, so the interface jumps come from the periodic
fluctuation w alone and the bulk strain is E + eps(w). Every displacement block (bodies.py) gets
its own periodic pairing: a max-face node of a block is joined to the min-face node of the same
block and the same bonded cluster (solver/periodic.py block_prolongation, KD-tree on the dof
coordinates); a node whose partner lies in another block or cluster is refused (PeriodicityError).
Generated particle boxes name one volume per phase, so the pieces of a particle cut by the box
faces are one body and always paired.

Each Newton iteration solves the reduced system of macro_schur.py: prescribed macroscopic strain
components enter through the displacement (u = sum_j E_j l_j + P w), prescribed stress components
(free expansion: zero) add their E_j as unknowns, eliminated by a Schur complement with the same
LU. The convergence test is the one of the non-periodic path (StallTest: snes_rtol, snes_atol,
snes_max_it) on the norm of (P^T F, (L_U^T F - V S_U) / L) (N; L the largest box length).
The prescribed targets are ramped linearly over each driver increment's sub-steps from the
values reached at the last converged step (zero at the stress-free start).

The macroscopic strain reached and the targets reached live in the model's counters record
(``solver.macro_strain``, ``solver.macro_targets``, Voigt order, tensor components) so that field
checkpoints carry them with the block displacements.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import numpy as np

from ..._dolfinx import PETSc, fem_petsc
from ...case.periodic import COMPONENTS, VOIGT_INDEX, PeriodicSpec
from ...geometry.msh import PhaseMesh
from ...output.stats import CellStress, cell_volumes
from ..boundary import AppliedBCs
from ..bulk import BulkPhysics
from ..macro import box_mean, from_voigt, unit_strain
from ..periodic import block_prolongation, box_bounds, pinned_dofs
from .linear import LinearSolverKind, resolve_linear_solver
from .macro_schur import MacroSchur
from .model import CohesiveInterface, CohesiveModel

__all__ = ["PeriodicCohesiveModel"]

log = logging.getLogger(__name__)

_R = PETSc.SNES.ConvergedReason


class PeriodicCohesiveModel(CohesiveModel):
    """CohesiveModel on a box periodic in x, y and z with macroscopic strain/stress per component (module doc).

    Args (others as CohesiveModel; the method is "newton"; P^T J P is factorised (MUMPS LU) or given a new
    GAMG hierarchy at every Newton iteration, so reuse_factorization and refactor_ksp_iterations have no effect):
        spec: the [periodic] table: directions "xyz", or "xy" (a laterally periodic stack; the in-plane
            components are macroscopic, the z faces take boundary conditions).
        make_bcs: as CohesiveModel (homogeneous rollers and surface loads on zmin/zmax with "xy"); None: none.
        linear_solver: "direct" (MUMPS LU), "iterative" (GMRES + GAMG, the blocks' translations as
            near-nullspace) or "auto" (by global dofs, linear.py).
        ksp_options: ``ksp_*`` / ``pc_*`` options of the reduced solve (over macro_schur.REDUCED_OPTIONS).
    """

    def __init__(self, pm: PhaseMesh, bulk: BulkPhysics, interfaces: Sequence[CohesiveInterface], spec: PeriodicSpec,
                 *, initial_state, make_bcs: Callable | None = None, ksp_options: dict | None = None,
                 linear_solver: LinearSolverKind = "direct", prefix: str = "stressfem_czm_", **kwargs):
        super().__init__(pm, bulk, make_bcs or (lambda blocks: AppliedBCs()), interfaces,
                         initial_state=initial_state, linear_solver="direct", method="newton",
                         prefix=prefix, **kwargs)
        self.bcs.described = [f"periodic along {', '.join(spec.axes)}: u = E x + w in every displacement block, "
                              f"w periodic", *self.bcs.described]
        self.spec = spec
        msh = pm.mesh
        self.lo, self.hi = box_bounds(msh)
        self.box_volume = float(np.prod(self.hi - self.lo))
        self._length = float(np.max(self.hi - self.lo))
        self.P = block_prolongation([blk.V for blk in self.blocks], self.lo, self.hi, spec.node_tolerance,
                                    spec.axes, self._node_clusters(), [", ".join(blk.bodies) for blk in self.blocks])
        self.lin = [self._unit_field(j) for j in range(6)]
        self.linear_solver = resolve_linear_solver(linear_solver, self.num_dofs)
        sizes = [3 * blk.V.dofmap.index_map.size_local for blk in self.blocks]
        self._schur = MacroSchur(self.P, self.lin, f"{prefix}periodic_", pinned_dofs(self.P, self._held()),
                                 self._force_scale() / self._length, ksp_options,  # E_max L (N/m)
                                 block_sizes=sizes if self.linear_solver == "iterative" else None)
        self._prescribed = np.array(spec.strain_prescribed())
        self._active = np.array([c in spec.components for c in COMPONENTS])
        self._unknown = [int(j) for j in np.flatnonzero(self._active & ~self._prescribed)]
        self._targets = np.array(spec.targets(), dtype=float)
        self.solver.macro_strain = [0.0] * 6
        self.solver.macro_targets = [0.0] * 6
        self._dx, self._r = self.problem.x.duplicate(), self.P.createVecRight()
        self._volumes = cell_volumes(msh)
        self.macro_stress_Pa = np.zeros((3, 3))
        self.fraction, self._targets_start = 1.0, np.zeros(6)
        log.info("periodic cohesive model: %d reduced dofs of %d; macroscopic %s", self.P.getSize()[1],
                 self.num_dofs, ", ".join(f"{'E' if p else 'Sigma'}_{c} = {t:g}" for c, p, t in
                                          zip(COMPONENTS, self._prescribed, self._targets)))

    # ------------------------------------------------------------------------ construction
    def _node_clusters(self) -> list[np.ndarray]:
        """Per block: the bonded cluster (bodies.py) of each owned node."""
        layout = self.layout
        out = []
        for blk in self.blocks:
            cells = layout.cluster[layout.bodies.cell_body[blk.parent_cells]]
            imap = blk.V.dofmap.index_map
            lab = np.full(imap.size_local + imap.num_ghosts, -1, dtype=np.int64)
            lab[blk.V.dofmap.list] = cells[:, None]
            out.append(lab[: imap.size_local])
        return out

    def _held(self) -> PETSc.Vec | None:
        """1 on the full block dofs of the (homogeneous) Dirichlet conditions, None without any."""
        if not self.bcs.dirichlet:
            return None
        fixed = self.problem.x.duplicate()
        arr = fixed.getArray()
        arr[:] = 0.0
        sizes = [3 * blk.V.dofmap.index_map.size_local for blk in self.blocks]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        for i, bc in enumerate(self.bcs.dirichlet):  # support by support, block by block (bcs.py)
            b = i % len(self.blocks)
            idx = np.asarray(bc.dof_indices()[0])
            arr[offsets[b] + idx[idx < sizes[b]]] = 1.0
        return fixed

    def _unit_field(self, j: int) -> PETSc.Vec:
        """l_j = B_j (x - lo) on every block's owned dofs, as a full block vector (m per unit strain)."""
        vec = self.problem.x.duplicate()
        arr = vec.getArray()
        B, start = unit_strain(j), 0
        for blk in self.blocks:
            n = blk.V.dofmap.index_map.size_local
            x = blk.V.tabulate_dof_coordinates()[:n]
            arr[start:start + 3 * n] = ((x - self.lo) @ B.T).ravel()
            start += 3 * n
        return vec

    # ------------------------------------------------------------------------ loading
    def set_macro_targets(self, targets: Sequence[float]) -> None:
        """New targets (Voigt order: E (-) of strain-prescribed, Sigma (Pa) of stress-prescribed components),
        reached at the end of the next solve (ramped over its sub-steps)."""
        self._targets = np.asarray(targets, dtype=float).copy()

    @property
    def macro_strain(self) -> np.ndarray:
        """The macroscopic strain (3x3, tensor components) of the last converged step."""
        return from_voigt(self.solver.macro_strain)

    def solve(self, state, where: str) -> int:
        """As CohesiveModel.solve; sub-step fractions also ramp the macroscopic targets from the reached ones."""
        self.fraction, self._targets_start = 1.0, np.array(self.solver.macro_targets)
        return super().solve(state, where)

    # ------------------------------------------------------------------------ Newton on P^T J P
    def _residual_norm(self, F: PETSc.Vec, targets: np.ndarray) -> tuple[float, np.ndarray]:
        """Norm (N) of the reduced residual and the stress residual L_U^T F - V S_U (N m)."""
        rE = np.array([self.lin[j].dot(F) - self.box_volume * targets[j] for j in self._unknown])
        r = self._schur.restrict(F, self._r)
        return math.sqrt(r.norm() ** 2 + float(np.sum((rE / self._length) ** 2))), rE

    def _newton(self) -> tuple[bool, int, list[float]]:
        saved = [blk.u.x.array.copy() for blk in self.blocks]
        E0, T0 = np.array(self.solver.macro_strain), self._targets_start
        targets = T0 + self.fraction * (self._targets - T0)  # the sub-step's end, linear over the increment
        E = np.where(self._prescribed, targets, E0)
        x, F, A = self.problem.x, self.problem.b, self.problem.A
        fem_petsc.assign([blk.u for blk in self.blocks], x)
        for j in np.flatnonzero(E != E0):  # predictor: the prescribed strain increments
            x.axpy(E[j] - E0[j], self.lin[j])
        _, _, _, max_it = self.snes.getTolerances()
        hist, its, reason, lin0 = [], 0, 0, self._schur.iterations
        try:
            for it in range(max_it + 1):
                self.snes.computeFunction(x, F)  # u = x, F(u) (N)
                norm, rE = self._residual_norm(F, targets)
                hist.append(norm)
                reason = self.stall_test(self.snes, it, (0.0, 0.0, norm))
                if reason != 0 or it == max_it:
                    reason = reason or _R.DIVERGED_MAX_IT
                    break
                fem_petsc.assemble_jacobian(self.snes, x, A, A, self.problem.u, self.problem.J, None,
                                            self.bcs.dirichlet)
                self.linear.mark_stale()  # J without the always-zero couplings of the mixed-domain pattern (linear.py)
                self.linear.update(A)
                J = self.linear.P
                self._schur.set_operator(J)
                self.factorizations += 1
                dE, ok = self._schur.step(J, F, self._unknown, rE, self._dx)
                if not ok:
                    reason = _R.DIVERGED_LINEAR_SOLVE
                    break
                x.axpy(1.0, self._dx)
                E[self._unknown] += dE
                its += 1
        except PETSc.Error as exc:  # e.g. a zero pivot in the factorisation
            log.info("PETSc error in the periodic Newton solve (%s); the step counts as diverged", exc)
            reason = _R.DIVERGED_LINEAR_SOLVE
        self.solver.linear_iterations += self._schur.iterations - lin0
        self.snes.setConvergedReason(reason)  # reported by CohesiveModel.solve on a cut-back
        ok = reason > 0 and self._all_finite() and bool(np.all(np.isfinite(E)))
        if ok:
            self.solver.macro_strain, self.solver.macro_targets = E.tolist(), targets.tolist()
        else:
            for blk, s in zip(self.blocks, saved):
                blk.u.x.array[:] = s
        return ok, its, hist[-4:]

    # ------------------------------------------------------------------------ output
    def cell_stress(self) -> CellStress:
        """Stress (Pa) of each owned cell; also updates the macroscopic stress (box-volume average)."""
        s = super().cell_stress()
        self.macro_stress_Pa = box_mean(self.comm, self._volumes, s, self.box_volume)
        return s

    def step_summary(self) -> dict:
        """Macroscopic strain (-) and stress (Pa) tensors of the last step, and the viscous dissipation."""
        E = self.macro_strain.tolist()
        for j in np.flatnonzero(~self._active):  # out-of-plane strains of a laterally periodic stack: null
            a, b = VOIGT_INDEX[COMPONENTS[j]]
            E[a][b] = E[b][a] = None
        return {"macroscopic": {"strain": E, "stress_Pa": self.macro_stress_Pa.tolist()}, **super().step_summary()}

    def run_summary(self) -> dict:
        """Reduced system size and the interface laws, for summary.json."""
        return {"periodic": {"reduced_dofs": int(self.P.getSize()[1]), "box_m": (self.hi - self.lo).tolist(),
                             "factorizations": int(self._schur.setups)}, **super().run_summary()}

    def solver_record(self) -> dict:
        """Linear and Newton iterations, the reduced KSP/PC types."""
        return {"linear_iterations": self.solver.linear_iterations, "newton_iterations": self.solver.total_iterations,
                "ksp_type": self._schur.ksp.getType(), "pc_type": self._schur.ksp.getPC().getType(),
                "method": "newton (periodic: P^T J P with the macroscopic Schur complement)"}

    def close(self) -> None:
        self._schur.destroy()
        for v in (*self.lin, self._dx, self._r, self.P):
            v.destroy()
        super().close()
