"""Linear spring interface (imperfect interface, thin bonded layer): no damage, no strength.

The traction is linear in the jump in the local frame, t = (k_n jn, k_t js1, k_t js2), in
tension and in compression alike: the interface stays bonded, it only adds the compliance
1/k_n normal to it and 1/k_t along it. This is the "spring-layer" imperfect interface of
Hashin (J. Mech. Phys. Solids 50 (2002) 2509); a thin coating of thickness t bonded to both
sides gives k_n = M_c / t and k_t = G_c / t (``thin_layer_stiffness``).

Derivation of the thin-layer constants: in a layer much thinner than the bodies it joins, the
in-plane strains are those of the neighbours (continuous across the layer, so they do not add
to the jump); the jump comes from the through-thickness strains alone, eps_nn = jn / t and
gamma_ns = js / t. With the in-plane strains held, uniaxial strain gives
sigma_nn = M eps_nn, M = E (1 - nu) / ((1 + nu)(1 - 2 nu)) (the constrained or P-wave modulus,
lambda + 2 mu), and sigma_ns = G gamma_ns, G = E / (2 (1 + nu)). The layer's own eigenstrain
(thermal, chemical) and its in-plane stiffness are left out: both change the result by O(t/a)
for a particle of radius a (docs/cohesive.md, "Thin coatings").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import NUMPY, CohesiveLaw
from .params import parameter

__all__ = ["LinearSpring", "thin_layer_stiffness"]


def thin_layer_stiffness(youngs_modulus_Pa: float, poisson_ratio: float, thickness_m: float) -> tuple[float, float]:
    """(k_n, k_t) (Pa/m) of a thin isotropic layer: constrained modulus / t and shear modulus / t."""
    E, nu = youngs_modulus_Pa, poisson_ratio
    M = E * (1.0 - nu) / ((1.0 + nu) * (1.0 - 2.0 * nu))
    return M / thickness_m, E / (2.0 * (1.0 + nu)) / thickness_m


@dataclass(frozen=True, kw_only=True)
class LinearSpring(CohesiveLaw):
    """Bonded linear interface; the history variable is unused (always 0) and so is the damage."""

    normal_stiffness_Pa_per_m: float = parameter("normal stiffness k_n: normal traction per normal jump (Pa/m)",
                                                 gt=0.0)
    shear_stiffness_Pa_per_m: float = parameter("shear stiffness k_t: shear traction per shear jump (Pa/m)", gt=0.0)

    history_name = "damage"

    @property
    def reference_opening_m(self) -> float:
        """The jump that carries 1 MPa normal traction (m)."""
        return 1e6 / self.normal_stiffness_Pa_per_m

    def trial_history(self, jn, js_sq, ops):
        return 0.0 * jn

    def local_traction(self, jn, js1, js2, h, ops):
        kt = self.shear_stiffness_Pa_per_m
        return self.normal_stiffness_Pa_per_m * jn, kt * js1, kt * js2

    def damage(self, h, ops=NUMPY):
        return 0.0 * h

    def rate_independent_dissipation(self, h, jn, js1, js2):
        """An elastic interface dissipates nothing (J/m2)."""
        return 0.0 * np.asarray(h, dtype=float)
