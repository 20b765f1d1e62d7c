"""Apparent effective properties of a periodic case (``stressfem homogenize CASE``).

From the unit-strain solutions of the periodic model (solver/macro.py):
* the 6x6 effective stiffness (Voigt order xx yy zz yz xz xy, engineering shear, Pa);
* the free-expansion macroscopic strain at a load state, E = -C^-1 Sigma0 (the mean stress of the
  eigenstrain problem at E = 0), which gives the effective thermal expansion tensor, secant
  (E(T) / (T - T0)) and instantaneous (central difference over +-0.5 K; exact for the linear
  problem with piecewise-linear CTE tables away from their kinks), and the effective chemical
  strain tensor against state of charge at the stress-free temperature;
* next to them the Hashin-Shtrikman bounds of the isotropic phase moduli, and for two solid
  phases the Levin/Rosen-Hashin bounds of the volumetric CTE (homogenize/bounds.py).
"""

from __future__ import annotations

import logging

import numpy as np

from ..physics.eigenstrain import LoadState
from .bounds import hashin_shtrikman, levin_cte

__all__ = ["Homogenizer", "voigt_stiffness", "isotropic_moduli"]

log = logging.getLogger(__name__)

DT_INSTANT_K = 0.5


def voigt_stiffness(unit_stress: np.ndarray) -> np.ndarray:
    """6x6 Voigt stiffness (engineering shear) from the mean stresses of unit tensor strains."""
    C = np.array(unit_stress, dtype=float)
    C[:, 3:] *= 0.5  # a unit tensor shear strain is an engineering shear of 2
    return 0.5 * (C + C.T)


def isotropic_moduli(C: np.ndarray) -> dict[str, float]:
    """Bulk and shear moduli (Pa) of an apparent stiffness: Voigt-type (from C) and Reuss-type (from C^-1)."""
    S = np.linalg.inv(C)
    return {"K_from_C_Pa": float(C[:3, :3].sum() / 9.0),
            "K_from_compliance_Pa": float(1.0 / S[:3, :3].sum()),
            "G_from_C_Pa": float((np.trace(C[:3, :3]) - (C[0, 1] + C[0, 2] + C[1, 2]) + 3 * np.trace(C[3:, 3:])) / 15.0),
            "G_from_compliance_Pa": float(15.0 / (4 * np.trace(S[:3, :3]) - 4 * (S[0, 1] + S[0, 2] + S[1, 2])
                                                  + 3 * np.trace(S[3:, 3:])))}


class Homogenizer:
    """Effective properties of a periodic model (all six unit-strain solutions computed)."""

    def __init__(self, model, materials, phase_names, stress_free_K: float):
        from ..solver.macro import from_voigt

        self.model, self.materials, self.phase_names, self.T0 = model, list(materials), list(phase_names), stress_free_K
        self._from_voigt = from_voigt
        self.C = voigt_stiffness(model.unit_stress)
        vols = np.array([model.phase_volume(i) for i in range(len(self.phase_names))])
        self.fractions = vols / model.box_volume

    def free_strain(self, state: LoadState) -> np.ndarray:
        """Free-expansion macroscopic strain tensor (3x3, -) at a load state (Sigma = 0)."""
        sigma0, _ = self.model.eigen_response(state, where=f"homogenisation at T = {state.temperature_K:.2f} K")
        return self._from_voigt(-np.linalg.solve(self.model.unit_stress, sigma0))

    def thermal(self, temperatures_K) -> dict:
        """Secant and instantaneous effective CTE tensors (1/K) at the given temperatures (K)."""
        secant, instant = [], []
        for T in temperatures_K:
            up = self.free_strain(LoadState(temperature_K=T + DT_INSTANT_K))
            down = self.free_strain(LoadState(temperature_K=T - DT_INSTANT_K))
            instant.append((up - down) / (2 * DT_INSTANT_K))
            secant.append(self.free_strain(LoadState(temperature_K=T)) / (T - self.T0) if T != self.T0 else instant[-1])
        out = {"stress_free_temperature_K": self.T0, "temperature_K": list(map(float, temperatures_K)),
               "secant_per_K": [a.tolist() for a in secant], "instantaneous_per_K": [a.tolist() for a in instant],
               "secant_volumetric_mean_per_K": [float(np.trace(a) / 3) for a in secant]}
        bounds = self._levin_bounds(temperatures_K)
        if bounds is not None:
            out["levin_hashin_shtrikman_bounds_secant_per_K"] = bounds
        return out

    def _levin_bounds(self, temperatures_K) -> list | None:
        """Volumetric secant CTE bounds for two solid phases filling the box, else None."""
        K = [m.bulk_modulus_Pa for m in self.materials]
        if len(self.materials) != 2 or abs(self.fractions.sum() - 1.0) > 1e-6 or abs(K[0] - K[1]) <= 1e-9 * K[0]:
            return None  # Levin's relation needs two solid phases of different bulk moduli
        hs = self.bounds()
        out = []
        for T in temperatures_K:
            a = [m.mean_cte_per_K(T, self.T0) for m in self.materials]
            vals = [levin_cte(hs[k], K, a) for k in ("K_lower", "K_upper")]
            out.append([min(vals), max(vals)])
        return out

    def chemical(self, socs) -> dict:
        """Effective chemical strain tensor (-) against state of charge at the stress-free temperature."""
        strains = [self.free_strain(LoadState(temperature_K=self.T0, soc=float(s))) for s in socs]
        return {"temperature_K": self.T0, "soc": list(map(float, socs)), "strain": [e.tolist() for e in strains]}

    def bounds(self) -> dict[str, float]:
        """Hashin-Shtrikman bounds (Pa) of the isotropic phase moduli (pores: K = G = 0)."""
        K = [m.bulk_modulus_Pa for m in self.materials]
        G = [m.shear_modulus_Pa for m in self.materials]
        f = list(self.fractions)
        if self.fractions.sum() < 1.0 - 1e-6:  # pores (unmeshed void)
            K, G, f = K + [0.0], G + [0.0], f + [1.0 - self.fractions.sum()]
        return hashin_shtrikman(K, G, f)

    def report(self, temperatures_K, socs=None) -> dict:
        """Everything, as a strict-JSON-ready dict."""
        out = {"stiffness_voigt_Pa": self.C.tolist(), "isotropic_moduli": isotropic_moduli(self.C),
               "hashin_shtrikman_Pa": self.bounds(),
               "phase_volume_fractions": dict(zip(self.phase_names, map(float, self.fractions))),
               "thermal_expansion": self.thermal(temperatures_K)}
        if socs is not None:
            out["chemical_expansion"] = self.chemical(socs)
        return out
