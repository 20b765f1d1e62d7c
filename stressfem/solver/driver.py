"""Run a case: mesh, model, load stages, statistics and outputs, in that order."""

from __future__ import annotations

import json
import logging
import resource
import time
from pathlib import Path

import numpy as np

from .._dolfinx import MPI
from ..case import CoolingStage, ImageGeometry, LoadedCase, load_case
from ..errors import SolverError, StressfemError
from ..geometry.metrics import VOID
from ..geometry.msh import read_phase_mesh
from ..geometry.provide import case_mesh_file
from ..materials import resolve_materials
from ..output.fields import FieldWriter
from ..output.history import History
from ..output.results_dir import ResultsDir, write_atomic
from ..output.stats import cell_volumes, phase_statistics
from ..physics.eigenstrain import LoadState
from .boundary import build_boundary_conditions
from .diffusion import DiffusionModel
from .load_path import equilibrium_increments, expand_stages
from .options import petsc_options
from .thermoelastic import ThermoelasticModel

__all__ = ["run_case", "check_phases", "crystal_axes", "stress_free_K"]

log = logging.getLogger("stressfem")


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
    unknown = sorted(set(loaded.case.phases) - set(volumes))
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


def _diffusion_model(loaded: LoadedCase, pm, model, materials, phase_names) -> DiffusionModel:
    """Li diffusion in the phases that have a diffusivity, with flux through their interfaces."""
    stage_surfaces = [s.flux_surfaces for s in loaded.case.stages if getattr(s, "flux_surfaces", None)]
    diffusing = [p for p, m in zip(phase_names, materials) if m.diffuses]
    if not diffusing:
        raise loaded.error("stages", "a galvanostatic stage needs a phase with diffusivity_m2_per_s "
                           "(library: NMC811, NCM85, NCM111, LCO)")
    if stage_surfaces:
        names = stage_surfaces[0]
        unknown = sorted(set(names) - set(pm.surfaces))
        if unknown:
            raise loaded.error("stages.flux_surfaces", f"surfaces {unknown} are not in the mesh; allowed: "
                               f"{', '.join(sorted(pm.surfaces))}")
    else:
        # interfaces of a diffusing phase with another phase; free (pore) surfaces `<phase>/void` carry no flux
        names = [n for n in pm.surfaces if "/" in n and n.split("/")[0] in diffusing and n.split("/")[1] != VOID]
    x0 = np.array([m.chemical_strain.x_from_soc(0.0) if m.chemical_strain is not None else 1.0 for m in materials])
    log.info("Li diffusion in %s, flux through %s", diffusing, names)
    return DiffusionModel(pm, model.phase_index, materials, [pm.surfaces[n] for n in names], x0)


def _galvanostatic(step, state: LoadState, diffusion: DiffusionModel, model):
    """Load states of a kinetic stage: diffusion steps at constant current, each followed by equilibrium."""
    stage = step.stage
    sign = 1.0 if stage.direction == "charge" else -1.0
    rate = stage.c_rate_per_h / 3600.0  # soc per second
    if stage.duration_s is not None:
        duration = stage.duration_s
    else:
        duration = abs(step.soc_to - state.soc) / rate
        if duration <= 0:
            raise SolverError(f"stage {step.name!r}: soc is already {state.soc:.3f}; nothing to "
                              f"{stage.direction} (set soc_end or duration_s)")
    windows = [m.chemical_strain.x_soc0 - m.chemical_strain.x_soc1 for m in diffusion.materials
               if m.diffuses and m.chemical_strain is not None] or [1.0]
    diffusion.set_rate(-sign * rate * windows[0])
    dt = duration / stage.increments
    t, soc0 = 0.0, state.soc
    for k in range(1, stage.increments + 1):
        if stage.stress_coupling and getattr(model, "last_cell_stress", None) is not None:
            diffusion.set_stress_coupling(model.last_cell_stress.hydrostatic, stage.temperature_K or state.temperature_K)
        diffusion.step(dt, where=f"stage {step.name!r}, increment {k}")
        t += dt
        yield LoadState(temperature_K=state.temperature_K, soc=soc0 + sign * rate * t, time_s=t,
                        cell_li_fraction=diffusion.cell_li_fraction())


def _solver_types(model) -> dict:
    """The KSP and PC types actually used (after PETSc options), for the record."""
    ksp = getattr(model.solver, "ksp", None)
    if ksp is None:
        return {}
    return {"ksp_type": ksp.getType(), "pc_type": ksp.getPC().getType()}


def stress_free_K(loaded: LoadedCase) -> float:
    """The stress-free temperature: that of the first cooling stage (K)."""
    for s in loaded.case.stages:
        if isinstance(s, CoolingStage):
            return s.start_K
    return 298.15


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _FileLog:
    """Attach a log file in the results folder (rank 0) for the duration of a run."""

    def __init__(self, path: Path, comm):
        self.handler = None
        if comm.rank == 0:
            self.handler = logging.FileHandler(path, encoding="utf-8")
            self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            self.handler.setLevel(logging.INFO)
            logging.getLogger("stressfem").addHandler(self.handler)

    def close(self) -> None:
        if self.handler is not None:
            logging.getLogger("stressfem").removeHandler(self.handler)
            self.handler.close()


def run_case(case_dir: str | Path, comm: MPI.Comm = MPI.COMM_WORLD) -> dict:
    """Run CASE end to end; returns the summary (on every rank) and writes CASE/results/."""
    t_start = time.perf_counter()
    loaded = load_case(case_dir)
    results = ResultsDir(loaded.directory, comm)
    flog = _FileLog(results.file("run.log"), comm)
    try:
        summary = _run(loaded, results, comm, t_start)
        flog.close()
        results.commit()
        return summary
    except BaseException as exc:
        log.error("run failed: %s", exc)
        flog.close()
        kept = results.fail(exc)
        if kept is not None and isinstance(exc, StressfemError):
            exc.args = (f"{exc.args[0]}\n(log and converged results kept in {kept})",)
        raise


def _run(loaded: LoadedCase, results: ResultsDir, comm: MPI.Comm, t_start: float) -> dict:
    case = loaded.case
    log.info("case %s (%s) on %d MPI rank(s)", loaded.directory.name, case.title or "untitled", comm.size)
    if comm.rank == 0:
        write_atomic(results.file("case.resolved.json"), loaded.resolved_json())
    t0 = time.perf_counter()
    msh_file, unit_m, mesh_info = case_mesh_file(loaded, comm)
    if comm.rank == 0:  # rank-local, no collectives: phase fractions, interfaces, contact, tortuosity
        from ..geometry.provide import write_microstructure

        write_microstructure(loaded, msh_file, unit_m, mesh_info, results.file("microstructure.json"))
    t_geometry = time.perf_counter() - t0
    t_read = time.perf_counter()
    pm = read_phase_mesh(msh_file, comm, unit_m, case_file=str(loaded.file))
    t_read = time.perf_counter() - t_read  # read on rank 0, partitioned and distributed
    phase_names = check_phases(loaded, pm.volumes, msh_file)
    materials_by_phase = resolve_materials(loaded)
    materials = [materials_by_phase[p] for p in phase_names]
    t1 = time.perf_counter()
    if case.interfaces:  # cohesive interfaces: block submeshes, Newton, adaptive stepping
        from .cohesive_case import build_cohesive_model

        model = build_cohesive_model(loaded, pm, phase_names, materials, stress_free_K(loaded),
                                     c_axes=crystal_axes(loaded, pm, phase_names, materials, mesh_info))
    elif case.periodic is not None:  # periodic box, macroscopic loading (solver/macro.py)
        from .macro import build_periodic_model

        model = build_periodic_model(loaded, pm, phase_names, materials, stress_free_K(loaded),
                                     c_axes=crystal_axes(loaded, pm, phase_names, materials, mesh_info))
    else:
        model = ThermoelasticModel(
            pm, phase_names, materials, stress_free_K(loaded),
            make_bcs=lambda V, v: build_boundary_conditions(loaded, pm, V, v),
            options=petsc_options(case.solver), degree=case.solver.element_degree,
            c_axes=crystal_axes(loaded, pm, phase_names, materials, mesh_info),
        )
    interface_stats = getattr(model, "interface_statistics", dict)
    t_setup = time.perf_counter() - t1
    for d in model.bcs.described:
        log.info("boundary condition: %s", d)
    if not model.bcs.dirichlet:
        log.info("no displacement boundary conditions: free body, rigid-body modes removed")
    log.info("%d dofs, %d cells", model.num_dofs, pm.mesh.topology.index_map(3).size_global)
    volumes = cell_volumes(pm.mesh)
    stats_index, interior = model.phase_index, {}
    if case.output.interior_margin_um > 0:  # leave the boundary layer out of the statistics (output/interior.py)
        from ..output.interior import interior_phase_index

        stats_index, interior = interior_phase_index(pm.mesh, model.phase_index, case.output.interior_margin_um * 1e-6,
                                                     case.output.interior_axes, volumes)
    history = History(phase_names, list(interface_stats()))
    writer = FieldWriter(results.path, model.displacement, model.phase_index) if case.output.fields else None
    iwriter = model.interface_field_writer(results.path) if case.output.fields and case.interfaces else None
    steps: list[dict] = []
    t_solve = 0.0
    state = LoadState(temperature_K=stress_free_K(loaded), soc=0.0)
    diffusion = None
    for step in expand_stages(case.stages):
        stats: dict = {}
        iface: dict = {}
        its_step = 0
        if step.type == "galvanostatic":
            diffusion = diffusion or _diffusion_model(loaded, pm, model, materials, phase_names)
            increments = _galvanostatic(step, state, diffusion, model)
        else:
            increments = equilibrium_increments(step, state)
        for k, state in enumerate(increments, start=1):
            ts = time.perf_counter()
            its = model.solve(state, where=f"stage {step.name!r}, increment {k}")
            t_solve += time.perf_counter() - ts
            its_step += its
            cell_stress = model.cell_stress()
            model.last_cell_stress = cell_stress
            stats = phase_statistics(cell_stress, volumes, stats_index, phase_names, comm,
                                     percentile=k == step.increments)  # p99: step ends only
            iface = interface_stats()
            history.add(step.name, k, state, its, stats, iface)
            log.info("%s %d/%d: T = %.1f K, soc %.3f, %d iterations, %s", step.name, k, step.increments,
                     state.temperature_K, state.soc, its,
                     ", ".join(f"{p} mean hydrostatic {stats[p]['mean_hydrostatic_Pa'] / 1e6:.1f} MPa"
                               for p in phase_names))
            if writer is not None and (case.output.fields_every_increment or k == step.increments):
                writer.write(cell_stress)
                if iwriter is not None:
                    iwriter.write()
            if comm.rank == 0:
                write_atomic(results.file("history.csv"), history.text())
        entry = {"name": step.name, "type": step.type, "temperature_K": state.temperature_K, "soc": state.soc,
                 "increments": step.increments, "linear_iterations": its_step, "phases": stats}
        if step.type == "cooling":
            entry["stress_free_temperature_K"] = step.stage.start_K
        if step.type == "galvanostatic":
            entry["time_s"] = state.time_s
            entry["mean_li_fraction"] = diffusion.mean_li_fraction()
        if iface:
            entry["interfaces"] = iface
        entry.update(getattr(model, "step_summary", dict)())  # periodic: macroscopic strain and stress
        steps.append(entry)
    if writer is not None:
        writer.close()
    if iwriter is not None:
        iwriter.close()
    peak = comm.gather(_peak_memory_mb(), root=0)
    summary = {
        "dofs": model.num_dofs,
        "mpi_ranks": comm.size,
        "wall_time_s": time.perf_counter() - t_start,
        "steps": steps,
        "cells": pm.mesh.topology.index_map(3).size_global,
        "phases": {p: m.name for p, m in zip(phase_names, materials)},
        "mesh": {k: v for k, v in mesh_info.items() if k != "particle_pieces"},
        "timings_s": {"geometry": t_geometry, "mesh_distribution": t_read, "setup": t_setup, "solve": t_solve},
        "peak_memory_per_rank_MB": peak,
        "solver": {"linear_iterations": model.solver.total_iterations, **_solver_types(model)},
        "boundary_conditions": model.bcs.described,
        **getattr(model, "run_summary", dict)(),
        **({"statistics": interior} if interior else {}),
    }
    summary = comm.bcast(json.loads(json.dumps(summary, default=float)) if comm.rank == 0 else None, root=0)
    summary["wall_time_s"] = time.perf_counter() - t_start
    results.write_json("summary.json", summary)
    model.close()
    if diffusion is not None:
        diffusion.close()
    return summary
