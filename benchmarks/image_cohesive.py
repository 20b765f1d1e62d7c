"""Accuracy of the CT-to-delamination path: tetrahedral image meshes with cohesive interfaces.

    python benchmarks/image_cohesive.py

Cohesive interfaces need tetrahedra (`geometry.element = "tetrahedron"`, 6 per voxel, P1); the
bonded image default is hexahedra (Q1). This runs the 16^3-voxel crop of the shipped tomography
case (cases/nmc811-llzo-tomography, one cell per voxel, the crop of tests/verification/
test_image_hex.py H5) through its cool-down from 1050 C (2 increments) four ways and tabulates the
per-phase mean hydrostatic and von Mises stresses at 25 C:

* hex Q1, bonded (the image default);
* tet P1, bonded (same nodes, same dofs);
* tet P1 with a linear spring NMC811/LLZO interface of K = 1e21 Pa/m (the bonded limit of the
  cohesive path, compliance 1/K);
* tet P1 with the shipped debonding law (cases/nmc811-llzo-debonding: K = 1e18 Pa/m, 100/150 MPa,
  2.4 J/m2, viscosity 0.05), with the interface's damaged and contact fractions.

Writes benchmarks/results/image_cohesive.json and prints a Markdown table (docs/cohesive.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SCRATCH, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CROP = "crop_voxels = [[0, 16], [4, 20], [8, 24]]"
SPRING = '{ type = "spring", normal_stiffness_Pa_per_m = 1e21, shear_stiffness_Pa_per_m = 1e21 }'
DEBOND = ('{ type = "bilinear", penalty_stiffness_Pa_per_m = 1.0e18, normal_strength_Pa = 100e6, '
          'shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.4, GIIc_J_per_m2 = 2.4, viscosity_s = 0.05 }')
VARIANTS = {"hex Q1 bonded": ("hexahedron", None), "tet P1 bonded": ("tetrahedron", None),
            "tet P1 spring 1e21 Pa/m": ("tetrahedron", SPRING), "tet P1 debonding law": ("tetrahedron", DEBOND)}


def case_toml(element: str, law: str | None) -> str:
    """The shipped tomography case, cropped, one cell per voxel, P1/Q1, cool-down only."""
    toml = (ROOT / "cases" / "nmc811-llzo-tomography" / "case.toml").read_text()
    toml = toml.replace('element = "hexahedron"', f'element = "{element}"\n{CROP}').replace("subdivide = 2", "")
    toml = toml[:toml.index('[[stages]]\ntype = "galvanostatic"')] + toml[toml.index("# Symmetry"):]
    toml = toml.replace("[phases]", "[solver]\nelement_degree = 1\n\n[output]\nfields = false\n\n[phases]")
    if law:
        toml += f'\n[[interfaces]]\nname = "NMC811/LLZO"\nlaw = {law}\n'
    return toml


def main() -> None:
    out = {}
    for name, (element, law) in VARIANTS.items():
        work = SCRATCH / "image_cohesive" / name.replace(" ", "_").replace("/", "")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "case.toml").write_text(case_toml(element, law))
        shutil.copy(ROOT / "cases" / "nmc811-llzo-tomography" / "labels.npy", work)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "stressfem.cli", "run", str(work)], check=True, capture_output=True)
        s = json.loads((work / "results" / "summary.json").read_text())
        step = s["steps"][-1]
        out[name] = {"dofs": s["dofs"], "cells": s["cells"], "wall_s": time.perf_counter() - t0,
                     "phases": {p: {k: v[k] for k in ("mean_hydrostatic_Pa", "mean_von_mises_Pa")}
                                for p, v in step["phases"].items()},
                     "interface": step.get("interfaces", {}).get("NMC811/LLZO")}
    write_json("image_cohesive.json", out)
    ref = out["hex Q1 bonded"]["phases"]
    print("| run | cells | dofs | NMC811 hydrostatic | NMC811 von Mises | LLZO hydrostatic | LLZO von Mises | interface |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in out.items():
        cols = []
        for p in ("NMC811", "LLZO"):
            for k in ("mean_hydrostatic_Pa", "mean_von_mises_Pa"):
                v = r["phases"][p][k]
                cols.append(f"{v / 1e6:.1f} MPa ({v / ref[p][k] - 1:+.1%})")
        i = r["interface"]
        iface = f"damaged {i['damaged_fraction']:.3f}, contact {i['contact_fraction']:.3f}" if i else "-"
        print(f"| {name} | {r['cells']} | {r['dofs']} | {' | '.join(cols)} | {iface} |")


if __name__ == "__main__":
    main()
