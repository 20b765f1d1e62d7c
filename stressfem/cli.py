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


def _fail(exc: BaseException, code: int | None = None) -> None:
    """Report an error and exit; under MPI, abort every rank so none is left waiting."""
    code = code if code is not None else getattr(exc, "exit_code", 1)
    if _rank() == 0 or not isinstance(exc, StressfemError):
        prefix = f"[rank {_rank()}] " if _mpi_size() > 1 and _rank() != 0 else ""
        typer.echo(f"{prefix}stressfem: error: {exc}", err=True)
    if _mpi_size() > 1:
        sys.stderr.flush()
        if _rank() != 0 and isinstance(exc, StressfemError):
            time.sleep(1.0)  # let rank 0 report the (collective) error before the abort
        from mpi4py import MPI

        MPI.COMM_WORLD.Abort(code)
    raise typer.Exit(code)


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
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False) -> None:
    """Run CASE and write CASE/results/ (works under mpiexec)."""
    signal.signal(signal.SIGTERM, _terminate)
    from .case import load_case

    try:
        load_case(case)  # validate before MPI and DOLFINx start
        from .solver.driver import run_case  # starts MPI

        _setup_logging(verbose)

        summary = run_case(case)
    except StressfemError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _fail(StressfemError("interrupted; no results were committed"), 130)
    except Exception as exc:  # a bug: report it with its traceback, and never leave ranks hanging
        import traceback

        traceback.print_exc()
        _fail(exc, 1)
    if _rank() == 0:
        from .report_text import summary_table

        summary_table(summary, Path(case) / "results")


@app.command()
def materials() -> None:
    """List the material library with the source of every number."""
    from .materials import LIBRARY

    for m in LIBRARY.values():
        typer.echo(f"{m.name}: E = {m.youngs_modulus_Pa / 1e9:.0f} GPa, nu = {m.poisson_ratio}, "
                   f"CTE = {m.cte_per_K:.3g} 1/K, density = {m.density_kg_per_m3:.0f} kg/m3")
        for prop, src in m.sources.items():
            typer.echo(f"    {prop}: {src}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
