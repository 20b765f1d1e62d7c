"""The cohesive-law contract and the two array backends (NumPy for material points, UFL for forms).

A law sees only the jump in the local frame of the interface (normal opening ``jn`` (m),
shear jumps ``js1, js2`` (m)) and one history variable per integration point (the law
says what it is: the damage for the bilinear law, the maximum effective opening for the
exponential one). It returns the local traction (Pa) and the trial history. The same code
runs on NumPy arrays (material-point tests, statistics) and on UFL expressions (the residual;
the tangent is ``ufl.derivative`` of it), so what the tests check is what the solver uses.

Irreversibility: ``h = max(h_trial, h_old)``, h_old being the last converged value.
Optional viscous regularisation (Gao & Bower 2004, as in MOOSE): the history relaxes towards
its trial value with time constant ``viscosity_s``: h = (h_trial + r h_old) / (1 + r), r = eta/dt.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .params import check_bounds, parameter

__all__ = ["CohesiveLaw", "StrengthLaw", "NumpyOps", "UflOps", "NUMPY", "RESIDUAL_STIFFNESS"]

# Stiffness kept by a fully damaged interface, as a fraction of the penalty K (-): a particle
# whose whole surface debonds is then still (very weakly) held and the Newton system stays
# regular. At K = 1e18 Pa/m it is 1e10 Pa/m: 0.01 MPa of traction per um of opening.
RESIDUAL_STIFFNESS = 1e-8


class NumpyOps:
    """Element-wise NumPy functions with the names the laws use."""

    sqrt = staticmethod(np.sqrt)
    exp = staticmethod(np.exp)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)

    @staticmethod
    def where(cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def gt(a, b):
        return np.asarray(a) > b

    @staticmethod
    def pos(x):
        return np.maximum(x, 0.0)

    @staticmethod
    def smooth_pos(x, eps):
        return 0.5 * (x + np.sqrt(x * x + eps * eps))


class UflOps:
    """The same functions as UFL expressions (conditionals instead of branches)."""

    def __init__(self):
        from ..._dolfinx import ufl

        self._ufl = ufl
        self.sqrt, self.exp = ufl.sqrt, ufl.exp
        self.maximum, self.minimum = ufl.max_value, ufl.min_value

    def where(self, cond, a, b):
        return self._ufl.conditional(cond, a, b)

    def gt(self, a, b):
        return self._ufl.gt(a, b)

    def pos(self, x):
        return self._ufl.conditional(self._ufl.gt(x, 0.0), x, 0.0)

    def smooth_pos(self, x, eps):
        return 0.5 * (x + self._ufl.sqrt(x * x + eps * eps))


NUMPY = NumpyOps()


@dataclass(frozen=True, kw_only=True)
class CohesiveLaw(ABC):
    """Base of the traction-separation laws: local jump + history in, local traction + history out.

    Subclasses declare their parameters with :func:`~.params.parameter` (the case.toml table of
    the law is derived from them), implement ``trial_history``, ``local_traction``, ``damage`` and
    ``reference_opening_m`` and set ``history_name``. Every law has a viscosity; the damaging laws
    (:class:`StrengthLaw`) add a penalty stiffness, two strengths and a mode I fracture energy.
    """

    viscosity_s: float = parameter(
        "viscous regularisation time (s of load pseudo-time, one increment = 1 s; 0 = none)",
        default=0.0, ge=0.0, group="numerical")

    history_name = "history"

    def __post_init__(self):
        check_bounds(self)

    # --- to implement ---------------------------------------------------------------------
    @abstractmethod
    def trial_history(self, jn, js_sq, ops):
        """History value the current jump alone would give (before max with the old one)."""

    @abstractmethod
    def local_traction(self, jn, js1, js2, h, ops):
        """Traction (tn, ts1, ts2) (Pa) for the jump and the (updated) history value h."""

    @abstractmethod
    def damage(self, h, ops=NUMPY):
        """Damage in [0, 1] for a history value (output and statistics)."""

    # --- common ---------------------------------------------------------------------------
    def shear_sq(self, js1, js2):
        """Squared shear jump, regularised so that sqrt and its derivative exist at zero (m2)."""
        eps = 1e-9 * self.reference_opening_m
        return js1 * js1 + js2 * js2 + eps * eps

    @abstractmethod
    def rate_independent_dissipation(self, h, jn, js1, js2):
        """Energy per area (J/m2) dissipated in reaching history h without viscosity: the work along the
        rate-independent curve up to h minus the recoverable energy there, at the current mode mix (NumPy)."""

    @property
    @abstractmethod
    def reference_opening_m(self) -> float:
        """A jump scale of the law (m), e.g. the opening at damage onset."""

    def history(self, jn, js1, js2, h_old, ops=NUMPY, dt_s: float | object = 1.0):
        """Irreversible, optionally viscous, history value for the current jump."""
        trial = self.trial_history(jn, self.shear_sq(js1, js2), ops)
        if self.viscosity_s > 0.0:
            r = self.viscosity_s / dt_s
            trial = (trial + r * h_old) / (1.0 + r)
        return ops.maximum(trial, h_old)

    def traction(self, jn, js1, js2, h_old, ops=NUMPY, dt_s: float | object = 1.0):
        """(tn, ts1, ts2, h): local traction (Pa) and the updated history for a jump (m)."""
        h = self.history(jn, js1, js2, h_old, ops, dt_s)
        return (*self.local_traction(jn, js1, js2, h, ops), h)

    def elastic_energy(self, jn, js1, js2, h, ops=NUMPY):
        """Recoverable energy per area (J/m2): both laws unload along the secant to the origin."""
        tn, t1, t2 = self.local_traction(jn, js1, js2, h, ops)
        return 0.5 * (tn * jn + t1 * js1 + t2 * js2)


@dataclass(frozen=True, kw_only=True)
class StrengthLaw(CohesiveLaw, ABC):
    """A damaging law: penalty (contact) stiffness, two strengths and a mode I fracture energy."""

    penalty_stiffness_Pa_per_m: float = parameter(
        "stiffness of the intact interface and contact penalty in compression K (Pa/m)", gt=0.0)
    normal_strength_Pa: float = parameter("normal strength N: peak traction in mode I (Pa)", gt=0.0)
    shear_strength_Pa: float = parameter("shear strength S: peak traction in modes II/III (Pa)", gt=0.0)
    GIc_J_per_m2: float = parameter("mode I fracture energy G_Ic, the only one of a one-energy law (J/m2)",
                                    gt=0.0)

    def opening(self, jn, ops):
        """Smoothed positive part of the normal jump (m): (jn + sqrt(jn^2 + eps^2)) / 2.

        The switch between the damaged tensile stiffness and the contact penalty at jn = 0 is
        spread over eps = 1e-3 N/K (the normal traction error is at most 5e-4 N), so that Newton
        does not cycle on facets that sit at the contact transition (the convergence problem of
        contact in cohesive zones).
        """
        return ops.smooth_pos(jn, 1e-3 * self.normal_strength_Pa / self.penalty_stiffness_Pa_per_m)
