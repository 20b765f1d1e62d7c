"""Linear load paths at the cost of a few solves: superposition of pattern solutions.

For a linear model every equilibrium load state is ``sum_j c_j(state) pattern_j`` (eigenstrain
patterns, surface-load magnitudes, constant boundary conditions; solver/thermoelastic.py). The
coefficient matrix C (increments x patterns) of a run of equilibrium steps has some rank r; its
singular value decomposition (columns scaled to unit maximum) gives r load combinations that span
every row. Each combination is solved once (same operator, same AMG hierarchy); each increment is
then a linear combination of r displacements and r cell-stress arrays. Exact to round-off when the
discarded singular values vanish (relative threshold ``RANK_TOLERANCE``).

Fewer solves (``plan_basis``): patterns that are the same field (the identity on one phase's cells,
chi_k I, from the thermal and the isotropic chemical strain) are merged, and, when its solution is
exact without a solve (solver/uniform_expansion.py decides), the uniform pattern U = sum_k chi_k I
replaces one phase's chi_m I: load = a_m U + sum_{k != m} (a_k - a_m) chi_k I + the other patterns
(a_k: the summed coefficients of chi_k I). A two-phase cool-down and charge then needs the particle
phase's I and n n^T, not also the thermal combination.

When it is used (``choose``): a linear model, and the leading run of the load path whose stages are
all equilibrium stages (stages/base.py ``equilibrium``) and has more increments than combinations
to solve. Kinetic (diffusion) stages, cohesive models and every step after a non-equilibrium one are
solved increment by increment. The log and summary.json say which path each step took.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._dolfinx import MPI
from ..output.stats import CellStress, voigt_components
from ..physics.eigenstrain import LoadState
from .model import Model, PatternModel
from .uniform_expansion import UniformExpansion

__all__ = ["PatternBasis", "BasisPlan", "plan_basis", "reduction", "combinations", "choose", "Superposition",
           "RANK_TOLERANCE"]

log = logging.getLogger(__name__)

RANK_TOLERANCE = 1e-10  # singular values below this fraction of the largest are dropped


def combinations(C: np.ndarray, tol: float = RANK_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """Load combinations spanning the rows of C (n_states, n_patterns).

    Returns ``weights`` (r, n_patterns), the combinations to solve, and ``projector``
    (n_patterns, r) with ``C @ projector @ weights == C`` up to the dropped singular values.
    """
    n_p = C.shape[1]
    scale = np.abs(C).max(axis=0) if len(C) else np.zeros(n_p)
    keep = scale > 0
    weights, projector = np.zeros((0, n_p)), np.zeros((n_p, 0))
    if not keep.any():
        return weights, projector
    _, sv, Vt = np.linalg.svd(C[:, keep] / scale[keep], full_matrices=False)
    r = int(np.sum(sv > tol * sv[0]))
    weights = np.zeros((r, n_p))
    weights[:, keep] = Vt[:r] * scale[keep]
    projector = np.zeros((n_p, r))
    projector[keep] = (Vt[:r] / scale[keep]).T
    return weights, projector


def reduction(isotropic: Sequence[int | None], m: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pattern coefficients c -> reduced coefficients ``c @ M`` and the uniform amplitude ``c @ t``.

    ``isotropic[j]``: phase k when pattern j is chi_k I, else None. Identical patterns chi_k I are merged
    onto the first of them; with ``m``, the uniform pattern U = sum_k chi_k I replaces chi_m I (the
    amplitude of U is a_m, the summed coefficients of chi_m I, and a_m is subtracted from every other
    phase's chi_k I). Without ``m``, t is zero.
    """
    n = len(isotropic)
    M, t, first = np.eye(n), np.zeros(n), {}
    for j, k in enumerate(isotropic):
        if k is not None and first.setdefault(k, j) != j:
            M[j, j], M[j, first[k]] = 0.0, 1.0
    if m is not None:
        t[[j for j, k in enumerate(isotropic) if k == m]] = 1.0
        for k, f in first.items():
            M[:, f] = 0.0 if k == m else M[:, f] - t
    return M, t


@dataclass
class BasisPlan:
    """The basis of a set of load states: combinations to solve, and the uniform expansion if exact.

    Attributes:
        weights: (r, n_patterns) load combinations to solve.
        projector: (n_patterns, r [+ 1]): amplitudes of a state's basis elements are ``coefficients @ projector``;
            the last column is the uniform expansion's when ``uniform`` is exact.
        uniform: the uniform-expansion check (solver/uniform_expansion.py) if it was made, else None.
        note: how the uniform pattern was treated (for the log and summary.json).
    """

    weights: np.ndarray
    projector: np.ndarray
    uniform: UniformExpansion | None = None
    note: str = ""

    @property
    def solves(self) -> int:
        return len(self.weights)

    @property
    def uses_uniform(self) -> bool:
        return self.uniform is not None and self.uniform.exact

    def record(self) -> dict:
        """summary.json ``superposition.uniform_expansion``."""
        rec = {"used": self.uses_uniform, "note": self.note}
        if self.uniform is not None and self.uniform.backward_error is not None:
            rec["backward_error"] = self.uniform.backward_error
            rec["relative_residual"] = self.uniform.relative_residual
        return rec


def plan_basis(model: PatternModel, C: np.ndarray, where: str) -> BasisPlan:
    """Fewest solves for the coefficient rows C (n_states, n_patterns): merged identical patterns, and the
    uniform expansion in place of one phase's chi_m I when that saves solves and is exact (checked here)."""
    iso = list(getattr(model, "isotropic_patterns", [None] * C.shape[1]))
    M0, _ = reduction(iso)
    w0, p0 = combinations(C @ M0)
    plan = BasisPlan(w0, M0 @ p0, note="not tried: the model has no isotropic phase patterns")
    phases = sorted({k for k in iso if k is not None})
    if not phases:
        return plan
    ranks = {m: len(combinations(C @ reduction(iso, m)[0])[0]) for m in phases}
    m = min(phases, key=lambda k: ranks[k])  # the first phase of fewest solves
    if not (ranks[m] < len(w0) and ranks[m] < len(C)):
        plan.note = "not tried: it would save no solve"
        log.info("%s: uniform expansion %s", where, plan.note)
        return plan
    check = model.uniform_expansion()
    log.info("%s: uniform expansion (eigenstrain I on every phase): %s", where, check.message)
    if not check.exact:
        plan.uniform, plan.note = check, check.message
        return plan
    M, t = reduction(iso, m)
    w, p = combinations(C @ M)
    names = getattr(model, "phase_names", None)
    note = (f"exact, no solve: it replaces the isotropic pattern of phase {names[m] if names else m}; {len(w)} "
            f"combination solve(s) instead of {len(w0)}")
    log.info("%s: uniform expansion %s", where, note)
    return BasisPlan(w, np.hstack([M @ p, t[:, None]]), check, note)


class PatternBasis:
    """Solutions (displacement and cell stress) of load combinations of a linear model.

    Args:
        model: the linear model.
        plan: the combinations to solve and the uniform expansion (``plan_basis``).
        where: for solver messages.

    Attributes:
        U, S: (n, local dofs) displacements (m) and (n, 6, owned cells) Voigt cell stresses (Pa) of the
            solved combinations, then of the uniform expansion when the plan uses it (its stress through
            the same evaluation; zero to round-off, ``uniform_stress_Pa`` its largest magnitude).
    """

    def __init__(self, model: PatternModel, plan: BasisPlan, where: str):
        self.model, self.projector = model, plan.projector
        t0 = time.perf_counter()
        U, S, its = [], [], 0
        for k, w in enumerate(plan.weights):
            its += model.solve_combination(w, f"{where}, load combination {k + 1}/{plan.solves}")
            U.append(model.displacement_values())
            S.append(voigt_components(model.cell_stress().tensor))
        self.uniform_stress_Pa = None
        if plan.uses_uniform:
            model.set_combination(plan.uniform.weights)  # the stress C : (eps(u) - I) of the same evaluation
            model.set_displacement(plan.uniform.values)
            U.append(model.displacement_values())
            S.append(voigt_components(model.cell_stress().tensor))
            comm = model.displacement.function_space.mesh.comm
            self.uniform_stress_Pa = comm.allreduce(float(np.abs(S[-1]).max(initial=0.0)), op=MPI.MAX)
        if not U:
            raise ValueError("a pattern basis needs at least one load combination")
        self.U, self.S = np.array(U), np.array(S)  # (n, local dofs), (n, 6, owned cells)
        self.solves, self.iterations, self.time_s = plan.solves, its, time.perf_counter() - t0

    def amplitudes(self, state: LoadState) -> np.ndarray:
        """Amplitudes (n,) of the basis elements at an equilibrium load state."""
        if state.cell_li_fraction is not None:
            raise ValueError("superposition needs an equilibrium load state (no diffusion field)")
        return self.model.pattern_coefficients(state) @ self.projector

    def evaluate(self, state: LoadState, displacement: bool = True) -> CellStress:
        """The state's cell stress (Pa); with ``displacement``, also set the model's displacement to the
        state's (for field output and at step ends; the statistics need only the cell stress)."""
        a = self.amplitudes(state)
        if displacement:
            self.model.set_displacement(a @ self.U)
        return CellStress(np.tensordot(a, self.S, axes=1))


@dataclass
class Superposition:
    """The superposed part of a load path: its steps (by name) and their basis."""

    steps: set[str]
    basis: PatternBasis
    plan: BasisPlan


def choose(model: Model, steps: Sequence, state: LoadState, ctx, *, allowed: bool = True) -> Superposition | None:
    """Superpose the leading run of equilibrium steps when that needs fewer solves than increments."""
    if not steps:
        return None
    if not allowed:
        log.info("load path: incremental for every step ([solver] superposition = \"off\")")
        return None
    if not model.superposable:
        log.info("load path: incremental for every step (the model is not superposable: cohesive interfaces, or "
                 "periodic, whose increments are one reduced solve each)")
        return None
    run = []
    for step in steps:
        if not step.stage.equilibrium:
            break
        run.append(step)
    if not run:
        log.info("load path: incremental for every step (stage %r is not an equilibrium stage)", steps[0].name)
        return None
    rest = [s.name for s in steps[len(run):]]
    states = []
    for step in run:
        for state in step.stage.increments(step, state, ctx):
            states.append(state)
    plan = plan_basis(model, np.array([model.pattern_coefficients(s) for s in states]), "load path")
    if not (plan.solves < len(states) and (plan.solves > 0 or plan.uses_uniform)):
        log.info("load path: incremental for every step (%d increment(s) of the equilibrium steps %s need no "
                 "more solves than %d load combination(s))", len(states), [s.name for s in run], plan.solves)
        return None
    log.info("load path: superposition for steps %s (%d increments) from %d solve(s) of load combinations "
             "of %d pattern(s): %s%s", [s.name for s in run], len(states), plan.solves, len(model.pattern_names),
             "; ".join(model.pattern_names), " and the uniform expansion" if plan.uses_uniform else "")
    if rest:
        log.info("load path: incremental for steps %s (after a non-equilibrium stage)", rest)
    basis = PatternBasis(model, plan, "superposition")
    return Superposition({s.name for s in run}, basis, plan)
