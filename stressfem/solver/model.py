"""The contract between the driver and a mechanical model (thermoelastic, or with cohesive interfaces)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..output.stats import CellStress
from ..physics.eigenstrain import LoadState

__all__ = ["Model", "PatternModel", "AppliedBoundary", "FieldWriter"]


class AppliedBoundary(Protocol):
    """Boundary conditions as applied by a model: ``dirichlet`` (DOLFINx BCs) and their descriptions."""

    dirichlet: list
    described: list[str]


class FieldWriter(Protocol):
    """A writer of extra fields for ParaView, one time entry per ``write()``."""

    def write(self) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class Model(Protocol):
    """What the driver needs from a model.

    Attributes:
        phase_index: phase of each local cell (owned first, then ghosts).
        bcs: the applied boundary conditions.
        superposable: True when the model is linear in its loads (it then implements ``PatternModel``
            and equilibrium stages may be superposed from pattern solutions, solver/superposition.py).
    """

    phase_index: np.ndarray
    bcs: AppliedBoundary
    superposable: bool

    @property
    def num_dofs(self) -> int: ...

    @property
    def displacement(self): ...

    def solve(self, state: LoadState, where: str) -> int:
        """Equilibrium at a load state; returns the (linear or Newton) iterations."""

    def cell_stress(self) -> CellStress:
        """Stress (Pa) of each owned cell at the current solution."""

    def interface_statistics(self) -> dict[str, dict]:
        """Per cohesive interface: its statistics (docs/cohesive.md); empty without interfaces."""

    def interface_field_writer(self, folder: Path) -> FieldWriter | None:
        """A writer of interface fields, or None."""

    def solver_record(self) -> dict:
        """Solver facts for summary.json ``solver`` (iterations, KSP and PC types)."""

    def step_summary(self) -> dict:
        """Model-specific entries of a summary.json step (periodic: macroscopic tensors); usually empty."""

    def run_summary(self) -> dict:
        """Model-specific top-level summary.json entries (periodic: the reduced system); usually empty."""

    def close(self) -> None: ...


class PatternModel(Model, Protocol):
    """A linear model: its loads are fixed patterns times scalar coefficients of the load state."""

    pattern_names: list[str]

    @property
    def isotropic_patterns(self) -> list[int | None]:
        """Per pattern: the phase k when it is the identity on the cells of phase k (chi_k I), else None."""

    def uniform_expansion(self):
        """The exact solution of the uniform isotropic pattern (solver/uniform_expansion.py), or why not."""

    def pattern_coefficients(self, state: LoadState) -> np.ndarray:
        """Coefficients (one per pattern) of an equilibrium load state."""

    def set_combination(self, weights: np.ndarray) -> None:
        """Set the loads to sum_j weights[j] * pattern j (eigenstrain field, load scales, support values)."""

    def solve_combination(self, weights: np.ndarray, where: str) -> int:
        """Solve with the loads sum_j weights[j] * pattern j; returns the linear iterations."""

    def set_displacement(self, values: np.ndarray) -> None:
        """Set the displacement dofs (local, with ghosts) (m)."""

    def displacement_values(self) -> np.ndarray:
        """A copy of the displacement dofs (local, with ghosts) (m)."""
