"""Interruption and faults of `stressfem run`.

Requirements:
* I1 a run stopped by SIGINT or SIGTERM mid-solve exits non-zero and leaves no completion
  marker: no CASE/results/, no summary.json anywhere in the case; what converged is kept in
  CASE/results.failed/ with failure.json. A re-run redoes the case and completes it.
* I2 the same under `mpiexec -n 2` when the whole process group gets SIGTERM (as a batch
  system does).
* I3 an output directory that cannot be written, or a full disk, gives an error naming the path
  (exit code 5 from the CLI), and a previous complete results/ is not lost.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MPIEXEC, ROOT, _env, read_summary, run_cli, write_case

TINY = (ROOT / "containers" / "selftest" / "case.toml").read_text()
LONG = TINY.replace("increments = 2", "increments = 2000")


def _case(folder: Path, text: str = TINY) -> Path:
    from stressfem.verification.concentric_spheres import write_octant_msh

    write_case(folder, text)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.3)
    return folder


def _start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=_env(), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _kill_mid_solve(case: Path, proc: subprocess.Popen, sig: int, group: bool) -> str:
    deadline = time.monotonic() + 120
    while not list(case.glob(".results.partial-*/history.csv")):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the run never reached its first increment"
        time.sleep(0.05)
    (os.killpg if group else os.kill)(proc.pid, sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0, out
    return out


def _assert_no_marker(case: Path) -> None:
    assert not (case / "results").exists()
    assert not list(case.rglob("summary.json"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_leaves_no_marker(tmp_path, sig):
    case = _case(tmp_path / "c", LONG)
    out = _kill_mid_solve(case, _start([sys.executable, "-m", "stressfem.cli", "run", str(case)]), sig, group=False)
    assert "interrupted" in out
    _assert_no_marker(case)
    failure = json.loads((case / "results.failed" / "failure.json").read_text())
    assert failure["type"] == "KeyboardInterrupt"
    if sig == signal.SIGTERM:  # a re-run redoes it (fewer increments to keep the test short)
        (case / "case.toml").write_text(TINY)
        run_cli("run", case, "--no-plot", check=True)
        assert read_summary(case)["steps"][-1]["increments"] == 2
        assert not (case / "results.failed").exists()


@pytest.mark.mpi
def test_sigterm_to_mpi_job(tmp_path):
    if MPIEXEC is None:
        pytest.skip("mpiexec not found")
    case = _case(tmp_path / "c", LONG)
    _kill_mid_solve(case, _start([MPIEXEC, "-n", "2", sys.executable, "-m", "stressfem.cli", "run", str(case)]),
                    signal.SIGTERM, group=True)
    _assert_no_marker(case)


def _lock(folder: Path, locked: bool) -> bool:
    """Make a folder unwritable: chmod for a normal user; `chattr +i` for root, where it works."""
    if os.geteuid() != 0:
        folder.chmod(0o555 if locked else 0o755)
        return True
    chattr = shutil.which("chattr")
    return chattr is not None and subprocess.run([chattr, "+i" if locked else "-i", str(folder)],
                                                 capture_output=True).returncode == 0


def test_unwritable_case_directory_names_path(tmp_path):
    case = _case(tmp_path / "c")
    (case / "results").mkdir()
    (case / "results" / "summary.json").write_text('{"previous": true}')
    if not _lock(case, True):
        pytest.skip("cannot make a folder unwritable here (root without chattr +i)")
    try:
        proc = run_cli("run", case, "--no-plot")
    finally:
        _lock(case, False)
    assert proc.returncode == 5, proc.stderr
    assert f"cannot write results under {case}" in proc.stderr
    assert json.loads((case / "results" / "summary.json").read_text()) == {"previous": True}


def test_full_or_unwritable_directory_names_path(tmp_path, monkeypatch):
    from mpi4py import MPI

    from stressfem.errors import OutputError
    from stressfem.output.results_dir import ResultsDir, write_atomic

    case = tmp_path / "c"
    case.mkdir()

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OutputError, match="No space left") as info:
        ResultsDir(case, MPI.COMM_SELF)
    assert str(case) in str(info.value)
    with pytest.raises(OutputError) as info:
        write_atomic(case / "summary.json", "{}")
    assert str(case / "summary.json") in str(info.value)

