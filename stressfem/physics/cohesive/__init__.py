"""Cohesive (traction-separation) laws for zero-thickness interfaces, one law per module."""

from __future__ import annotations

from .base import NUMPY, CohesiveLaw, NumpyOps, UflOps
from .bilinear import BilinearMixedMode
from .exponential import Exponential
from .series import SeriesBilinear
from .spring import LinearSpring, thin_layer_stiffness

__all__ = ["CohesiveLaw", "BilinearMixedMode", "Exponential", "LinearSpring", "SeriesBilinear", "thin_layer_stiffness",
           "NumpyOps", "UflOps", "NUMPY", "LAWS", "make_law", "law_record"]

LAWS = {"bilinear": BilinearMixedMode, "exponential": Exponential, "spring": LinearSpring}


def make_law(params: dict) -> CohesiveLaw:
    """A law from a case.toml table: {"type": "bilinear" | "exponential" | "spring", <parameters with units>}."""
    params = dict(params)
    kind = params.pop("type")
    if kind not in LAWS:
        raise ValueError(f"unknown cohesive law {kind!r}; allowed: {', '.join(LAWS)}")
    return LAWS[kind](**params)


def law_record(law: CohesiveLaw) -> dict:
    """{"type": its case.toml name (or the name of a derived law, e.g. "series_bilinear"), <its parameters>}."""
    from dataclasses import asdict

    kind = {cls: name for name, cls in LAWS.items()}
    return {"type": kind.get(type(law)) or law.type_name, **asdict(law)}
