"""Cohesive (traction-separation) laws for zero-thickness interfaces, one law per module."""

from __future__ import annotations

from .base import NUMPY, CohesiveLaw, NumpyOps, UflOps
from .bilinear import BilinearMixedMode
from .exponential import Exponential
from .spring import LinearSpring, thin_layer_stiffness

__all__ = ["CohesiveLaw", "BilinearMixedMode", "Exponential", "LinearSpring", "thin_layer_stiffness", "NumpyOps", "UflOps", "NUMPY", "LAWS", "make_law"]

LAWS = {"bilinear": BilinearMixedMode, "exponential": Exponential, "spring": LinearSpring}


def make_law(params: dict) -> CohesiveLaw:
    """A law from a case.toml table: {"type": "bilinear" | "exponential" | "spring", <parameters with units>}."""
    params = dict(params)
    kind = params.pop("type")
    if kind not in LAWS:
        raise ValueError(f"unknown cohesive law {kind!r}; allowed: {', '.join(LAWS)}")
    return LAWS[kind](**params)
