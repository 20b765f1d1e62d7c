"""A case's mechanical model: phases and materials on the mesh, stages, reference state, bulk physics,
boundary conditions and the model (thermoelastic, or cohesive with [[interfaces]])."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..case import ImageGeometry, LoadedCase
from ..geometry.msh import PhaseMesh
from ..materials import Material, resolve_materials
from ..stages import ReferenceState, StageType, make_stages
from .bc_checks import dirichlet_conflicts, unbalanced_loads
from .boundary import boundary_spec
from .bulk import BulkPhysics, build_bulk
from .linear import PetscSetupError
from .model import Model
from .options import petsc_options
from .phase_cells import require_phase_cells
from .thermoelastic import ThermoelasticModel

__all__ = ["CaseModel", "build_case_model", "check_phases", "crystal_axes"]

log = logging.getLogger("stressfem")


@dataclass
class CaseModel:
    """Everything a run or a design map needs besides the results folder."""

    phase_names: list[str]
    materials: list[Material]
    stages: list[StageType]
    reference: ReferenceState
    bulk: BulkPhysics
    model: Model


def build_case_model(loaded: LoadedCase, pm: PhaseMesh, msh_file: Path, mesh_info: dict) -> CaseModel:
    """Phases, materials, stages, the reference state and the model of a case on its mesh."""
    phase_names = check_phases(loaded, pm.volumes, msh_file)
    require_phase_cells(loaded, pm, phase_names)
    materials_by_phase = resolve_materials(loaded)
    materials = [materials_by_phase[p] for p in phase_names]
    stages = make_stages(loaded.case.stages)
    reference = ReferenceState.of(stages)
    log.info("reference (stress-free) state: %.2f K, soc %g (%s)", reference.temperature_K, reference.soc,
             reference.source)
    bulk = build_bulk(pm, phase_names, materials, reference.temperature_K,
                      crystal_axes(loaded, pm, phase_names, materials, mesh_info))
    model = _build_model(loaded, pm, bulk, boundary_spec(loaded, pm, stages))
    return CaseModel(phase_names, materials, stages, reference, bulk, model)


def check_phases(loaded: LoadedCase, volumes: dict[str, int], source: Path) -> list[str]:
    """Every physical volume needs a material and every [phases] entry a volume.

    Volumes named ``<phase>#<grain>`` (polycrystalline particles, docs/geometry.md) count as ``<phase>``.
    """
    grouped: dict[str, int] = {}
    for name, tag in volumes.items():
        base = name.split("#", 1)[0]
        grouped[base] = min(tag, grouped.get(base, tag))
    volumes = grouped
    missing = sorted(set(volumes) - set(loaded.case.phases))
    if missing:
        raise loaded.error("phases", f"physical volumes {missing} of {source} have no material; add "
                           f"`<name> = \"<material>\"` under [phases] for each")
    thin = {t.phase for t in loaded.case.thin_coatings}  # spring-layer interfaces, not volumes
    unknown = sorted(set(loaded.case.phases) - set(volumes) - thin)
    if unknown:
        raise loaded.error("phases", f"phases {unknown} are not physical volumes of {source} "
                           f"(it has {sorted(volumes)})")
    return sorted(volumes, key=lambda n: volumes[n])


def crystal_axes(loaded: LoadedCase, pm, phase_names, materials, mesh_info: dict) -> np.ndarray | None:
    """Crystal c axis per local cell for anisotropic phases ([orientation]); None if all are isotropic."""
    if not any(m.anisotropic for m in materials):
        return None
    from ..physics.orientation import cell_c_axes, orientation_units

    index = pm.phase_index(phase_names)
    aniso = np.array([m.anisotropic for m in materials])[np.clip(index, 0, None)]
    units, n_units = orientation_units(pm.mesh, pm.cell_tags, mesh_info, aniso)
    spec = loaded.case.orientation
    over = "particles" if mesh_info.get("particle_pieces") else "physical volumes"
    g = loaded.case.geometry
    if isinstance(g, ImageGeometry):  # one axis per connected region of one image label
        from ..geometry.image import voxel_grains
        from ..physics.orientation import cell_midpoints, voxel_units

        grains, voxel = voxel_grains(g, loaded.input_path(g.file))
        cells = np.flatnonzero(aniso & (index >= 0))
        units[cells] = voxel_units(cell_midpoints(pm.mesh)[cells], grains, voxel)
        over = f"{int(grains.max()) + 1} connected image regions"
    log.info("crystal orientation: %s c axes over %s", spec.distribution, over)
    return cell_c_axes(units, spec)


def _build_model(loaded: LoadedCase, pm, bulk, boundary) -> Model:
    """The thermoelastic model, the cohesive one when the case has [[interfaces]] or a thin (spring) coating,
    the periodic one with [periodic] (with interfaces too: solver/cohesive/periodic.py)."""
    if loaded.case.periodic is not None and not loaded.case.has_interface_model:  # periodic box (solver/macro.py)
        from .macro import build_periodic_model

        return build_periodic_model(loaded, pm, bulk, boundary)
    if loaded.case.has_interface_model:  # cohesive or spring interfaces: block submeshes, Newton, adaptive stepping
        from .cohesive import build_cohesive_model

        return build_cohesive_model(loaded, pm, bulk, boundary)
    solver = loaded.case.solver
    try:
        options = petsc_options(solver, p_multigrid=solver.element_degree > 1)
        model = ThermoelasticModel(pm, bulk, boundary, options=options, degree=solver.element_degree)
    except PetscSetupError as exc:
        raise loaded.error("solver.petsc_options", str(exc)) from None
    problem = (dirichlet_conflicts(boundary.supports, model.bcs.dirichlet, pm.mesh.comm)
               or unbalanced_loads(boundary, pm, model.V, model.bcs.dirichlet))
    if problem:
        raise loaded.error("boundary_conditions", problem)
    return model


