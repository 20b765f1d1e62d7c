"""[output]: what is written to CASE/results/."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .common import Table

__all__ = ["OutputSpec"]


class OutputSpec(Table):
    """What is written to CASE/results/."""

    fields: bool = True
    fields_every_increment: bool = False
    interior_margin_um: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0  # 0: every cell counts
    interior_axes: Literal["xyz", "xy", "z"] = "xyz"
