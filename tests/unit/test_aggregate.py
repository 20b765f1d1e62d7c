"""`stressfem aggregate`: mean and 95 % CI over seeds (requirement: Student-t interval, exact to 1e-12;
groups split by the other sweep parameters; incomplete cases left out; unknown parameter -> exit-2 error).
Run time < 1 s."""

from __future__ import annotations

import math

import pytest

from stressfem.batch.aggregate import aggregate_rows
from stressfem.errors import CaseError


def _row(box: float, seed: int, value: float, status: str = "done") -> dict:
    return {"name": f"b{box}s{seed}", "status": status, "param:geometry.box_um": box, "param:geometry.seed": seed,
            "LLZO:mean_hydrostatic_MPa": value, "last_step": "cooldown"}


def test_mean_and_student_t_interval():
    rows = [_row(20, 1, 100.0), _row(20, 2, 104.0), _row(20, 3, 108.0), _row(30, 1, 50.0), _row(30, 2, 1e9, "failed")]
    out = {r["param:geometry.box_um"]: r for r in aggregate_rows(rows, "seed")}
    a = out["20"]
    assert a["n"] == 3 and a["LLZO:mean_hydrostatic_MPa:mean"] == pytest.approx(104.0, rel=1e-12)
    s = 4.0  # sample std of 100, 104, 108
    assert a["LLZO:mean_hydrostatic_MPa:std"] == pytest.approx(s, rel=1e-12)
    assert a["LLZO:mean_hydrostatic_MPa:ci95"] == pytest.approx(4.302652729911275 * s / math.sqrt(3), rel=1e-9)
    assert out["30"]["n"] == 1 and out["30"]["LLZO:mean_hydrostatic_MPa:ci95"] is None


def test_unknown_parameter_is_refused():
    with pytest.raises(CaseError, match="--over"):
        aggregate_rows([_row(20, 1, 1.0)], "volume_fraction")
