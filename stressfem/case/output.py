"""[output]: what is written to CASE/results/."""

from __future__ import annotations

from .common import Table

__all__ = ["OutputSpec"]


class OutputSpec(Table):
    """What is written to CASE/results/."""

    fields: bool = True
    fields_every_increment: bool = False
