"""A short terminal summary of a finished run (rich table, rank 0 only)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["summary_table"]


def summary_table(summary: dict, results: Path) -> None:
    """Print the per-phase stresses of the last step in MPa."""
    from rich.console import Console
    from rich.table import Table

    step = summary["steps"][-1]
    t = Table(title=f"{step['name']}: T = {step['temperature_K']:.1f} K  "
                    f"({summary['dofs']} dofs, {summary['mpi_ranks']} rank(s), {summary['wall_time_s']:.1f} s)")
    for col in ("phase", "volume fraction", "mean hydrostatic", "mean von Mises", "p99 von Mises",
                "max von Mises", "max principal"):
        t.add_column(col, justify="right")
    total = sum(p["volume_m3"] for p in step["phases"].values())
    for name, p in step["phases"].items():
        t.add_row(name, f"{p['volume_m3'] / total:.3f}",
                  *(f"{p[k] / 1e6:.1f} MPa" for k in ("mean_hydrostatic_Pa", "mean_von_mises_Pa",
                                                       "p99_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")))
    Console().print(t)
    Console().print(f"results: {results}/ (summary.json, history.csv, fields.pvd, run.log)")
