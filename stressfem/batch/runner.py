"""Run many cases on one machine: each as its own `stressfem run` child process.

* A case whose ``results/summary.json`` is newer than its ``case.toml`` is complete and skipped,
  so re-running an interrupted batch resumes it (``force`` re-runs everything).
* ``jobs`` cases run side by side; with ``np > 1`` each runs under ``mpiexec -n np``.
* The status file (``NAME-status.json``) holds every case's state: pending, running, done,
  failed (with its error) or interrupted; it is rewritten atomically on every change.
* A failed case does not stop the batch. The results table (``NAME-results.csv/.json``) is
  rewritten after every finished case, so a killed batch still has the rows of what finished.
* SIGTERM or SIGINT stops the batch: running cases get SIGTERM (they leave no completion
  marker), their state becomes ``interrupted``, and the exit code is 128 + the signal number.

* A second batch of the same name and folder refuses to start while one runs (a lock file, removed
  when the batch ends).
* The table has a row per case (last step), or per case and step (``every_step``), sorted by the
  swept parameters.

Children are started with argument lists (never a shell).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..child import python_module_command
from ..errors import StressfemError
from ..jsonio import finite_or_null
from ..output.results_dir import write_atomic
from .cases import is_complete
from .table import case_rows, sort_rows, write_table

__all__ = ["BatchOptions", "run_batch", "find_mpiexec", "run_command", "LOG_FILE"]

log = logging.getLogger(__name__)

LOG_FILE = "batch-run.log"  # in each case directory: stdout and stderr of its last batch run
POLL_S = 0.2
_SIGNALLED = (130, 143, -signal.SIGINT, -signal.SIGTERM)  # exit codes of a run stopped by SIGINT/SIGTERM


@dataclass
class BatchOptions:
    jobs: int = 1
    np: int = 1
    mpiexec: str | None = None
    force: bool = False
    name: str = "batch"
    out_dir: Path | None = None
    timeout_s: float | None = None
    no_plot: bool = False  # skip the figures each run makes after it finishes
    every_step: bool = False  # results table: a row per case and step instead of per case (last step)


def find_mpiexec(explicit: str | None = None) -> str:
    """mpiexec: the given one, the one next to this Python (the venv's MPICH), or the first on PATH."""
    if explicit:
        found = shutil.which(explicit)
        if found is None:
            raise StressfemError(f"mpiexec {explicit!r} not found")
        return found
    found = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    if found is None:
        raise StressfemError("--np > 1 needs mpiexec: none next to the Python interpreter or on PATH "
                             "(give it with --mpiexec)")
    return found


def run_command(case: Path, np: int, mpiexec: str | None) -> list[str]:
    cmd = [*python_module_command("stressfem.cli"), "run", str(case)]
    return [mpiexec or "mpiexec", "-n", str(np), *cmd] if np > 1 else cmd


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _error_from_log(path: Path, returncode: int) -> str:
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        lines = []
    errors = [ln for ln in lines if "stressfem: error:" in ln]
    if errors:
        return errors[0].split("stressfem: error:", 1)[1].strip()
    tail = " | ".join(lines[-3:])
    return f"exit code {returncode}" + (f": {tail}" if tail else "")


class _Batch:
    def __init__(self, cases: list[Path], opts: BatchOptions):
        self.cases, self.opts = cases, opts
        out = opts.out_dir or Path(os.path.commonpath([str(c.parent) for c in cases]))
        self.status_file = out / f"{opts.name}-status.json"
        self.table_stem = out / f"{opts.name}-results"
        self.state: dict[Path, dict] = {}
        self.running: dict[Path, tuple[subprocess.Popen, object, float]] = {}
        self.stop_signal: int | None = None
        self.mpiexec = find_mpiexec(opts.mpiexec) if opts.np > 1 else None

    # ------------------------------------------------------------------ bookkeeping
    def _set(self, case: Path, status: str, **info) -> None:
        entry = self.state.setdefault(case, {"case": str(case)})
        entry.update(status=status, **info)
        if status in ("done", "pending"):
            entry.pop("error", None)
        self._write_status()

    def _write_status(self) -> None:
        counts: dict[str, int] = {}
        for e in self.state.values():
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        doc = {"batch": self.opts.name, "updated": _now(), "jobs": self.opts.jobs, "np": self.opts.np,
               "counts": counts, "cases": [self.state[c] for c in self.cases if c in self.state]}
        write_atomic(self.status_file, json.dumps(finite_or_null(doc), indent=2, allow_nan=False) + "\n")

    def _write_table(self) -> None:
        rows = []
        for c in self.cases:
            e = self.state[c]
            rows += case_rows(c, e["status"], e.get("error"), self.opts.every_step)
        write_table(sort_rows(rows), self.table_stem)

    # ------------------------------------------------------------------ processes
    def _start(self, case: Path) -> None:
        cmd = run_command(case, self.opts.np, self.mpiexec)
        try:
            logf = open(case / LOG_FILE, "w", encoding="utf-8")  # noqa: SIM115 - closed in _reap
            logf.write("$ " + " ".join(cmd) + "\n")
            logf.flush()
        except OSError as exc:
            self._set(case, "failed", error=f"cannot write {case / LOG_FILE}: {exc.strerror or exc}")
            log.warning("failed %s: cannot write %s", case.name, case / LOG_FILE)
            return
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        if self.opts.no_plot:
            env["STRESSFEM_NO_PLOT"] = "1"
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.running[case] = (proc, logf, time.monotonic())
        self._set(case, "running", started=_now(), pid=proc.pid, command=cmd)
        log.info("started %s", case.name)

    def _reap(self, case: Path, returncode: int, interrupted: bool = False) -> None:
        proc, logf, t0 = self.running.pop(case)
        logf.close()
        wall = round(time.monotonic() - t0, 3)
        info = {"finished": _now(), "returncode": returncode, "batch_wall_time_s": wall, "log": str(case / LOG_FILE)}
        if returncode == 0 and is_complete(case):
            self._set(case, "done", **info)
        elif interrupted or self.stop_signal is not None or returncode in _SIGNALLED:
            self._set(case, "interrupted", error="stopped by a signal; re-run the batch to redo it", **info)
        else:
            self._set(case, "failed", error=_error_from_log(case / LOG_FILE, returncode), **info)
        status = self.state[case]["status"]
        (log.info if status == "done" else log.warning)("%s %s (%.1f s)%s", status, case.name, wall,
                                                         f": {self.state[case].get('error')}" if status != "done" else "")
        self._write_table()

    def _on_signal(self, signum, _frame) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        for proc, _, _ in self.running.values():
            if proc.poll() is None:
                try:
                    proc.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def _stop_all(self) -> None:
        deadline = time.monotonic() + 30.0
        for case in list(self.running):
            proc = self.running[case][0]
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            self._reap(case, proc.returncode, interrupted=True)

    # ------------------------------------------------------------------ main loop
    def _lock(self):
        """Hold NAME-status.json.lock for the batch: a second batch of the same name refuses to start."""
        path = self.status_file.with_name(self.status_file.name + ".lock")
        try:
            fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until run() returns
        except OSError as exc:
            raise StressfemError(f"cannot write {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StressfemError(f"batch {self.opts.name!r} is already running on these cases (lock {path}); "
                                 "wait for it, or give this one another --name") from None
        return fh

    def run(self) -> dict:
        try:
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StressfemError(f"cannot create {self.status_file.parent}: {exc.strerror or exc}") from None
        lock = self._lock()
        try:
            return self._run()
        finally:
            Path(lock.name).unlink(missing_ok=True)  # while still held: no lock file is left behind
            lock.close()

    def _run(self) -> dict:
        todo = []
        for c in self.cases:
            if not self.opts.force and is_complete(c):
                self.state[c] = {"case": str(c), "status": "done", "skipped": True}
            else:
                self.state[c] = {"case": str(c), "status": "pending"}
                todo.append(c)
        self._write_status()
        self._write_table()
        log.info("batch %s: %d case(s), %d already complete (skipped), %d to run, %d at a time%s",
                 self.opts.name, len(self.cases), len(self.cases) - len(todo), len(todo), self.opts.jobs,
                 f", {self.opts.np} MPI ranks each" if self.opts.np > 1 else "")
        ncpu = os.cpu_count() or 1
        if self.opts.jobs * self.opts.np > ncpu:
            log.warning("%d jobs x %d ranks = %d processes on %d cores: oversubscribed, runs will be slow",
                        self.opts.jobs, self.opts.np, self.opts.jobs * self.opts.np, ncpu)
        old = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            while (todo or self.running) and self.stop_signal is None:
                while todo and len(self.running) < self.opts.jobs and self.stop_signal is None:
                    self._start(todo.pop(0))
                time.sleep(POLL_S)
                for case in list(self.running):
                    proc, _, t0 = self.running[case]
                    if proc.poll() is not None:
                        self._reap(case, proc.returncode)
                    elif self.opts.timeout_s and time.monotonic() - t0 > self.opts.timeout_s:
                        log.warning("%s: over the time limit of %.0f s, stopping it", case.name, self.opts.timeout_s)
                        proc.send_signal(signal.SIGTERM)
                        try:
                            proc.wait(timeout=30)
                        except subprocess.TimeoutExpired:
                            proc.kill()
                            proc.wait()
                        self._reap(case, proc.returncode)
                        self.state[case]["error"] = f"time limit of {self.opts.timeout_s:g} s exceeded"
                        self._set(case, "failed")
            if self.stop_signal is not None:
                self._stop_all()
            self._write_table()
        finally:
            for s, h in old.items():
                signal.signal(s, h)
        counts: dict[str, int] = {}
        for e in self.state.values():
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        counts["skipped"] = sum(1 for e in self.state.values() if e.get("skipped"))
        return {"counts": counts, "status_file": self.status_file,
                "table": (self.table_stem.with_name(self.table_stem.name + ".csv"),
                          self.table_stem.with_name(self.table_stem.name + ".json")),
                "signal": self.stop_signal, "cases": [self.state[c] for c in self.cases]}


def run_batch(cases: list[Path], opts: BatchOptions | None = None) -> dict:
    """Run the cases; returns counts per status, the status file and table paths, and the stop signal if any."""
    opts = opts or BatchOptions()
    if opts.jobs < 1 or opts.np < 1:
        raise StressfemError("--jobs and --np must be at least 1")
    return _Batch([Path(c) for c in cases], opts).run()
