"""Unit tests of the cohesive Newton convergence test (stall detection) and the solver schema keys.

Requirements:
* N1 Converged by PETSc's default rules: fnorm < atol, or fnorm <= rtol * fnorm0 after iteration 0.
* N2 A residual norm above its best value for `stall_iterations` consecutive iterations is a
  divergence; a residual that keeps decreasing, or that rises fewer times, is not; 0 disables it.
* N3 NaN diverges; fnorm > divtol * fnorm0 diverges.
* N4 [cohesive_solver] accepts linear_solver auto/direct/iterative and rejects other values and keys.
"""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from stressfem._dolfinx import PETSc
from stressfem.case import CohesiveSolverSpec
from stressfem.solver.cohesive.newton import StallTest

R = PETSc.SNES.ConvergedReason


class FakeSNES:
    def __init__(self, rtol=1e-9, atol=1e-30, divtol=1e4):
        self.rtol, self.atol, self.divtol = rtol, atol, divtol

    def getTolerances(self):
        return self.rtol, self.atol, 0.0, 25

    def getDivergenceTolerance(self):
        return self.divtol


def run(test, norms, snes=None):
    snes = snes or FakeSNES()
    reasons = [test(snes, it, (0.0, 0.0, f)) for it, f in enumerate(norms)]
    return reasons


def test_default_convergence_rules():
    assert run(StallTest(4), [1.0, 1e-3, 1e-10])[-1] == R.CONVERGED_FNORM_RELATIVE
    assert run(StallTest(4), [1e-31])[0] == R.CONVERGED_FNORM_ABS
    assert run(StallTest(4), [1.0, 1e-3])[-1] == R.ITERATING
    assert run(StallTest(4), [1.0, math.nan])[-1] == R.DIVERGED_FUNCTION_NANORINF
    assert run(StallTest(4), [1.0, 2e4])[-1] == R.DIVERGED_DTOL


def test_stall_detection():
    cycling = [5e-3, 1e-3, 4.5e-4, 6.5e-4, 6.8e-4, 8.6e-4, 8.7e-4, 1.1e-3]  # the charge-1 cycle
    t = StallTest(4)
    reasons = run(t, cycling[:7])  # SNES stops at the first divergence
    assert reasons[:6] == [R.ITERATING] * 6 and reasons[6] == R.DIVERGED_DTOL and t.stalls == 1
    # three rises and then a new best: still iterating, and the count restarts
    t = StallTest(4)
    assert run(t, [1.0, 0.5, 0.6, 0.7, 0.8, 0.4, 0.45, 0.5, 0.55]) == [R.ITERATING] * 9 and t.stalls == 0
    assert run(StallTest(0), cycling) == [R.ITERATING] * len(cycling)
    # a new Newton solve starts afresh (iteration 0 resets the best value)
    t = StallTest(2)
    run(t, [1.0, 2.0])
    assert run(t, [3.0, 2.0, 1.0]) == [R.ITERATING] * 3


def test_schema_keys():
    assert CohesiveSolverSpec().linear_solver == "auto"
    assert CohesiveSolverSpec(linear_solver="iterative", stall_iterations=0).stall_iterations == 0
    with pytest.raises(ValidationError):
        CohesiveSolverSpec(linear_solver="lu")
    with pytest.raises(ValidationError):
        CohesiveSolverSpec(linear_solvers="direct")
    with pytest.raises(ValidationError):
        CohesiveSolverSpec(refresh_ksp_growth=0.5)


def test_secant_step_limit_default():
    """The secant path defaults to SECANT_MAX_STEPS steps unless max_newton_iterations is given."""
    from types import SimpleNamespace

    from stressfem.case.interfaces import CohesiveSolverSpec
    from stressfem.solver.cohesive.build import SECANT_MAX_STEPS, newton_options

    def opts(**kw):
        return newton_options(SimpleNamespace(case=SimpleNamespace(cohesive_solver=CohesiveSolverSpec(**kw))))

    assert opts(method="secant")["snes_max_it"] == SECANT_MAX_STEPS
    assert opts(method="secant", max_newton_iterations=30)["snes_max_it"] == 30
    assert opts()["snes_max_it"] == 25 and opts(method="newton_secant")["snes_max_it"] == 25
