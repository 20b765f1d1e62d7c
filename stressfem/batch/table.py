"""One table of the key results of many cases (CSV for spreadsheets, JSON for scripts).

A row per case (or, with ``every_step``, per case and step), sorted by the swept parameters:
its status and error, sweep parameters (when the case came from `stressfem sweep`), dofs, ranks, wall time, peak memory, and per phase the last step's
mean hydrostatic, mean / p99 / max von Mises and max principal stress in MPa, the mean and
p50 / p90 / p99 of the maximum principal stress in MPa, the volume fractions above the tensile
strength and the user thresholds and the Weibull failure probability (output/tensile.py).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..jsonio import finite_or_null
from ..output.results_dir import RESULTS, write_atomic
from .cases import SUMMARY
from .sweep import PARAMETERS_FILE

__all__ = ["case_row", "case_rows", "sort_rows", "write_table"]

PHASE_KEYS = ("mean_hydrostatic", "mean_von_mises", "p99_von_mises", "max_von_mises", "max_principal",
              "mean_max_principal", "p50_max_principal", "p90_max_principal", "p99_max_principal")
# dimensionless per-phase results copied as they are (output/tensile.py), besides volume_fraction_above_<t>MPa
RATIO_KEYS = ("volume_fraction_above_strength", "failure_probability")


def case_row(case_dir: Path, status: str, error: str | None = None) -> dict:
    """The table row of one case (its last step); results are read from CASE/results/summary.json."""
    return case_rows(case_dir, status, error)[-1]


def case_rows(case_dir: Path, status: str, error: str | None = None, every_step: bool = False) -> list[dict]:
    """The rows of one case: its last step, or (``every_step``) one row per step in load-path order."""
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
        return [row]
    try:
        s = json.loads(summary_file.read_text())
    except ValueError:
        return [row]
    peak = s.get("peak_memory_per_rank_MB") or []
    row.update({
        "dofs": s.get("dofs"), "cells": s.get("cells"), "mpi_ranks": s.get("mpi_ranks"),
        "wall_time_s": s.get("wall_time_s"), "max_peak_memory_per_rank_MB": max(peak) if peak else None,
        "linear_iterations": (s.get("solver") or {}).get("linear_iterations"),
    })
    steps = s["steps"] if every_step else s["steps"][-1:]
    return [_with_step(dict(row), step, every_step) for step in steps]


def _with_step(row: dict, step: dict, every_step: bool) -> dict:
    """Add one step's name, state and per-phase results (MPa, fractions) to a row."""
    row["step" if every_step else "last_step"] = step["name"]
    row["temperature_K"] = step.get("temperature_K")
    if every_step:
        row["soc"] = step.get("soc")
    if step.get("voltage_V") is not None:
        row["voltage_V"] = step["voltage_V"]
    macro = step.get("macroscopic")  # periodic runs: macroscopic strain (-) and stress (MPa)
    if macro:
        for i, c in enumerate(("xx", "yy", "zz")):
            row[f"macro:strain_{c}"] = macro["strain"][i][i]
            row[f"macro:stress_{c}_MPa"] = macro["stress_Pa"][i][i] / 1e6
    for phase, stats in step["phases"].items():
        for k in PHASE_KEYS:
            if stats.get(f"{k}_Pa") is not None:
                row[f"{phase}:{k}_MPa"] = stats[f"{k}_Pa"] / 1e6
        for k, v in stats.items():
            if k in RATIO_KEYS or k.startswith("volume_fraction_above_"):
                row[f"{phase}:{k}"] = v
    for name, st in (step.get("interfaces") or {}).items():
        for k in ("damaged_fraction", "debonded_fraction", "contact_fraction"):
            if k in st:
                row[f"{name}:{k}"] = st[k]
    return row


def sort_rows(rows: list[dict]) -> list[dict]:
    """Rows sorted by the swept parameters (``param:`` columns, numbers before text), stably (cases
    without parameters keep their order, and the steps of a case stay in load-path order)."""
    keys = sorted({k for r in rows for k in r if k.startswith("param:")})

    def key(r: dict) -> tuple:
        out = []
        for k in keys:
            v = r.get(k)
            out.append((0, float(v), "") if isinstance(v, (int, float)) and not isinstance(v, bool)
                       else (1, 0.0, "" if v is None else str(v)))
        return tuple(out)

    return sorted(rows, key=key)


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
    write_atomic(json_file, json.dumps(finite_or_null(rows), indent=2, default=str, allow_nan=False) + "\n")
    return csv_file, json_file

