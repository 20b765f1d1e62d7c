"""One table of the key results of many cases (CSV for spreadsheets, JSON for scripts).

A row per case: its status and error, sweep parameters (when the case came from
`stressfem sweep`), dofs, ranks, wall time, peak memory, and per phase the last step's
mean hydrostatic, mean / p99 / max von Mises and max principal stress in MPa.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..output.results_dir import RESULTS, write_atomic
from .cases import SUMMARY
from .sweep import PARAMETERS_FILE

__all__ = ["case_row", "write_table"]

PHASE_KEYS = ("mean_hydrostatic", "mean_von_mises", "p99_von_mises", "max_von_mises", "max_principal")


def case_row(case_dir: Path, status: str, error: str | None = None) -> dict:
    """The table row of one case; results are read from CASE/results/summary.json when it exists."""
    case_dir = Path(case_dir)
    row: dict = {"name": case_dir.name, "status": status, "error": error or "", "case": str(case_dir)}
    params = case_dir / PARAMETERS_FILE
    if params.is_file():
        try:
            for k, v in json.loads(params.read_text())["parameters"].items():
                row[f"param:{k}"] = v if not isinstance(v, (list, dict)) else json.dumps(v)
        except (ValueError, KeyError):
            pass
    summary_file = case_dir / RESULTS / SUMMARY
    if status != "done" or not summary_file.is_file():
        return row
    try:
        s = json.loads(summary_file.read_text())
    except ValueError:
        return row
    peak = s.get("peak_memory_per_rank_MB") or []
    step = s["steps"][-1]
    row.update({
        "dofs": s.get("dofs"), "cells": s.get("cells"), "mpi_ranks": s.get("mpi_ranks"),
        "wall_time_s": s.get("wall_time_s"), "max_peak_memory_per_rank_MB": max(peak) if peak else None,
        "linear_iterations": (s.get("solver") or {}).get("linear_iterations"),
        "last_step": step["name"], "temperature_K": step.get("temperature_K"),
    })
    macro = step.get("macroscopic")  # periodic runs: macroscopic strain (-) and stress (MPa)
    if macro:
        for i, c in enumerate(("xx", "yy", "zz")):
            row[f"macro:strain_{c}"] = macro["strain"][i][i]
            row[f"macro:stress_{c}_MPa"] = macro["stress_Pa"][i][i] / 1e6
    for phase, stats in step["phases"].items():
        for k in PHASE_KEYS:
            if f"{k}_Pa" in stats:
                row[f"{phase}:{k}_MPa"] = stats[f"{k}_Pa"] / 1e6
    return row


def write_table(rows: list[dict], stem: Path) -> tuple[Path, Path]:
    """Write STEM.csv and STEM.json atomically; columns are the union of all rows' keys, in first-seen order."""
    columns: dict[str, None] = {}
    for r in rows:
        for k in r:
            columns.setdefault(k, None)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), restval="", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    stem = Path(stem)
    csv_file, json_file = stem.with_name(stem.name + ".csv"), stem.with_name(stem.name + ".json")
    write_atomic(csv_file, buf.getvalue())
    write_atomic(json_file, json.dumps(rows, indent=2, default=str) + "\n")
    return csv_file, json_file

