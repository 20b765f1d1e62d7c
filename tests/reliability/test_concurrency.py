"""Concurrency and strict JSON (issue 16).

Requirements: a second `stressfem run` of a case that is being run exits (code 5) naming the
holder's pid, and writes nothing; the mesh-cache key changes with every mesh input (mesh.threads
included); JSON writers refuse NaN/Infinity naming where it is. Exact checks.
Run time: about 3 s.
"""

from __future__ import annotations

import os

import pytest
from conftest import COOLDOWN_NMC_LLZO, run_cli

from stressfem.case import load_case
from stressfem.errors import OutputError
from stressfem.geometry.provide import geometry_key
from stressfem.jsonio import finite_or_null, strict_dumps
from stressfem.output.locks import RUN_LOCK, exclusive_lock


def test_second_run_of_a_case_is_refused_naming_the_holder(make_case):
    case = make_case()
    with exclusive_lock(case / RUN_LOCK, "stressfem run", wait=False):
        proc = run_cli("run", case)
    assert proc.returncode == 5, proc.stderr
    assert f"pid {os.getpid()}" in proc.stderr and "in use" in proc.stderr
    assert not (case / "results").exists() and not list(case.glob(".results.partial-*"))


def test_lock_is_released_after_the_holder_exits(make_case):
    case = make_case()
    with exclusive_lock(case / RUN_LOCK, "first", wait=False):
        pass
    with exclusive_lock(case / RUN_LOCK, "second", wait=False):  # would raise if still held
        pass
    with exclusive_lock(case / RUN_LOCK, "third", wait=False), pytest.raises(OutputError, match="third"):
        with exclusive_lock(case / RUN_LOCK, "fourth", wait=False):
            pass


CASE = """
[geometry]
type = "particles"
box_um = [20.0, 20.0, 20.0]
volume_fraction = 0.3
size_distribution = {{ type = "fixed", diameter_um = 6.0 }}
particle_phase = "NMC811"
matrix_phase = "LLZO"

[mesh]
size_um = 2.0
threads = {threads}
"""


def test_mesh_cache_key_includes_threads(tmp_path):
    keys = []
    for threads in (1, 2):
        folder = tmp_path / f"t{threads}"
        folder.mkdir()
        (folder / "case.toml").write_text(CASE.format(threads=threads) + COOLDOWN_NMC_LLZO)
        keys.append(geometry_key(load_case(folder)))
    assert keys[0] != keys[1]


def test_strict_json_names_the_non_finite_value():
    with pytest.raises(OutputError, match=r"steps\[1\]\.phases\.LLZO\.mean is not a finite number"):
        strict_dumps({"steps": [{}, {"phases": {"LLZO": {"mean": float("nan")}}}]}, "summary.json")
    assert finite_or_null({"a": [1.0, float("-inf")]}) == {"a": [1.0, None]}
