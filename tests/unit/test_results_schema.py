"""The results format is declared once (stressfem/output/schema.py) and both sides use it.

Requirements (exact checks; run time about 2 s):
* S1 history.csv columns are the schema's base columns, then "<phase>.<measure>" per phase, then
  "<interface>.<measure>" per interface, as declared.
* S2 Every step kind declares a known abscissa; a history is plotted against the abscissa of its step
  kind when that column varies, else against the first declared axis that varies, else the increment.
* S3 A new step kind registered with its own abscissa column is plotted against it without any
  viz edit (the extension path of a new stage type).
* S5 History plots start each stage at the state where the previous stage ended (its last row), so a
  jump in a stage's first increment shows; the first stage starts at its own first row.
* S4 viz/ and output/ do not react to names nothing writes ("heating", "cycles" steps, "cycle" or
  "state_of_charge" columns).
* S6 Every stage type's summary steps have a declared step kind, whose history columns cover the
  columns the stage adds.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np

from conftest import ROOT
from stressfem.output import schema
from stressfem.output.history import History
from stressfem.viz.plots import history_segments, stage_abscissa


def test_history_columns():
    h = History(["NMC811", "LLZO"], ["NMC811/LLZO"])
    n = len(schema.HISTORY_COLUMNS)
    assert h.columns[:n] == list(schema.HISTORY_COLUMNS)
    assert h.columns[n:n + 2 * len(schema.PHASE_MEASURES)] == [
        f"{p}.{m}" for p in ("NMC811", "LLZO") for m in schema.PHASE_MEASURES]
    assert h.columns[n + 2 * len(schema.PHASE_MEASURES):] == [f"NMC811/LLZO.{m}" for m in schema.INTERFACE_MEASURES]
    state = SimpleNamespace(temperature_K=300.0, soc=0.5, time_s=0.0)
    stats = {p: dict.fromkeys(schema.PHASE_STATISTICS, 1.0) for p in ("NMC811", "LLZO")}
    h.add("cooling", 1, state, 3, stats, {"NMC811/LLZO": dict.fromkeys(schema.INTERFACE_STATISTICS, 0.0)})
    assert len(h.text().splitlines()[1].split(",")) == len(h.columns)


def _history(**cols):
    h = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
    h["stage"] = np.array(["s"] * len(next(iter(cols.values()))), dtype=object)
    return h


def test_abscissa_of_each_kind():
    for kind in schema.STEP_KINDS.values():
        assert kind.abscissa in schema.AXES
    rows = np.arange(3)
    h = _history(temperature_K=[1000.0, 700.0, 400.0], soc=[0.0, 0.0, 0.0])
    col, x = stage_abscissa(h, rows, "cooling")
    assert col == "temperature_K" and np.allclose(x, [726.85, 426.85, 126.85])
    h = _history(temperature_K=[300.0] * 3, soc=[0.2, 0.4, 0.6])
    assert stage_abscissa(h, rows, "soc")[0] == "soc"
    assert stage_abscissa(h, rows, "galvanostatic")[0] == "soc"
    assert stage_abscissa(h, rows, "cooling")[0] == "soc"  # own column constant: the axis that varies
    h = _history(temperature_K=[300.0] * 3, soc=[0.2] * 3)
    col, x = stage_abscissa(h, rows, "soc")
    assert col == "increment" and list(x) == [1.0, 2.0, 3.0]


def test_new_step_kind_needs_no_viz_edit():
    kind = schema.StepKind("pressure_ramp_test", "{step}.pressure_test_Pa", ("thermoelastic",))
    try:
        schema.register_step_kind(kind, schema.Axis("stack pressure (MPa)", scale=1e-6))
        h = _history(temperature_K=[300.0] * 3, soc=[0.0] * 3, **{"press.pressure_test_Pa": [1e6, 2e6, 3e6]})
        h["stage"] = np.array(["press"] * 3, dtype=object)
        axis, x = stage_abscissa(h, np.arange(3), "pressure_ramp_test")
        assert axis == kind.abscissa and list(x) == [1.0, 2.0, 3.0]
    finally:
        schema.STEP_KINDS.pop(kind.name, None)
        schema.AXES.pop(kind.abscissa, None)


def test_no_names_that_nothing_writes():
    for folder in ("viz", "output"):
        for f in (ROOT / "stressfem" / folder).glob("*.py"):
            code = f.read_text(encoding="utf-8")
            for name in ("heating", "state_of_charge", '"cycles"', '"cycle"'):
                assert not re.search(re.escape(name), code), (f.name, name)


def test_every_stage_type_writes_a_declared_step_kind():
    """S6 Every stage type's summary steps have a step kind declared in the schema, and the history
    columns a stage adds match its kind's declaration (with the step name filled in)."""
    from stressfem.case.stages import Stage
    from stressfem.stages import STAGE_TYPES, make_stages, plan_steps
    from pydantic import TypeAdapter

    tables = {"cooling": {"stress_free_temperature_C": 800.0, "final_temperature_C": 25.0},
              "soc": {"soc_end": 1.0}, "cycles": {"count": 2}, "galvanostatic": {},
              "pressure": {"surfaces": ["zmax"], "pressure_end_Pa": 1e6}}
    assert set(tables) == set(STAGE_TYPES), "a new stage type: add a minimal table here"
    specs = [TypeAdapter(Stage).validate_python({"type": t, "name": f"s{k}", **v})
             for k, (t, v) in enumerate(tables.items())]
    stages = make_stages(specs)
    for step in plan_steps(stages):
        kind = schema.step_kind(step.type)
        assert kind is not None, step.type
        declared = {c.format(step=step.name) for c in kind.history_columns}
        assert set(step.stage.history_columns()) <= declared, (step.type, step.stage.history_columns())


def test_history_segments_start_at_previous_stage_end():
    h = {"stage": np.array(["cool", "cool", "charge", "charge", "charge"]),
         "temperature_K": np.array([800.0, 300.0, 300.0, 300.0, 300.0]), "soc": np.array([0, 0, 0.3, 0.6, 1.0])}
    (s1, k1, r1, x1), (s2, k2, r2, x2) = history_segments(h, {"cool": "cooling", "charge": "soc"})
    assert (s1, k1, list(r1)) == ("cool", "temperature_K", [0, 1])
    assert (s2, k2, list(r2)) == ("charge", "soc", [1, 2, 3, 4])  # starts at the cool-down's end state
    assert list(x2) == [0.0, 0.3, 0.6, 1.0]
