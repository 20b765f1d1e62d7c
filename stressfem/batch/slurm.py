"""A SLURM job-array script for a batch of cases: one array task per case, N MPI ranks each.

The script is plain bash for ``sbatch``: case paths are embedded shell-quoted, an array task
skips its case when it is already complete (the same rule as ``stressfem batch``), and the
run is started with ``srun`` or ``mpirun``, directly or inside an Apptainer image.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from ..child import python_module_command
from ..errors import StressfemError

__all__ = ["SlurmOptions", "slurm_script"]

_TIME = re.compile(r"^(\d+-)?\d{1,3}(:\d{2}){0,2}$")
_MEM = re.compile(r"^\d+[KMGT]?$")
_NAME = re.compile(r"^[A-Za-z0-9_.+\-]+$")


@dataclass
class SlurmOptions:
    ntasks: int = 1
    time: str = "01:00:00"
    mem: str = "4G"
    launcher: str = "srun"  # srun | mpirun
    container: str | None = None  # path of an Apptainer .sif
    job_name: str = "stressfem"
    partition: str | None = None
    account: str | None = None
    max_parallel: int | None = None  # at most this many array tasks at once (%N)
    srun_mpi: str = "pmi2"  # srun --mpi= plugin that the MPICH in stressfem's venv speaks
    python: str | None = None  # the Python with stressfem installed (default: this one)
    binds: tuple[str, ...] = ()  # extra apptainer --bind specs
    log_dir: str | None = None  # folder of the per-task logs (must exist when the job starts)


def _check(opts: SlurmOptions) -> None:
    if opts.ntasks < 1:
        raise StressfemError("--ntasks must be at least 1")
    if not _TIME.match(opts.time):
        raise StressfemError(f"--time {opts.time!r}: use HH:MM:SS, MM:SS or D-HH:MM:SS")
    if not _MEM.match(opts.mem):
        raise StressfemError(f"--mem {opts.mem!r}: use a number with an optional K, M, G or T suffix, e.g. 4G")
    if opts.launcher not in ("srun", "mpirun"):
        raise StressfemError(f"--launcher {opts.launcher!r}: use srun or mpirun")
    for label, value in (("--job-name", opts.job_name), ("--partition", opts.partition),
                         ("--account", opts.account), ("--srun-mpi", opts.srun_mpi)):
        if value is not None and not _NAME.match(value):
            raise StressfemError(f"{label} {value!r}: letters, digits and _ . + - only")
    if opts.max_parallel is not None and opts.max_parallel < 1:
        raise StressfemError("--max-parallel must be at least 1")


def _case_binds(cases: list[Path]) -> list[str]:
    """Folders the container must see: the cases' common parent and any .msh file outside it."""
    from ..case import MshGeometry, load_case
    from ..errors import CaseError

    resolved = [Path(c).resolve() for c in cases]
    root = Path(os.path.commonpath([str(c.parent) for c in resolved]))
    binds = [root]
    for c in resolved:
        try:
            loaded = load_case(c)
        except CaseError:
            continue  # the run itself will report it
        if isinstance(loaded.case.geometry, MshGeometry):
            folder = loaded.msh_path().resolve().parent
            if not any(folder.is_relative_to(b) for b in binds):
                binds.append(folder)
    return [str(b) for b in binds]


def slurm_script(cases: list[Path], opts: SlurmOptions) -> str:
    """The text of the sbatch script (array indices 0 .. len(cases)-1)."""
    _check(opts)
    if not cases:
        raise StressfemError("no cases for the job array")
    q = shlex.quote
    n = len(cases)
    array = f"0-{n - 1}" + (f"%{opts.max_parallel}" if opts.max_parallel else "")
    sb = [f"#SBATCH --job-name={opts.job_name}", f"#SBATCH --array={array}", f"#SBATCH --ntasks={opts.ntasks}",
          f"#SBATCH --time={opts.time}", f"#SBATCH --mem={opts.mem}", "#SBATCH --cpus-per-task=1",
          f"#SBATCH --output={opts.log_dir.rstrip('/') + '/' if opts.log_dir else ''}%x-%A_%a.out"]
    if opts.partition:
        sb.append(f"#SBATCH --partition={opts.partition}")
    if opts.account:
        sb.append(f"#SBATCH --account={opts.account}")
    case_lines = "\n".join(f"    {q(str(Path(c).resolve()))}" for c in cases)
    if opts.container:
        sif = str(Path(opts.container).resolve())
        binds = " ".join(f"--bind {q(b)}" for b in (*_case_binds(cases), *opts.binds))
        stressfem = f"apptainer exec {binds} {q(sif)} stressfem"
        check = f"[ -f {q(sif)} ] || {{ echo \"container image not found: {sif}\" >&2; exit 2; }}"
    else:
        python = opts.python or sys.executable
        stressfem = " ".join(q(a) for a in python_module_command("stressfem.cli", python))
        check = f"[ -x {q(python)} ] || {{ echo \"python not found: {python}\" >&2; exit 2; }}"
    if opts.launcher == "srun":
        launch = f"srun --mpi={opts.srun_mpi} --ntasks=\"$SLURM_NTASKS\" {stressfem} run \"$CASE\""
    else:
        launch = f"mpirun -n \"$SLURM_NTASKS\" {stressfem} run \"$CASE\""
    return f"""#!/bin/bash
# SLURM job array written by `stressfem slurm`: {n} case(s), one array task per case,
# {opts.ntasks} MPI rank(s) each, launched with {opts.launcher}{' inside ' + Path(opts.container).name if opts.container else ''}.
# Submit: {'mkdir -p ' + q(opts.log_dir) + ' && ' if opts.log_dir else ''}sbatch THIS_FILE  (logs: %x-%A_%a.out)
{chr(10).join(sb)}
set -euo pipefail

CASES=(
{case_lines}
)
if [ -z "${{SLURM_ARRAY_TASK_ID:-}}" ]; then
    echo "run this script with sbatch (it is a job array of ${{#CASES[@]}} tasks)" >&2
    exit 2
fi
CASE="${{CASES[$SLURM_ARRAY_TASK_ID]}}"
SUMMARY="$CASE/results/summary.json"
if [ -f "$SUMMARY" ] && ! [ "$CASE/case.toml" -nt "$SUMMARY" ]; then
    echo "complete, skipped: $CASE"
    exit 0
fi
{check}
export OMP_NUM_THREADS="${{OMP_NUM_THREADS:-1}}"
echo "case $CASE: $SLURM_NTASKS rank(s) on $(hostname), task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID"
{launch}
"""
