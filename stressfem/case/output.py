"""[output]: what is written to CASE/results/."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .common import FiniteFloat, Table

__all__ = ["OutputSpec"]


class OutputSpec(Table):
    """What is written to CASE/results/."""

    fields: bool = True
    fields_every_increment: bool = False
    interior_margin_um: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0  # 0: every cell counts
    interior_axes: Literal["xyz", "xy", "z"] = "xyz"
    # within a step, a restart checkpoint at most this often (s); every step end is checkpointed too
    checkpoint_interval_s: Annotated[float, Field(ge=0.0, le=1e6)] = 60.0
    # volume fraction of each phase whose maximum principal stress exceeds each value (output/tensile.py)
    tensile_thresholds_MPa: list[FiniteFloat] = Field(default=[], max_length=20)

    @field_validator("tensile_thresholds_MPa")
    @classmethod
    def _distinct_thresholds(cls, values: list[float]) -> list[float]:
        if len(set(values)) != len(values):
            raise ValueError("thresholds must be distinct")
        return sorted(values)
