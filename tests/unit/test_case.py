"""Case validation: bad input exits with code 2 and names the file, the key and what is allowed.

Requirement: `stressfem check CASE` validates without solving; unknown keys are errors; every
message names the file, the dotted key and the allowed values; `run` refuses the same input
before any solve and leaves no results behind.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, run_cli, write_case

DEMO = (ROOT / "cases" / "nmc811-llzo-cooldown" / "case.toml").read_text()


def test_shipped_case_checks(tmp_path):
    proc = run_cli("check", ROOT / "cases" / "nmc811-llzo-cooldown")
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout


BAD = [
    # (description, replacement old -> new, expected key, expected words in message)
    ("unknown top-level key", ("[phases]", "[phase]"), "phase", ["unknown key", "allowed keys here", "phases"]),
    ("typo in geometry key", ("volume_fraction = 0.35", "volume_fracton = 0.35"), "geometry.volume_fracton",
     ["unknown key", "volume_fraction"]),
    ("bad geometry type", ('type = "particles"', 'type = "spheres"'), "geometry", ["particles", "msh"]),
    ("fraction out of range", ("volume_fraction = 0.35", "volume_fraction = 0.95"), "geometry.volume_fraction",
     ["less than or equal to"]),
    ("negative size", ("d50_um = 6.0", "d50_um = -6.0"), "geometry.size_distribution.d50_um", ["greater than or equal to 0.01"]),
    ("unknown material", ('NMC811 = "NMC811"', 'NMC811 = "NMC999"'), "phases", ["NMC999", "LLZO", "NCM85"]),
    ("both K and C", ("final_temperature_C = 25.0", "final_temperature_C = 25.0\nfinal_temperature_K = 298.15"),
     "stages[0]", ["exactly one of final_temperature_K or final_temperature_C"]),
    ("bad stage type", ('type = "cooling"', 'type = "heating"'), "stages[0]", ["cooling"]),
    ("string for number", ("increments = 5", 'increments = "five"'), "stages[0].increments", ["integer"]),
    ("bad bc type", ('type = "roller"', 'type = "hinge"'), "boundary_conditions[0]", ["roller", "fixed", "pressure"]),
    ("bad petsc option name", ("[phases]", '[solver]\npetsc_options = { "ksp type" = "cg" }\n[phases]'),
     "solver.petsc_options", ["pattern"]),
    ("phase missing", ('LLZO = "LLZO"\n', ""), "phases", ["matrix_phase", "LLZO"]),
    ("not TOML", ("[phases]", "[phases"), "", ["not valid TOML"]),
]


@pytest.mark.parametrize("desc,change,key,words", BAD, ids=[b[0] for b in BAD])
def test_bad_input(tmp_path, desc, change, words, key):
    old, new = change
    assert old in DEMO
    folder = write_case(tmp_path / "bad", DEMO.replace(old, new, 1))
    proc = run_cli("check", folder)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    msg = proc.stderr
    assert str(folder / "case.toml") in msg
    if key:
        assert f"key '{key}'" in msg, msg
    for w in words:
        assert w in msg, (w, msg)
    assert "Traceback" not in msg


def test_missing_case_file(tmp_path):
    proc = run_cli("check", tmp_path / "nowhere")
    assert proc.returncode == 2
    assert "case.toml" in proc.stderr and "no such file" in proc.stderr


MSH_CASE = """
[geometry]
type = "msh"
file = "strip.msh"
[phases]
bottom = "LLZO"
{extra}
[[stages]]
type = "cooling"
stress_free_temperature_K = 400
final_temperature_K = 300
[[boundary_conditions]]
type = "roller"
surfaces = ["{surface}"]
"""


@pytest.fixture(scope="module")
def strip_msh(tmp_path_factory):
    from stressfem.verification.bimetal import write_strip_msh

    path = tmp_path_factory.mktemp("msh") / "strip.msh"
    return write_strip_msh(path, length=4e-6, width=1e-6, h1=1e-6, h2=1e-6, size=1e-6)


@pytest.mark.parametrize("extra,surface,key,words", [
    ("", "zmin", "phases", ["physical volumes ['top']", "have no material"]),
    ('top = "LLZO"\nghost = "LLZO"', "zmin", "phases", ["['ghost']", "not physical volumes", "bottom", "top"]),
    ('top = "LLZO"', "zbottom", "boundary_conditions[0].surfaces", ["'zbottom'", "allowed", "xmax", "zmin"]),
], ids=["volume without material", "phase without volume", "unknown surface"])
def test_msh_mismatch_refused_before_solving(tmp_path, strip_msh, extra, surface, key, words):
    folder = write_case(tmp_path / "m", MSH_CASE.format(extra=extra, surface=surface))
    (folder / "strip.msh").write_bytes(strip_msh.read_bytes())
    proc = run_cli("run", folder)
    assert proc.returncode == 2, proc.stderr
    assert f"key '{key}'" in proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)
    assert not (folder / "results").exists()
    assert (folder / "results.failed" / "failure.json").is_file()


def test_msh_without_physical_volumes(tmp_path):
    folder = write_case(tmp_path / "nophys", MSH_CASE.format(extra="", surface="zmin"))
    (folder / "strip.msh").write_text("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n")
    proc = run_cli("run", folder)
    assert proc.returncode == 2, proc.stderr
    assert "geometry.file" in proc.stderr and "no physical volume groups" in proc.stderr


def test_missing_msh_file(tmp_path):
    folder = write_case(tmp_path / "nofile", MSH_CASE.format(extra="", surface="zmin"))
    proc = run_cli("check", folder)
    assert proc.returncode == 2
    assert "geometry.file" in proc.stderr and "file not found" in proc.stderr
