"""Issue 12: the shipped generated cases mesh to the same mesh on every machine of this kind.

Usage: python benchmarks/mesh_fingerprints.py [--write] [CASE ...]   (default: every case in cases/
whose geometry is generated or an image). Each case is copied to a temporary folder (no cached mesh),
meshed, and its fingerprint (stressfem/geometry/fingerprint.py: SHA-256 of the .msh bytes, a rounded
geometry hash, node and cell counts) compared with the committed cases/<case>/mesh-fingerprint.json;
``--write`` writes that file instead. Exit status 1 if any case differs. The fast cases are checked
in the suite too (tests/verification/test_mesh_fingerprint.py). Run with UCX_TLS=self,sm,tcp; the
design cell takes about 6 min at load 12 (measured times are printed).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from stressfem.case import MshGeometry, load_case
from stressfem.geometry.fingerprint import FINGERPRINT_FILE, case_fingerprint, compare_fingerprints

ROOT = Path(__file__).resolve().parents[1]


def shipped_cases() -> list[Path]:
    """Case folders under cases/ whose mesh is made by stressfem (not a user .msh)."""
    return [c.parent for c in sorted(ROOT.glob("cases/*/case.toml"))
            if not isinstance(load_case(c.parent).case.geometry, MshGeometry)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="*", help="case folders (default: the shipped generated and image cases)")
    ap.add_argument("--write", action="store_true", help="write cases/<case>/mesh-fingerprint.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    failed = 0
    for case in [Path(c) for c in args.cases] or shipped_cases():
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as work:
            got = case_fingerprint(case, work)
        seconds = time.perf_counter() - t0
        target = case / FINGERPRINT_FILE
        if args.write:
            target.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
            print(f"{case.name}: written ({got['n_cells']} cells, {got['n_nodes']} nodes, {seconds:.0f} s)")
            continue
        diff = compare_fingerprints(json.loads(target.read_text()), got) if target.is_file() else ["no fingerprint"]
        failed += bool(diff)
        print(f"{case.name}: {'identical' if not diff else 'DIFFERENT'} ({got['n_cells']} cells, {seconds:.0f} s)")
        for line in diff:
            print(f"    {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
