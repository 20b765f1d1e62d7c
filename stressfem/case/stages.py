"""[[stages]]: the load path, one table per stage type (temperatures in K or degrees C, SOC in 0..1)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .common import ZERO_CELSIUS_K, Name, PositiveFloat, StressPa, SurfaceName, Table, TemperatureC, TemperatureK

__all__ = ["CoolingStage", "SocStage", "CyclesStage", "GalvanostaticStage", "PressureStage", "Stage"]


class _Temperatures(Table):
    """Temperatures may be given in K (``_K``) or in degrees Celsius (``_C``)."""

    def _kelvin(self, stem: str) -> float:
        k, c = getattr(self, f"{stem}_K"), getattr(self, f"{stem}_C")
        return float(k) if k is not None else float(c) + ZERO_CELSIUS_K


class CoolingStage(_Temperatures):
    """Uniform temperature ramp from the stress-free temperature to a final one."""

    type: Literal["cooling"]
    name: Name = "cooling"
    stress_free_temperature_K: TemperatureK | None = None
    stress_free_temperature_C: TemperatureC | None = None
    final_temperature_K: TemperatureK | None = None
    final_temperature_C: TemperatureC | None = None
    increments: Annotated[int, Field(ge=1, le=10000)] = 10

    @model_validator(mode="after")
    def _exactly_one(self) -> "CoolingStage":
        for stem in ("stress_free_temperature", "final_temperature"):
            given = [getattr(self, f"{stem}_{u}") is not None for u in ("K", "C")]
            if sum(given) != 1:
                raise ValueError(f"give exactly one of {stem}_K or {stem}_C")
        return self

    @property
    def start_K(self) -> float:
        return self._kelvin("stress_free_temperature")

    @property
    def end_K(self) -> float:
        return self._kelvin("final_temperature")


class SocStage(Table):
    """Equilibrium (de)lithiation: uniform state of charge in every particle, swept quasi-statically."""

    type: Literal["soc"]
    name: Name = "charge"
    soc_start: Annotated[float, Field(ge=0.0, le=1.0)] | None = None  # None: carry on from the previous stage
    soc_end: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    voltage_end_V: PositiveFloat | None = None  # alternative to soc_end: open-circuit voltage (materials/ocv.py)
    increments: Annotated[int, Field(ge=1, le=10000)] = 10

    @model_validator(mode="after")
    def _one_end(self) -> "SocStage":
        if (self.soc_end is None) == (self.voltage_end_V is None):
            raise ValueError("give exactly one of soc_end or voltage_end_V")
        return self


class CyclesStage(Table):
    """Repeated equilibrium charge (soc_low -> soc_high) and discharge, count times."""

    type: Literal["cycles"]
    name: Name = "cycle"
    count: Annotated[int, Field(ge=1, le=1000)]
    soc_low: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    soc_high: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    increments: Annotated[int, Field(ge=1, le=10000)] = 5  # per half cycle


class GalvanostaticStage(Table):
    """Kinetic (de)lithiation: Fickian Li diffusion in the particles under a constant surface flux."""

    type: Literal["galvanostatic"]
    name: Name = "galvanostatic"
    direction: Literal["charge", "discharge"] = "charge"
    c_rate_per_h: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    soc_end: Annotated[float, Field(ge=0.0, le=1.0)] | None = None  # default 1 (charge) or 0 (discharge)
    duration_s: PositiveFloat | None = None  # alternative to soc_end
    voltage_end_V: PositiveFloat | None = None  # alternative to soc_end: open-circuit voltage (materials/ocv.py)
    increments: Annotated[int, Field(ge=1, le=100000)] = 20
    flux_surfaces: list[SurfaceName] | None = None  # default: every <phase>/<other> interface of diffusing phases
    stress_coupling: bool = False
    temperature_K: TemperatureK | None = None  # for the stress coupling; default: the current temperature

    @model_validator(mode="after")
    def _one_end(self) -> "GalvanostaticStage":
        given = [k for k in ("soc_end", "duration_s", "voltage_end_V") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of soc_end, duration_s or voltage_end_V (got {', '.join(given)})")
        return self


class PressureStage(Table):
    """Stack pressure (Pa) ramped linearly on named surfaces (against their outward normal); later stages hold it."""

    type: Literal["pressure"]
    name: Name = "pressure"
    surfaces: Annotated[list[Name], Field(min_length=1)]
    pressure_start_Pa: StressPa | None = None  # None: where the previous stages left it (0 at first)
    pressure_end_Pa: StressPa
    increments: Annotated[int, Field(ge=1, le=10000)] = 5


Stage = Annotated[Union[CoolingStage, SocStage, CyclesStage, GalvanostaticStage, PressureStage],
                  Field(discriminator="type")]
