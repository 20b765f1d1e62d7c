"""Newton convergence test of the cohesive solve: PETSc's default rules plus early stall detection.

At the onset of debonding a full load step can send Newton into a slow cycle (the residual norm
grows from iteration to iteration until ``snes_max_it``), after which the adaptive stepping halves
the step and converges in a few iterations. Declaring the step diverged as soon as the residual
norm has stayed above its best value for ``stall_iterations`` consecutive iterations saves those
iterations at the onset of softening. A converged step is accepted by exactly the default
criteria, but a stalled step is cut where it might still have converged, and a different sequence
of sub-steps changes path-dependent (viscous-regularised) damage: during debonding of the shipped
case it cost more iterations than it saved. Hence off by default (``stall_iterations = 0``;
docs/performance.md section 8.1).
"""

from __future__ import annotations

import math

from ..._dolfinx import PETSc

__all__ = ["StallTest"]

_R = PETSc.SNES.ConvergedReason


class StallTest:
    """SNES convergence test: ``fnorm < atol`` or ``fnorm <= rtol * fnorm0`` converges (as PETSc's default
    with ``snes_stol = 0``), NaN or ``fnorm > divtol * fnorm0`` diverges, and so does a residual norm
    (N) above the best one of this solve for ``stall_iterations`` consecutive iterations (0: never).

    Attributes:
        stalls: Newton solves stopped by the stall rule.
    """

    def __init__(self, stall_iterations: int):
        self.stall_iterations = stall_iterations
        self.stalls = 0
        self._f0 = self._best = math.inf
        self._above = 0

    def __call__(self, snes: PETSc.SNES, it: int, norms: tuple[float, float, float]) -> int:
        _xnorm, _gnorm, fnorm = norms
        rtol, atol, _stol, _max_it = snes.getTolerances()
        if it == 0:
            self._f0, self._best, self._above = fnorm, fnorm, 0
        if not math.isfinite(fnorm):
            return _R.DIVERGED_FUNCTION_NANORINF
        if fnorm < atol:
            return _R.CONVERGED_FNORM_ABS
        if it > 0 and fnorm <= rtol * self._f0:
            return _R.CONVERGED_FNORM_RELATIVE
        divtol = snes.getDivergenceTolerance()
        if it > 0 and divtol > 0 and fnorm > divtol * self._f0:
            return _R.DIVERGED_DTOL
        if fnorm < self._best:
            self._best, self._above = fnorm, 0
        elif it > 0:
            self._above += 1
            if self.stall_iterations and self._above >= self.stall_iterations:
                self.stalls += 1
                return _R.DIVERGED_DTOL
        return _R.ITERATING
