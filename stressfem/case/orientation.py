"""[orientation]: crystal c-axis orientations of anisotropic phases."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .common import FiniteFloat, Table

__all__ = ["OrientationSpec"]


class OrientationSpec(Table):
    """Crystal c-axis orientation of anisotropic phases, per particle (or per grain/region)."""

    distribution: Literal["random", "textured", "aligned"] = "random"
    c_axis: tuple[FiniteFloat, FiniteFloat, FiniteFloat] = (0.0, 0.0, 1.0)
    spread_deg: Annotated[float, Field(ge=0.0, le=180.0)] = 15.0
    seed: Annotated[int, Field(ge=0)] = 0

    @field_validator("c_axis")
    @classmethod
    def _nonzero(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if sum(x * x for x in v) < 1e-24:
            raise ValueError("c_axis must be a non-zero direction, e.g. [0, 0, 1]")
        return v
