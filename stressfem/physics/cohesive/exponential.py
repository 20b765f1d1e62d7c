"""Exponential cohesive law of Xu-Needleman type, with secant unloading (irreversible).

Xu, X.-P. and Needleman, A., J. Mech. Phys. Solids 42 (1994) 1397, with the coupled effective
opening of Ortiz & Pandolfi (Int. J. Numer. Meth. Eng. 44 (1999) 1267). With the normalised
effective opening lam = sqrt((<jn>/dn)^2 + (js/dt)^2) the potential is
phi(lam) = phi_n [1 - (1 + lam) exp(-lam)], phi_n = e sigma_max dn = G_c, so

  tn = phi_n exp(-lam) jn / dn^2,  ts = phi_n exp(-lam) js / dt^2,

peaks at jn = dn with tn = sigma_max (mode I) and at js = dt with ts = tau_max (mode II), and
dissipates G_c in either mode (dt = G_c / (e tau_max); one fracture energy: this law has
G_IIc = G_Ic). Irreversible: the history is lam_max; below it the traction follows the secant
to the origin (exp(-lam_max)). In compression tn = K jn (contact penalty) and jn does not
enter lam. Reported damage: 0 before the peak, then 1 - lam e^(1 - lam) (the lost fraction of
the peak traction), set to 1 beyond lam = 20.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import NUMPY, RESIDUAL_STIFFNESS, StrengthLaw
from .params import parameter

__all__ = ["Exponential", "LAMBDA_DEBONDED"]

LAMBDA_DEBONDED = 20.0


@dataclass(frozen=True, kw_only=True)
class Exponential(StrengthLaw):
    """Exponential law; history variable = maximum normalised effective opening lam (-)."""

    # the intact stiffness is G_c / dn^2 here: K acts only in compression
    penalty_stiffness_Pa_per_m: float = parameter("contact penalty in compression K (Pa/m)", gt=0.0)

    history_name = "max_effective_opening"

    @property
    def dn(self) -> float:
        """Normal characteristic opening (m): G_c / (e sigma_max)."""
        return self.GIc_J_per_m2 / (math.e * self.normal_strength_Pa)

    @property
    def dt(self) -> float:
        """Shear characteristic opening (m): G_c / (e tau_max)."""
        return self.GIc_J_per_m2 / (math.e * self.shear_strength_Pa)

    @property
    def reference_opening_m(self) -> float:
        return self.dn

    def trial_history(self, jn, js_sq, ops):
        jp = ops.pos(jn)
        return ops.sqrt((jp / self.dn) ** 2 + js_sq / self.dt ** 2)

    def local_traction(self, jn, js1, js2, h, ops):
        phi = self.GIc_J_per_m2
        k = phi * ops.exp(-h)
        kr = RESIDUAL_STIFFNESS * self.penalty_stiffness_Pa_per_m
        jp = self.opening(jn, ops)  # smoothed <jn>: continuous tangent at the contact transition
        tn = (k / self.dn ** 2 + kr) * jp + self.penalty_stiffness_Pa_per_m * (jn - jp)
        return tn, (k / self.dt ** 2 + kr) * js1, (k / self.dt ** 2 + kr) * js2

    def rate_independent_dissipation(self, h, jn, js1, js2):
        """G_c [1 - (1 + lam) e^-lam - lam^2 e^-lam / 2] (J/m2): the potential at lam = h minus the
        energy recoverable along the secant; G_c as lam -> infinity."""
        lam = np.asarray(h, dtype=float)
        return self.GIc_J_per_m2 * (1.0 - (1.0 + lam + 0.5 * lam * lam) * np.exp(-lam))

    def damage(self, h, ops=NUMPY):
        lost = 1.0 - h * ops.exp(1.0 - h)
        return ops.where(ops.gt(h, LAMBDA_DEBONDED), 1.0 + 0.0 * h,
                         ops.where(ops.gt(h, 1.0), lost, 0.0 * h))
