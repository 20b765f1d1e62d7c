"""Commit recovery (issue 16): a kill between the two renames of ResultsDir.commit is repaired.

Requirements: with no results/ left, the next run restores the newest complete folder (the
finished partial one, else the previous results); an .results.old-* next to results/ and stale
partial folders of dead processes are removed; a live process's folders are never touched.
Exact file-system checks. Run time: about 4 s (one tiny run through the CLI, the rest pure Python).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import read_summary, run_cli

from stressfem.output.recovery import recover_interrupted_commit
from stressfem.output.results_dir import PARTIAL_PREFIX, RESULTS


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def _folder(path: Path, tag: str, complete: bool = True) -> Path:
    path.mkdir()
    if complete:
        (path / "summary.json").write_text(json.dumps({"tag": tag}))
    return path


def _alive_only(pid_alive: int):
    return lambda pid: pid == pid_alive


def test_killed_between_renames_restores_the_finished_run(tmp_path):
    pid = _dead_pid()
    _folder(tmp_path / f".results.old-{pid}", "old")
    _folder(tmp_path / f"{PARTIAL_PREFIX}{pid}-1", "new")
    done = recover_interrupted_commit(tmp_path, PARTIAL_PREFIX, RESULTS, _alive_only(-1))
    assert json.loads((tmp_path / RESULTS / "summary.json").read_text())["tag"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [RESULTS] and len(done) == 2


def test_killed_after_moving_old_results_restores_them(tmp_path):
    pid = _dead_pid()
    _folder(tmp_path / f".results.old-{pid}", "old")
    _folder(tmp_path / f"{PARTIAL_PREFIX}{pid}-1", "unfinished", complete=False)
    recover_interrupted_commit(tmp_path, PARTIAL_PREFIX, RESULTS, _alive_only(-1))
    assert json.loads((tmp_path / RESULTS / "summary.json").read_text())["tag"] == "old"


def test_leftover_old_results_are_removed_and_live_ones_kept(tmp_path):
    dead = _dead_pid()
    _folder(tmp_path / RESULTS, "current")
    _folder(tmp_path / f".results.old-{dead}", "old")
    _folder(tmp_path / ".results.old-4242", "someone else's")
    recover_interrupted_commit(tmp_path, PARTIAL_PREFIX, RESULTS, _alive_only(4242))
    assert json.loads((tmp_path / RESULTS / "summary.json").read_text())["tag"] == "current"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".results.old-4242", RESULTS]


def test_next_run_recovers_and_cleans(make_case):
    case = make_case()
    dead = _dead_pid()
    _folder(case / f".results.old-{dead}", "old")
    _folder(case / f"{PARTIAL_PREFIX}{dead}-1", "new")
    _folder(case / f"{PARTIAL_PREFIX}{dead}-2", "stale", complete=False)
    proc = run_cli("run", case)
    assert proc.returncode == 0, proc.stderr
    assert "restored results/" in proc.stdout + proc.stderr
    assert read_summary(case).get("steps"), "the new run's summary replaces the recovered one"
    assert sorted(p.name for p in case.iterdir() if p.name.startswith(".results")) == []
