"""The shipped coated-particle case cases/ncm85-zro2-llzo (issue 15): ZrO2-coated NCM85 in LLZO.

Requirements:
* C1 `stressfem check` accepts the shipped case (its packing.json included) with three phases.
* C2 A coarse copy (8 um box, 0.5 um shell, P1, no fields; packed from the seed) runs through the
  cool-down and the charge, reports the three phases in summary.json (cores + shells fill the
  coated-particle volume fraction 0.35 within 2 %) and gives the signs the expansion
  mismatch dictates after the cool-down: the LLZO matrix (largest CTE, 1.5e-5 1/K) in mean hydrostatic
  tension, the NCM85 cores (1.3e-5 1/K) and the ZrO2 shells (1.05e-5 1/K, smallest) in compression.
  About 40 s.
"""

from __future__ import annotations

import math

from conftest import ROOT, read_summary, run_cli, shipped_case_toml, write_case

CASE = ROOT / "cases" / "ncm85-zro2-llzo"


def test_shipped_coated_case_checks():
    proc = run_cli("check", CASE)
    assert proc.returncode == 0, proc.stderr
    assert "3 phases" in proc.stdout and (CASE / "packing.json").is_file()


def test_coarse_coated_case_runs(tmp_path):
    toml = shipped_case_toml("ncm85-zro2-llzo")
    for old, new in (("box_um = [10.0, 10.0, 10.0]", "box_um = [8.0, 8.0, 8.0]"),
                     ("thickness_um = 0.3", "thickness_um = 0.5"),
                     ("size_um = 1.2\ninterface_size_um = 0.6", "size_um = 1.5\ninterface_size_um = 0.75"),
                     ("[phases]", "[solver]\nelement_degree = 1\n\n[output]\nfields = false\n\n[phases]")):
        assert old in toml, old
        toml = toml.replace(old, new, 1)
    folder = write_case(tmp_path / "coarse", toml)
    run_cli("run", folder, check=True)
    summary = read_summary(folder)
    cool = summary["steps"][0]["phases"]
    assert set(cool) == {"NCM85", "LLZO", "ZrO2"}
    assert cool["LLZO"]["mean_hydrostatic_Pa"] > 0
    assert cool["NCM85"]["mean_hydrostatic_Pa"] < 0 and cool["ZrO2"]["mean_hydrostatic_Pa"] < 0
    solid = cool["ZrO2"]["volume_m3"] + cool["NCM85"]["volume_m3"]  # coated particles: volume_fraction 0.35
    assert math.isclose(solid, 0.35 * (8e-6) ** 3, rel_tol=0.02), solid / (8e-6) ** 3
    assert 0.2 < cool["ZrO2"]["volume_m3"] / solid < 0.8  # a 0.5 um shell on ~1.75 um radii: about 60 %
