"""Linear load paths at the cost of a few solves: superposition of pattern solutions.

For a linear model every equilibrium load state is ``sum_j c_j(state) pattern_j`` (eigenstrain
patterns, surface-load magnitudes, constant boundary conditions; solver/thermoelastic.py). The
coefficient matrix C (increments x patterns) of a run of equilibrium steps has some rank r; its
singular value decomposition (columns scaled to unit maximum) gives r load combinations that span
every row. Each combination is solved once (same operator, same AMG hierarchy); each increment is
then a linear combination of r displacements and r cell-stress arrays. Exact to round-off when the
discarded singular values vanish (relative threshold ``RANK_TOLERANCE``).

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

from ..output.stats import CellStress, voigt_components
from ..physics.eigenstrain import LoadState
from .model import Model, PatternModel

__all__ = ["PatternBasis", "combinations", "choose", "Superposition", "RANK_TOLERANCE"]

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


class PatternBasis:
    """Solutions (displacement and cell stress) of load combinations of a linear model.

    Args:
        model: the linear model.
        weights: (r, n_patterns) combinations to solve.
        projector: (n_patterns, r): the amplitudes of a state are ``pattern_coefficients(state) @ projector``.
        where: for solver messages.
    """

    def __init__(self, model: PatternModel, weights: np.ndarray, projector: np.ndarray, where: str):
        self.model, self.projector = model, projector
        t0 = time.perf_counter()
        U, S, its = [], [], 0
        for k, w in enumerate(weights):
            its += model.solve_combination(w, f"{where}, load combination {k + 1}/{len(weights)}")
            U.append(model.displacement_values())
            S.append(voigt_components(model.cell_stress().tensor))
        if not U:
            raise ValueError("a pattern basis needs at least one load combination")
        self.U, self.S = np.array(U), np.array(S)  # (r, local dofs), (r, 6, owned cells)
        self.solves, self.iterations, self.time_s = len(weights), its, time.perf_counter() - t0

    def amplitudes(self, state: LoadState) -> np.ndarray:
        """Amplitudes (r,) of the solved combinations at an equilibrium load state."""
        if state.cell_li_fraction is not None:
            raise ValueError("superposition needs an equilibrium load state (no diffusion field)")
        return self.model.pattern_coefficients(state) @ self.projector

    def evaluate(self, state: LoadState) -> CellStress:
        """Set the model's displacement to the state's and return its cell stress (Pa)."""
        a = self.amplitudes(state)
        self.model.set_displacement(a @ self.U)
        return CellStress(np.tensordot(a, self.S, axes=1))


@dataclass
class Superposition:
    """The superposed part of a load path: its steps (by name) and their basis."""

    steps: set[str]
    basis: PatternBasis


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
    weights, projector = combinations(np.array([model.pattern_coefficients(s) for s in states]))
    if not 0 < len(weights) < len(states):
        log.info("load path: incremental for every step (%d increment(s) of the equilibrium steps %s need no "
                 "more solves than %d load combination(s))", len(states), [s.name for s in run], len(weights))
        return None
    log.info("load path: superposition for steps %s (%d increments) from %d solve(s) of load combinations "
             "of %d pattern(s): %s", [s.name for s in run], len(states), len(weights), len(model.pattern_names),
             "; ".join(model.pattern_names))
    if rest:
        log.info("load path: incremental for steps %s (after a non-equilibrium stage)", rest)
    basis = PatternBasis(model, weights, projector, "superposition")
    return Superposition({s.name for s in run}, basis)
