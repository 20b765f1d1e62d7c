"""Per-interface statistics of a cohesive run, from per-facet values (area, damage, opening, energy).

Definitions (docs/cohesive.md, "Outputs"); fractions are of the interface area:
  * ``damaged_fraction``: damage d > 0;
  * ``debonded_fraction``: d >= DEBONDED (fully debonded; viscous damage only approaches 1);
  * ``bonded_fraction``: d < DEBONDED (still carrying cohesive traction) = 1 - debonded_fraction;
  * ``contact_fraction``: closed, in compression (normal opening jn < 0), damaged or not;
  * ``max_opening_m``: the largest normal opening (m); ``dissipated_energy_J`` the traction work along
    the path minus the recoverable energy (J);
  * ``mean_normal_traction_Pa`` (area-weighted, + tension), ``min_/max_normal_traction_Pa`` (facet
    extremes) and ``mean_shear_traction_Pa`` (area-weighted shear magnitude).
One Allreduce of the sums and one of the maximum: the same on any number of ranks, and a rank
without facets of an interface still takes part.
"""

from __future__ import annotations

import numpy as np

from ..._dolfinx import MPI
from ...output.schema import DEBONDED, INTERFACE_MEASURES
from ...parallel import allreduce_array

__all__ = ["DEBONDED", "INTERFACE_KEYS", "interface_fractions", "opening_bound_m", "largest_particle_m",
           "free_linear_strain", "opening_warnings"]

INTERFACE_KEYS = INTERFACE_MEASURES  # the keys of interface_fractions(), as declared in output/schema.py


def interface_fractions(area: np.ndarray, damage: np.ndarray, normal_opening: np.ndarray, energy: np.ndarray,
                        comm: MPI.Comm, normal_traction: np.ndarray | None = None,
                        shear_traction: np.ndarray | None = None) -> dict[str, float]:
    """The statistics of the module docstring from per-facet area (m2), damage, normal opening (m), energy
    (J/m2), normal traction (Pa, + tension) and shear traction magnitude (Pa); tractions default to zero."""
    tn = np.zeros_like(area) if normal_traction is None else normal_traction
    ts = np.zeros_like(area) if shear_traction is None else shear_traction
    local = np.array([area.sum(), area[damage > 0].sum(), area[damage >= DEBONDED].sum(),
                      area[damage < DEBONDED].sum(), area[normal_opening < 0].sum(), float(area @ energy),
                      float(area @ tn), float(area @ ts)])
    tot = allreduce_array(comm, local, MPI.SUM)
    big = np.finfo(float).max  # a rank without facets must not win the max/min
    mx = allreduce_array(comm, np.array([normal_opening.max(initial=0.0), tn.max(initial=-big),
                                         -tn.min(initial=big)]), MPI.MAX)
    A = float(tot[0])
    frac = [float(x / A) if A > 0 else 0.0 for x in tot[1:5]]
    return {"area_m2": A, "damaged_fraction": frac[0], "debonded_fraction": frac[1], "bonded_fraction": frac[2],
            "contact_fraction": frac[3], "max_opening_m": float(mx[0]), "dissipated_energy_J": float(tot[5]),
            "mean_normal_traction_Pa": float(tot[6] / A) if A > 0 else 0.0,
            "min_normal_traction_Pa": float(-mx[2]) if A > 0 else 0.0,
            "max_normal_traction_Pa": float(mx[1]) if A > 0 else 0.0,
            "mean_shear_traction_Pa": float(tot[7] / A) if A > 0 else 0.0}


def opening_bound_m(free_strain: float, size_m: float, factor: float = 3.0) -> float:
    """A plausible upper bound (m) of the opening of an interface around a particle of size size_m (m).

    A particle that shrinks freely by the linear strain free_strain (-) opens a gap of at most
    |free_strain| size_m / 2 on its radius; ``factor`` allows for shear and neighbours. A larger
    opening means a loose or badly held body (e.g. a fragment of a particle cut by the box).
    """
    return factor * abs(free_strain) * size_m / 2.0


def largest_particle_m(geometry) -> float | None:
    """Diameter (m) of the largest particle a generated geometry asks for (lognormal: d50 exp(3 sigma)), or None."""
    dists = [getattr(geometry, "size_distribution", None)]
    dists += [getattr(layer, "size_distribution", None) for layer in getattr(geometry, "layers", [])]
    sizes = [d.diameter_um if d.type == "fixed" else d.d50_um * float(np.exp(3.0 * d.sigma))
             for d in dists if d is not None]
    return max(sizes) * 1e-6 if sizes else None


def free_linear_strain(materials, temperature_K: float, reference_K: float, soc: float) -> float:
    """The largest |free linear strain| (-) of any phase: thermal from reference_K plus chemical at soc."""
    out = 0.0
    for m in materials:
        eps = m.thermal_strain(temperature_K, reference_K)
        chem = 0.0
        if m.chemical_strain is not None:
            ea, ec = m.chemical_strain.strains(m.chemical_strain.x_from_soc(soc))
            chem = max(abs(float(ea)), abs(float(ec)))
        out = max(out, abs(eps) + chem)
    return out


def opening_warnings(step: dict, bound_m: float | None) -> list[str]:
    """Warnings for the interfaces of a summary step whose maximum opening exceeds bound_m (m)."""
    if bound_m is None or bound_m <= 0:
        return []
    return [f"step {step['name']!r}: interface {name} opens by up to {st['max_opening_m'] * 1e9:.0f} nm, more than "
            f"{bound_m * 1e9:.0f} nm (3 x the free shrinkage of the largest particle): a loose body, e.g. a fragment "
            "of a particle cut by the box, or too soft a penalty; check the interface fields before using the "
            "opening (docs/cohesive.md)"
            for name, st in (step.get("interfaces") or {}).items() if st["max_opening_m"] > bound_m]
