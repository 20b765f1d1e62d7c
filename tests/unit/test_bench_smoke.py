"""The benchmark harness (benchmarks/run.py, `make bench`) runs end to end at its smallest size.

Requirement (issue 8): `make bench` is separate from `make test`; this only checks that the harness
works: `run.py --quick --sizes 6` (one box mesh of 1029 dofs, bare DOLFINx and stressfem, one
repetition) writes solve.json with both variants converged to the same displacement (relative
1e-6, i.e. solver tolerance), the same iteration count, and draws bench.png. About 10 s on an idle
2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_quick(tmp_path):
    env = dict(os.environ, STRESSFEM_BENCH_RESULTS=str(tmp_path), UCX_TLS=os.environ.get("UCX_TLS", "self,sm,tcp"))
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--sizes", "6"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    data = json.loads((tmp_path / "solve.json").read_text())
    assert not data["errors"], data["errors"]
    (row,) = data["rows"]
    assert row["dofs"] == 3 * 7**3 and row["ranks"] == 1
    rep = row["reps"][0]
    sf, bare = rep["stressfem"], rep["bare"]
    assert bare["converged_reason"] > 0
    assert abs(sf["max_abs_u_m"] - bare["max_abs_u_m"]) <= 1e-6 * bare["max_abs_u_m"]
    assert sf["iterations"] == bare["iterations"]
    assert set(sf["s"]) >= {"setup", "increment", "statistics", "fields_write"}
    assert (tmp_path / "bench.png").stat().st_size > 10_000
