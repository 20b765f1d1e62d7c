"""Run a case: mesh, model, load stages, statistics and outputs, in that order."""

from __future__ import annotations

import json
import logging
import resource
import time
from pathlib import Path

from .._dolfinx import MPI
from ..case import LoadedCase, load_case
from ..errors import StressfemError
from ..geometry.msh import read_phase_mesh
from ..geometry.provide import case_mesh_file
from ..materials import resolve_materials
from ..output.checkpoint import RunCheckpoints
from ..output.fields import FieldWriter
from ..output.history import History
from ..output.locks import run_lock
from ..output.particles import ParticleTable, cell_units
from ..output.results_dir import ResultsDir, write_atomic
from ..output.error_estimate import RecoveryEstimator
from ..output.schema import step_kind
from ..output.stats import cell_volumes, phase_statistics
from ..output.tensile import FractureOutput
from ..stages import StageContext, history_columns, plan_steps
from . import superposition
from .case_model import build_case_model, check_phases
from .cohesive.stats import free_linear_strain, largest_particle_m, opening_bound_m, opening_warnings
from .model import Model
from .voltage import VoltageScale, resolve_voltage_ends

__all__ = ["run_case", "check_phases"]

log = logging.getLogger("stressfem")


def _superposition_record(model: Model, superposed) -> dict:
    """summary.json ``superposition``: the load patterns and the combination solves (if used)."""
    if superposed is None:
        return {"used": False}
    b = superposed.basis
    return {"used": True, "patterns": list(model.pattern_names), "combination_solves": b.solves,
            "linear_iterations": b.iterations, "time_s": b.time_s,
            "uniform_expansion": {**superposed.plan.record(),
                                  **({"max_stress_Pa": b.uniform_stress_Pa} if b.uniform_stress_Pa is not None else {})}}


def _effective_properties(loaded: LoadedCase, model, phase_names, materials, stress_free_K: float) -> dict:
    """summary.json ``effective_properties`` with [periodic] homogenize = true (homogenize/), else nothing."""
    if loaded.case.periodic is None or not loaded.case.periodic.homogenize:
        return {}
    from ..homogenize.command import effective_properties

    log.info("effective properties ([periodic] homogenize = true): stiffness, thermal and chemical expansion "
             "from further periodic solves ...")
    t0 = time.perf_counter()
    out = effective_properties(loaded, model, phase_names, materials, stress_free_K)
    log.info("effective properties: %.1f s (summary.json effective_properties, with the Hashin-Shtrikman bounds)",
             time.perf_counter() - t0)
    return {"effective_properties": out}


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


def run_case(case_dir: str | Path, comm: MPI.Comm = MPI.COMM_WORLD, restart: bool = False) -> dict:
    """Run CASE end to end; returns the summary (on every rank) and writes CASE/results/.

    ``restart``: continue from CASE/.stressfem-checkpoint.json (output/checkpoint.py)."""
    t_start = time.perf_counter()
    loaded = load_case(case_dir)
    with run_lock(loaded.directory, comm):  # a second concurrent run of this case stops here
        checkpoints = RunCheckpoints(loaded, comm, restart)
        results = ResultsDir(loaded.directory, comm)
        flog = _FileLog(results.file("run.log"), comm)
        try:
            summary = _run(loaded, results, comm, t_start, checkpoints)
            flog.close()
            results.commit()
            checkpoints.done()
            return summary
        except BaseException as exc:
            log.error("run failed: %s", exc)
            flog.close()
            kept = results.fail(exc)
            if kept is not None and isinstance(exc, StressfemError):
                exc.args = (f"{exc.args[0]}\n(log and converged results kept in {kept})",)
            raise


def _run(loaded: LoadedCase, results: ResultsDir, comm: MPI.Comm, t_start: float,
         checkpoints: RunCheckpoints) -> dict:
    case = loaded.case
    log.info("case %s (%s) on %d MPI rank(s)", loaded.directory.name, case.title or "untitled", comm.size)
    materials_by_phase = resolve_materials(loaded)
    scale = VoltageScale.of(list(case.phases), [materials_by_phase[p] for p in case.phases])
    # voltage_end_V -> soc_end (exit 2 if not reachable); the case is frozen: a resolved copy replaces it
    loaded.case = case = case.model_copy(update={"stages": resolve_voltage_ends(loaded, scale)})
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
    t1 = time.perf_counter()
    cm = build_case_model(loaded, pm, msh_file, mesh_info)
    phase_names, materials, stages, reference, model = cm.phase_names, cm.materials, cm.stages, cm.reference, cm.model
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
    balanced = not case.has_interface_model and all(bc.type != "fixed" for bc in case.boundary_conditions)
    estimator = RecoveryEstimator(pm.mesh, stats_index, phase_names, volumes, balanced=balanced)
    cohesive = case.has_interface_model  # the model's solve returns Newton iterations; linear ones are counted apart
    fracture = FractureOutput(phase_names, materials, case.output.tensile_thresholds_MPa, comm)
    history = History(phase_names, list(model.interface_statistics()), history_columns(stages),
                      (["voltage_V"] if scale else []) + (["newton_iterations"] if cohesive else []), fracture.columns)
    particles = ParticleTable(pm.mesh, *cell_units(loaded, pm, mesh_info, model.phase_index, phase_names),
                              model.phase_index, phase_names, volumes, comm)
    if cohesive:
        particles.set_interfaces(model.interface_state)
    particle_m, warnings = largest_particle_m(case.geometry), []
    writer = FieldWriter(results.path, model.displacement, model.phase_index) if case.output.fields else None
    iwriter = model.interface_field_writer(results.path) if case.output.fields else None
    steps: list[dict] = []
    t_solve = 0.0
    state = reference.load_state()
    ctx = StageContext(loaded, pm, phase_names, materials, model.phase_index)
    plan = plan_steps(stages)
    ts = time.perf_counter()
    superposed = superposition.choose(model, plan, state, ctx, allowed=case.solver.superposition == "auto")
    t_solve += time.perf_counter() - ts
    t_path = time.perf_counter()

    def interface_warnings(entry: dict) -> None:
        """Openings beyond what free expansion explains (cohesive steps), logged and kept for the summary."""
        bound = None if particle_m is None else opening_bound_m(
            free_linear_strain(materials, entry["temperature_K"], reference.temperature_K, entry["soc"]), particle_m)
        for w in opening_warnings(entry, bound):
            log.warning(w)
            warnings.append(w)

    state = checkpoints.resume(history, steps, state, model, ctx)
    for entry in steps:  # steps restored from a checkpoint: their warnings, as in the first run
        if "interfaces" in entry:
            interface_warnings(entry)
        fracture.check(entry, bonded=not cohesive, log=log)
    for index, step in enumerate(plan):
        if checkpoints.skip(index):
            continue
        step_start = state
        stats: dict = {}
        iface: dict = {}
        its_step, newton_step = checkpoints.step_counts(index)
        basis = superposed.basis if superposed is not None and step.name in superposed.steps else None
        history_written = time.perf_counter()
        for k, state in enumerate(step.stage.increments(step, state, ctx), start=1):
            if checkpoints.skip_increment(index, k):  # done before the restart (equilibrium: no side effects)
                continue
            ts = time.perf_counter()
            lin0 = model.solver.linear_iterations if cohesive else 0
            if basis is not None:  # a linear combination of the pattern solutions
                its, cell_stress = 0, basis.evaluate(state, displacement=k == step.increments or (
                    writer is not None and case.output.fields_every_increment))
            else:
                its = model.solve(state, where=f"stage {step.name!r}, increment {k}")
                cell_stress = model.cell_stress()
            its, newton = (model.solver.linear_iterations - lin0, its) if cohesive else (its, None)
            newton_step += newton or 0
            t_solve += time.perf_counter() - ts
            its_step += its
            ctx.last_stress = cell_stress
            stats = phase_statistics(cell_stress, volumes, stats_index, phase_names, comm,
                                     percentile=k == step.increments)  # p99: step ends only
            if k == step.increments:  # a-posteriori discretisation error of the step-end statistics
                for p, est in estimator.estimate(cell_stress, stats).items():
                    stats[p]["error_estimate_Pa"] = est
            fracture.add(stats, cell_stress.max_principal, volumes, model.phase_index)
            iface = model.interface_statistics()
            history.add(step, k, state, its, stats, iface,
                        ([scale.voltage(state.soc)] if scale else []) + ([newton] if cohesive else []))
            log.info("%s %d/%d: T = %.1f K, soc %.3f, %d iterations, %s", step.name, k, step.increments,
                     state.temperature_K, state.soc, its,
                     ", ".join(f"{p} mean hydrostatic {stats[p]['mean_hydrostatic_Pa'] / 1e6:.1f} MPa"
                               for p in phase_names))
            if writer is not None and (case.output.fields_every_increment or k == step.increments):
                writer.write(cell_stress, state, step.name,
                             thermal=getattr(step_kind(step.type), "abscissa", None) == "temperature_K")
                if iwriter is not None:
                    iwriter.write()
            if comm.rank == 0 and (basis is None or k in (1, step.increments) or ts - history_written >= 1.0):
                # a superposed increment takes ms: its rows go out at most every second (first and last always)
                write_atomic(results.file("history.csv"), history.text())
                history_written = ts
            if k < step.increments:
                checkpoints.after_increment(index, k, step_start, history, steps, [its_step, newton_step], state)
        particles.add(step.name, cell_stress, model.interface_state if cohesive else None)
        if comm.rank == 0:
            write_atomic(results.file("particles.csv"), particles.text())
        entry = {"name": step.name, "type": step.type, "temperature_K": state.temperature_K, "soc": state.soc,
                 "increments": step.increments, "linear_iterations": its_step, "phases": stats,
                 "solution": "superposed" if basis is not None else "incremental",
                 **step.stage.summary(step, state, ctx)}
        if scale is not None:
            entry["voltage_V"] = scale.voltage(state.soc)
        if iface:
            entry["interfaces"] = iface
            entry["newton_iterations"] = newton_step
            interface_warnings(entry)
        fracture.check(entry, bonded=not cohesive, log=log)
        entry.update(model.step_summary())  # periodic: macroscopic strain and stress
        steps.append(entry)
        checkpoints.after_step(index, state, history, steps)
    t_path = time.perf_counter() - t_path  # every increment: solve or combination, statistics, outputs
    if writer is not None:
        log.info("fields.pvd time axis: %s", writer.close(start=(reference.temperature_K, reference.soc)))
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
        "timings_s": {"geometry": t_geometry, "mesh_distribution": t_read, "setup": t_setup, "solve": t_solve,
                      "increments": t_path},
        "peak_memory_per_rank_MB": peak,
        "solver": model.solver_record(),
        "superposition": _superposition_record(model, superposed),
        "boundary_conditions": model.bcs.described,
        "error_estimate": estimator.description(case.solver.element_degree),
        **model.run_summary(),  # periodic: reduced system
        **_effective_properties(loaded, model, phase_names, materials, reference.temperature_K),
        **({"statistics": interior} if interior else {}),
        "restart": checkpoints.record(),
        "fracture": fracture.summary(),
        "warnings": fracture.warnings + warnings,
    }
    summary = comm.bcast(json.loads(json.dumps(summary, default=float)) if comm.rank == 0 else None, root=0)
    summary["wall_time_s"] = time.perf_counter() - t_start
    results.write_json("summary.json", summary)
    model.close()
    ctx.close()
    return summary
