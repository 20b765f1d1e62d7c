"""Atomic results: everything is written to a hidden partial folder and swapped in at the end.

``CASE/results/`` only ever holds a complete run (``summary.json`` is its completion marker).
A run that fails moves its partial folder (log, history and fields of the converged steps)
to ``CASE/results.failed/``; a run that is killed leaves only a hidden ``.results.partial-*``
folder, removed by the next run. A previous complete ``results/`` is never lost to a failure; a
kill between the two renames of the commit is repaired by the next run (output/recovery.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path

from ..errors import OutputError
from ..jsonio import strict_dumps
from .recovery import OLD_PREFIX, recover_interrupted_commit

__all__ = ["ResultsDir", "write_atomic", "csv_text", "RESULTS", "FAILED"]

log = logging.getLogger(__name__)

RESULTS = "results"
FAILED = "results.failed"
PARTIAL_PREFIX = ".results.partial-"


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def csv_text(columns: list[str], rows: list[list]) -> str:
    """A CSV file's text: a header line, then one line per row (history.csv, particles.csv)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM (main thread only) for the two renames that swap results in."""
    main = threading.current_thread() is threading.main_thread()
    if main:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        if main:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


class ResultsDir:
    """The results folder of one run; rank 0 manages folders, every rank may write field files."""

    def __init__(self, case_dir: Path, comm):
        self.case_dir, self.comm = Path(case_dir), comm
        self.final = self.case_dir / RESULTS
        error, path = None, None
        if comm.rank == 0:
            try:
                self._remove_stale()
                path = self.case_dir / f"{PARTIAL_PREFIX}{os.getpid()}-{int(time.time())}"
                path.mkdir(parents=False)
                probe = path / ".write-test"
                probe.write_text("ok")
                probe.unlink()
            except OSError as exc:
                error = OutputError(f"cannot write results under {self.case_dir}: {exc.strerror or exc}")
        if comm.size > 1:
            path, error = comm.bcast((path, error), root=0)
        if error is not None:
            raise error
        self.path: Path = Path(path)

    def _remove_stale(self) -> None:
        recover_interrupted_commit(self.case_dir, PARTIAL_PREFIX, RESULTS, _pid_alive)
        for p in self.case_dir.glob(f"{PARTIAL_PREFIX}*"):
            try:
                pid = int(p.name[len(PARTIAL_PREFIX):].split("-")[0])
            except ValueError:
                continue
            if not _pid_alive(pid):
                shutil.rmtree(p, ignore_errors=True)

    def file(self, name: str) -> Path:
        return self.path / name

    def write_json(self, name: str, data: dict) -> None:
        """Rank 0 writes a JSON file atomically."""
        if self.comm.rank == 0:
            write_atomic(self.file(name), strict_dumps(data, name, indent=2) + "\n")

    def commit(self) -> Path:
        """Swap the finished partial folder in as CASE/results (collective)."""
        self.comm.barrier()
        error = None
        if self.comm.rank == 0:
            try:
                old = None
                with _signals_deferred():  # SIGINT/SIGTERM wait until results/ is whole again
                    if self.final.exists():
                        old = self.case_dir / f"{OLD_PREFIX}{os.getpid()}"
                        os.replace(self.final, old)
                    os.replace(self.path, self.final)
                if old is not None:
                    shutil.rmtree(old, ignore_errors=True)
                failed = self.case_dir / FAILED
                if failed.exists():
                    shutil.rmtree(failed, ignore_errors=True)
            except OSError as exc:
                error = OutputError(f"cannot move results into {self.final}: {exc.strerror or exc}")
        if self.comm.size > 1:
            error = self.comm.bcast(error, root=0)
        if error is not None:
            raise error
        return self.final

    def fail(self, exc: BaseException) -> Path | None:
        """Keep what was written (not collective: safe when ranks fail differently)."""
        if self.comm.rank != 0 or not self.path.exists():
            return None
        info = {"error": str(exc), "type": type(exc).__name__}
        try:
            self.file("summary.json").unlink(missing_ok=True)  # a failed folder never holds a completion marker
            write_atomic(self.file("failure.json"), strict_dumps(info, "failure.json", indent=2) + "\n")
            target = self.case_dir / FAILED
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(self.path, target)
            return target
        except OSError:
            return self.path
