"""Shared test helpers: run the CLI in a subprocess, serially or under mpiexec."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MPIEXEC = shutil.which("mpiexec", path=str(BIN)) or shutil.which("mpiexec")


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("UCX_TLS", "self,sm,tcp")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("STRESSFEM_NO_PLOT", "1")  # figures are tested in tests/unit/test_viz*.py
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_cli(*args: str, np: int = 1, timeout: float = 900, check: bool = False) -> subprocess.CompletedProcess:
    """Run `stressfem ARGS` (under `mpiexec -n np` when np > 1); returns the finished process."""
    cmd = [sys.executable, "-m", "stressfem.cli", *map(str, args)]
    if np > 1:
        if MPIEXEC is None:
            pytest.skip("mpiexec not found next to the Python interpreter or on PATH")
        cmd = [MPIEXEC, "-n", str(np), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def read_summary(case_dir: Path) -> dict:
    return json.loads((Path(case_dir) / "results" / "summary.json").read_text())


COOLDOWN_NMC_LLZO = """
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"

[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 1
"""  # a one-increment cool-down tail for NMC811/LLZO geometry cases


OCTANT_NMC_LLZO = """
[geometry]
type = "msh"
file = "octant.msh"
length_unit_m = 1e-6
[phases]
particle = "NMC811"
matrix = "LLZO"
"""  # the Lame octant .msh (verification.concentric_spheres.write_octant_msh), NMC811 in LLZO

OCTANT_CASE = OCTANT_NMC_LLZO + """[[stages]]
type = "cooling"
stress_free_temperature_C = 1050
final_temperature_C = 25
increments = 2
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
"""  # the Lame octant (verification.concentric_spheres.write_octant_msh), cooled in 2 increments


UNIFORM_BAR_CASE = """
[geometry]
type = "msh"
file = "bar.msh"
[phases]
bottom = "LLZO"
top = "NMC811"
[materials.NMC811]
youngs_modulus_Pa = 163e9
poisson_ratio = 0.257
[[stages]]
type = "soc"
name = "load"
soc_end = 0.0
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["zmin", "xmin", "ymin"]
[[boundary_conditions]]
type = "traction"
surfaces = ["zmax"]
traction_Pa = [0.0, 0.0, 250e6]
[output]
fields = false
tensile_thresholds_MPa = [251, 249]
"""  # two 2 um cubes (verification.bimetal.write_strip_msh) under a uniform
# 250 MPa tension along z; "top" is NMC811 with the LLZO elastic constants, so the stress is uniform


SMALL_BOX_NMC_LLZO = """
[geometry]
type = "particles"
box_um = [8.0, 8.0, 8.0]
volume_fraction = 0.35
seed = 3
particle_phase = "NMC811"
matrix_phase = "LLZO"
size_distribution = { type = "lognormal", d50_um = 3.5, sigma_ln = 0.2 }

[mesh]
size_um = 1.2
interface_size_um = 0.6
"""  # a generated particle box that meshes in seconds (7 particles, about 11k tetrahedra)


def shipped_case_toml(name: str) -> str:
    """The case.toml of cases/<name> without its packing_file line, for tests that write it to a folder of
    their own (without the packing file) and may change the box: the case then packs from its seed."""
    return (ROOT / "cases" / name / "case.toml").read_text().replace('packing_file = "packing.json"\n', "")


def write_case(folder: Path, toml: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(toml)
    return folder


@pytest.fixture
def cli():
    return run_cli
