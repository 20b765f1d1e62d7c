"""A thin coating with cohesive laws on its two sides: the series combination as one interface law.

A coating thinner than coating.min_meshed_thickness_um is not meshed: the particle/matrix facets
carry it as a linear spring k_n = M_c / t, k_t = G_c / t (spring.py). Each side of it (core/coating,
coating/matrix) may have a law of its own; the three act in series (the same traction passes through
all of them, the jumps add). Exact result for a pure mode: a bilinear law (penalty K, strength s,
final opening d_f) in series with a linear spring k is again bilinear, with penalty
K k / (K + k), the same strength and the same final opening, hence the same fracture energy (the
spring's elastic energy comes back on unloading, and both unload along the secant to the origin).
The other side adds its (elastic) penalty as one more spring, as long as it stays elastic: its
strengths are both at least those of the governing (damaging) side. So the effective law is the
governing side's bilinear law with the series stiffness, normal and tangential separately
(:class:`SeriesBilinear`). docs/coatings.md, "Cohesive laws on a thin coating".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import NUMPY, CohesiveLaw, StrengthLaw
from .bilinear import BilinearMixedMode
from .params import parameter
from .spring import LinearSpring

__all__ = ["SeriesBilinear", "series_stiffness", "elastic_compliance", "governs", "series_law"]


@dataclass(frozen=True, kw_only=True)
class SeriesBilinear(CohesiveLaw):
    """Bilinear mixed-mode law with separate normal and shear penalties K_n, K_t (history: damage d).

    Built as the bilinear law (bilinear.py) of penalty K_n on the jump (jn, r js), r = K_t / K_n, with
    G_IIc replaced by r G_IIc: then the shear traction is (1 - d) K_t js, its peak S and its pure-mode
    II energy G_IIc. Exact for pure modes; for r = 1 it is the bilinear law itself. For mixed modes and
    r != 1 the mixity the law sees weighs the shear energy by r (an approximation of B-K).
    """

    normal_penalty_Pa_per_m: float = parameter("normal stiffness of the intact interface and contact penalty K_n "
                                               "(Pa/m)", gt=0.0)
    shear_penalty_Pa_per_m: float = parameter("shear stiffness of the intact interface K_t (Pa/m)", gt=0.0)
    normal_strength_Pa: float = parameter("normal strength N: peak traction in mode I (Pa)", gt=0.0)
    shear_strength_Pa: float = parameter("shear strength S: peak traction in modes II/III (Pa)", gt=0.0)
    GIc_J_per_m2: float = parameter("mode I fracture energy G_Ic (J/m2)", gt=0.0)
    GIIc_J_per_m2: float = parameter("mode II fracture energy G_IIc (J/m2)", gt=0.0)
    bk_exponent: float = parameter("Benzeggagh-Kenane exponent eta (-)", default=2.0, gt=0.0)

    history_name = "damage"
    type_name = "series_bilinear"

    def __post_init__(self):
        super().__post_init__()
        r = self.ratio
        # not a dataclass field: summary.json (asdict) lists the parameters above only
        object.__setattr__(self, "core", BilinearMixedMode(
            penalty_stiffness_Pa_per_m=self.normal_penalty_Pa_per_m, normal_strength_Pa=self.normal_strength_Pa,
            shear_strength_Pa=self.shear_strength_Pa, GIc_J_per_m2=self.GIc_J_per_m2,
            GIIc_J_per_m2=r * self.GIIc_J_per_m2, bk_exponent=self.bk_exponent, viscosity_s=self.viscosity_s))

    @property
    def ratio(self) -> float:
        """r = K_t / K_n (-)."""
        return self.shear_penalty_Pa_per_m / self.normal_penalty_Pa_per_m

    @property
    def reference_opening_m(self) -> float:
        return self.core.reference_opening_m

    def trial_history(self, jn, js_sq, ops):
        return self.core.trial_history(jn, self.ratio ** 2 * js_sq, ops)

    def local_traction(self, jn, js1, js2, h, ops):
        r = self.ratio
        return self.core.local_traction(jn, r * js1, r * js2, h, ops)  # (1 - d) K_n r js = (1 - d) K_t js

    def damage(self, h, ops=NUMPY):
        return h

    def rate_independent_dissipation(self, h, jn, js1, js2):
        """The core law's dissipation with its shear share divided by r (J/m2): the core sees the shear
        work multiplied by r."""
        r = self.ratio
        core = self.core.rate_independent_dissipation(h, jn, r * js1, r * js2)
        B = self.core.mixity(jn, self.core.shear_sq(r * js1, r * js2))
        return core * (1.0 - B + B / r)


def series_stiffness(*stiffnesses: float) -> float:
    """1 / sum(1 / k) (Pa/m) of springs in series; an infinite stiffness adds nothing."""
    return 1.0 / sum(0.0 if math.isinf(k) else 1.0 / k for k in stiffnesses)


def elastic_compliance(law: CohesiveLaw) -> tuple[float, float]:
    """(normal, shear) compliance (m/Pa) of a law while it is elastic; ValueError if its elastic branch is not linear."""
    if isinstance(law, LinearSpring):
        return 1.0 / law.normal_stiffness_Pa_per_m, 1.0 / law.shear_stiffness_Pa_per_m
    if isinstance(law, BilinearMixedMode):
        return (1.0 / law.penalty_stiffness_Pa_per_m,) * 2
    raise ValueError(f"a {type(law).__name__} law has no linear elastic branch: it cannot be combined in series "
                     "with the coating spring; use a bilinear (or spring) law")


def strengths(law: CohesiveLaw) -> tuple[float, float]:
    """(normal, shear) strength (Pa); infinite for a spring."""
    if isinstance(law, StrengthLaw):
        return law.normal_strength_Pa, law.shear_strength_Pa
    return math.inf, math.inf


def governs(a: CohesiveLaw | None, b: CohesiveLaw | None) -> bool | None:
    """True if side a governs (damages first), False if b does, None if neither is weaker in both strengths.

    A missing side is bonded (infinite strength). The governing side has both strengths <= the other's;
    the other then stays elastic, the quadratic onset criterion (tn/N)^2 + (ts/S)^2 = 1 of the same traction
    being reached on the governing side first. Equal strengths: the smaller G_Ic governs, then side a.
    """
    (na, sa), (nb, sb) = (strengths(x) if x is not None else (math.inf, math.inf) for x in (a, b))
    a_weaker, b_weaker = na <= nb and sa <= sb, nb <= na and sb <= sa
    if a_weaker and b_weaker:  # equal strengths
        ga = getattr(a, "GIc_J_per_m2", math.inf) if a is not None else math.inf
        gb = getattr(b, "GIc_J_per_m2", math.inf) if b is not None else math.inf
        return ga <= gb
    return True if a_weaker else (False if b_weaker else None)


def series_law(governing: CohesiveLaw, other: CohesiveLaw | None, kn: float, kt: float) -> CohesiveLaw:
    """The law of a thin coating (spring kn, kt (Pa/m)) with ``governing`` on one side and ``other`` (elastic)
    or nothing (bonded) on the other: a spring if both are springs, else a :class:`SeriesBilinear`.
    ValueError for a law without a linear elastic branch or when the series stiffness is too small for the
    strengths and energies (the combined curve would snap back)."""
    cn, ct = elastic_compliance(governing)
    on, ot = elastic_compliance(other) if other is not None else (0.0, 0.0)
    Kn, Kt = 1.0 / (cn + on + 1.0 / kn), 1.0 / (ct + ot + 1.0 / kt)
    if isinstance(governing, LinearSpring):
        return LinearSpring(normal_stiffness_Pa_per_m=Kn, shear_stiffness_Pa_per_m=Kt, viscosity_s=governing.viscosity_s)
    g = governing
    assert isinstance(g, BilinearMixedMode)
    need_n, need_t = g.normal_strength_Pa ** 2 / (2 * g.GIc_J_per_m2), g.shear_strength_Pa ** 2 / (2 * g.GIIc_J_per_m2)
    if Kn <= need_n or Kt <= need_t:
        raise ValueError(f"in series with the coating (and the other side) the interface stiffness is K_n = {Kn:.4g}, "
                         f"K_t = {Kt:.4g} Pa/m, below strength^2 / (2 G_c) = {need_n:.4g}, {need_t:.4g} Pa/m: the "
                         "traction-separation curve would snap back (no stable softening); a thinner or stiffer "
                         "coating, stiffer penalties, lower strengths or higher fracture energies are needed")
    return SeriesBilinear(normal_penalty_Pa_per_m=Kn, shear_penalty_Pa_per_m=Kt, normal_strength_Pa=g.normal_strength_Pa,
                          shear_strength_Pa=g.shear_strength_Pa, GIc_J_per_m2=g.GIc_J_per_m2,
                          GIIc_J_per_m2=g.GIIc_J_per_m2, bk_exponent=g.bk_exponent, viscosity_s=g.viscosity_s)
