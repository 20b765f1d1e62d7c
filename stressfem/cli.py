"""The ``stressfem`` command line: a thin layer over the Python API."""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .errors import StressfemError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Chemo-mechanical stress in composite cathodes of solid-state batteries.")

CaseArg = Annotated[Path, typer.Argument(help="case directory holding case.toml")]


def _rank() -> int:
    if "mpi4py" in sys.modules:
        from mpi4py import MPI

        return MPI.COMM_WORLD.rank
    return 0


def _setup_logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logger = logging.getLogger("stressfem")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    for h in list(logger.handlers):
        logger.removeHandler(h)
    if _rank() == 0:
        h = RichHandler(show_path=False, show_time=False, markup=False, rich_tracebacks=False)
        h.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.addHandler(h)
    else:
        logger.addHandler(logging.NullHandler())


def _mpi_size() -> int:
    if "mpi4py" in sys.modules:
        from mpi4py import MPI

        return MPI.COMM_WORLD.size
    return 1


def _launched_world():
    """COMM_WORLD when started by mpiexec/srun with more than one rank (MPICH, Open MPI or Slurm
    environment), else None; mpi4py is imported only then."""
    import os

    sizes = (os.environ.get(k) for k in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS"))
    if not any(v is not None and v.isdigit() and int(v) > 1 for v in sizes):
        return None
    from mpi4py import MPI

    return MPI.COMM_WORLD if MPI.COMM_WORLD.size > 1 else None


def _fail(exc: BaseException, code: int | None = None) -> None:
    """Report an error and exit; under MPI, abort every rank so none is left waiting.

    A user error (StressfemError) is usually raised on every rank (collective checks): rank 0 reports
    it, and the other ranks wait in a non-blocking barrier (up to ``_ABORT_WAIT_S``) until rank 0 has
    written it before the abort; a rank whose error rank 0 does not share reports it itself.
    """
    code = code if code is not None else getattr(exc, "exit_code", 1)
    user_error = isinstance(exc, StressfemError)
    size, rank = _mpi_size(), _rank()
    if rank == 0 or not user_error:
        prefix = f"[rank {rank}] " if size > 1 and rank != 0 else ""
        typer.echo(f"{prefix}stressfem: error: {exc}", err=True)
        sys.stderr.flush()
    if size > 1:
        from mpi4py import MPI

        reported = _wait_for_ranks(MPI.COMM_WORLD, _ABORT_WAIT_S if rank != 0 else 5.0)
        if rank != 0 and user_error and not reported:
            typer.echo(f"[rank {rank}] stressfem: error: {exc}", err=True)
            sys.stderr.flush()
        MPI.COMM_WORLD.Abort(code)
    raise typer.Exit(code)


def _fail_bug(exc: BaseException) -> None:
    """An unexpected exception (a bug): print its traceback, then exit 1 on every rank."""
    import traceback

    traceback.print_exc()
    _fail(exc, 1)


_ABORT_WAIT_S = 30.0  # how long a failing rank waits for rank 0 to report before it aborts (s)


def _wait_for_ranks(comm, timeout_s: float) -> bool:
    """True when every rank reached this point within ``timeout_s`` (a non-blocking barrier)."""
    request = comm.Ibarrier()
    deadline = time.monotonic() + timeout_s
    while not request.Test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


@app.command()
def check(case: CaseArg) -> None:
    """Validate CASE/case.toml without solving."""
    from .case import load_case

    try:
        loaded = load_case(case)
    except StressfemError as exc:
        _fail(exc)
    c = loaded.case
    typer.echo(f"{loaded.file}: OK ({c.geometry.type} geometry, {len(c.phases)} phases, "
               f"{len(c.stages)} stage(s), {len(c.boundary_conditions)} boundary condition(s))")


@app.command()
def run(case: CaseArg,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False,
        no_plot: Annotated[bool, typer.Option("--no-plot", envvar="STRESSFEM_NO_PLOT",
                                              help="skip the figures made after the run")] = False,
        restart: Annotated[bool, typer.Option("--restart", help="continue a killed run from its checkpoint")] = False) -> None:
    """Run CASE and write CASE/results/ (works under mpiexec)."""
    signal.signal(signal.SIGTERM, _terminate)
    from .case import load_case

    try:
        load_case(case)  # validate before MPI and DOLFINx start
        from .solver.driver import run_case  # starts MPI

        signal.signal(signal.SIGTERM, _terminate)  # again: MPI/PETSc start-up replaced the handler

        _setup_logging(verbose)

        summary = run_case(case, restart=restart)
    except StressfemError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _fail(StressfemError("interrupted; no results were committed"), 130)
    except Exception as exc:  # a bug: report it with its traceback, and never leave ranks hanging
        _fail_bug(exc)
    if _rank() == 0:
        from .report_text import summary_table

        summary_table(summary, Path(case) / "results")
        if not no_plot:
            _figures_after_run(Path(case))


@app.command()
def homogenize(case: CaseArg,
               points: Annotated[int, typer.Option(help="temperatures per cooling stage and soc values")] = 5,
               verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    """Effective stiffness, thermal and chemical expansion of a periodic CASE, with Hashin-Shtrikman
    bounds; writes CASE/results/effective_properties.json (works under mpiexec)."""
    from .case import load_case

    try:
        load_case(case)
        from mpi4py import MPI

        from .homogenize.command import format_report, homogenize_case

        _setup_logging(verbose)
        report = homogenize_case(case, MPI.COMM_WORLD, points=max(points, 2))
    except StressfemError as exc:
        _fail(exc)
    except Exception as exc:  # a bug: report it with its traceback, and never leave ranks hanging
        _fail_bug(exc)
    if _rank() == 0:
        typer.echo(format_report(report))
        typer.echo(f"written: {Path(case) / 'results' / 'effective_properties.json'}")


@app.command(name="map")
def design_map(case: CaseArg,
               x: Annotated[str, typer.Option(help="x axis: PARAM=START:STOP:N or PARAM=V1,V2,... (PARAM: "
                                                "temperature_C, stress_free_temperature_C, soc, cte_per_K:<phase>, "
                                                "pressure_Pa:<stage>, ...)")],
               y: Annotated[str, typer.Option(help="y axis, as --x")],
               quantity: Annotated[list[str], typer.Option(help="<phase>.<measure>, e.g. LLZO.p99_max_principal_Pa "
                                                                "(repeatable)")],
               plot: Annotated[bool, typer.Option(help="also write the PNG contour plot")] = True,
               verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    """Summary quantities over a 2D grid of load parameters, from pattern solutions (linear cases).

    Writes CASE/results/maps/<x>--<y>.csv and .png (works under mpiexec).
    """
    from .case import load_case

    try:
        load_case(case)
        from .solver.design_map import map_case, parse_axis  # starts MPI

        _setup_logging(verbose)
        from mpi4py import MPI

        out = map_case(case, parse_axis(x, "--x"), parse_axis(y, "--y"), list(quantity), MPI.COMM_WORLD, plot=plot)
    except StressfemError as exc:
        _fail(exc)
    except Exception as exc:  # a bug: report it with its traceback, and never leave ranks hanging
        _fail_bug(exc)
    if _rank() == 0:
        typer.echo(f"{out['csv']}" + (f"\n{out['png']}" if out["png"] else ""))


def _figures_after_run(case: Path) -> None:
    """Figures of the committed results, in a child process: a rendering failure only warns."""
    import subprocess

    from .child import python_module_command

    log = logging.getLogger("stressfem")
    try:
        proc = subprocess.run([*python_module_command("stressfem.viz"), str(case)], capture_output=True, text=True,
                              timeout=1800)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            log.warning("figures failed (the results are complete; retry with `stressfem plot %s`):\n%s", case, tail)
        else:
            log.info("figures: %s/results/figures/ (`stressfem report %s` for the HTML report)", case, case)
    except Exception as exc:  # never fail a finished run for its figures
        log.warning("figures failed (the results are complete): %s", exc)


@app.command()
def materials() -> None:
    """List the material library with the source of every number."""
    from .materials import LIBRARY

    for m in LIBRARY.values():
        typer.echo(f"{m.name}: E = {m.youngs_modulus_Pa / 1e9:.0f} GPa, nu = {m.poisson_ratio}, "
                   f"CTE = {m.cte_per_K:.3g} 1/K, density = {m.density_kg_per_m3:.0f} kg/m3")
        for prop, src in m.sources.items():
            typer.echo(f"    {prop}: {src}")


def _setup_plain_logging() -> None:
    """Batch-level commands log to the terminal (no MPI)."""
    _setup_logging(False)


@app.command()
def batch(paths: Annotated[list[str], typer.Argument(help="case directories, globs, or folders of cases")],
          jobs: Annotated[int, typer.Option("--jobs", "-j", help="cases run side by side")] = 1,
          np: Annotated[int, typer.Option("--np", "-n", help="MPI ranks per case (mpiexec -n NP)")] = 1,
          mpiexec: Annotated[str | None, typer.Option(help="the mpiexec to use (default: next to Python)")] = None,
          force: Annotated[bool, typer.Option(help="re-run complete cases too")] = False,
          name: Annotated[str, typer.Option(help="names NAME-status.json and NAME-results.csv/.json")] = "batch",
          out: Annotated[Path | None, typer.Option(help="folder of the status file and table "
                                                   "(default: common parent of the cases)")] = None,
          timeout: Annotated[float | None, typer.Option(help="seconds allowed per case")] = None,
          no_plot: Annotated[bool, typer.Option("--no-plot", help="skip the figures after each run")] = False,
          every_step: Annotated[bool, typer.Option("--every-step", help="results table: a row per case and "
                                                   "step (default: per case, its last step)")] = False,
          ) -> None:
    """Run many cases, skipping complete ones; a status file and one table of key results."""
    from .batch.cases import find_cases
    from .batch.runner import BatchOptions, run_batch

    _setup_plain_logging()
    try:
        cases = find_cases(paths)
        result = run_batch(cases, BatchOptions(jobs=jobs, np=np, mpiexec=mpiexec, force=force, name=name,
                                               out_dir=out, timeout_s=timeout, no_plot=no_plot,
                                               every_step=every_step))
    except StressfemError as exc:
        _fail(exc)
    counts = result["counts"]
    typer.echo(", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if v))
    for e in result["cases"]:
        if e["status"] == "failed":
            typer.echo(f"failed: {e['case']}: {e.get('error', '')}", err=True)
    typer.echo(f"status: {result['status_file']}\ntable: {result['table'][0]} and {result['table'][1].name}")
    if result["signal"] is not None:
        raise typer.Exit(128 + int(result["signal"]))
    if counts.get("failed"):
        raise typer.Exit(1)


@app.command()
def sweep(base_case: CaseArg,
          sweep_file: Annotated[Path, typer.Argument(help="SWEEP.toml: mode and [parameters]")],
          out: Annotated[Path | None, typer.Option(help="folder of the generated cases (overrides `output`)")] = None,
          dry_run: Annotated[bool, typer.Option(help="validate and list the cases, write nothing")] = False) -> None:
    """Generate case directories from a base case and a product or zip of parameter values."""
    from .batch.sweep import generate, read_sweep

    try:
        spec = read_sweep(sweep_file, out)
        cases = generate(base_case, spec, dry_run=dry_run)
    except StressfemError as exc:
        _fail(exc)
    for c in cases:
        typer.echo(f"{c.state or 'valid':9s} {c.directory}")
    typer.echo(f"{len(cases)} case(s) in {spec.output}" + (" (dry run, nothing written)" if dry_run else
                                                            f"; run them with: stressfem batch {spec.output}"))


@app.command()
def aggregate(paths: Annotated[list[str], typer.Argument(help="case directories, globs, or folders of cases")],
              over: Annotated[str, typer.Option(help="the sweep parameter to average over")] = "seed",
              out: Annotated[Path, typer.Option(help="writes OUT.csv and OUT.json")] = Path("aggregate")) -> None:
    """Mean and 95 % confidence interval of every result over one sweep parameter (seed sweeps)."""
    from .batch.aggregate import write_aggregate
    from .batch.cases import find_cases, is_complete
    from .batch.table import case_row

    try:
        rows = [case_row(c, "done" if is_complete(c) else "not run") for c in find_cases(paths)]
        files = write_aggregate(rows, over, out)
    except StressfemError as exc:
        _fail(exc)
    typer.echo(f"{sum(r['status'] == 'done' for r in rows)} complete case(s) of {len(rows)}; "
               f"written: {files[0]}, {files[1]}")


@app.command()
def slurm(paths: Annotated[list[str], typer.Argument(help="case directories, globs, or folders of cases")],
          ntasks: Annotated[int, typer.Option(help="MPI ranks per case")] = 1,
          time_limit: Annotated[str, typer.Option("--time", help="time per case, HH:MM:SS")] = "01:00:00",
          mem: Annotated[str, typer.Option(help="memory per node (per case), e.g. 4G")] = "4G",
          launcher: Annotated[str, typer.Option(help="srun or mpirun")] = "srun",
          container: Annotated[Path | None, typer.Option(help="Apptainer image (.sif) to run stressfem in")] = None,
          bind: Annotated[list[str], typer.Option(help="extra apptainer --bind (repeatable)")] = [],  # noqa: B006
          job_name: Annotated[str, typer.Option(help="SLURM job name")] = "stressfem",
          partition: Annotated[str | None, typer.Option(help="SLURM partition")] = None,
          account: Annotated[str | None, typer.Option(help="SLURM account")] = None,
          max_parallel: Annotated[int | None, typer.Option(help="array tasks running at once (%N)")] = None,
          srun_mpi: Annotated[str, typer.Option(help="srun --mpi plugin")] = "pmi2",
          log_dir: Annotated[str | None, typer.Option(help="folder for the task logs")] = None,
          output: Annotated[Path, typer.Option("--output", "-o", help="script to write")] = Path("stressfem-array.sbatch"),
          ) -> None:
    """Write a SLURM job-array script: one array task per case, NTASKS MPI ranks each."""
    from .batch.cases import find_cases
    from .batch.slurm import SlurmOptions, slurm_script
    from .output.results_dir import write_atomic

    try:
        cases = find_cases(paths)
        text = slurm_script(cases, SlurmOptions(
            ntasks=ntasks, time=time_limit, mem=mem, launcher=launcher,
            container=str(container) if container else None, binds=tuple(bind), job_name=job_name,
            partition=partition, account=account, max_parallel=max_parallel, srun_mpi=srun_mpi, log_dir=log_dir))
        write_atomic(output, text)
        output.chmod(0o755)
    except StressfemError as exc:
        _fail(exc)
    typer.echo(f"wrote {output}: job array of {len(cases)} case(s), {ntasks} rank(s) each; submit with: sbatch {output}")


@app.command()
def converge(case: CaseArg,
             levels: Annotated[int, typer.Option(help="number of mesh levels (>= 3)")] = 3,
             ratio: Annotated[float, typer.Option(help="element-size ratio between successive levels")] = 2 ** 0.5,
             finest: Annotated[float, typer.Option(help="element sizes of the finest level relative to the case's "
                                                   "(1: the case's own mesh is the finest level)")] = 1.0,
             force: Annotated[bool, typer.Option(help="re-run levels that already have results")] = False,
             all_steps: Annotated[bool, typer.Option("--all-steps",
                                                     help="print every step, not only the last")] = False,
             ) -> None:
    """Mesh-convergence study: CASE at LEVELS element sizes, Richardson-extrapolated values and observed orders
    (written to CASE/convergence/convergence.json and .csv)."""
    from .case import load_case

    try:
        load_case(case)  # validate before MPI and DOLFINx start
        from .batch.converge import run_study, study_text

        _setup_logging(False)
        meta, rows = run_study(case, levels=levels, ratio=ratio, finest=finest, force=force)
    except StressfemError as exc:
        _fail(exc)
    except Exception as exc:  # a bug: report it with its traceback, and never leave ranks hanging
        _fail_bug(exc)
    if _rank() == 0:
        typer.echo(study_text(meta, rows, last_step_only=not all_steps))
        typer.echo(f"written: {Path(case) / 'convergence' / 'convergence.json'} and convergence.csv")


@app.command()
def mesh(case: CaseArg,
         voxels: Annotated[int, typer.Option(help="voxels along the longest side for the tortuosity")] = 48,
         as_json: Annotated[bool, typer.Option("--json", help="print the metrics as JSON")] = False) -> None:
    """Build (or reuse) the mesh of CASE and print its microstructure metrics (no solve)."""
    import json

    from .case import load_case
    from .geometry.provide import case_mesh_file, case_metrics
    from .jsonio import finite_or_null
    from .geometry.report import metrics_text

    comm = _launched_world()  # under mpiexec: rank 0 meshes once, the other ranks wait (no race on the file)
    _setup_logging(False)
    try:
        loaded = load_case(case)
        msh, unit_m, info = case_mesh_file(loaded, comm)
        if _rank() != 0:
            return
        data = case_metrics(loaded, msh, unit_m, info, voxels=voxels)
    except StressfemError as exc:
        _fail(exc)
    typer.echo(json.dumps(finite_or_null(data), indent=2, allow_nan=False) if as_json else metrics_text(data))


@app.command()
def plot(case: CaseArg,
         steps: Annotated[str, typer.Option(help="steps to draw: all, last, or names/numbers (comma-separated)")] = "all",
         volume: Annotated[bool, typer.Option(help="3D pyvista figures (--no-volume: matplotlib plots only)")] = True,
         animate: Annotated[str | None, typer.Option(help="also animate the load path: gif or mp4")] = None,
         field: Annotated[str, typer.Option(help="animated field: hydrostatic, von_mises, max_principal")] = "hydrostatic",
         fps: Annotated[float, typer.Option(help="animation frames per second")] = 2.0) -> None:
    """Draw the figures of a finished run into CASE/results/figures/ (off screen; one process)."""
    _setup_logging(False)
    try:
        from .viz.figures import make_figures

        make_figures(case, steps=steps, volume_figures=volume)
        if animate:
            from .viz.animation import make_animation

            make_animation(case, field=field, fmt=animate, fps=fps)
    except StressfemError as exc:
        _fail(exc)


@app.command()
def report(case: CaseArg,
           output: Annotated[Path | None, typer.Option("--output", "-o", help="HTML file (default CASE/results/report.html)")] = None,
           figures: Annotated[bool, typer.Option(help="make the figures first when missing or older than the run")] = True) -> None:
    """Write one self-contained HTML report of a finished run (images embedded)."""
    _setup_logging(False)
    try:
        from .viz.report import write_report

        path = write_report(case, output=output, make_figures=figures)
    except StressfemError as exc:
        _fail(exc)
    typer.echo(f"report: {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
