"""`stressfem batch`: many cases, resumable, failures recorded, one results table.

Requirements:
* B1 a failed case does not stop the batch: the others finish, the failed one is `failed` with
  its error in the status file and the table, and the exit code is 1.
* B2 a batch killed mid-way (SIGTERM to its process group) keeps the results of the cases that
  finished, leaves no completion marker in the case it interrupted, and a re-run resumes:
  finished cases are not re-run (their summary.json is untouched), the rest are run.
* B3 the table (CSV and JSON) has a row per case with status, dofs and per-phase stresses, including
  the tensile statistics (quantiles of the maximum principal stress, failure probability).
* B4 case discovery: folders of cases and globs, each case once.
* B5 `--np 2` runs each case under `mpiexec -n 2`.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, _env, run_cli
from stressfem.batch.cases import find_cases, is_complete

TINY = (ROOT / "containers" / "selftest" / "case.toml").read_text()


def _tiny(folder: Path, increments: int = 2) -> Path:
    """The self-test case (sphere octant, about 4.4k P2 dofs) in folder, with its mesh."""
    from stressfem.verification.concentric_spheres import write_octant_msh

    folder.mkdir(parents=True)
    (folder / "case.toml").write_text(TINY.replace("increments = 2", f"increments = {increments}"))
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.3)
    return folder
BROKEN_MSH = """
[geometry]
type = "msh"
file = "broken.msh"
[phases]
a = "LLZO"
[[stages]]
type = "cooling"
stress_free_temperature_C = 100.0
final_temperature_C = 25.0
"""


def test_find_cases(tmp_path):
    a, b = _tiny(tmp_path / "s" / "a"), _tiny(tmp_path / "s" / "b")
    assert find_cases([str(tmp_path / "s")]) == [a.resolve(), b.resolve()]
    assert find_cases([str(tmp_path / "s" / "*"), str(a)]) == [a.resolve(), b.resolve()]
    assert not is_complete(a)


def test_failure_does_not_stop_batch(tmp_path):
    good = _tiny(tmp_path / "good")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "case.toml").write_text(BROKEN_MSH)
    (bad / "broken.msh").write_text("not a mesh\n")
    proc = run_cli("batch", bad, good, "--jobs", "2", "--name", "b1", "--no-plot")
    assert proc.returncode == 1, proc.stderr
    status = json.loads((tmp_path / "b1-status.json").read_text())
    by_case = {Path(e["case"]).name: e for e in status["cases"]}
    assert by_case["good"]["status"] == "done" and is_complete(good)
    assert by_case["bad"]["status"] == "failed" and "Gmsh cannot read it" in by_case["bad"]["error"]
    rows = list(csv.DictReader((tmp_path / "b1-results.csv").open()))
    assert [r["status"] for r in rows] == ["failed", "done"]
    assert int(rows[1]["dofs"]) > 0 and float(rows[1]["particle:mean_hydrostatic_MPa"]) < 0
    assert "Gmsh cannot read it" in rows[0]["error"]
    table = json.loads((tmp_path / "b1-results.json").read_text())
    assert table[1]["matrix:max_von_mises_MPa"] > 0
    # tensile statistics (output/tensile.py): the shell is in hoop tension, the particle in compression
    assert table[1]["matrix:p99_max_principal_MPa"] > table[1]["matrix:p50_max_principal_MPa"] > 0
    assert table[1]["particle:failure_probability"] == 0.0 and table[1]["particle:volume_fraction_above_strength"] == 0.0


def _status(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def test_resume_after_kill(tmp_path):
    cases = [_tiny(tmp_path / "sweep" / f"c{i}", increments=2 if i == 0 else 400) for i in range(3)]
    status_file = tmp_path / "sweep" / "batch-status.json"
    cmd = [sys.executable, "-m", "stressfem.cli", "batch", str(tmp_path / "sweep"), "--no-plot"]
    proc = subprocess.Popen(cmd, env=_env(), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until c0 is done and c1 is solving
        st = {Path(e["case"]).name: e["status"] for e in _status(status_file).get("cases", [])}
        partial = list(cases[1].glob(".results.partial-*/history.csv"))
        if st.get("c0") == "done" and st.get("c1") == "running" and partial:
            break
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.1)
    else:
        pytest.fail("batch did not reach case c1")
    os.killpg(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0, out
    st = {Path(e["case"]).name: e for e in _status(status_file)["cases"]}
    assert st["c0"]["status"] == "done" and st["c1"]["status"] == "interrupted"
    assert st["c2"]["status"] == "pending"
    assert is_complete(cases[0]) and not (cases[1] / "results").exists()
    assert not list(cases[1].rglob("summary.json"))
    done_mtime = (cases[0] / "results" / "summary.json").stat().st_mtime_ns
    rows = json.loads((tmp_path / "sweep" / "batch-results.json").read_text())
    assert rows[0]["status"] == "done" and rows[0]["dofs"] > 0  # finished results kept in the table

    # resume: c0 is skipped, c1 and c2 run
    for c in cases[1:]:  # fewer increments: a quicker re-run
        (c / "case.toml").write_text(TINY)
    proc = run_cli("batch", tmp_path / "sweep", "--jobs", "2", "--no-plot")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    st = {Path(e["case"]).name: e for e in _status(status_file)["cases"]}
    assert st["c0"].get("skipped") is True and "started" not in st["c0"]
    assert all(st[n]["status"] == "done" for n in ("c0", "c1", "c2"))
    assert (cases[0] / "results" / "summary.json").stat().st_mtime_ns == done_mtime
    assert all(is_complete(c) for c in cases)


@pytest.mark.mpi
def test_batch_np_runs_each_case_under_mpiexec(tmp_path):
    case = _tiny(tmp_path / "mpi-case")
    proc = run_cli("batch", case, "--np", "2", "--no-plot")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert json.loads((case / "results" / "summary.json").read_text())["mpi_ranks"] == 2
    assert "mpiexec" in (case / "batch-run.log").read_text().splitlines()[0]


def test_second_batch_of_same_name_refuses(tmp_path):
    import fcntl

    case = _tiny(tmp_path / "c")
    with open(tmp_path / "batch-status.json.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running batch holds it
        proc = run_cli("batch", case)
    assert proc.returncode == 1 and "already running" in proc.stderr
    assert not is_complete(case)


def test_every_step_table_sorted_by_parameters_and_no_lock_left(tmp_path):
    """B6 `--every-step`: one row per case and step, rows sorted by the swept keys (then load-path
    order), the swept keys as columns; no lock file is left after a clean finish. About 10 s on a quiet
    machine (three tiny runs; 17 s at load 12)."""
    from stressfem.batch.sweep import PARAMETERS_FILE

    two_stages = TINY + '\n[[stages]]\ntype = "cooling"\nname = "reheat"\nstress_free_temperature_C = 25.0\n' \
                        'final_temperature_C = 200.0\nincrements = 1\n'
    for name, e in (("a", 300e9), ("b", 100e9), ("c", 200e9)):  # run order a, b, c; parameter order b, c, a
        case = _tiny(tmp_path / "s" / name)
        (case / "case.toml").write_text(two_stages.replace('name = "cooling"', 'name = "cool"'))
        (case / PARAMETERS_FILE).write_text(json.dumps({"parameters": {"materials.LLZO.youngs_modulus_Pa": e}}))
    proc = run_cli("batch", tmp_path / "s", "--every-step", "--no-plot", "--name", "b6")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "s" / "b6-results.csv").open()))
    assert [(r["name"], r["step"]) for r in rows] == [(n, s) for n in ("b", "c", "a") for s in ("cooling", "reheat")]
    assert [float(r["param:materials.LLZO.youngs_modulus_Pa"]) for r in rows] == [1e11] * 2 + [2e11] * 2 + [3e11] * 2
    assert all(r["matrix:p99_max_principal_MPa"] for r in rows)
    assert not list((tmp_path / "s").glob("*.lock"))
