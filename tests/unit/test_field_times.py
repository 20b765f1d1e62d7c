"""ParaView time axis of fields.pvd (stressfem/output/fields.py field_times) and reading it back in order.

Requirements (exact to 1e-12; under 1 s):
* F1 Entries that differ only in temperature get their temperature in degrees C as time; entries that
  differ only in state of charge get the soc; entries of several stages that mix both (a cool-down then a
  charge) get the stage progress j - 1 + f (f: fraction of stage j's temperature or soc path reached from
  the stage start; stage ends at 1, 2, ...), strictly increasing; without stage names, or a cycle that
  repeats states within one stage, the entry number 1, 2, ... or the entry's rank in its stage.
* F2 viz reads the entries of a .pvd in the file's (load-path) order, also when the times fall
  (a cool-down written as temperatures).
"""

from __future__ import annotations

import pytest

from stressfem.output.fields import STAGE_PROGRESS_AXIS, field_times
from stressfem.viz.data import read_pvd_entries


def test_time_axis_choice():
    assert field_times([(1323.15, 0.0), (810.65, 0.0), (298.15, 0.0)]) == (
        [1050.0, 537.5, 25.0], "temperature (degrees C)")
    assert field_times([(298.15, 0.25), (298.15, 0.5), (298.15, 1.0)]) == ([0.25, 0.5, 1.0], "state of charge")
    assert field_times([(810.65, 0.0), (298.15, 0.0), (298.15, 0.5)])[0] == [1.0, 2.0, 3.0]  # cool-down + charge
    assert field_times([(298.15, 0.5), (298.15, 1.0), (298.15, 0.5)])[0] == [1.0, 2.0, 3.0]  # a cycle repeats
    assert field_times([(298.15, 0.0)])[0] == [1.0]
    # one stage, one entry: the entry number, not the stage progress
    assert field_times([(298.15, 0.0)], [("cool", True)], start=(1323.15, 0.0))[1] == "entry number (load-path order)"


def test_mixed_stages_get_the_stage_progress():
    """Cool-down 1050 -> 25 C in 2 increments, then a charge to soc 0.5 in 2, every increment written."""
    states = [(810.65, 0.0), (298.15, 0.0), (298.15, 0.25), (298.15, 0.5)]
    stages = [("cool", True), ("cool", True), ("charge", False), ("charge", False)]
    times, axis = field_times(states, stages, start=(1323.15, 0.0))
    assert axis == STAGE_PROGRESS_AXIS
    assert times == pytest.approx([0.5, 1.0, 1.5, 2.0], abs=1e-12)
    # without the start state the first stage falls back to the entry rank; stage ends stay 1, 2
    assert field_times(states, stages)[0] == pytest.approx([0.5, 1.0, 1.5, 2.0], abs=1e-12)
    # non-uniform increments: the fraction of the path, not the entry rank
    states = [(1223.15, 0.0), (298.15, 0.0), (298.15, 0.1), (298.15, 0.5)]
    assert field_times(states, stages, start=(1323.15, 0.0))[0] == pytest.approx([100 / 1025, 1.0, 1.2, 2.0], abs=1e-12)
    # stage ends only (one entry per stage), a cycle: charge to 1, discharge to 0.5 (soc repeats across stages)
    states = [(298.15, 0.0), (298.15, 1.0), (298.15, 0.5), (298.15, 1.0)]
    stages = [("cool", True), ("charge", False), ("discharge", False), ("recharge", False)]
    times = field_times(states, stages, start=(1323.15, 0.0))[0]
    assert times == pytest.approx([1.0, 2.0, 3.0, 4.0], abs=1e-12)
    # a stage whose path is not monotone from its start (soc 0 -> 0.5 -> 0.2 in one stage): entry ranks
    states = [(810.65, 0.0), (298.15, 0.5), (298.15, 0.2)]
    stages = [("cool", True), ("wobble", False), ("wobble", False)]
    assert field_times(states, stages, start=(1323.15, 0.0))[0] == pytest.approx([1.0, 1.5, 2.0], abs=1e-12)


def test_pvd_read_in_file_order(tmp_path):
    rows = "\n".join(f'    <DataSet timestep="{t}" part="0" file="f{k}.pvtu" />' for k, t in enumerate((1050, 537.5, 25)))
    pvd = tmp_path / "fields.pvd"
    pvd.write_text(f'<?xml version="1.0"?>\n<VTKFile type="Collection" version="1.0">\n  <Collection>\n{rows}\n'
                   "  </Collection>\n</VTKFile>\n")
    entries = read_pvd_entries(pvd)
    assert [t for t, _ in entries] == [1050.0, 537.5, 25.0]
    assert [f[0].name for _, f in entries] == ["f0.pvtu", "f1.pvtu", "f2.pvtu"]
