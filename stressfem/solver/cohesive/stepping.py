"""Adaptive load stepping inside one driver increment, and the cohesive model's building blocks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..._dolfinx import fem, mesh

__all__ = ["StepControl", "Block", "NewtonCounts", "interpolate_state"]


@dataclass(frozen=True)
class StepControl:
    """Adaptive load stepping inside one driver increment (fractions of the increment)."""

    first_fraction: float = 1.0
    cut_factor: float = 0.5
    grow_factor: float = 1.5
    easy_iterations: int = 5
    min_fraction: float = 1e-4
    max_fraction: float = 1.0


@dataclass
class Block:
    """Bodies (physical volumes) sharing one continuous displacement: submesh, space, unknown, test function."""

    index: int
    phases: list[str]
    parent_cells: np.ndarray  # local parent cells (owned + ghost), submesh cell order
    submesh: mesh.Mesh
    entity_map: object
    V: fem.FunctionSpace
    u: fem.Function
    v: object = None
    bodies: list[str] = field(default_factory=list)  # physical volumes in the block


class NewtonCounts:
    """Counts Newton iterations, linear iterations, accepted steps and cut-backs."""

    def __init__(self):
        self.total_iterations = 0
        self.linear_iterations = 0
        self.steps = 0
        self.cutbacks = 0


def _lerp(va, vb, s: float):
    if isinstance(va, float) and isinstance(vb, float):
        return va + s * (vb - va)
    if isinstance(va, np.ndarray) and isinstance(vb, np.ndarray) and va.shape == vb.shape:
        return va + s * (vb - va)
    if isinstance(va, Mapping) and isinstance(vb, Mapping):  # stage-driven surface loads (missing: 0)
        return {k: _lerp(float(va.get(k, 0.0)), float(vb.get(k, 0.0)), s) for k in set(va) | set(vb)}
    return vb


def interpolate_state(a, b, s: float):
    """Linear interpolation (fraction s of the way from a to b) of the float, array and mapping fields
    of two load-state dataclasses; other fields take b's value."""
    if s >= 1.0:
        return b
    out = {f.name: _lerp(getattr(a, f.name), getattr(b, f.name), s) for f in dataclasses.fields(b)}
    return dataclasses.replace(b, **out)
