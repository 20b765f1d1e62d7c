"""Bilinear mixed-mode cohesive law: Camanho-Davila onset, Benzeggagh-Kenane propagation.

Camanho, P.P. and Davila, C.G., "Mixed-mode decohesion finite elements for the simulation of
delamination in composite materials", NASA/TM-2002-211737 (2002); Benzeggagh, M.L. and Kenane,
M., Compos. Sci. Technol. 56 (1996) 439. Same penalty stiffness K in every direction, so the
mode mixity B = G_shear / (G_I + G_shear) = js^2 / (<jn>^2 + js^2):

* onset (quadratic criterion written with B): d0m = d0n d0s / sqrt((1 - B) d0s^2 + B d0n^2),
  d0n = N/K, d0s = S/K;
* propagation (B-K): G_c = G_Ic + (G_IIc - G_Ic) B^eta, final jump dfm = 2 G_c / (K d0m);
* damage from the effective jump dm = sqrt(<jn>^2 + js^2):
  d = dfm (dm - d0m) / (dm (dfm - d0m)), clipped to [0, 1], and d = max(d, d_old);
* traction (1 - d) K jump, except in compression (jn < 0): tn = K jn whatever d (contact
  penalty, no interpenetration) and the normal jump does not enter dm (no damage from
  compression; shear still damages). The normal traction is written K (jn - d <jn>) with a
  smoothed bracket <jn> (width 1e-3 N/K, see CohesiveLaw.opening) so its tangent is continuous.

The area under the effective traction-jump curve is G_c for every mixity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import NUMPY, RESIDUAL_STIFFNESS, StrengthLaw
from .params import parameter

__all__ = ["BilinearMixedMode"]


@dataclass(frozen=True, kw_only=True)
class BilinearMixedMode(StrengthLaw):
    """Bilinear law; history variable = damage d."""

    GIIc_J_per_m2: float = parameter("mode II fracture energy G_IIc (J/m2)", gt=0.0)
    # 2.0: the value documented in docs/case-format.md and docs/cohesive.md and used by every case
    # so far; B-K exponents are fitted to laminate tests (Benzeggagh & Kenane 1996), none is measured
    # for oxide interfaces (literature.md, [PERSP] 4.2.2): sweep it with GIIc != GIc.
    bk_exponent: float = parameter("Benzeggagh-Kenane exponent eta (-)", default=2.0, gt=0.0)

    history_name = "damage"

    def __post_init__(self):
        super().__post_init__()
        K = self.penalty_stiffness_Pa_per_m
        B = np.linspace(0.0, 1.0, 101)
        d0m = self.onset_jump(B)
        if np.any(self.final_jump(B) <= d0m * (1 + 1e-9)):
            need = max(self.normal_strength_Pa ** 2 / (2 * self.GIc_J_per_m2),
                       self.shear_strength_Pa ** 2 / (2 * self.GIIc_J_per_m2))
            raise ValueError(f"penalty_stiffness_Pa_per_m = {K:g} is too small for these strengths and "
                             f"energies (no softening branch); use well above {need:g} Pa/m")

    @property
    def reference_opening_m(self) -> float:
        return self.normal_strength_Pa / self.penalty_stiffness_Pa_per_m

    # named steps, valid for NumPy arrays and UFL expressions
    def mixity(self, jn, js_sq, ops=NUMPY):
        """B = G_shear / (G_I + G_shear) (-); 1 in compression."""
        jp = ops.pos(jn)
        return js_sq / (jp * jp + js_sq)

    def onset_jump(self, B, ops=NUMPY):
        """Effective jump at damage onset (m), Camanho-Davila quadratic criterion."""
        K = self.penalty_stiffness_Pa_per_m
        d0n, d0s = self.normal_strength_Pa / K, self.shear_strength_Pa / K
        return d0n * d0s / ops.sqrt((1.0 - B) * d0s ** 2 + B * d0n ** 2)

    def critical_energy(self, B):
        """Benzeggagh-Kenane mixed-mode fracture energy G_c (J/m2)."""
        return self.GIc_J_per_m2 + (self.GIIc_J_per_m2 - self.GIc_J_per_m2) * B ** self.bk_exponent

    def final_jump(self, B, ops=NUMPY):
        """Effective jump at complete separation (m)."""
        return 2.0 * self.critical_energy(B) / (self.penalty_stiffness_Pa_per_m * self.onset_jump(B, ops))

    def trial_history(self, jn, js_sq, ops):
        jp = ops.pos(jn)
        dm = ops.sqrt(jp * jp + js_sq)
        B = self.mixity(jn, js_sq, ops)
        d0, df = self.onset_jump(B, ops), self.final_jump(B, ops)
        d = df * (dm - d0) / (dm * (df - d0))
        return ops.where(ops.gt(dm, d0), ops.minimum(d, 1.0), 0.0 * dm)

    def local_traction(self, jn, js1, js2, h, ops):
        K = self.penalty_stiffness_Pa_per_m
        d = (1.0 - RESIDUAL_STIFFNESS) * h
        tn = K * (jn - d * self.opening(jn, ops))  # (1 - d) K jn in tension, K jn in compression
        return tn, (1.0 - d) * K * js1, (1.0 - d) * K * js2

    def damage(self, h, ops=NUMPY):
        return h

    def rate_independent_dissipation(self, h, jn, js1, js2):
        """0.5 K d0m delta d (J/m2): the triangle origin / peak / point of damage d on the softening line,
        delta = dfm d0m / (dfm - d (dfm - d0m)) the effective jump at which d is reached; G_c at d = 1."""
        B = self.mixity(jn, self.shear_sq(js1, js2))
        d0, df = self.onset_jump(B), self.final_jump(B)
        d = np.clip(h, 0.0, 1.0)
        delta = df * d0 / (df - d * (df - d0))
        return 0.5 * self.penalty_stiffness_Pa_per_m * d0 * delta * d
