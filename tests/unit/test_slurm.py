"""`stressfem slurm`: a SLURM job-array script for a batch.

Requirements:
* L1 the script passes `bash -n`; its array is 0..n-1 for n cases; it asks for the given
  ntasks, time and memory; the launcher is srun (with an --mpi plugin) or mpirun.
* L2 with --container each rank runs `apptainer exec IMAGE stressfem run CASE`.
* L3 case paths with spaces or shell characters are quoted: running the script with a fake
  `srun` on PATH passes the exact path as one argument, and a complete case is skipped.
* L4 bad time or memory strings are refused with a clear message.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import run_cli
from stressfem.batch.slurm import SlurmOptions, slurm_script
from stressfem.errors import StressfemError

BASH = shutil.which("bash")


def _cases(tmp_path, names):
    out = []
    for n in names:
        d = tmp_path / n
        d.mkdir(parents=True)
        (d / "case.toml").write_text("# placeholder\n")
        out.append(d)
    return out


@pytest.mark.skipif(BASH is None, reason="bash not found")
def test_cli_writes_valid_array_script(tmp_path):
    _cases(tmp_path / "sweep", ["a", "b", "c"])
    script = tmp_path / "job.sbatch"
    proc = run_cli("slurm", tmp_path / "sweep", "--ntasks", "4", "--time", "02:30:00", "--mem", "8G",
                   "--launcher", "mpirun", "--max-parallel", "2", "-o", script, check=True)
    assert "3 case(s)" in proc.stdout
    text = script.read_text()
    assert subprocess.run([BASH, "-n", str(script)]).returncode == 0
    for line in ("#SBATCH --array=0-2%2", "#SBATCH --ntasks=4", "#SBATCH --time=02:30:00", "#SBATCH --mem=8G"):
        assert line in text
    assert 'mpirun -n "$SLURM_NTASKS"' in text and "stressfem.cli run" in text
    assert os.access(script, os.X_OK)


@pytest.mark.skipif(BASH is None, reason="bash not found")
def test_container_and_srun(tmp_path):
    cases = _cases(tmp_path, ["x"])
    text = slurm_script(cases, SlurmOptions(ntasks=2, container=str(tmp_path / "stressfem.sif"), binds=("/scratch",)))
    assert "#SBATCH --array=0-0" in text
    assert "srun --mpi=pmi2" in text and f"apptainer exec --bind {tmp_path.resolve()} --bind /scratch" in text
    assert "stressfem run" in text
    f = tmp_path / "s.sh"
    f.write_text(text)
    assert subprocess.run([BASH, "-n", str(f)]).returncode == 0


@pytest.mark.skipif(BASH is None, reason="bash not found")
def test_quoting_and_skip_complete(tmp_path):
    cases = _cases(tmp_path, ["with space", "semi;colon $(touch pwned)", "done"])
    (cases[2] / "results").mkdir()
    (cases[2] / "results" / "summary.json").write_text("{}")
    text = slurm_script(cases, SlurmOptions(ntasks=3))
    script = tmp_path / "job.sh"
    script.write_text(text)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "srun").write_text('#!/bin/sh\nfor a in "$@"; do printf "<%s>\\n" "$a"; done\n')
    (fake / "srun").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", SLURM_NTASKS="3", SLURM_ARRAY_JOB_ID="9")
    for i, case in enumerate(cases):
        out = subprocess.run([BASH, str(script)], env=dict(env, SLURM_ARRAY_TASK_ID=str(i)),
                             capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        if case.name == "done":
            assert "complete, skipped" in out.stdout and "<run>" not in out.stdout
        else:
            assert f"<{case.resolve()}>" in out.stdout and "<--ntasks=3>" in out.stdout
    assert not (tmp_path / "pwned").exists()  # nothing in a case name was executed


def test_bad_options():
    with pytest.raises(StressfemError, match="--time"):
        slurm_script([], SlurmOptions(time="2 hours"))
    with pytest.raises(StressfemError, match="--mem"):
        slurm_script([], SlurmOptions(mem="lots"))
    with pytest.raises(StressfemError, match="launcher"):
        slurm_script([], SlurmOptions(launcher="ssh"))
