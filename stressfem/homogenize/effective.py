"""Apparent effective properties of a periodic case (``stressfem homogenize CASE``).

From the unit-strain solutions of the periodic model (solver/macro.py):
* the 6x6 effective stiffness (Voigt order xx yy zz yz xz xy, engineering shear, Pa);
* the free-expansion macroscopic strain at a load state, E = -C^-1 Sigma0 (the mean stress of the
  eigenstrain problem at E = 0), which gives the effective thermal expansion tensor, secant
  (E(T) / (T - T0)) and instantaneous (central difference over +-0.5 K; exact for the linear
  problem with piecewise-linear CTE tables away from their kinks), and the effective chemical
  strain tensor against state of charge at the stress-free temperature;
* next to them the Voigt/Reuss and Hashin-Shtrikman bounds of the phase moduli, for two isotropic
  solid phases the Levin/Rosen-Hashin bounds of the volumetric CTE, and where the computed
  Voigt- and Reuss-type averages lie in those windows (homogenize/bounds.py: which quantity each
  bound applies to, for any box geometry).
"""

from __future__ import annotations

import logging

import numpy as np

from ..physics.eigenstrain import LoadState
from .bounds import hashin_shtrikman, levin_cte, voigt_reuss, window_check

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
        if (len(self.materials) != 2 or abs(self.fractions.sum() - 1.0) > 1e-6 or abs(K[0] - K[1]) <= 1e-9 * K[0]
                or any(m.crystal_stiffness_Pa is not None for m in self.materials)):
            return None  # Levin's relation needs two isotropic solid phases of different bulk moduli
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

    def phase_moduli(self) -> np.ndarray:
        """Per phase (rows) the Voigt- and Reuss-type moduli K_V, G_V, K_R, G_R (Pa); pores appended as 0."""
        from ..physics.elasticity import transversely_isotropic_voigt

        rows = []
        for m in self.materials:
            if m.crystal_stiffness_Pa is None:
                rows.append([m.bulk_modulus_Pa, m.shear_modulus_Pa] * 2)
            else:
                iso = isotropic_moduli(transversely_isotropic_voigt(*m.crystal_stiffness_Pa))
                rows.append([iso["K_from_C_Pa"], iso["G_from_C_Pa"], iso["K_from_compliance_Pa"],
                             iso["G_from_compliance_Pa"]])
        if self.fractions.sum() < 1.0 - 1e-6:  # pores (unmeshed void)
            rows.append([0.0] * 4)
        return np.array(rows)

    def _all_fractions(self) -> list[float]:
        f = list(self.fractions)
        return f + [1.0 - self.fractions.sum()] if self.fractions.sum() < 1.0 - 1e-6 else f

    def bounds(self) -> dict:
        """Hashin-Shtrikman bounds (Pa); exact for isotropic phases (``rigorous``), for crystal phases
        from each crystal's Voigt moduli (upper) and Reuss moduli (lower), not rigorous."""
        M, f = self.phase_moduli(), self._all_fractions()
        upper, lower = hashin_shtrikman(M[:, 0], M[:, 1], f), hashin_shtrikman(M[:, 2], M[:, 3], f)
        return {"K_lower": lower["K_lower"], "K_upper": upper["K_upper"], "G_lower": lower["G_lower"],
                "G_upper": upper["G_upper"], "rigorous": bool(np.allclose(M[:, :2], M[:, 2:], rtol=1e-12))}

    def voigt_reuss_bounds(self) -> dict[str, float]:
        """Voigt (upper) and Reuss (lower) bounds (Pa) of the bulk and shear moduli, rigorous for any phases."""
        M = self.phase_moduli()
        return voigt_reuss(M[:, 0], M[:, 1], M[:, 2], M[:, 3], self._all_fractions())

    def bounds_check(self, hs: dict, thermal: dict) -> dict:
        """Where the Voigt-type (from C) and Reuss-type (from C^-1) moduli and the volumetric secant CTE
        (first temperature) lie in their HS / Levin windows (docs/periodic.md, Bounds)."""
        iso = isotropic_moduli(self.C)
        out = {f"{q}_{kind}": window_check(iso[f"{q}_from_{src}_Pa"], hs[f"{q}_lower"], hs[f"{q}_upper"])
               for q in ("K", "G") for kind, src in (("voigt_type", "C"), ("reuss_type", "compliance"))}
        levin = thermal.get("levin_hashin_shtrikman_bounds_secant_per_K")
        if levin:
            out["cte_volumetric_secant"] = window_check(thermal["secant_volumetric_mean_per_K"][0], *levin[0])
        return out

    def report(self, temperatures_K, socs=None) -> dict:
        """Everything, as a strict-JSON-ready dict."""
        hs, thermal = self.bounds(), self.thermal(temperatures_K)
        out = {"stiffness_voigt_Pa": self.C.tolist(), "isotropic_moduli": isotropic_moduli(self.C),
               "hashin_shtrikman_Pa": hs, "voigt_reuss_Pa": self.voigt_reuss_bounds(),
               "bounds_check": self.bounds_check(hs, thermal),
               "phase_volume_fractions": dict(zip(self.phase_names, map(float, self.fractions))),
               "thermal_expansion": thermal}
        if socs is not None:
            out["chemical_expansion"] = self.chemical(socs)
        return out
