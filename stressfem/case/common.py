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
]

ZERO_CELSIUS_K = 273.15
CASE_FILE = "case.toml"

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Vector3 = tuple[FiniteFloat, FiniteFloat, FiniteFloat]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.+\-]+$")]
PetscValue = Union[bool, int, float, str]
PetscOptions = dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], PetscValue]


class Table(BaseModel):
    """A TOML table: unknown keys are errors, values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
