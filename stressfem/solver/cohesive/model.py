"""Thermoelasticity with cohesive interfaces: one continuous displacement per bonded block.

Design (DOLFINx 0.11 mixed-domain forms):

* Bodies (physical volumes: phases, grains, particles) joined through facets that are *not*
  cohesive share a cluster; clusters are coloured into a few blocks (cohesive/bodies.py), each a
  submesh with its own continuous P1 or P2 displacement (``degree``). Every cohesive interface must separate two
  different clusters; its facets are integrated per (plus block, minus block) pair.
* Cohesive interfaces are interior-facet (``dS``) integrals over owned parent facets,
  ordered (plus cell, local facet, minus cell, local facet) with the particle side (``A/B``) or
  the lower block (``<phase>#gb``, named surfaces) first, built with NumPy from the facet-cell
  connectivity (no per-facet Python loop).
* Each interface has a codimension-1 submesh of its facets with the history (damage or maximum
  opening) at the integration points: P1 uses one point per facet (the centroid, DG0 history),
  P2 the degree-4 rule with a quadrature-space history (state.py ``interface_spaces``).
* Newton (PETSc SNES) on the block system, tangent = ufl.derivative of the residual,
  with adaptive load stepping inside each driver increment (cut back on divergence, grow after
  easy convergence); the history is updated after each converged sub-step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..._dolfinx import MPI, PETSc, fem, fem_petsc, la, mesh, ufl
from ...errors import SolverError
from ...geometry.msh import PhaseMesh
from ...output.stats import CellStress, CellStressEvaluator
from ...parallel import allreduce_array
from ...physics.cohesive import CohesiveLaw, UflOps
from ...physics.elasticity import strain
from ...physics.interface import local_frame
from ..boundary import AppliedBCs
from ..bulk import BulkPhysics
from .fields import InterfaceFieldWriter
from .linear import (DIRECT_OPTIONS, ITERATIVE_OPTIONS, CohesivePreconditioner, LinearSolverKind,
                     resolve_linear_solver)
from .newton import StallTest
from .pairs import pair_measure, pair_traction, shared_offdiagonal_blocks
from .secant import SECANT_DIRECT_OPTIONS, SECANT_OPTIONS, FrozenHistory, block_jacobian
from .state import (NQ, commit_history, damage_line, interface_quadrature_degree, interface_spaces, statistics,
                    viscous_dissipation)
from .stepping import Block, NewtonCounts, StepControl, interpolate_state
from .stats import DEBONDED

__all__ = ["CohesiveInterface", "CohesiveModel", "DEFAULT_NEWTON_OPTIONS", "DEBONDED"]

log = logging.getLogger(__name__)

# Newton with the exact Jacobian (ufl.derivative), solved by GMRES; the preconditioner (MUMPS LU or
# GAMG, solver/cohesive/linear.py) is built from a separate matrix of the Jacobian's structural
# nonzeros and kept across Newton iterations and load steps while it stays a good preconditioner
# (see CohesiveModel and docs/performance.md section 8.1). The linear options come from
# linear.DIRECT_OPTIONS or ITERATIVE_OPTIONS.
DEFAULT_NEWTON_OPTIONS: dict = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "basic",
    "snes_rtol": 1e-9,
    "snes_stol": 0.0,
    "snes_max_it": 25,
    "snes_max_linear_solve_fail": 5,  # a failed linear solve on a kept preconditioner triggers a rebuild
}
# without reuse: a fresh factorisation at every Newton iteration, one direct solve
NO_REUSE_OPTIONS: dict = {"ksp_type": "preonly"}

Method = Literal["newton", "secant", "newton_secant"]


@dataclass(frozen=True)
class CohesiveInterface:
    """A cohesive interface with its law (facet selection and plus side: bodies.py).

    ``plus_phase != minus_phase``: the facets between the two phases, plus = plus_phase (particle side).
    ``plus_phase == minus_phase``: the facets between two different volumes of that phase (``<phase>#gb``).
    ``surface``: the facets of that physical surface (phases unused). For these two, plus = the volume in
    the lower-numbered block.
    """

    name: str
    plus_phase: str | None
    minus_phase: str | None
    law: CohesiveLaw
    surface: str | None = None
    source: str = "[[interfaces]]"  # where the law comes from (summary.json interface_laws)
    details: tuple = ()  # (key, value) pairs added to its summary.json interface_laws entry (thin coatings)


class CohesiveModel:
    """Small-strain thermoelasticity with cohesive interfaces (the driver's model contract).

    Args:
        pm: the phase mesh (GhostMode.shared_facet).
        phase_names, materials: phases and their materials, in the same order.
        bulk: stiffness and eigenstrain of the phases (solver/bulk.py).
        make_bcs: ``make_bcs(blocks) -> AppliedBCs`` (see cohesive/bcs.py ``apply_boundary_to_blocks``).
        interfaces: the cohesive interfaces; all other phase contacts stay bonded.
        initial_state: the load state of the stress-free start.
        on_state: optional callbacks ``f(state)`` run before each (sub-)step (e.g. displacement control).
        options: PETSc options for SNES/KSP (merged over DEFAULT_NEWTON_OPTIONS and the linear solver's).
        linear_solver: ``"direct"`` (GMRES + MUMPS LU), ``"iterative"`` (GMRES + GAMG with six
            rigid-body modes per block) or ``"auto"`` (by global dof count, solver/cohesive/linear.py).
        reuse_factorization: keep the preconditioner (LU factorisation or AMG hierarchy) across Newton
            iterations and steps (GMRES on the exact Jacobian); it is rebuilt after a failed step or when
            GMRES needed more than ``refactor_ksp_iterations`` iterations in a Newton iteration (iterative:
            and more than ``refresh_ksp_growth`` times the first solve after the last set-up).
            False: rebuild at every Newton iteration (direct: one LU solve, no GMRES).
        method: ``"newton"`` (exact tangent, GMRES), ``"secant"`` (damage-frozen SPD tangent, CG;
            alternate minimisation, cohesive/secant.py) or ``"newton_secant"`` (exact tangent, GMRES
            preconditioned from the SPD secant matrix). All converge to the same equilibrium.
        stall_iterations: a Newton solve whose residual norm stayed above its best value for this many
            consecutive iterations counts as diverged (the step is cut at once); 0: only snes_max_it.
        step: adaptive stepping controls.
        degree: of the Lagrange displacement (1 or 2; 2 only with method ``"newton"``).
    """

    superposable = False  # Newton with damage: every increment is solved

    def __init__(self, pm: PhaseMesh, bulk: BulkPhysics, make_bcs: Callable, interfaces: Sequence[CohesiveInterface],
                 *, initial_state, on_state: Sequence[Callable] = (),
                 options: dict | None = None, linear_solver: LinearSolverKind = "direct",
                 reuse_factorization: bool = True, refactor_ksp_iterations: int = 12, refresh_ksp_growth: float = 2.0,
                 stall_iterations: int = 0, method: Method = "newton",
                 step: StepControl = StepControl(), prefix: str = "stressfem_czm_", degree: int = 1):
        t0 = time.perf_counter()
        msh = pm.mesh
        comm = msh.comm
        self.pm, self.comm = pm, comm
        self.phase_names, self.materials = bulk.phase_names, bulk.materials
        self.interfaces = list(interfaces)
        self.phase_index = bulk.phase_index
        self.step, self.on_state = step, list(on_state)
        self._state = initial_state
        if method not in ("newton", "secant", "newton_secant"):
            raise ValueError(f"method must be 'newton', 'secant' or 'newton_secant', not {method!r}")
        if degree != 1 and method != "newton":
            raise ValueError(f"method {method!r} supports linear elements only (degree 1), not {degree}")
        self.method, self.degree, qdeg = method, degree, interface_quadrature_degree(degree)
        tdim, fdim = 3, 2
        msh.topology.create_connectivity(fdim, tdim)
        msh.topology.create_connectivity(tdim, fdim)
        self._f2c = msh.topology.connectivity(fdim, tdim)
        self._c2f = msh.topology.connectivity(tdim, fdim).array.reshape(-1, 4)

        # --- blocks: bodies (physical volumes) coloured into blocks (cohesive/bodies.py) ----------
        from .bodies import BlockLayout

        layout = BlockLayout(pm, self.phase_names, self.interfaces)
        self.layout, cell_block = layout, layout.cell_block
        self._cell_block, n_cells = cell_block, len(self.phase_index)
        self.cell_tags = mesh.meshtags(msh, tdim, np.arange(n_cells, dtype=np.int32), (cell_block + 1).astype(np.int32))
        self.blocks: list[Block] = []
        for b in range(layout.n_blocks):
            cells = np.flatnonzero(cell_block == b).astype(np.int32)
            sub, emap, _, _ = mesh.create_submesh(msh, tdim, cells)
            V = fem.functionspace(sub, ("Lagrange", degree, (3,)))
            n_sub = sub.topology.index_map(tdim).size_local + sub.topology.index_map(tdim).num_ghosts
            parent_cells = emap.sub_topology_to_topology(np.arange(n_sub, dtype=np.int32), inverse=False)
            self.blocks.append(Block(b, layout.block_phases[b], np.asarray(parent_cells), sub, emap, V,
                                     fem.Function(V, name=f"u_block{b}"), bodies=layout.block_bodies[b]))
        for blk, v in zip(self.blocks, ufl.TestFunctions(ufl.MixedFunctionSpace(*[blk.V for blk in self.blocks]))):
            blk.v = v
        log.info("cohesive model: %d bonded block(s) %s, %d cohesive interface(s)", len(self.blocks),
                 [blk.phases for blk in self.blocks], len(self.interfaces))

        # --- material fields, eigenstrain ---------------------------------------------------
        self.stiffness = bulk.stiffness
        self.eigenstrain = bulk.eigenstrain
        eps0 = self.eigenstrain.function

        # --- interfaces: integration entities, facet submeshes, history -----------------------
        self.dt = fem.Constant(msh, 1.0)
        ops = UflOps()
        entity_maps = [blk.entity_map for blk in self.blocks]
        dS_data = []
        self._gamma = []
        n_facet = ufl.FacetNormal(msh)
        tag = 0
        for i, c in enumerate(self.interfaces):
            facets = layout.facets[i]
            groups = []
            for P, M, ent in layout.groups[i]:  # one dS subdomain per (plus block, minus block) pair
                tag += 1
                dS_data.append((tag, ent))
                groups.append((tag, self.blocks[P], self.blocks[M]))
            gsub, gmap, _, _ = mesh.create_submesh(msh, fdim, facets)
            H, Qv, npts = interface_spaces(gsub, degree)
            g = dict(name=c.name, law=c.law, mesh=gsub, emap=gmap, H=H, Qv=Qv, npts=npts, qdeg=qdeg,
                     h=fem.Function(H, name=c.law.history_name), hf=fem.Function(H, name="frozen_history"),
                     q=ufl.TestFunction(Qv),
                     q0=ufl.TestFunction(H), n_owned=gsub.topology.index_map(fdim).size_local, groups=groups)
            entity_maps.append(gmap)
            self._gamma.append(g)
        self.entity_maps = entity_maps
        dx = ufl.Measure("dx", domain=msh, subdomain_data=self.cell_tags)
        dS = ufl.Measure("dS", domain=msh, subdomain_data=dS_data, metadata={"quadrature_degree": qdeg})
        entities = dict(dS_data)

        # --- residual -----------------------------------------------------------------------
        F = 0
        for blk in self.blocks:
            F += ufl.inner(self.stiffness.stress(strain(blk.u) - eps0), strain(blk.v)) * dx(blk.index + 1)
        self.bcs: AppliedBCs = make_bcs(self.blocks)
        if self.bcs.load_form is not None:
            F -= self.bcs.load_form
        F_bulk, F, F_sec = F, 0, 0  # F: the interface terms; F_sec: with the history frozen at hf
        frame = local_frame(n_facet("+"))
        for g in self._gamma:
            quant, area, trial = [], 0, 0
            for tag, up, um in g["groups"]:
                jump, (jn, j1, j2), (tn, t1, t2), h, T = pair_traction(g["law"], up.u, um.u, g["h"], frame, self.dt)
                if method != "newton":  # the same traction with the history frozen at hf = h(u) (secant.py)
                    Tf = frame.to_global(*g["law"].local_traction(jn, j1, j2, g["hf"]("+"), ops))
                    F_sec += ufl.inner(Tf, um.v("-") - up.v("+")) * dS(tag)
                    trial += h * g["q0"]("+") * dS(tag)
                F += ufl.inner(T, um.v("-") - up.v("+")) * dS(tag)
                vals = ufl.as_vector([h, g["law"].damage(h, ops), jn, j1, j2, tn, t1, t2,
                                      T[0], T[1], T[2], jump[0], jump[1], jump[2]])
                # one signature per law (pairs.py)
                quant.append(ufl.inner(vals, g["q"]("+")) * pair_measure(msh, entities[tag], qdeg))
                area += g["q0"]("+") * dS(tag)
            g["quant_form"] = [fem.form(q, entity_maps=entity_maps) for q in quant]
            g["area_form"] = fem.form(area, entity_maps=entity_maps)
            if method != "newton":
                g["trial_form"] = fem.form(trial, entity_maps=entity_maps)
        unknowns = [blk.u for blk in self.blocks]
        residuals = ufl.extract_blocks(F_bulk + (F_sec if method == "secant" else F))
        jac = block_jacobian(residuals, unknowns)
        if method != "secant":  # off-diagonal blocks per pair: compiled once per interface law (pairs.py)
            shared_offdiagonal_blocks(jac, self._gamma, entities, msh, frame, self.dt)
        num_dofs = self.num_dofs
        self.linear_solver = resolve_linear_solver(linear_solver, num_dofs)
        direct = self.linear_solver == "direct"
        if method == "secant":
            lin_opts = SECANT_DIRECT_OPTIONS if direct else SECANT_OPTIONS
        else:
            lin_opts = DIRECT_OPTIONS if direct else ITERATIVE_OPTIONS
        no_reuse = NO_REUSE_OPTIONS if not reuse_factorization and self.linear_solver == "direct" else {}
        opts = {**DEFAULT_NEWTON_OPTIONS, **lin_opts, **no_reuse, **(options or {})}
        if opts.get("ksp_type") == "preonly" and method != "secant":
            opts = {k: v for k, v in opts.items() if k not in ("ksp_rtol", "ksp_max_it", "ksp_gmres_restart")}
        self.reuse, self.refactor_ksp_iterations, self._prefix = reuse_factorization, refactor_ksp_iterations, prefix
        self._atol = self._force_scale() * 1e-12
        opts.setdefault("snes_atol", self._atol)
        self.problem = fem_petsc.NonlinearProblem(residuals, unknowns, J=jac, bcs=self.bcs.dirichlet,
                                                  entity_maps=entity_maps, petsc_options_prefix=prefix,
                                                  petsc_options=opts, kind="mpi")
        self.snes = self.problem.solver
        self.snes.setConvergenceHistory(length=200, reset=True)
        self.stall_test = StallTest(stall_iterations)
        self.snes.setConvergenceTest(self.stall_test)
        fem_petsc.assemble_matrix(self.problem.A, self.problem.J, self.bcs.dirichlet, diag=1.0)
        self.problem.A.assemble()
        self.frozen = None
        if method != "newton":  # secant: Anderson-accelerated secant steps (an inner one-step SNES, secant.py)
            self.frozen = FrozenHistory(self._gamma, unknowns, self.problem, self.bcs.dirichlet,
                                        block_jacobian(ufl.extract_blocks(F_bulk), unknowns),
                                        block_jacobian(ufl.extract_blocks(F_sec), unknowns), entity_maps,
                                        wrap_residual=method == "secant")
            if method == "secant":
                self.frozen.inner_ksp.setPostSolve(self._note_secant_solve)
        self.linear = CohesivePreconditioner(self.problem.A, [blk.V for blk in self.blocks], self.linear_solver,
                                             refresh_ksp_iterations=refactor_ksp_iterations,
                                             refresh_ksp_growth=refresh_ksp_growth)
        self.snes.setJacobian(self._jacobian, self.problem.A, self.linear.P)
        self.factorizations = 0  # preconditioner set-ups: LU factorisations or GAMG hierarchies
        log.info("cohesive model: %d dofs, linear solver %s (requested %s)", num_dofs, self.linear_solver,
                 linear_solver)
        self.solver = NewtonCounts()

        # --- facet areas, work accumulators, output fields -------------------------------------
        for g in self._gamma:
            a = fem.assemble_vector(g["area_form"])
            a.scatter_reverse(la.InsertMode.add)
            g["hdofs"] = g["H"].dofmap.list[: g["n_owned"]].ravel()  # rows: integration points, facet by facet
            g["area"] = a.array[g["hdofs"]].copy()  # integration weights (m2), the facet areas for P1
            g["qdofs"] = g["Qv"].dofmap.list[: g["n_owned"]].ravel()
            g["values"] = np.zeros((len(g["area"]), NQ))
            g["work"] = np.zeros(len(g["area"]))  # J/m2, traction work along the opening path
        Vd = fem.functionspace(msh, ("DG", degree, (3,)))
        self.u_out = fem.Function(Vd, name="displacement")
        self._dg_map = []
        for blk in self.blocks:
            self._dg_map.append((Vd.dofmap.list[blk.parent_cells], blk.V.dofmap.list))
        self._check_dof_layout(Vd)
        self.stress_expr = self.stiffness.stress(strain(self.u_out) - eps0)
        self._cell_stress = CellStressEvaluator(self.stress_expr, self.pm.mesh)
        self.setup_time_s = time.perf_counter() - t0

    # ------------------------------------------------------------------------ construction
    def _force_scale(self) -> float:
        """A force scale (N) for the absolute Newton tolerance: E_max times the mesh extent squared."""
        x = self.pm.mesh.geometry.x
        lo = allreduce_array(self.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
        hi = allreduce_array(self.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
        L = float(np.max(hi - lo))
        return max(m.youngs_modulus_Pa for m in self.materials) * L * L

    def _check_dof_layout(self, Vd) -> None:
        """The DG1 output copies block dofs cell by cell: check that the layouts agree (m)."""
        xd = Vd.tabulate_dof_coordinates()
        scale = float(np.abs(self.pm.mesh.geometry.x).max(initial=1e-30))
        for blk, (dg, cg) in zip(self.blocks, self._dg_map):
            xc = blk.V.tabulate_dof_coordinates()
            if len(cg) and np.abs(xd[dg.ravel()] - xc[cg.ravel()]).max() > 1e-9 * scale:
                raise RuntimeError("submesh and parent-mesh cell dof layouts differ; cannot map block displacements")

    def traction_resultant(self, name: str) -> np.ndarray:
        """Integral of the traction on the particle ("+") side's partner over an interface (N), all ranks."""
        g = next(g for g in self._gamma if g["name"] == name)
        return allreduce_array(self.comm, g["area"] @ g["values"][:, 8:11] if len(g["area"]) else np.zeros(3),
                               MPI.SUM)

    # ------------------------------------------------------------------------ contract
    @property
    def num_dofs(self) -> int:
        return sum(blk.V.dofmap.index_map.size_global * 3 for blk in self.blocks)

    @property
    def displacement(self) -> fem.Function:
        """Block displacements as one DG1 field on the parent mesh (m), discontinuous at interfaces."""
        arr = self.u_out.x.array.reshape(-1, 3)
        for blk, (dg, cg) in zip(self.blocks, self._dg_map):
            arr[dg.ravel()] = blk.u.x.array.reshape(-1, 3)[cg.ravel()]
        return self.u_out

    def cell_stress(self) -> CellStress:
        self.displacement  # refresh u_out
        return self._cell_stress()

    def _apply(self, state, dt: float) -> None:
        self.eigenstrain.update(state)
        self.bcs.set_state(state)
        for f in self.on_state:
            f(state)
        self.dt.value = dt

    def _jacobian(self, snes, x, J, P) -> None:
        """Assemble the exact Jacobian; copy it into the preconditioning matrix only to rebuild the PC.

        PETSc sets the preconditioner up again only when the preconditioning matrix changed, so an
        untouched P keeps the MUMPS factorisation (or the GAMG hierarchy) while GMRES works on the
        current Jacobian.
        """
        if self.method == "secant":  # kept bulk matrix + interface terms (secant.py)
            self.frozen.assemble_jacobian(x, J)
        else:
            fem_petsc.assemble_jacobian(snes, x, J, J, self.problem.u, self.problem.J, None, self.bcs.dirichlet)
            ksp = snes.getKSP()
            if snes.getIterationNumber() > 0:  # the last linear solve of this Newton solve
                self.linear.note_linear_solve(ksp.getIterationNumber(), ksp.getConvergedReason())
        if not self.reuse:
            self.linear.mark_stale()
        source = J
        if self.method == "newton_secant" and self.linear.stale:  # the PC from the SPD secant matrix
            source = self.frozen.secant_matrix(x)
        if self.linear.update(source):
            self.factorizations += 1

    def _note_secant_solve(self, ksp, b, x) -> None:
        """Post-solve hook of the inner KSP of the secant path: count and judge its iterations."""
        its = ksp.getIterationNumber()
        self.solver.linear_iterations += its
        self.linear.note_linear_solve(its, ksp.getConvergedReason())

    def _newton(self) -> tuple[bool, int, list[float]]:
        saved = [blk.u.x.array.copy() for blk in self.blocks]
        try:
            self.problem.solve()
            reason = self.snes.getConvergedReason()
        except PETSc.Error as exc:  # e.g. a zero pivot in the factorisation
            log.info("PETSc error in the Newton solve (%s); the step counts as diverged", exc)
            reason = -100
        its = self.snes.getIterationNumber()
        ksp = self.snes.getKSP()
        if self.method != "secant":
            self.solver.linear_iterations += self.snes.getLinearSolveIterations()
        if its > 0 and self.method != "secant":  # the last linear solve is not seen by a later Jacobian evaluation of this solve
            self.linear.note_linear_solve(ksp.getIterationNumber(), ksp.getConvergedReason())
        if reason <= 0:
            self.linear.mark_stale()
        hist = list(self.snes.getConvergenceHistory()[0])[-4:]
        ok = reason > 0
        vals = self._all_finite()
        if not ok or not vals:
            for blk, s in zip(self.blocks, saved):
                blk.u.x.array[:] = s
            ok = False
        return ok, its, hist

    def _all_finite(self) -> bool:
        local = all(np.all(np.isfinite(blk.u.x.array)) for blk in self.blocks)
        return bool(self.comm.allreduce(local, op=MPI.LAND))

    def solve(self, state, where: str) -> int:
        """Equilibrium at a load state with adaptive sub-stepping; returns the Newton iterations."""
        start, s = self._state, 0.0
        ds = min(self.step.first_fraction, self.step.max_fraction)
        total = 0
        last_hist: list[float] = []
        while s < 1.0 - 1e-12:
            ds = min(ds, 1.0 - s)
            self.fraction = s + ds  # of the increment, at the sub-step's end (periodic.py ramps its targets)
            trial = interpolate_state(start, state, self.fraction)
            self._apply(trial, ds)
            n_fact = self.factorizations
            ok, its, hist = self._newton()
            total += its
            if not ok and self.reuse and self.factorizations == n_fact:
                # the kept preconditioner was too stale for GMRES: rebuild it and retry the same step
                log.info("%s: Newton/GMRES failed with a kept preconditioner (%d iterations); rebuilding it",
                         where, its)
                self._apply(trial, ds)
                ok, its2, hist = self._newton()
                its, total = its + its2, total + its2
            if ok:
                s += ds
                self._commit()
                self.solver.steps += 1
                log.info("%s: step to %.4g of the increment: %d Newton iterations, %s", where, s, its,
                         self._damage_line())
                if its <= self.step.easy_iterations:
                    ds = min(ds * self.step.grow_factor, self.step.max_fraction)
            else:
                last_hist = hist
                self.solver.cutbacks += 1
                ds *= self.step.cut_factor
                log.info("%s: Newton did not converge (%d iterations, SNES reason %d); cutting the step to %.3g",
                         where, its, self.snes.getConvergedReason(), ds)
                if ds < self.step.min_fraction:
                    self._apply(interpolate_state(start, state, s), ds)
                    res = ", ".join(f"{r:.3e}" for r in last_hist)
                    raise SolverError(
                        f"{where}: Newton did not converge even with a load step of {ds / self.step.cut_factor:.2e} "
                        f"of the increment (reached {s:.4f} of it); last residual norms (N): {res}. Try a smaller "
                        f"penalty_stiffness_Pa_per_m, a viscosity_s, or more increments")
        self._state = state
        self.solver.total_iterations += total
        return total

    # ------------------------------------------------------------------------ interface state
    def _commit(self) -> None:
        """After a converged step: history = max(history, new), traction work along the path (state.py)."""
        commit_history(self._gamma)

    def _damage_line(self) -> str:
        return damage_line(self.interface_statistics())

    def interface_statistics(self) -> dict[str, dict]:
        """Per interface, reduced over ranks: area, damaged/debonded/bonded/contact fractions, max opening,
        energy (stats.py)."""
        return statistics(self._gamma, self.comm)

    @property
    def load_state(self):
        """The load state of the last converged solve (the start of the next; field checkpoints restore it)."""
        return self._state

    @load_state.setter
    def load_state(self, state) -> None:
        self._state = state

    @property
    def interface_state(self) -> list[dict]:
        """Per interface: its facet submesh, spaces, history and per-facet values (for writers and tests)."""
        return self._gamma

    def interface_field_writer(self, folder):
        """A writer of the interface fields (damage, openings, tractions) for ParaView."""
        return InterfaceFieldWriter(self, folder)

    def step_summary(self) -> dict:
        """Per interface, the viscous part of the dissipated energy and its share (state.py)."""
        return {"viscous_dissipation": viscous_dissipation(self._gamma, self.comm)}

    def run_summary(self) -> dict:
        """The law of every interface with its parameters and origin (summary.json ``interface_laws``)."""
        from ...physics.cohesive import law_record

        return {"interface_laws": {c.name: {**law_record(c.law), **dict(c.details), "source": c.source}
                                   for c in self.interfaces}}

    def solver_record(self) -> dict:
        """Linear (KSP) and Newton iterations of the run, and the KSP/PC types."""
        ksp = self.snes.getKSP() if self.method != "secant" else self.frozen.inner_ksp  # secant: CG of the inner step
        return {"linear_iterations": self.solver.linear_iterations, "newton_iterations": self.solver.total_iterations,
                "ksp_type": ksp.getType(), "pc_type": ksp.getPC().getType(), "method": self.method}

    def close(self) -> None:
        self.linear.destroy()
        if self.frozen is not None:
            self.frozen.destroy()
        self.problem = None


