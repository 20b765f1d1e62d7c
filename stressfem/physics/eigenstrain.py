"""Eigenstrains (thermal now, chemical later) summed into one DG0 tensor field.

Each contribution is a small object with ``cell_strain(state) -> (n_cells, 3, 3)``; the total
eigenstrain is their sum (additive, as in MOOSE's ComputeEigenstrain family). Only NumPy work
happens per load increment: the compiled forms read the DG0 field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .._dolfinx import fem, mesh
from ..materials import Material
from .elasticity import cell_dofs

__all__ = ["LoadState", "Eigenstrain", "ThermalEigenstrain", "ChemicalEigenstrain", "EigenstrainField"]


@dataclass(frozen=True)
class LoadState:
    """State of the load path at one increment.

    Attributes:
        temperature_K: uniform temperature (K).
        soc: uniform state of charge (-), 0 = lithiated (3.0 V), 1 = the upper cut-off.
        time_s: time within a kinetic stage (s).
        cell_li_fraction: Li content x (-) per local cell from a diffusion solve, or None
            (equilibrium: x follows soc). NaN for cells of non-diffusing phases.
        surface_loads: magnitudes (Pa) of stage-driven surface loads, by amplitude name
            (stages/base.py SurfaceLoadSpec); a missing name is 0.
    """

    temperature_K: float
    soc: float = 0.0
    time_s: float = 0.0
    cell_li_fraction: np.ndarray | None = None
    surface_loads: Mapping[str, float] = field(default_factory=dict)


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


class ChemicalEigenstrain:
    """Delithiation strain: eps_a I + (eps_c - eps_a) n n^T per cell (n: crystal c axis), from the
    material's lattice-strain table at the Li content x, or Omega (c - c_ref) / 3 (isotropic Vegard)."""

    def __init__(self, phase_index: np.ndarray, materials: Sequence[Material], c_axes: np.ndarray):
        self.phase_index, self.materials = phase_index, list(materials)
        self.nn = np.einsum("ni,nj->nij", c_axes, c_axes)
        self.active = [m.chemical_strain is not None or m.partial_molar_volume_m3_per_mol is not None
                       for m in self.materials]

    def _x(self, m: Material, state: LoadState, sel: np.ndarray) -> np.ndarray:
        if state.cell_li_fraction is not None and m.diffuses:
            return state.cell_li_fraction[sel]
        table = m.chemical_strain
        x_of_soc = table.x_from_soc(state.soc) if table is not None else 1.0 - state.soc
        return np.full(int(sel.sum()), float(x_of_soc))

    def cell_strain(self, state: LoadState) -> np.ndarray:
        out = np.zeros((len(self.phase_index), 3, 3))
        for i, m in enumerate(self.materials):
            if not self.active[i]:
                continue
            sel = self.phase_index == i
            x = self._x(m, state, sel)
            if m.chemical_strain is not None:
                x_ref = m.chemical_strain.x_soc0
                ea, ec = m.chemical_strain.strains(x)
                ea0, ec0 = m.chemical_strain.strains(x_ref)
                ea, ec = ea - ea0, ec - ec0
            else:  # Vegard: eps = Omega (c - c_ref) / 3, c = x c_max, c_ref at x = 1
                ea = ec = m.partial_molar_volume_m3_per_mol * (x - 1.0) * m.max_concentration_mol_per_m3 / 3.0
            out[sel] = ea[:, None, None] * np.eye(3) + (ec - ea)[:, None, None] * self.nn[sel]
        return out


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
