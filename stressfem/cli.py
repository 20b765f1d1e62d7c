"""The ``stressfem`` command line: a thin layer over the Python API."""

from __future__ import annotations

import logging
import signal
import sys
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


def _fail(exc: StressfemError) -> None:
    if _rank() == 0:
        typer.echo(f"stressfem: error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


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
    _setup_logging(verbose)
    from .case import load_case

    try:
        load_case(case)  # validate before MPI and DOLFINx start
        from .solver.driver import run_case

        summary = run_case(case)
    except StressfemError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        if _rank() == 0:
            typer.echo("stressfem: interrupted; no results were committed", err=True)
        raise typer.Exit(130)
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
