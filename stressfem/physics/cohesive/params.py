"""Declaring cohesive-law parameters once: default, bounds and a description with units.

Each law is a frozen, keyword-only dataclass whose fields are made with :func:`parameter`. The
law validates itself from these declarations (:func:`check_bounds`), and the case.toml table of
the law (``stressfem.case.interfaces``) is derived from the same fields, so a default, a bound
or a description is written in one place only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING
from typing import Any, Literal

__all__ = ["parameter", "check_bounds", "ParameterInfo", "parameters"]

Group = Literal["physical", "numerical"]


def parameter(description: str, *, default: float | Any = MISSING, gt: float | None = None,
              ge: float | None = None, group: Group = "physical") -> Any:
    """A law parameter (a dataclass field): required unless ``default`` is given.

    Args:
        description: what it is, with its unit in parentheses, e.g. ``"mode I strength N (Pa)"``.
        default: the default value; none means the key is required.
        gt, ge: lower bounds (exclusive, inclusive).
        group: ``"physical"`` or ``"numerical"`` (a solver knob, listed after the physical ones).
    """
    meta = {"description": description, "gt": gt, "ge": ge, "group": group}
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class ParameterInfo:
    """One declared parameter of a law."""

    name: str
    description: str
    default: float | None  # None: required
    gt: float | None
    ge: float | None
    group: Group

    @property
    def required(self) -> bool:
        return self.default is None


def parameters(law: type) -> list[ParameterInfo]:
    """The declared parameters of a law class: the physical ones first, then the numerical ones,
    each group in declaration order."""
    out = [ParameterInfo(f.name, f.metadata["description"], None if f.default is MISSING else f.default,
                         f.metadata["gt"], f.metadata["ge"], f.metadata["group"])
           for f in dataclasses.fields(law) if "description" in f.metadata]
    return sorted(out, key=lambda p: p.group != "physical")


def check_bounds(law: object) -> None:
    """ValueError naming the first parameter of a law instance outside its declared bounds."""
    for p in parameters(type(law)):
        value = getattr(law, p.name)
        if p.gt is not None and not value > p.gt:
            raise ValueError(f"{p.name} must be {'positive' if p.gt == 0 else f'> {p.gt:g}'} (got {value})")
        if p.ge is not None and not value >= p.ge:
            raise ValueError(f"{p.name} must be >= {p.ge:g} (got {value})")
