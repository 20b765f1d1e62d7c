"""Eigenstrains (thermal now, chemical later) summed into one DG0 tensor field.

Each contribution is a small object with ``cell_strain(state) -> (n_cells, 3, 3)``; the total
eigenstrain is their sum (additive, as in MOOSE's ComputeEigenstrain family). Only NumPy work
happens per load increment: the compiled forms read the DG0 field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .._dolfinx import fem, mesh
from ..materials import Material
from .elasticity import cell_dofs

__all__ = ["LoadState", "Eigenstrain", "ThermalEigenstrain", "EigenstrainField"]


@dataclass(frozen=True)
class LoadState:
    """Uniform state of the load path at one increment.

    Attributes:
        temperature_K: temperature (K).
    """

    temperature_K: float


class Eigenstrain(Protocol):
    """An eigenstrain contribution: per-cell strain tensors (-) for a load state."""

    def cell_strain(self, state: LoadState) -> np.ndarray: ...


class ThermalEigenstrain:
    """Isotropic thermal strain: the integral of alpha(T) from the stress-free temperature (K)."""

    def __init__(self, phase_index: np.ndarray, materials: Sequence[Material], stress_free_K: float):
        self.phase_index, self.materials, self.stress_free_K = phase_index, list(materials), stress_free_K

    def phase_strain(self, temperature_K: float) -> np.ndarray:
        """Free linear thermal strain of each phase (-)."""
        return np.array([m.thermal_strain(temperature_K, self.stress_free_K) for m in self.materials])

    def cell_strain(self, state: LoadState) -> np.ndarray:
        eps = self.phase_strain(state.temperature_K)[self.phase_index]
        return eps[:, None, None] * np.eye(3)[None, :, :]


class EigenstrainField:
    """The total eigenstrain (-) as a DG0 tensor function, updated in place per increment."""

    def __init__(self, msh: mesh.Mesh, contributions: Sequence[Eigenstrain]):
        T = fem.functionspace(msh, ("DG", 0, (3, 3)))
        self.function = fem.Function(T, name="eigenstrain")
        self.contributions = list(contributions)
        self._dofs = cell_dofs(T)

    def update(self, state: LoadState) -> None:
        total = np.zeros((len(self._dofs), 3, 3))
        for c in self.contributions:
            total += c.cell_strain(state)
        arr = self.function.x.array.reshape(-1, 9)
        arr[self._dofs] = total.reshape(-1, 9)
