"""[output]: what is written to CASE/results/."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .common import Table

__all__ = ["OutputSpec"]


class OutputSpec(Table):
    """What is written to CASE/results/."""

    fields: bool = True
    fields_every_increment: bool = False
    # within a step, a restart checkpoint at most this often (s); every step end is checkpointed too
    checkpoint_interval_s: Annotated[float, Field(ge=0.0, le=1e6)] = 60.0
