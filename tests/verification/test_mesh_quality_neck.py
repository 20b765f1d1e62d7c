"""Mesh quality that holds for every seed named: contact = "neck" (issue 12).

The floor, box and method are those of test_mesh_quality_seeds.py (its docstring gives the measured
minima); this file only holds the neck seeds so that `make test`'s two pytest workers (--dist
loadfile) share the meshing time.
"""

from __future__ import annotations

import pytest

from test_mesh_quality_seeds import SEEDS, check_min_quality

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", SEEDS["neck"])
def test_neck_min_quality_for_every_seed(tmp_path, seed):
    check_min_quality(tmp_path, "neck", seed)
