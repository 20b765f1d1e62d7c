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
    """An eigenstrain contribution: per-cell strain tensors (-) for a load state.

    For an equilibrium state (``cell_li_fraction`` None) the strain is also a sum of fixed spatial
    patterns times scalar coefficients: ``cell_strain(state) == sum_j coefficients(state)[j] * pattern(j)``.
    ``isotropic_phases[j]``: the phase k when pattern j is the identity on the cells of phase k
    (chi_k I), else None; equal entries are equal patterns (solver/superposition.py merges them).
    """

    names: list[str]
    isotropic_phases: list[int | None]

    def cell_strain(self, state: LoadState) -> np.ndarray: ...

    def pattern(self, j: int) -> np.ndarray: ...

    def coefficients(self, state: LoadState) -> np.ndarray: ...


def _on_cells(sel: np.ndarray, tensor: np.ndarray) -> np.ndarray:
    """(n_cells, 3, 3): ``tensor`` (3, 3) or (n_sel, 3, 3) on the selected cells, zero elsewhere."""
    out = np.zeros((len(sel), 3, 3))
    out[sel] = tensor
    return out


class ThermalEigenstrain:
    """Isotropic thermal strain: the integral of alpha(T) from the stress-free temperature (K).

    Patterns: the identity on the cells of each phase; coefficients: each phase's thermal strain.
    """

    def __init__(self, phase_index: np.ndarray, materials: Sequence[Material], stress_free_K: float):
        self.phase_index, self.materials, self.stress_free_K = phase_index, list(materials), stress_free_K
        self.names = [f"thermal strain of {m.name}" for m in self.materials]
        self.isotropic_phases: list[int | None] = list(range(len(self.materials)))

    def phase_strain(self, temperature_K: float) -> np.ndarray:
        """Free linear thermal strain of each phase (-)."""
        return np.array([m.thermal_strain(temperature_K, self.stress_free_K) for m in self.materials])

    def cell_strain(self, state: LoadState) -> np.ndarray:
        eps = self.phase_strain(state.temperature_K)[self.phase_index]
        return eps[:, None, None] * np.eye(3)[None, :, :]

    def pattern(self, j: int) -> np.ndarray:
        return _on_cells(self.phase_index == j, np.eye(3))

    def coefficients(self, state: LoadState) -> np.ndarray:
        return self.phase_strain(state.temperature_K)


class ChemicalEigenstrain:
    """Delithiation strain: eps_a I + (eps_c - eps_a) n n^T per cell (n: crystal c axis), from the
    material's lattice-strain table at the Li content x, or Omega (c - c_ref) / 3 (isotropic Vegard).

    Patterns: per phase with a table, I and n n^T on its cells (coefficients eps_a and eps_c - eps_a at
    the equilibrium x of the soc); per Vegard phase, I on its cells.
    """

    def __init__(self, phase_index: np.ndarray, materials: Sequence[Material], c_axes: np.ndarray):
        self.phase_index, self.materials = phase_index, list(materials)
        self.nn = np.einsum("ni,nj->nij", c_axes, c_axes)
        self.active = [m.chemical_strain is not None or m.partial_molar_volume_m3_per_mol is not None
                       for m in self.materials]
        self._patterns: list[tuple[int, str]] = []  # (phase, "I" or "nn")
        for i, m in enumerate(self.materials):
            if self.active[i]:
                self._patterns += [(i, "I"), (i, "nn")] if m.chemical_strain is not None else [(i, "I")]
        self.names = [f"chemical strain of {self.materials[i].name} ({k})" for i, k in self._patterns]
        self.isotropic_phases: list[int | None] = [i if k == "I" else None for i, k in self._patterns]

    def _x(self, m: Material, state: LoadState, sel: np.ndarray) -> np.ndarray:
        if state.cell_li_fraction is not None and m.diffuses:
            return state.cell_li_fraction[sel]
        table = m.chemical_strain
        x_of_soc = table.x_from_soc(state.soc) if table is not None else 1.0 - state.soc
        return np.full(int(sel.sum()), float(x_of_soc))

    @staticmethod
    def _strains(m: Material, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Strains (eps_a, eps_c) (-) relative to the stress-free Li content, at Li contents x."""
        if m.chemical_strain is not None:
            ea, ec = m.chemical_strain.strains(x)
            ea0, ec0 = m.chemical_strain.strains(m.chemical_strain.x_soc0)
            return ea - ea0, ec - ec0
        # Vegard: eps = Omega (c - c_ref) / 3, c = x c_max, c_ref at x = 1
        e = m.partial_molar_volume_m3_per_mol * (x - 1.0) * m.max_concentration_mol_per_m3 / 3.0
        return e, e

    def cell_strain(self, state: LoadState) -> np.ndarray:
        out = np.zeros((len(self.phase_index), 3, 3))
        for i, m in enumerate(self.materials):
            if not self.active[i]:
                continue
            sel = self.phase_index == i
            ea, ec = self._strains(m, self._x(m, state, sel))
            out[sel] = ea[:, None, None] * np.eye(3) + (ec - ea)[:, None, None] * self.nn[sel]
        return out

    def pattern(self, j: int) -> np.ndarray:
        i, kind = self._patterns[j]
        sel = self.phase_index == i
        return _on_cells(sel, np.eye(3) if kind == "I" else self.nn[sel])

    def coefficients(self, state: LoadState) -> np.ndarray:
        out = []
        for i, kind in self._patterns:
            m = self.materials[i]
            ea, ec = self._strains(m, np.atleast_1d(self._x(m, state, np.ones(1, dtype=bool))))
            out.append(float(ea[0]) if kind == "I" else float(ec[0] - ea[0]))
        return np.array(out)


class EigenstrainField:
    """The total eigenstrain (-) as a DG0 tensor function, updated in place per increment."""

    def __init__(self, msh: mesh.Mesh, contributions: Sequence[Eigenstrain]):
        T = fem.functionspace(msh, ("DG", 0, (3, 3)))
        self.function = fem.Function(T, name="eigenstrain")
        self.contributions = list(contributions)
        self._dofs = cell_dofs(T)
        self.names = [n for c in self.contributions for n in c.names]
        self.isotropic_phases = [k for c in self.contributions for k in c.isotropic_phases]

    def _write(self, total: np.ndarray) -> None:
        arr = self.function.x.array.reshape(-1, 9)
        arr[self._dofs] = total.reshape(-1, 9)

    def update(self, state: LoadState) -> None:
        total = np.zeros((len(self._dofs), 3, 3))
        for c in self.contributions:
            total += c.cell_strain(state)
        self._write(total)

    def coefficients(self, state: LoadState) -> np.ndarray:
        """Pattern coefficients (-) of an equilibrium state, in the order of ``names``."""
        parts = [c.coefficients(state) for c in self.contributions]
        return np.concatenate(parts) if parts else np.zeros(0)

    def set_combination(self, weights: np.ndarray) -> None:
        """The field sum_j weights[j] * pattern j (patterns in the order of ``names``)."""
        total = np.zeros((len(self._dofs), 3, 3))
        j = 0
        for c in self.contributions:
            for k in range(len(c.names)):
                if weights[j] != 0.0:
                    total += weights[j] * c.pattern(k)
                j += 1
        self._write(total)
