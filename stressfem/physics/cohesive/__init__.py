"""Cohesive (traction-separation) laws for zero-thickness interfaces, one law per module."""

from __future__ import annotations

from .base import NUMPY, CohesiveLaw, NumpyOps, UflOps
from .bilinear import BilinearMixedMode
from .exponential import Exponential

__all__ = ["CohesiveLaw", "BilinearMixedMode", "Exponential", "NumpyOps", "UflOps", "NUMPY", "LAWS"]

LAWS = {"bilinear": BilinearMixedMode, "exponential": Exponential}
