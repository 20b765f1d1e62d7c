"""Interface strength x electrolyte modulus: the critical state of charge for debonding.

    python benchmarks/debonding_sweep.py [--sweep cases/sweeps/debonding-strength-modulus/SWEEP.toml]

Generates the cases with the `stressfem sweep` machinery (base case = the folder `base` next to
SWEEP.toml), runs those without results through the Python API (serially, in this process),
then reads each history.csv and prints a table: the state of charge at which half of the
interface is damaged (damage onset has spread) and at which any of it is fully debonded, with the
particle's free volumetric chemical strain at those states. Writes `critical_soc.csv` in the
sweep's output folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def first_crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """First x where y reaches level (linear interpolation), NaN if never."""
    idx = np.flatnonzero(y >= level)
    if len(idx) == 0:
        return float("nan")
    i = int(idx[0])
    if i == 0 or y[i] == y[i - 1]:
        return float(x[i])
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def volume_strain(material, soc: float) -> float:
    """Free volumetric chemical strain (-) of a material at a state of charge (NaN if unknown)."""
    table = getattr(material, "chemical_strain", None)
    if table is None or not np.isfinite(soc):
        return float("nan")
    ea, ec = table.strains(np.array([table.x_from_soc(soc), table.x_soc0]))
    return float((2 * ea[0] + ec[0]) - (2 * ea[1] + ec[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", type=Path, default=ROOT / "cases" / "sweeps" / "debonding-strength-modulus" / "SWEEP.toml")
    ap.add_argument("--interface", default="particle/matrix")
    ap.add_argument("--particle", default="particle")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from stressfem.batch.sweep import generate, read_sweep
    from stressfem.case import load_case
    from stressfem.materials import resolve_materials
    from stressfem.solver.driver import run_case

    spec = read_sweep(args.sweep)
    cases = generate(args.sweep.parent / "base", spec)
    rows = []
    for c in cases:
        if not (c.directory / "results" / "summary.json").is_file():
            print(f"running {c.directory.name}", flush=True)
            run_case(c.directory)
        with open(c.directory / "results" / "history.csv") as fh:
            hist = [r for r in csv.DictReader(fh) if r["stage"] != "cooldown"]
        soc = np.array([float(r["soc"]) for r in hist])
        damaged = np.array([float(r[f"{args.interface}.damaged_fraction"]) for r in hist])
        debonded = np.array([float(r[f"{args.interface}.debonded_fraction"]) for r in hist])
        m = resolve_materials(load_case(c.directory))[args.particle]
        s_half, s_deb = first_crossing(soc, damaged, 0.5), first_crossing(soc, debonded, 1e-9)
        rows.append({**{k.split(".")[-1]: v for k, v in c.values.items()},
                     "soc_half_damaged": s_half, "volume_strain_half_damaged": volume_strain(m, s_half),
                     "soc_first_debonded": s_deb, "volume_strain_first_debonded": volume_strain(m, s_deb),
                     "final_damaged_fraction": float(damaged[-1]), "final_debonded_fraction": float(debonded[-1])})
    out = spec.output / "critical_soc.csv"
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(json.dumps(rows, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
