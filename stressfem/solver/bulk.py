"""The bulk physics both models share: per-cell stiffness and the eigenstrain field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..geometry.msh import PhaseMesh
from ..materials import Material
from ..physics.eigenstrain import ChemicalEigenstrain, EigenstrainField, ThermalEigenstrain
from ..physics.elasticity import IsotropicStiffness, VoigtStiffness, cell_stiffness_matrices

__all__ = ["BulkPhysics", "build_bulk"]


@dataclass
class BulkPhysics:
    """Stiffness and eigenstrain of the bulk phases on the parent mesh.

    Attributes:
        phase_names, materials: phases and their materials, in the same order.
        phase_index: phase of each local cell (owned and ghost).
        stiffness: an object with ``stress(eps) -> ufl`` (Pa): isotropic DG0 Lame fields, or a DG0
            Voigt matrix per cell when a material has a crystal stiffness.
        eigenstrain: the DG0 eigenstrain field (-), thermal plus chemical contributions.
        stress_free_K: the reference (stress-free) temperature (K).
        thermal: the thermal contribution (the first one of ``eigenstrain``), or None.
    """

    phase_names: list[str]
    materials: list[Material]
    phase_index: np.ndarray
    stiffness: object
    eigenstrain: EigenstrainField
    stress_free_K: float
    thermal: ThermalEigenstrain | None = None


def build_bulk(pm: PhaseMesh, phase_names: Sequence[str], materials: Sequence[Material], stress_free_K: float,
               c_axes: np.ndarray | None = None, *, eigenstrains: bool = True) -> BulkPhysics:
    """Stiffness and eigenstrains from the materials; ``c_axes`` (n_cells, 3): crystal c axis per cell.

    ``eigenstrains=False``: no eigenstrain contribution (purely mechanical verification problems).
    """
    phase_names, materials = list(phase_names), list(materials)
    phase_index = pm.phase_index(phase_names)
    c_axes = c_axes if c_axes is not None else np.tile([0.0, 0.0, 1.0], (len(phase_index), 1))
    if any(m.crystal_stiffness_Pa is not None for m in materials):
        stiffness = VoigtStiffness(pm.mesh, cell_stiffness_matrices(phase_index, materials, c_axes))
    else:
        stiffness = IsotropicStiffness(pm.mesh, phase_index, materials)
    contributions = [ThermalEigenstrain(phase_index, materials, stress_free_K)] if eigenstrains else []
    if eigenstrains and any(m.chemical_strain is not None or m.partial_molar_volume_m3_per_mol is not None for m in materials):
        contributions.append(ChemicalEigenstrain(phase_index, materials, c_axes))
    return BulkPhysics(phase_names, materials, phase_index, stiffness, EigenstrainField(pm.mesh, contributions),
                       stress_free_K, contributions[0] if eigenstrains else None)
