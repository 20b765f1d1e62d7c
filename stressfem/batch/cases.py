"""Which case directories a batch means, and when a case counts as complete."""

from __future__ import annotations

import glob
from pathlib import Path

from ..case import CASE_FILE
from ..errors import CaseError
from ..output.results_dir import RESULTS

__all__ = ["find_cases", "is_complete", "SUMMARY"]

SUMMARY = "summary.json"


def _expand_one(arg: str) -> list[Path]:
    matches = sorted(glob.glob(arg)) if glob.has_magic(arg) else [arg]
    if not matches:
        raise CaseError(arg, "", "the pattern matches nothing")
    out: list[Path] = []
    for m in map(Path, matches):
        if m.is_file() and m.name == CASE_FILE:
            out.append(m.parent)
        elif (m / CASE_FILE).is_file():
            out.append(m)
        elif m.is_dir():  # a folder of cases, e.g. the output of `stressfem sweep`
            inner = sorted(p.parent for p in m.glob(f"*/{CASE_FILE}") if not p.parent.name.startswith("."))
            if not inner and not glob.has_magic(arg):
                raise CaseError(str(m), "", f"neither a case ({CASE_FILE}) nor a folder of cases")
            out += inner
        elif not glob.has_magic(arg):
            raise CaseError(str(m), "", "no such case directory")
    return out


def find_cases(paths: list[str]) -> list[Path]:
    """Case directories from directories, globs, case.toml files or folders of cases; each once, in order."""
    seen: dict[Path, None] = {}
    for arg in paths:
        for p in _expand_one(str(arg)):
            seen.setdefault(p.resolve(), None)
    if not seen:
        raise CaseError(" ".join(map(str, paths)), "", "no case directories found")
    return list(seen)


def is_complete(case_dir: Path) -> bool:
    """CASE/results/summary.json exists and is newer than CASE/case.toml (the same rule as the SLURM script)."""
    summary = Path(case_dir) / RESULTS / SUMMARY
    toml = Path(case_dir) / CASE_FILE
    try:
        return summary.stat().st_mtime >= toml.stat().st_mtime
    except OSError:
        return False
