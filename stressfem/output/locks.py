"""Advisory file locks (fcntl.flock): one `stressfem run` per case folder, one builder per cached mesh.

The kernel releases a flock when its holder exits, however it exits (SIGKILL included), so a lock
is never stale; the lock file keeps the holder's pid, host and start time for the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError

__all__ = ["exclusive_lock", "run_lock", "RUN_LOCK"]

log = logging.getLogger(__name__)

RUN_LOCK = ".stressfem-run.lock"


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"pid {info.get('pid')} on {info.get('host')} (since {info.get('since')}, `{info.get('what')}`)"


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str, *, wait: bool) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) for the ``with`` block.

    ``wait``: block until the holder releases it (logged); otherwise raise OutputError naming the holder.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write results under {path.parent}: {exc.strerror or exc} (creating the lock "
                          f"file {path.name})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise OutputError(f"{path.parent} is in use by {holder}; wait for it to finish (or stop it), then "
                                  f"run again") from None
            log.info("waiting for %s, which holds %s", holder, path.name)
            fcntl.flock(fd, fcntl.LOCK_EX)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "what": what,
              "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def run_lock(case_dir: Path, comm) -> Iterator[None]:
    """One `stressfem run` per case folder: rank 0 holds CASE/.stressfem-run.lock (collective)."""
    error, held = None, None
    if comm.rank == 0:
        held = exclusive_lock(Path(case_dir) / RUN_LOCK, "stressfem run", wait=False)
        try:
            held.__enter__()
        except OutputError as exc:
            error, held = exc, None
    if comm.size > 1:
        error = comm.bcast(error, root=0)
    if error is not None:
        raise error
    try:
        yield
    finally:
        if held is not None:
            held.__exit__(None, None, None)
