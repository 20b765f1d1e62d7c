"""Open-circuit voltage: library tables, their inversion, voltage_V in the results, voltage_end_V stages.

Requirements and tolerances:
* V1 Every library OCV table (NMC811, NCM85, NCM111, LCO) falls strictly with Li content; inverting
  it is exact at the table points (li_content(V_i) == x_i to 1e-15) and a round trip
  V -> x -> V holds to 1e-12 V in between; the table values equal the cited fit at one point each
  (Chen 2020 at x = 0.5, Mohtat 2020 at x = 0.5, Ramadass 2004 at y = 0.75) to the 1e-4 V rounding.
* V2 soc <-> voltage of the cathode phase: soc_at(voltage(soc)) == soc to 1e-12 on soc 0..1;
  a voltage outside the reachable range raises.
* V3 An equilibrium charge case (NMC811 octant in LLZO, cool-down then `voltage_end_V = 4.3`) writes
  `voltage_V` in every history.csv row and in summary.json steps; the charge ends at 4.3 V (1e-9)
  and at the soc where the NMC811 table gives 4.3 V; fields-<stage>.pvd put each stage on its own
  ParaView time axis (degrees C for the cool-down, soc for the charge; 1e-5, the pvd's 6 digits) and the
  combined fields.pvd on the stage-progress axis (1 at the end of the cool-down, 1 + soc/soc_end on the
  charge; 1e-5). About 3 s.
* V6 A cool-down (2 increments) then a charge (3 increments), every increment written: the combined
  fields.pvd is on the stage-progress axis 0.5, 1, 4/3, 5/3, 2 (1e-5) and the run log names it. About 3 s.
* V4 `soc_end` and `voltage_end_V` together, a voltage outside the table's range, and voltage_end_V
  with no OCV phase are refused with exit 2, naming `stages[1].voltage_end_V` (or the stage). About 2 s.
* V5 A galvanostatic stage's voltage_end_V resolves to the matching soc_end (1e-12); with duration_s it
  is refused. About 1 s.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from conftest import OCTANT_NMC_LLZO, read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.solver.voltage import VoltageScale
from stressfem.verification.concentric_spheres import write_octant_msh

OCV_MATERIALS = ("NMC811", "NCM85", "NCM111", "LCO")


@pytest.mark.parametrize("name", OCV_MATERIALS)
def test_table_monotone_and_inversion_exact(name):
    t = LIBRARY[name].ocv
    assert np.all(np.diff(t.voltage_V) < 0) and np.all(np.diff(t.x) > 0)
    for x, v in zip(t.x, t.voltage_V):
        assert t.li_content(v) == pytest.approx(x, abs=1e-15)
    lo, hi = t.voltage_range_V
    for v in np.linspace(lo, hi, 37):
        assert float(t.voltage(t.li_content(v))) == pytest.approx(v, abs=1e-12)
    with pytest.raises(ValueError):
        t.li_content(hi + 0.01)


def test_tables_match_the_cited_fits():
    x = 0.5
    chen = (-0.8090 * x + 4.4875 - 0.0428 * math.tanh(18.5138 * (x - 0.5542))
            - 17.7326 * math.tanh(15.7890 * (x - 0.3117)) + 17.5842 * math.tanh(15.9308 * (x - 0.3120)))
    mohtat = (4.3452 - 1.6518 * x + 1.6225 * x**2 - 2.0843 * x**3 + 3.5146 * x**4 - 2.2166 * x**5
              - 0.5623e-4 * math.exp(109.451 * x - 100.006))
    y = 0.75
    ramadass = ((-4.656 + 88.669 * y**2 - 401.119 * y**4 + 342.909 * y**6 - 462.471 * y**8 + 433.434 * y**10)
                / (-1 + 18.933 * y**2 - 79.532 * y**4 + 37.311 * y**6 - 73.083 * y**8 + 95.96 * y**10))
    assert float(LIBRARY["NMC811"].ocv.voltage(0.5)) == pytest.approx(chen, abs=5e-5)
    assert float(LIBRARY["NCM111"].ocv.voltage(0.5)) == pytest.approx(mohtat, abs=5e-5)
    assert float(LIBRARY["LCO"].ocv.voltage(0.75)) == pytest.approx(ramadass, abs=5e-5)


@pytest.mark.parametrize("name", OCV_MATERIALS)
def test_soc_voltage_round_trip(name):
    scale = VoltageScale("p", LIBRARY[name])
    lo, hi = scale.range_V
    for soc in np.linspace(0.0, 1.0, 21):
        v = scale.voltage(soc)
        if lo <= v <= hi:
            assert scale.soc_at(v) == pytest.approx(soc, abs=1e-12)
    with pytest.raises(ValueError):
        scale.soc_at(hi + 0.05)


CHARGE = OCTANT_NMC_LLZO + """[[stages]]
type = "cooling"
stress_free_temperature_C = 1050
final_temperature_C = 25
increments = 1
[[stages]]
type = "soc"
name = "charge"
{end}
increments = 3
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[output]
fields = false
"""


def test_charge_case_writes_voltage(tmp_path):
    folder = write_case(tmp_path / "charge", CHARGE.format(end="voltage_end_V = 4.3").replace(
        "fields = false", "fields = true\nfields_every_increment = true"))
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.3)
    run_cli("run", folder, check=True)
    rows = list(csv.DictReader((folder / "results" / "history.csv").open()))
    assert len(rows) == 4 and all(r["voltage_V"] for r in rows)
    assert float(rows[-1]["voltage_V"]) == pytest.approx(4.3, abs=1e-9)
    assert [float(r["voltage_V"]) for r in rows[1:]] == sorted(float(r["voltage_V"]) for r in rows[1:])
    steps = read_summary(folder)["steps"]
    nmc = LIBRARY["NMC811"]
    soc = (nmc.ocv.li_content(4.3) - nmc.chemical_strain.x_soc0) / (nmc.chemical_strain.x_soc1 - nmc.chemical_strain.x_soc0)
    assert steps[-1]["voltage_V"] == pytest.approx(4.3, abs=1e-9)
    assert steps[-1]["soc"] == pytest.approx(soc, abs=1e-12)
    assert steps[0]["voltage_V"] == pytest.approx(float(nmc.ocv.voltage(1.0)), abs=1e-12)  # lithiated: soc 0
    # ParaView: one collection per stage on its own axis (degrees C for the cool-down, soc for the charge)
    import re

    def times(name):
        return [float(t) for t in re.findall(r'timestep="([^"]+)"', (folder / "results" / name).read_text())]

    assert times("fields-cooling.pvd") == [pytest.approx(25.0)]
    assert times("fields-charge.pvd") == pytest.approx([float(r["soc"]) for r in rows[1:]], abs=1e-5)
    # one cool-down entry at 25 C, then the charge at 25 C: only the soc changes, so fields.pvd uses it
    assert times("fields.pvd") == pytest.approx([0.0] + [float(r["soc"]) for r in rows[1:]], abs=1e-5)


def test_mixed_stages_field_axis(tmp_path):
    """V6: a cool-down in 2 increments then a charge: the combined fields.pvd is on the stage-progress axis."""
    toml = CHARGE.format(end="soc_end = 0.5").replace("increments = 1", "increments = 2", 1).replace(
        "fields = false", "fields = true\nfields_every_increment = true")
    folder = write_case(tmp_path / "mixed", toml)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.3)
    run_cli("run", folder, check=True)
    rows = list(csv.DictReader((folder / "results" / "history.csv").open()))
    assert [float(r["soc"]) for r in rows] == pytest.approx([0.0, 0.0] + [0.5 * (k + 1) / 3 for k in range(3)], abs=1e-6)
    import re

    text = (folder / "results" / "fields.pvd").read_text()
    times = [float(t) for t in re.findall(r'timestep="([^"]+)"', text)]
    # cool-down 1050 -> 537.5 -> 25 C: 0.5, 1; charge to soc 0.5 in 3 increments: 1 + 1/3, 1 + 2/3, 2
    assert times == pytest.approx([0.5, 1.0, 4 / 3, 5 / 3, 2.0], abs=1e-5)
    assert "fields.pvd time axis: stage progress" in (folder / "results" / "run.log").read_text()


@pytest.mark.parametrize("end, phases, expect", [
    ("soc_end = 1.0\nvoltage_end_V = 4.3", None, "give exactly one of soc_end or voltage_end_V"),
    ("voltage_end_V = 5.0", None, "outside the range"),
    ("voltage_end_V = 4.0", ("particle", "LLZO"), "needs a phase whose material has an OCV table"),
])
def test_voltage_end_refusals(tmp_path, end, phases, expect):
    toml = CHARGE.format(end=end)
    if phases:
        toml = toml.replace('particle = "NMC811"', f'{phases[0]} = "{phases[1]}"')
    folder = write_case(tmp_path / "bad", toml)
    (folder / "octant.msh").write_text("")  # refused before the mesh is read
    proc = run_cli("run", folder)
    assert proc.returncode == 2, proc.stderr
    assert "stages[1]" in proc.stderr and expect in proc.stderr


def test_galvanostatic_voltage_end_resolves_to_soc(tmp_path):
    """V5: a galvanostatic stage's voltage_end_V becomes the soc_end at which the NMC811 table gives it
    (1e-12); voltage_end_V with soc_end or duration_s is refused naming the stage."""
    from stressfem.case import load_case
    from stressfem.solver.voltage import resolve_voltage_ends

    toml = CHARGE.format(end="").replace('type = "soc"\nname = "charge"\n',
                                         'type = "galvanostatic"\nname = "charge"\nvoltage_end_V = 4.2\n')
    folder = write_case(tmp_path / "g", toml)
    (folder / "octant.msh").write_text("")
    loaded = load_case(folder)
    scale = VoltageScale("particle", LIBRARY["NMC811"])
    stage = resolve_voltage_ends(loaded, scale)[1]
    assert stage.soc_end == pytest.approx(scale.soc_at(4.2), abs=1e-12)
    assert scale.voltage(stage.soc_end) == pytest.approx(4.2, abs=1e-12)
    (folder / "case.toml").write_text(toml.replace("voltage_end_V = 4.2\n", "voltage_end_V = 4.2\nduration_s = 10\n"))
    proc = run_cli("check", folder)
    assert proc.returncode == 2 and "stages[1]" in proc.stderr and "voltage_end_V" in proc.stderr
