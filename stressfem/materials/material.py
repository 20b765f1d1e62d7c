"""An isotropic thermoelastic material: a frozen dataclass with units in its fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .chemical import ChemicalStrain
from .ocv import OcvTable

__all__ = ["Material"]


@dataclass(frozen=True)
class Material:
    """Isotropic linear thermoelastic material.

    Attributes:
        name: material name as used in case.toml.
        youngs_modulus_Pa: Young's modulus E (Pa).
        poisson_ratio: Poisson's ratio nu (-).
        cte_per_K: constant linear thermal expansion coefficient alpha (1/K), or None
            when ``cte_table`` is given.
        cte_table: ((T_K, ...), (alpha_per_K, ...)): instantaneous (tangent) CTE, linear
            between points and constant beyond the first and last.
        density_kg_per_m3: density (kg/m3), informational.
        chemical_strain: lattice strain versus Li content (delithiation), or None.
        crystal_stiffness_Pa: transversely isotropic single-crystal constants (C11, C12, C13, C33, C44)
            (Pa) with c along axis 3, or None for the isotropic (E, nu) law.
        diffusivity_m2_per_s: Li diffusivity D (m2/s), or None (the phase does not diffuse).
        diffusivity_table: ((x, ...), (D_m2_per_s, ...)): D versus Li content, linear in between.
        max_concentration_mol_per_m3: Li site concentration c_max (mol/m3); x = c / c_max.
        partial_molar_volume_m3_per_mol: Omega (m3/mol) of an isotropic Vegard strain
            eps = Omega (c - c_ref) / 3, an alternative to chemical_strain.
        tensile_strength_Pa: tensile strength (Pa) against which the maximum principal stress is read, or None.
        weibull_modulus, weibull_scale_Pa, weibull_volume_m3: Weibull m (-), sigma_0 (Pa) and V0 (m3) of
            the weakest-link failure probability (strength.py), all three or none.
        ocv: open-circuit voltage versus Li content (ocv.py), or None.
        sources: property name -> citation of the number.
    """

    name: str
    youngs_modulus_Pa: float
    poisson_ratio: float
    cte_per_K: float | None = None
    cte_table: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    density_kg_per_m3: float | None = None
    chemical_strain: ChemicalStrain | None = None
    crystal_stiffness_Pa: tuple[float, float, float, float, float] | None = None
    diffusivity_m2_per_s: float | None = None
    diffusivity_table: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    max_concentration_mol_per_m3: float | None = None
    partial_molar_volume_m3_per_mol: float | None = None
    tensile_strength_Pa: float | None = None
    weibull_modulus: float | None = None
    weibull_scale_Pa: float | None = None
    weibull_volume_m3: float | None = None
    ocv: OcvTable | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.youngs_modulus_Pa > 0:
            raise ValueError(f"{self.name}: youngs_modulus_Pa must be > 0")
        if not -1.0 < self.poisson_ratio < 0.5:
            raise ValueError(f"{self.name}: poisson_ratio must lie in (-1, 0.5)")
        if (self.cte_per_K is None) == (self.cte_table is None):
            raise ValueError(f"{self.name}: give exactly one of cte_per_K or cte_table")
        if self.chemical_strain is not None and self.partial_molar_volume_m3_per_mol is not None:
            raise ValueError(f"{self.name}: give chemical_strain or partial_molar_volume_m3_per_mol, not both")
        weibull = (self.weibull_modulus, self.weibull_scale_Pa, self.weibull_volume_m3)
        if any(w is not None for w in weibull) and not all(w is not None and w > 0 for w in weibull):
            raise ValueError(f"{self.name}: weibull_modulus, weibull_scale_Pa and weibull_volume_m3 go together, "
                             f"all > 0 (got {weibull})")

    @property
    def has_weibull(self) -> bool:
        """True when the Weibull parameters (m, sigma_0, V0) are set."""
        return self.weibull_modulus is not None

    @property
    def anisotropic(self) -> bool:
        """True when stiffness or chemical strain depends on crystal orientation."""
        return self.crystal_stiffness_Pa is not None or (
            self.chemical_strain is not None and not self.chemical_strain.isotropic)

    @property
    def diffuses(self) -> bool:
        return self.diffusivity_m2_per_s is not None or self.diffusivity_table is not None

    def diffusivity(self, x: np.ndarray | float) -> np.ndarray | float:
        """Li diffusivity D (m2/s) at Li content x (-)."""
        if self.diffusivity_table is not None:
            xs, ds = (np.asarray(v, dtype=float) for v in self.diffusivity_table)
            order = np.argsort(xs)
            return np.interp(x, xs[order], ds[order])
        return self.diffusivity_m2_per_s * np.ones_like(np.asarray(x, dtype=float))

    @property
    def shear_modulus_Pa(self) -> float:
        """mu = E / (2 (1 + nu)) (Pa)."""
        return self.youngs_modulus_Pa / (2.0 * (1.0 + self.poisson_ratio))

    @property
    def lame_lambda_Pa(self) -> float:
        """lambda = E nu / ((1 + nu)(1 - 2 nu)) (Pa)."""
        E, nu = self.youngs_modulus_Pa, self.poisson_ratio
        return E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu))

    @property
    def bulk_modulus_Pa(self) -> float:
        """K = E / (3 (1 - 2 nu)) (Pa)."""
        return self.youngs_modulus_Pa / (3.0 * (1.0 - 2.0 * self.poisson_ratio))

    def thermal_strain(self, temperature_K: float, reference_K: float) -> float:
        """Free linear thermal strain from reference_K to temperature_K (-).

        The integral of alpha(T) dT; exact for a constant CTE and for a piecewise-linear table.
        """
        if self.cte_per_K is not None:
            return self.cte_per_K * (temperature_K - reference_K)
        return _integral(self.cte_table, temperature_K) - _integral(self.cte_table, reference_K)

    def mean_cte_per_K(self, temperature_K: float, reference_K: float) -> float:
        """Secant CTE between the two temperatures (1/K)."""
        if temperature_K == reference_K:
            return self.cte_per_K if self.cte_per_K is not None else float(np.interp(reference_K, *self.cte_table))
        return self.thermal_strain(temperature_K, reference_K) / (temperature_K - reference_K)

    def as_dict(self) -> dict:
        """Plain dictionary (for the resolved configuration)."""
        d = asdict(self)
        if self.chemical_strain is not None:
            d["chemical_strain"] = self.chemical_strain.as_dict()
        if self.ocv is not None:
            d["ocv"] = self.ocv.as_dict()
        if self.cte_table is not None:
            d["cte_table"] = {"temperature_K": list(self.cte_table[0]), "cte_per_K": list(self.cte_table[1])}
        return d


def _integral(table: tuple[tuple[float, ...], tuple[float, ...]], T: float) -> float:
    """Integral of the piecewise-linear alpha(T) from the first table point to T (-)."""
    Ts = np.asarray(table[0], dtype=float)
    a = np.asarray(table[1], dtype=float)
    if T <= Ts[0]:
        return a[0] * (T - Ts[0])
    seg = np.concatenate([[0.0], np.cumsum(0.5 * (a[1:] + a[:-1]) * np.diff(Ts))])
    if T >= Ts[-1]:
        return seg[-1] + a[-1] * (T - Ts[-1])
    i = int(np.searchsorted(Ts, T, side="right") - 1)
    aT = a[i] + (a[i + 1] - a[i]) * (T - Ts[i]) / (Ts[i + 1] - Ts[i])
    return seg[i] + 0.5 * (a[i] + aT) * (T - Ts[i])
