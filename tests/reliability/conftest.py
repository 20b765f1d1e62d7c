"""Fixtures of the fault campaign: tiny meshes built once per session, a case factory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_cli  # noqa: F401  (tests/conftest.py; re-exported for the test modules)

from .meshes import BOX_CASE, write_boxes

MESHES = {
    "box": [("matrix", (0.0, 0.0, 0.0, 2.0, 2.0, 2.0))],
    "two_bodies": [("matrix", (0.0, 0.0, 0.0, 2.0, 2.0, 2.0)), ("particle", (3.0, 0.0, 0.0, 2.0, 2.0, 2.0))],
    "unnamed": [("matrix", (0.0, 0.0, 0.0, 2.0, 2.0, 2.0))],
}
ROLLERS = """
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
"""


@pytest.fixture(scope="session")
def mesh_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("meshes")
    for name, boxes in MESHES.items():
        write_boxes(folder / f"{name}.msh", boxes, name_volumes=name != "unnamed")
    return folder


@pytest.fixture
def make_case(tmp_path, mesh_dir):
    """make_case(extra_toml, mesh="box", base=BOX_CASE) -> case folder holding box.msh and case.toml."""

    def make(extra: str = ROLLERS, mesh: str = "box", base: str = BOX_CASE, name: str = "case") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(mesh_dir / f"{mesh}.msh", folder / "box.msh")
        (folder / "case.toml").write_text(base + extra)
        return folder

    return make


def assert_refused(proc, key: str, *words: str, code: int = 2) -> None:
    """Exit code, a message naming the key (and words), a one-line error, no traceback."""
    err = proc.stderr
    assert proc.returncode == code, f"exit {proc.returncode}, expected {code}:\n{proc.stdout}\n{err}"
    assert f"key '{key}'" in err, err
    for w in words:
        assert w in err, f"{w!r} not in:\n{err}"
    assert "Traceback" not in err, err
