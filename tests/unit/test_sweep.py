"""`stressfem sweep`: SWEEP.toml -> ordinary case directories.

Requirements:
* S1 product mode gives every combination (last key fastest), zip mode pairs values side by side.
* S2 any dotted case.toml key can be swept, list items (`stages[0].x`) and new tables
  (`materials.LLZO.youngs_modulus_Pa`) included; each generated case loads with load_case and
  holds exactly the swept values.
* S3 names are readable (`volume_fraction=0.3__seed=2`), unique and the same on every run;
  re-generating leaves unchanged cases untouched (their results stay valid).
* S4 an invalid value is reported with the case, the swept key and value, and nothing is written.
* S5 a relative `geometry.file` (msh cases) still points at the base case's mesh.
* S6 a base whose packing is fixed by `geometry.packing_file` keeps it (path followed) when the sweep
  leaves [geometry] alone; a sweep of [geometry] keys (seed, box) drops it, says so in each generated
  case.toml and warns, so that each case really packs from its own seed.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import run_cli
from stressfem.batch.dotted import PathError, parse_path, set_path
from stressfem.batch.sweep import PARAMETERS_FILE, expand, generate, read_sweep
from stressfem.case import load_case
from stressfem.errors import CaseError

TINY = """
[geometry]
type = "particles"
box_um = [10.0, 10.0, 10.0]
volume_fraction = 0.2
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 1
size_distribution = { type = "fixed", diameter_um = 5.0 }
[mesh]
size_um = 3.0
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
"""


@pytest.fixture
def base(tmp_path) -> Path:
    d = tmp_path / "base"
    d.mkdir()
    (d / "case.toml").write_text(TINY)
    return d


def _sweep(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "sweep.toml"
    f.write_text(text)
    return f


def test_parse_path():
    assert parse_path("stages[0].final_temperature_C") == ["stages", 0, "final_temperature_C"]
    assert parse_path("materials.LLZO.youngs_modulus_Pa") == ["materials", "LLZO", "youngs_modulus_Pa"]
    with pytest.raises(PathError):
        parse_path("geometry..seed")
    doc = {"stages": [{"a": 1}]}
    with pytest.raises(PathError, match="out of range"):
        set_path(doc, "stages[3].a", 2)


def test_product_and_names(tmp_path, base):
    f = _sweep(tmp_path, """
mode = "product"
output = "vf-seed"
[parameters]
"geometry.volume_fraction" = [0.2, 0.25]
"geometry.seed" = [1, 2, 3]
"materials.LLZO.youngs_modulus_Pa" = [1.5e11]
"stages[0].final_temperature_C" = [-20.0]
""")
    spec = read_sweep(f)
    cases = generate(base, spec)
    assert len(cases) == 6
    assert [c.name for c in cases][:2] == [
        "volume_fraction=0.2__seed=1__youngs_modulus_Pa=1.5e11__final_temperature_C=-20",
        "volume_fraction=0.2__seed=2__youngs_modulus_Pa=1.5e11__final_temperature_C=-20"]
    for c in cases:
        loaded = load_case(c.directory)
        g = loaded.case.geometry
        assert (g.volume_fraction, g.seed) == (c.values["geometry.volume_fraction"], c.values["geometry.seed"])
        assert loaded.case.materials["LLZO"].youngs_modulus_Pa == 1.5e11
        assert loaded.case.stages[0].end_K == pytest.approx(253.15)
        assert json.loads((c.directory / PARAMETERS_FILE).read_text())["parameters"] == c.values
    manifest = json.loads((tmp_path / "vf-seed" / "sweep.json").read_text())
    assert [m["name"] for m in manifest["cases"]] == [c.name for c in cases]
    # S3: a second generation changes nothing
    again = generate(base, read_sweep(f))
    assert [c.name for c in again] == [c.name for c in cases]
    assert {c.state for c in again} == {"unchanged"}


def test_zip_and_nested_table_form(tmp_path, base):
    f = _sweep(tmp_path, """
mode = "zip"
[parameters.geometry]
volume_fraction = [0.2, 0.25]
seed = [7, 8]
""")
    cases = expand(read_sweep(f))
    assert [c.name for c in cases] == ["volume_fraction=0.2__seed=7", "volume_fraction=0.25__seed=8"]
    bad = _sweep(tmp_path, 'mode = "zip"\n[parameters]\n"geometry.seed" = [1, 2]\n"geometry.volume_fraction" = [0.2]\n')
    with pytest.raises(CaseError, match="one length"):
        read_sweep(bad)


def test_colliding_labels_use_longer_paths(tmp_path, base):
    f = _sweep(tmp_path, """
[parameters]
"materials.LLZO.youngs_modulus_Pa" = [1.4e11]
"materials.NMC811.youngs_modulus_Pa" = [1.9e11]
""")
    (case,) = generate(base, read_sweep(f))
    assert case.name == "LLZO.youngs_modulus_Pa=1.4e11__NMC811.youngs_modulus_Pa=1.9e11"


def test_invalid_value_names_case_key_and_value(tmp_path, base):
    f = _sweep(tmp_path, """
output = "bad"
[parameters]
"geometry.volume_fraction" = [0.3, 0.9]
""")
    with pytest.raises(CaseError) as info:
        generate(base, read_sweep(f))
    msg = str(info.value)
    assert "volume_fraction=0.9" in msg and "geometry.volume_fraction = 0.9" in msg
    assert "volume_fraction=0.3:" not in msg
    assert not list((tmp_path / "bad").glob("*/case.toml"))
    # through the CLI: exit code 2 and the same message
    proc = run_cli("sweep", base, f)
    assert proc.returncode == 2 and "geometry.volume_fraction = 0.9" in proc.stderr


def test_unknown_key_is_reported(tmp_path, base):
    f = _sweep(tmp_path, '[parameters]\n"geometry.volume_fractoin" = [0.3]\n')
    with pytest.raises(CaseError, match="volume_fractoin"):
        generate(base, read_sweep(f))


def test_msh_geometry_path_follows(tmp_path):
    base = tmp_path / "cases" / "msh-base"
    base.mkdir(parents=True)
    (base / "part.msh").write_text("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n")
    (base / "case.toml").write_text('[geometry]\ntype = "msh"\nfile = "part.msh"\n[phases]\na = "LLZO"\n'
                                    '[[stages]]\ntype = "cooling"\nstress_free_temperature_C = 100\n'
                                    'final_temperature_C = 25\n')
    f = _sweep(tmp_path, 'output = "elsewhere/deeper"\n[parameters]\n"stages[0].increments" = [1, 2]\n')
    cases = generate(base, read_sweep(f))
    for c in cases:
        loaded = load_case(c.directory)
        assert loaded.msh_path().resolve() == (base / "part.msh").resolve()
        assert tomllib.loads((c.directory / "case.toml").read_text())["geometry"]["file"].startswith("../")


def test_same_geometry_reuses_base_mesh(tmp_path, base):
    from stressfem.geometry.provide import geometry_key

    stem = f"particles-{geometry_key(load_case(base))}"
    (base / "mesh").mkdir()
    for suffix in (".msh", ".json"):
        (base / "mesh" / f"{stem}{suffix}").write_text("cached\n")
    f = _sweep(tmp_path, '[parameters]\n"materials.LLZO.youngs_modulus_Pa" = [1.4e11]\n"geometry.seed" = [1, 2]\n')
    same, other = generate(base, read_sweep(f))
    assert (same.directory / "mesh" / f"{stem}.msh").stat().st_ino == (base / "mesh" / f"{stem}.msh").stat().st_ino
    assert not (other.directory / "mesh").exists()  # seed 2: another geometry, meshed on its first run


def test_packing_file_kept_or_dropped_explicitly(tmp_path, caplog):
    import shutil

    from conftest import ROOT

    base = tmp_path / "cases" / "periodic"
    shutil.copytree(ROOT / "cases" / "nmc811-llzo-cooldown-periodic", base, ignore=shutil.ignore_patterns("results", "mesh"))
    kept = generate(base, read_sweep(_sweep(tmp_path, 'output = "kept"\n[parameters]\n"mesh.size_um" = [1.5, 2.0]\n')))
    for c in kept:
        geometry = tomllib.loads((c.directory / "case.toml").read_text())["geometry"]
        assert (c.directory / geometry["packing_file"]).resolve() == (base / "packing.json").resolve()
    varied = generate(base, read_sweep(_sweep(tmp_path, 'output = "varied"\n[parameters]\n"geometry.seed" = [1, 2]\n')))
    for c in varied:
        text = (c.directory / "case.toml").read_text()
        assert "packing_file" not in tomllib.loads(text)["geometry"]
        assert "# geometry.packing_file of the base dropped: this sweep varies geometry.seed" in text
    assert "do not use the base's geometry.packing_file" in caplog.text
