"""Shared pieces of every case table: the strict base table and the constrained value types."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Table",
    "PositiveFloat",
    "FiniteFloat",
    "PositiveInt",
    "NonNegativeInt",
    "Vector3",
    "Name",
    "PetscValue",
    "PetscOptions",
    "ZERO_CELSIUS_K",
    "CASE_FILE",
    "SurfaceName",
    "TemperatureK",
    "TemperatureC",
    "LengthUm",
    "ThinLengthUm",
    "ModulusPa",
    "SignedModulusPa",
    "StressPa",
    "DisplacementM",
    "CtePerK",
    "MAX_TEMPERATURE_K",
]

ZERO_CELSIUS_K = 273.15
CASE_FILE = "case.toml"

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Vector3 = tuple[FiniteFloat, FiniteFloat, FiniteFloat]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.+\-]+$")]
# a physical surface: a box face, "A/B" (interface of phases A and B) or "<phase>#gb"
SurfaceName = Annotated[str, Field(min_length=1, max_length=129, pattern=r"^[A-Za-z0-9_.+\-#]+(/[A-Za-z0-9_.+\-]+)?$")]

# Physical ranges (issue 16: no silent overflow, no degenerate input). Wide on purpose: they only
# refuse values no microstructure of a battery electrode can have.
MAX_TEMPERATURE_K = 3000.0  # above every sintering/annealing temperature (co-sintering: ~1300 K)
TemperatureK = Annotated[float, Field(gt=0.0, le=MAX_TEMPERATURE_K, allow_inf_nan=False)]
TemperatureC = Annotated[float, Field(gt=-ZERO_CELSIUS_K, le=MAX_TEMPERATURE_K - ZERO_CELSIUS_K, allow_inf_nan=False)]
LengthUm = Annotated[float, Field(ge=0.01, le=1e4, allow_inf_nan=False)]  # 10 nm .. 1 cm
ThinLengthUm = Annotated[float, Field(ge=1e-4, le=1e4, allow_inf_nan=False)]  # coatings: 0.1 nm .. 1 cm
ModulusPa = Annotated[float, Field(ge=1e3, le=1e13, allow_inf_nan=False)]  # 1 kPa (gels) .. 10 TPa
SignedModulusPa = Annotated[float, Field(ge=-1e13, le=1e13, allow_inf_nan=False)]  # off-diagonal stiffness
StressPa = Annotated[float, Field(ge=-1e11, le=1e11, allow_inf_nan=False)]  # |load| <= 100 GPa
DisplacementM = Annotated[float, Field(ge=-1e-2, le=1e-2, allow_inf_nan=False)]  # |u| <= 1 cm
CtePerK = Annotated[float, Field(ge=-1e-3, le=1e-3, allow_inf_nan=False)]  # |alpha| <= 1e-3 1/K
PetscValue = Union[bool, int, float, str]
PetscOptions = dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], PetscValue]


class Table(BaseModel):
    """A TOML table: unknown keys are errors, values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # every float finite
