"""[materials.<name>] tables: overrides of a library material or a new one (SI units)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .common import CtePerK, FiniteFloat, ModulusPa, SignedModulusPa, Table, TemperatureK

__all__ = ["CteTable", "ChemicalStrainSpec", "CrystalStiffness", "DiffusivityTable", "MaterialSpec"]

class CteTable(Table):
    """Instantaneous (tangent) CTE alpha(T) (1/K) at temperatures (K); linear in between."""

    temperature_K: list[TemperatureK] = Field(min_length=2)
    cte_per_K: list[CtePerK] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> "CteTable":
        if len(self.temperature_K) != len(self.cte_per_K):
            raise ValueError("temperature_K and cte_per_K must have the same length")
        if any(b <= a for a, b in zip(self.temperature_K, self.temperature_K[1:])):
            raise ValueError("temperature_K must be strictly increasing")
        return self


class ChemicalStrainSpec(Table):
    """Lattice strain (-) along crystal a and c versus Li content x (-), or isotropic via volume_change."""

    x: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(min_length=2)
    strain_a: list[FiniteFloat] | None = None
    strain_c: list[FiniteFloat] | None = None
    volume_change: list[Annotated[float, Field(gt=-0.5, lt=0.5)]] | None = None
    x_soc0: Annotated[float, Field(ge=0.0, le=2.0)] = 1.0
    x_soc1: Annotated[float, Field(ge=0.0, le=2.0)]

    @model_validator(mode="after")
    def _columns(self) -> "ChemicalStrainSpec":
        aniso = self.strain_a is not None or self.strain_c is not None
        if aniso == (self.volume_change is not None) or (aniso and (self.strain_a is None or self.strain_c is None)):
            raise ValueError("give strain_a and strain_c (anisotropic), or volume_change (isotropic)")
        for col in ("strain_a", "strain_c", "volume_change"):
            v = getattr(self, col)
            if v is not None and len(v) != len(self.x):
                raise ValueError(f"{col} must have as many entries as x")
        return self


class CrystalStiffness(Table):
    """Transversely isotropic single-crystal elastic constants (Pa), c axis = 3."""

    C11: ModulusPa
    C12: SignedModulusPa
    C13: SignedModulusPa
    C33: ModulusPa
    C44: ModulusPa


class DiffusivityTable(Table):
    """Li diffusivity D (m2/s) versus Li content x (-), linear in between."""

    x: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(min_length=2)
    D_m2_per_s: list[Annotated[float, Field(ge=1e-30, le=1e-3)]] = Field(min_length=2)


class OcvTableSpec(Table):
    """Open-circuit voltage (V) versus Li content x (-): x increasing, voltage falling (materials/ocv.py)."""

    x: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(min_length=2)
    voltage_V: list[Annotated[float, Field(gt=0.0, le=10.0)]] = Field(min_length=2)


class MaterialSpec(Table):
    """Overrides of a library material, or a new material defined inline."""

    base: str | None = None
    youngs_modulus_Pa: ModulusPa | None = None
    poisson_ratio: Annotated[float, Field(gt=-1.0, lt=0.5)] | None = None
    cte_per_K: CtePerK | None = None
    cte_table: CteTable | None = None
    density_kg_per_m3: Annotated[float, Field(ge=1.0, le=1e5)] | None = None
    chemical_strain: ChemicalStrainSpec | None = None
    crystal_stiffness_Pa: CrystalStiffness | None = None
    diffusivity_m2_per_s: Annotated[float, Field(ge=1e-30, le=1e-3)] | None = None
    diffusivity_table: DiffusivityTable | None = None
    max_concentration_mol_per_m3: Annotated[float, Field(gt=0.0, le=1e6)] | None = None
    partial_molar_volume_m3_per_mol: Annotated[float, Field(ge=-1e-3, le=1e-3)] | None = None
    tensile_strength_Pa: Annotated[float, Field(gt=0.0, le=1e12)] | None = None
    weibull_modulus: Annotated[float, Field(gt=0.0, le=200.0)] | None = None
    weibull_scale_Pa: Annotated[float, Field(gt=0.0, le=1e12)] | None = None
    weibull_volume_m3: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    ocv_table: OcvTableSpec | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_cte(self) -> "MaterialSpec":
        if self.cte_per_K is not None and self.cte_table is not None:
            raise ValueError("give either cte_per_K or cte_table, not both")
        return self
