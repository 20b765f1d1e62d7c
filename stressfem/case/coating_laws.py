"""Thin (unmeshed) coatings as interface models: which [[interfaces]] entries are the laws of their two
sides, what is refused, and the one effective law of the particle/matrix facets (docs/coatings.md).

A thin coating C (thinner than coating.min_meshed_thickness_um, listed under [phases]) on particles of
phase P in matrix M is a spring layer on the P/M facets (k_n = M_c / t, k_t = G_c / t). Laws named
"P/C" (core/coating side) and "C/M" (coating/matrix side) act in series with it; a side without a law
is bonded. The side with both strengths lower governs; the other stays elastic
(physics/cohesive/series.py). Refused: a law named "P/M" (ambiguous: which side?), any other name with
C (it is not a volume), the exponential law on a side (no linear elastic branch), two sides neither of
which is weaker in both strengths, and a series stiffness too small for the strengths (snap-back).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..physics.cohesive import CohesiveLaw, LinearSpring, make_law, thin_layer_stiffness
from ..physics.cohesive.series import governs, series_law
from .checks import ThinCoating, thin_coatings
from .geometry import Geometry
from .interfaces import InterfaceSpec

__all__ = ["CoatingLawError", "CoatingLaw", "side_entries", "thin_coating_problem", "coating_law", "coating_laws"]


class CoatingLawError(ValueError):
    """A thin-coating law that cannot be applied, with the case.toml key to name."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class CoatingLaw:
    """The law applied on the particle/matrix facets of a thin coating, where it comes from and what it
    combines (``details``: summary.json interface_laws)."""

    coating: ThinCoating
    law: CohesiveLaw
    source: str
    details: dict


def _sides(t: ThinCoating) -> dict[str, frozenset]:
    return {"core": frozenset((t.particle_phase, t.phase)), "outer": frozenset((t.phase, t.matrix_phase))}


def _allowed(t: ThinCoating) -> str:
    return (f'"{t.particle_phase}/{t.phase}" (core/coating side) and/or "{t.phase}/{t.matrix_phase}" '
            f"(coating/{t.matrix_phase} side); a side without a law is bonded (docs/coatings.md)")


def side_entries(t: ThinCoating, interfaces: list[InterfaceSpec]) -> dict[str, int]:
    """{"core" | "outer": index of its [[interfaces]] entry} for the sides of t that have a law."""
    sides = _sides(t)
    return {side: k for k, spec in enumerate(interfaces) if spec.kind == "phases"
            for side, pair in sides.items() if frozenset(spec.phases) == pair}


def thin_coating_problem(interfaces: list[InterfaceSpec], phases: dict[str, str],
                         geometry: Geometry) -> tuple[str, str] | None:
    """(key, message) for [[interfaces]] entries a thin coating cannot honour, else None (no materials needed)."""
    for t in thin_coatings(phases, geometry):
        where = (f"the unmeshed coating {t.phase!r} ({t.thickness_um:g} um, below coating.min_meshed_thickness_um) "
                 f"is a spring layer on the {t.interface_name} facets")
        for k, spec in enumerate(interfaces):
            pair = frozenset(spec.phases)
            if spec.kind == "phases" and pair == frozenset((t.particle_phase, t.matrix_phase)):
                return (f"interfaces[{k}].name", f"{spec.name!r}: {where}; give its cohesive laws per side, "
                        f"named {_allowed(t)}; or mesh the coating (coating.min_meshed_thickness_um <= "
                        f"{t.thickness_um:g}), or remove {t.phase!r} from [phases] (no coating)")
            if t.phase in spec.phases and pair not in _sides(t).values():
                return (f"interfaces[{k}].name", f"{spec.name!r}: {where}, not a volume; allowed names with "
                        f"{t.phase!r}: {_allowed(t)}")
        entries = side_entries(t, interfaces)
        for k in entries.values():
            if interfaces[k].law.type == "exponential":
                return (f"interfaces[{k}].law.type", f"{interfaces[k].name!r}: {where}; the exponential law has no "
                        "linear elastic branch, so in series with the coating it is not an exponential law again; "
                        "allowed on a thin-coating side: \"bilinear\" or \"spring\"")
        if len(entries) == 2:
            core, outer = (make_law(interfaces[entries[s]].law.model_dump()) for s in ("core", "outer"))
            if governs(core, outer) is None:
                return (f"interfaces[{entries['outer']}].law", f"{interfaces[entries['core']].name!r} and "
                        f"{interfaces[entries['outer']].name!r}: {where}; one side must be weaker in both strengths "
                        "(normal and shear) so that the other stays elastic; neither is. Allowed: both strengths "
                        "of one side <= those of the other, or a law on one side only")
    return None


def coating_law(t: ThinCoating, interfaces: list[InterfaceSpec], youngs_modulus_Pa: float,
                poisson_ratio: float) -> CoatingLaw:
    """The effective law of the thin coating t (isotropic coating material E (Pa), nu) with its side laws.

    Raises CoatingLawError (with the key) when the series stiffness is too small (snap-back).
    """
    kn, kt = thin_layer_stiffness(youngs_modulus_Pa, poisson_ratio, t.thickness_um * 1e-6)
    head = f"thin coating {t.phase} ({t.thickness_um:g} um)"
    details = {"coating": t.phase, "coating_thickness_um": t.thickness_um,
               "coating_normal_stiffness_Pa_per_m": kn, "coating_shear_stiffness_Pa_per_m": kt}
    entries = side_entries(t, interfaces)
    if not entries:
        return CoatingLaw(t, LinearSpring(normal_stiffness_Pa_per_m=kn, shear_stiffness_Pa_per_m=kt),
                          f"{head}: k_n = M/t, k_t = G/t", details)
    laws = {s: make_law(interfaces[k].law.model_dump()) for s, k in entries.items()}
    first = governs(laws.get("core"), laws.get("outer"))
    gov, other = ("core", "outer") if first else ("outer", "core")
    names = {s: interfaces[entries[s]].name if s in entries else default for s, default in
             (("core", f"{t.particle_phase}/{t.phase}"), ("outer", f"{t.phase}/{t.matrix_phase}"))}
    try:
        law = series_law(laws[gov], laws.get(other), kn, kt)
    except ValueError as exc:
        raise CoatingLawError(f"interfaces[{entries[gov]}].law", f"{names[gov]!r} on {head}: {exc}") from None
    state = "elastic" if other in entries else "bonded"
    details.update(governing_side=names[gov], governing_law=interfaces[entries[gov]].law.type,
                   other_side=names[other], other_side_state=state)
    source = (f"{head}: spring k_n = M/t, k_t = G/t in series with [[interfaces]] {names[gov]} (governing: its "
              f"damage law) and {names[other]} ({state})")
    return CoatingLaw(t, law, source, details)


def coating_laws(interfaces: list[InterfaceSpec], phases: dict[str, str], geometry: Geometry,
                 materials: dict) -> list[CoatingLaw]:
    """The effective law of every thin coating; ``materials``: phase -> Material (materials/resolve.py).
    CoatingLawError for an anisotropic coating material or a series stiffness too small for its strengths."""
    out = []
    for t in thin_coatings(phases, geometry):
        m = materials[t.phase]
        if m.anisotropic:
            raise CoatingLawError(f"materials.{t.phase}", "a thin (spring-layer) coating needs an isotropic material "
                                  "(youngs_modulus_Pa, poisson_ratio)")
        out.append(coating_law(t, interfaces, m.youngs_modulus_Pa, m.poisson_ratio))
    return out
