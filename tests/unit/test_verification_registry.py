"""The report's verification registry matches the test suite, and the report reads no tests.

Requirements (exact checks, no tolerance; run time under 1 s):
* V1 Every check of stressfem/verification/registry.py names an existing test module whose
  docstring has a requirement bullet with the check's id; every physics key has a title.
* V2 Every physics a step kind declares (output/schema.py) is covered by at least one check.
* V3 stressfem/viz/report.py does not open tests (no "tests/verification" path is built there).
"""

from __future__ import annotations

import ast
import re

from conftest import ROOT
from stressfem.output.schema import STEP_KINDS
from stressfem.verification.registry import CHECKS, PHYSICS_TITLES, checks_for


def test_checks_name_existing_requirements():
    for c in CHECKS:
        path = ROOT / c.test
        assert path.is_file(), c.test
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert re.search(rf"^\s*[*-]\s+{re.escape(c.id)}\b", doc, re.M), (c.test, c.id)
        assert c.physics and all(p in PHYSICS_TITLES for p in c.physics), c
        assert c.tolerance


def test_step_kinds_physics_are_covered():
    for kind in STEP_KINDS.values():
        for p in kind.physics:
            assert checks_for(p), (kind.name, p)


def test_report_reads_no_tests():
    code = re.sub(r'"""(.|\n)*?"""', "", (ROOT / "stressfem" / "viz" / "report.py").read_text(encoding="utf-8"))
    assert not re.search(r"""["']tests["']|tests/|ast\.parse|glob\(["']test_""", code)
