"""Mean and 95 % confidence interval of every result column over one sweep parameter (e.g. the seed).

Rows (batch/table.py ``case_row``) are grouped by all their sweep parameters except ``over``;
for each numeric result column of a group of n complete cases: mean, sample standard deviation
and the half-width of the 95 % confidence interval of the mean, t(0.975, n - 1) s / sqrt(n)
(Student t: the seeds are few). A group of one case has no interval (null).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import CaseError
from .table import write_table

__all__ = ["aggregate_rows", "write_aggregate"]

_NOT_RESULTS = {"name", "status", "error", "case", "last_step", "mpi_ranks"}


def _over_column(rows: list[dict], over: str) -> str:
    params = sorted({k for r in rows for k in r if k.startswith("param:")})
    matches = [k for k in params if k == f"param:{over}" or k.endswith(f".{over}")]
    if len(matches) != 1:
        raise CaseError(over, "--over", f"not one sweep parameter of these cases; they have {params or 'none'}")
    return matches[0]


def aggregate_rows(rows: list[dict], over: str = "seed") -> list[dict]:
    """One row per group of cases differing only in ``over``: n, mean, std and ci95 per result column."""
    from scipy.stats import t as student_t

    col = _over_column(rows, over)
    params = sorted({k for r in rows for k in r if k.startswith("param:") and k != col})
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("status") == "done":
            groups.setdefault(tuple(str(r.get(p, "")) for p in params), []).append(r)
    out = []
    for key, members in groups.items():
        row: dict = dict(zip(params, key))
        row["n"] = len(members)
        row[f"{col}_values"] = " ".join(str(m.get(col)) for m in members)
        columns = [k for k in members[0] if k not in _NOT_RESULTS and not k.startswith("param:")]
        for c in columns:
            vals = [m.get(c) for m in members]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in vals):
                continue
            v = np.asarray(vals, dtype=float)
            n = len(v)
            row[f"{c}:mean"] = float(v.mean())
            row[f"{c}:std"] = float(v.std(ddof=1)) if n > 1 else None
            row[f"{c}:ci95"] = float(student_t.ppf(0.975, n - 1) * v.std(ddof=1) / math.sqrt(n)) if n > 1 else None
        out.append(row)
    return out


def write_aggregate(rows: list[dict], over: str, stem: Path) -> tuple[Path, Path]:
    """STEM.csv and STEM.json of aggregate_rows (atomic)."""
    return write_table(aggregate_rows(rows, over), stem)
