"""Recover from a run killed (SIGKILL, power loss) between the two renames that commit results.

``ResultsDir.commit`` renames ``results/`` to ``.results.old-<pid>`` and then the finished
``.results.partial-<pid>-<time>/`` (it holds ``summary.json``, the completion marker) to
``results/``. Killed in between, the case has no ``results/``; the next run, before it starts,
puts back the newest complete folder: the finished partial one if it exists, else the old one.
Leftovers of a kill after the second rename (an ``.results.old-*`` next to ``results/``) are removed.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

__all__ = ["recover_interrupted_commit", "OLD_PREFIX"]

log = logging.getLogger(__name__)

OLD_PREFIX = ".results.old-"
SUMMARY = "summary.json"


def _pid_of(folder: Path, prefix: str) -> int | None:
    try:
        return int(folder.name[len(prefix):].split("-")[0])
    except ValueError:
        return None


def recover_interrupted_commit(case_dir: Path, partial_prefix: str, results: str, alive) -> list[str]:
    """Restore ``results/`` after an interrupted commit; returns what was done (also logged as warnings).

    ``alive(pid)``: whether a process is still running; folders of live processes are left alone.
    """
    case_dir = Path(case_dir)
    final = case_dir / results
    done: list[str] = []
    olds = [p for p in case_dir.glob(f"{OLD_PREFIX}*") if (pid := _pid_of(p, OLD_PREFIX)) is not None and not alive(pid)]
    complete = sorted((p for p in case_dir.glob(f"{partial_prefix}*") if (p / SUMMARY).is_file()
                       and (pid := _pid_of(p, partial_prefix)) is not None and not alive(pid)),
                      key=lambda p: p.stat().st_mtime)
    if not final.exists() and (complete or olds):
        source = complete[-1] if complete else max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(source, final)
        done.append(f"restored {final.name}/ from {source.name} (a run was killed while committing its results)")
    for old in olds:
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"removed {old.name} (previous results replaced by a later complete run)")
    for msg in done:
        log.warning("%s", msg)
    return done
