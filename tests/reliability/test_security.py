"""Security (issue 16): a case file is data; it never makes stressfem write outside the case or import code.

Requirements: (1) every PETSc-option attack of the campaign is refused by `stressfem check` and by
`stressfem run` (exit 2, the option named), no file appears outside the case, and a
``helper_module.py`` importable from the working directory (the CLI is started with ``python -m``
there, so the working directory IS on its import path) is never imported; (2) child processes of
`stressfem batch` do not import a ``stressfem`` package lying in the working directory (a control
run shows that plain ``python -m`` would); the SLURM script starts Python with ``-P``.
Exact checks. Run time: about 25 s.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import _env

from .conftest import assert_refused

ATTACKS = {
    "ksp_view to a file": ('{{ ksp_view = "ascii:{outside}/overwritten.txt" }}', "ksp_view"),
    "ksp_view_mat binary": ('{{ ksp_view_mat = "binary:{outside}/matrix.bin" }}', "ksp_view_mat"),
    "python preconditioner": ('{{ pc_type = "python", pc_python_type = "helper_module.PC" }}', "pc_type"),
    "python type alone": ('{{ pc_python_type = "helper_module.PC" }}', "pc_python_type"),
    "options file": ('{{ options_file = "{outside}/more.rc" }}', "options_file"),
    "monitor to a file": ('{{ ksp_monitor = "ascii:{outside}/monitor.txt" }}', "ksp_monitor"),
}
MARKER_MODULE = "import pathlib\npathlib.Path({marker!r}).write_text('imported')\n"


@pytest.fixture
def hostile(tmp_path):
    """(working dir with helper_module.py, outside dir that must stay empty, marker path)."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    marker = tmp_path / "IMPORTED"
    (work / "helper_module.py").write_text(MARKER_MODULE.format(marker=str(marker)))
    return work, outside, marker


def _cli(cwd: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stressfem.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=_env())


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_petsc_option_attacks_are_refused(make_case, hostile, attack):
    work, outside, marker = hostile
    options, option = ATTACKS[attack]
    from .conftest import ROLLERS

    case = make_case(ROLLERS + "\n[solver]\npetsc_options = " + options.format(outside=outside) + "\n")
    for command in ("check", "run"):
        proc = _cli(work, command, case)
        assert_refused(proc, "solver.petsc_options", f"'{option}'")
    assert list(outside.iterdir()) == [], "a file was written outside the case"
    assert not marker.exists(), "helper_module was imported"
    assert not (case / "results").exists()


def test_batch_children_do_not_import_from_the_working_directory(make_case, hostile):
    work, _, marker = hostile
    fake = work / "stressfem"
    fake.mkdir()
    (fake / "__init__.py").write_text(MARKER_MODULE.format(marker=str(marker)) + "raise SystemExit(99)\n")
    control = subprocess.run([sys.executable, "-c", "import stressfem"], cwd=work, capture_output=True, text=True)
    assert control.returncode == 99 and marker.exists(), "control: the working directory shadows the package"
    marker.unlink()
    case = make_case()
    console = Path(sys.executable).parent / "stressfem"  # the console script: no working dir on its path
    proc = subprocess.run([str(console), "batch", str(case), "--no-plot"], cwd=work, capture_output=True, text=True,
                          timeout=600, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (case / "results" / "summary.json").is_file()
    assert not marker.exists(), "a batch child imported the stressfem folder of the working directory"


def test_slurm_script_starts_python_without_the_working_directory(tmp_path, make_case):
    from stressfem.batch.slurm import SlurmOptions, slurm_script

    text = slurm_script([make_case()], SlurmOptions(ntasks=2))
    assert " -P -m stressfem.cli run" in text
