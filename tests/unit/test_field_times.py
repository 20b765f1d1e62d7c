"""ParaView time axis of fields.pvd (stressfem/output/fields.py field_times) and reading it back in order.

Requirements (exact; under 1 s):
* F1 Entries that differ only in temperature get their temperature in degrees C as time; entries that
  differ only in state of charge get the soc; anything else (a cool-down then a charge, repeated
  states) keeps 1, 2, ...
* F2 viz reads the entries of a .pvd in the file's (load-path) order, also when the times fall
  (a cool-down written as temperatures).
"""

from __future__ import annotations

from stressfem.output.fields import field_times
from stressfem.viz.data import read_pvd_entries


def test_time_axis_choice():
    assert field_times([(1323.15, 0.0), (810.65, 0.0), (298.15, 0.0)]) == (
        [1050.0, 537.5, 25.0], "temperature (degrees C)")
    assert field_times([(298.15, 0.25), (298.15, 0.5), (298.15, 1.0)]) == ([0.25, 0.5, 1.0], "state of charge")
    assert field_times([(810.65, 0.0), (298.15, 0.0), (298.15, 0.5)])[0] == [1.0, 2.0, 3.0]  # cool-down + charge
    assert field_times([(298.15, 0.5), (298.15, 1.0), (298.15, 0.5)])[0] == [1.0, 2.0, 3.0]  # a cycle repeats
    assert field_times([(298.15, 0.0)])[0] == [1.0]


def test_pvd_read_in_file_order(tmp_path):
    rows = "\n".join(f'    <DataSet timestep="{t}" part="0" file="f{k}.pvtu" />' for k, t in enumerate((1050, 537.5, 25)))
    pvd = tmp_path / "fields.pvd"
    pvd.write_text(f'<?xml version="1.0"?>\n<VTKFile type="Collection" version="1.0">\n  <Collection>\n{rows}\n'
                   "  </Collection>\n</VTKFile>\n")
    entries = read_pvd_entries(pvd)
    assert [t for t, _ in entries] == [1050.0, 537.5, 25.0]
    assert [f[0].name for _, f in entries] == ["f0.pvtu", "f1.pvtu", "f2.pvtu"]
