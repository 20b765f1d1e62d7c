"""Build the cohesive model of a case with [[interfaces]] or thin spring-layer coatings (called by the driver)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from ..._dolfinx import PETSc
from ...case import LoadedCase
from ...geometry.msh import PhaseMesh
from ...materials import resolve_materials
from ...case.coating_laws import CoatingLawError, coating_laws, side_entries
from ...physics.cohesive import make_law
from ...physics.eigenstrain import LoadState
from ..bc_checks import dirichlet_conflicts
from ..boundary import BoundarySpec
from ..bulk import BulkPhysics
from .bcs import apply_boundary_to_blocks
from ..periodic import PeriodicityError
from .model import CohesiveInterface, CohesiveModel
from .stepping import StepControl

__all__ = ["build_cohesive_model", "newton_options", "SECANT_MAX_STEPS"]

# default step limit of the secant path (max_newton_iterations not given): its steps are cheap and
# converge linearly; with 25 the shipped case's debonding onset (charge 4) cost 118 steps with
# cut-backs, with 80 it cost 40 (docs/performance.md section 8.2)
SECANT_MAX_STEPS = 80

log = logging.getLogger(__name__)


def newton_options(loaded: LoadedCase) -> dict:
    """PETSc SNES/KSP options from [cohesive_solver] (user petsc_options win)."""
    s = loaded.case.cohesive_solver
    max_it = s.max_newton_iterations
    if s.method == "secant" and "max_newton_iterations" not in s.model_fields_set:
        max_it = SECANT_MAX_STEPS
    opts = {"snes_rtol": s.rtol, "snes_max_it": max_it, "snes_linesearch_type": s.line_search}
    return {**opts, **s.petsc_options}


def _checked_block_bcs(loaded: LoadedCase, boundary: BoundarySpec, pm: PhaseMesh, blocks):
    """apply_boundary_to_blocks, refusing different prescribed values on shared nodes of a block."""
    out = apply_boundary_to_blocks(boundary, pm, blocks)
    nb, ns = len(blocks), len(boundary.supports)
    for b in range(nb):  # the BCs are ordered support by support, block by block
        problem = dirichlet_conflicts(boundary.supports, out.dirichlet[b:nb * ns:nb], pm.mesh.comm)
        if problem:
            raise loaded.error("boundary_conditions", problem)
    return out


def thin_coating_interfaces(loaded: LoadedCase, phase_names: list[str]) -> list[CohesiveInterface]:
    """One interface particle/matrix for each thin (unmeshed) coating listed under [phases]: the coating spring
    k_n = M_c / t, k_t = G_c / t, in series with the laws of its sides if any (case/coating_laws.py)."""
    out = []
    try:
        laws = coating_laws(loaded.case.interfaces, loaded.case.phases, loaded.case.geometry, resolve_materials(loaded))
    except CoatingLawError as exc:
        raise loaded.error(exc.key, str(exc)) from None
    for c in laws:
        t = c.coating
        if t.particle_phase not in phase_names or t.matrix_phase not in phase_names:
            raise loaded.error("phases", f"the thin coating {t.phase!r} joins {t.particle_phase!r} and "
                               f"{t.matrix_phase!r}, which must both be volumes of the mesh ({sorted(phase_names)})")
        law = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in asdict(c.law).items())
        log.info("thin coating %s (%g um, below coating.min_meshed_thickness_um) on %s: k_n = M/t = %.4g Pa/m, "
                 "k_t = G/t = %.4g Pa/m; applied: %s law %s (%s; docs/coatings.md)", t.phase, t.thickness_um,
                 t.interface_name, c.details["coating_normal_stiffness_Pa_per_m"],
                 c.details["coating_shear_stiffness_Pa_per_m"], type(c.law).__name__, law, c.source)
        out.append(CohesiveInterface(t.interface_name, t.particle_phase, t.matrix_phase, c.law, source=c.source,
                                     details=tuple(c.details.items())))
    return out


def build_cohesive_model(loaded: LoadedCase, pm: PhaseMesh, bulk: BulkPhysics, boundary: BoundarySpec) -> CohesiveModel:
    """The CohesiveModel for the case's interfaces, boundary conditions and solver settings."""
    case = loaded.case
    kind = pm.mesh.topology.cell_type.name
    if kind != "tetrahedron":  # the interface submesh and facet bookkeeping assume 4 facets per cell
        key = "geometry.element" if getattr(case.geometry, "type", None) == "image" else "geometry.file"
        raise loaded.error(key, f"[[interfaces]] (cohesive zones) need a tetrahedral mesh, this one has {kind} "
                           f"cells; set geometry.element = \"tetrahedron\" for an image (6 tetrahedra per "
                           f"voxel), or remove [[interfaces]] for a perfectly bonded solve on {kind} cells")
    phase_names = bulk.phase_names
    degree = case.solver.element_degree
    interfaces = []
    sides = {k for t in case.thin_coatings for k in side_entries(t, case.interfaces).values()}
    for k, spec in enumerate(case.interfaces):
        if k in sides:  # a side of a thin coating: part of its interface (thin_coating_interfaces)
            continue
        law = make_law(spec.law.model_dump())
        if spec.kind == "surface":
            if spec.name not in pm.surfaces:
                raise loaded.error(f"interfaces[{k}].name", f"{spec.name!r} is not a physical surface of the mesh; "
                                   f"allowed: \"A/B\" (phases {sorted(phase_names)}), \"<phase>#gb\" or a surface "
                                   f"({', '.join(sorted(pm.surfaces))})")
            interfaces.append(CohesiveInterface(spec.name, None, None, law, surface=spec.name))
            continue
        plus, minus = spec.phases
        if plus not in phase_names or minus not in phase_names:
            raise loaded.error(f"interfaces[{k}].name", f"{spec.name!r}: phases must be volumes of the mesh "
                               f"({sorted(phase_names)})")
        interfaces.append(CohesiveInterface(spec.name, plus, minus, law))
    interfaces += thin_coating_interfaces(loaded, phase_names)
    s = case.cohesive_solver
    step = StepControl(first_fraction=s.first_step_fraction, cut_factor=s.cut_factor, grow_factor=s.grow_factor,
                       easy_iterations=s.easy_iterations, min_fraction=s.min_step_fraction)
    try:
        if case.periodic is not None:  # u = E x + w per block, Newton on P^T J P (periodic.py)
            return _periodic_model(loaded, pm, bulk, interfaces, step, boundary)
        return CohesiveModel(pm, bulk, make_bcs=lambda blocks: _checked_block_bcs(loaded, boundary, pm, blocks),
                             interfaces=interfaces, initial_state=LoadState(temperature_K=bulk.stress_free_K),
                             options=newton_options(loaded), step=step,
                             linear_solver=s.linear_solver, reuse_factorization=s.reuse_factorization,
                             refactor_ksp_iterations=s.refactor_ksp_iterations,
                             refresh_ksp_growth=s.refresh_ksp_growth, stall_iterations=s.stall_iterations,
                             method=s.method, degree=degree)
    except PETSc.Error as exc:  # options that pass the allowlist (petsc_policy.py) but not PETSc's set-up
        raise loaded.error("cohesive_solver.petsc_options", f"PETSc could not set up the Newton solver with these "
                           f"options ({loaded.case.cohesive_solver.petsc_options}): PETSc error code {exc.ierr}; "
                           f"change the options") from None
    except PeriodicityError as exc:
        raise loaded.error("periodic", f"{exc}. With [[interfaces]] every displacement block is paired with itself "
                           f"across the box faces: a body cut by a face must be one physical volume on both sides "
                           f"(generated particle boxes are), and no cohesive interface may lie on a box face; "
                           f"or remove [periodic]") from None
    except ValueError as exc:
        index = getattr(exc, "index", None)  # bodies.InterfaceLayoutError names its [[interfaces]] entry
        raise loaded.error("interfaces" if index is None else f"interfaces[{index}].name", str(exc)) from None


def _periodic_model(loaded: LoadedCase, pm: PhaseMesh, bulk: BulkPhysics, interfaces, step: StepControl,
                    boundary: BoundarySpec):
    """The PeriodicCohesiveModel of a case with [periodic] and cohesive interfaces (checks: case/periodic.py;
    boundary conditions only with directions = "xy", on zmin/zmax)."""
    from .periodic import PeriodicCohesiveModel

    s = loaded.case.cohesive_solver
    unused = sorted({"reuse_factorization", "refactor_ksp_iterations", "refresh_ksp_growth"} & s.model_fields_set)
    if unused:
        log.warning("cohesive_solver %s: no effect inside a periodic volume (P^T J P gets a new LU or GAMG "
                    "hierarchy at every Newton iteration, docs/cohesive.md)", ", ".join(unused))
    opts = newton_options(loaded)
    ksp = {k: v for k, v in opts.items() if k.startswith(("ksp_", "pc_"))}
    return PeriodicCohesiveModel(pm, bulk, interfaces, loaded.case.periodic,
                                 initial_state=LoadState(temperature_K=bulk.stress_free_K),
                                 make_bcs=lambda blocks: _checked_block_bcs(loaded, boundary, pm, blocks),
                                 options={k: v for k, v in opts.items() if k not in ksp}, ksp_options=ksp, step=step,
                                 stall_iterations=s.stall_iterations, linear_solver=s.linear_solver)
