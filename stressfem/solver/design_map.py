"""Design maps: summary quantities over a 2D grid of load parameters, from pattern solutions.

A linear model's loads are patterns times scalar coefficients (solver/superposition.py). A grid of
load parameters (temperature, stress-free temperature, state of charge, a phase's constant CTE, a
stage's surface-load magnitude) changes only the coefficients, so after one solve per independent
load combination each grid point costs a linear combination and the per-phase statistics.

Parameters (``name`` or ``name:target``):

* ``temperature_C`` / ``temperature_K``: the uniform temperature;
* ``stress_free_temperature_C`` / ``stress_free_temperature_K``: the reference temperature;
* ``soc``: the uniform (equilibrium) state of charge (-);
* ``cte_per_K:<phase>``: a constant CTE (1/K) of that phase instead of its own;
* ``pressure_Pa:<stage>``: the pressure of a stage-driven surface load (Pa).

Unset parameters take the end state of the case's leading run of equilibrium stages.
Quantities: ``<phase>.<measure>`` with a measure of output/stats.py ``phase_statistics`` or of
output/tensile.py (``p99_max_principal_Pa``, ``failure_probability``, ...).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import numpy as np

from ..errors import CaseError
from ..output.stats import CellStress, cell_volumes, phase_statistics
from ..output.tensile import FractureOutput
from ..physics.eigenstrain import LoadState
from ..stages import StageContext, plan_steps
from .case_model import CaseModel
from .superposition import PatternBasis, plan_basis

__all__ = ["GridAxis", "MapPoint", "design_map", "parse_axis", "PARAMETERS", "ZERO_CELSIUS_K"]

log = logging.getLogger(__name__)

ZERO_CELSIUS_K = 273.15
PARAMETERS = ("temperature_C", "temperature_K", "stress_free_temperature_C", "stress_free_temperature_K", "soc",
              "cte_per_K", "pressure_Pa")


@dataclass(frozen=True)
class GridAxis:
    """One map axis: a parameter (``name`` or ``name:target``) and its values."""

    parameter: str
    values: tuple[float, ...]

    @property
    def name(self) -> str:
        return self.parameter.split(":", 1)[0]

    @property
    def target(self) -> str | None:
        return self.parameter.split(":", 1)[1] if ":" in self.parameter else None


def parse_axis(text: str, option: str) -> GridAxis:
    """``PARAM=START:STOP:N`` (N values, inclusive) or ``PARAM=V1,V2,...``."""
    try:
        param, spec = text.split("=", 1)
        if spec.count(":") == 2:
            a, b, n = spec.split(":")
            values = tuple(float(v) for v in np.linspace(float(a), float(b), int(n)))
        else:
            values = tuple(float(v) for v in spec.split(","))
    except ValueError:
        raise CaseError("command line", option, f"{text!r}: give PARAM=START:STOP:N or PARAM=V1,V2,...") from None
    axis = GridAxis(param.strip(), values)
    if axis.name not in PARAMETERS or (axis.name in ("cte_per_K", "pressure_Pa")) != (axis.target is not None):
        raise CaseError("command line", option, f"unknown parameter {param!r}; allowed: {', '.join(PARAMETERS[:5])}, "
                                      "cte_per_K:<phase>, pressure_Pa:<stage>")
    if not values or not all(np.isfinite(values)):
        raise CaseError("command line", option, f"{text!r}: the values must be finite numbers")
    return axis


@dataclass
class _Point:
    """Load parameters of one grid point: a load state, the stress-free temperature and CTE overrides."""

    state: LoadState
    stress_free_K: float
    cte: dict

    def set(self, axis: GridAxis, value: float) -> None:
        if axis.name == "temperature_C":
            self.state = replace(self.state, temperature_K=value + ZERO_CELSIUS_K)
        elif axis.name == "temperature_K":
            self.state = replace(self.state, temperature_K=value)
        elif axis.name == "stress_free_temperature_C":
            self.stress_free_K = value + ZERO_CELSIUS_K
        elif axis.name == "stress_free_temperature_K":
            self.stress_free_K = value
        elif axis.name == "soc":
            self.state = replace(self.state, soc=value)
        elif axis.name == "cte_per_K":
            self.cte[axis.target] = value
        else:
            self.state = replace(self.state, surface_loads={**self.state.surface_loads, axis.target: value})


@dataclass
class MapPoint:
    """A grid point's parameter values and quantities."""

    x: float
    y: float
    values: dict[str, float]


def _base_state(cm: CaseModel, ctx: StageContext) -> LoadState:
    """The end state of the case's leading run of equilibrium stages (the reference state if none)."""
    state = cm.reference.load_state()
    for step in plan_steps(cm.stages):
        if not step.stage.equilibrium:
            break
        for state in step.stage.increments(step, state, ctx):
            pass
    return state


def _coefficients(cm: CaseModel, p: _Point) -> np.ndarray:
    """Pattern coefficients of a grid point: the model's, with the thermal strains recomputed."""
    c = cm.model.pattern_coefficients(p.state)
    for i, (phase, m) in enumerate(zip(cm.phase_names, cm.materials)):
        alpha = p.cte.get(phase)
        T = p.state.temperature_K
        c[i] = alpha * (T - p.stress_free_K) if alpha is not None else m.thermal_strain(T, p.stress_free_K)
    return c


def _check(cm: CaseModel, ctx: StageContext, axes: list[GridAxis], quantities: list[str]) -> None:
    if not cm.model.superposable:
        if ctx.loaded.case.periodic is not None:
            raise ctx.loaded.error("periodic", "design maps need load patterns to superpose; a periodic model "
                                   "solves each load state directly: remove [periodic] or use stressfem sweep")
        raise ctx.loaded.error("interfaces", "design maps need a linear model; this case has cohesive [[interfaces]]")
    if cm.bulk.thermal is None or cm.model.pattern_names[:len(cm.phase_names)] != cm.bulk.thermal.names:
        raise RuntimeError("the thermal patterns must come first, one per phase")
    stages = {s.name for s in cm.stages}
    for k, a in enumerate(axes):
        if a.name == "cte_per_K" and a.target not in cm.phase_names:
            raise CaseError("command line", f"--{'xy'[k]}", f"cte_per_K:{a.target}: not a phase; allowed: {cm.phase_names}")
        if a.name == "pressure_Pa" and a.target not in stages:
            raise CaseError("command line", f"--{'xy'[k]}", f"pressure_Pa:{a.target}: not a stage; allowed: {sorted(stages)}")
    for q in quantities:
        phase, _, measure = q.partition(".")
        if phase not in cm.phase_names or not measure:
            raise CaseError("command line", "--quantity", f"{q!r}: give <phase>.<measure> with a phase of {cm.phase_names}")


def design_map(cm: CaseModel, ctx: StageContext, x: GridAxis, y: GridAxis, quantities: list[str]) -> list[MapPoint]:
    """The quantities at every (x, y) grid point (x varies fastest), on every rank."""
    _check(cm, ctx, [x, y], quantities)
    base = _base_state(cm, ctx)
    points, C = [], []
    for yv in y.values:
        for xv in x.values:
            p = _Point(base, cm.reference.temperature_K, {})
            p.set(x, xv)
            p.set(y, yv)
            points.append((xv, yv))
            C.append(_coefficients(cm, p))
    C = np.array(C)
    plan = plan_basis(cm.model, C, "design map")
    log.info("design map: %d x %d points from %d solve(s) of load combinations of %d pattern(s)%s", len(x.values),
             len(y.values), plan.solves, len(cm.model.pattern_names),
             " and the uniform expansion" if plan.uses_uniform else "")
    model, msh = cm.model, ctx.pm.mesh
    volumes = cell_volumes(msh)
    fracture = FractureOutput(cm.phase_names, cm.materials, ctx.loaded.case.output.tensile_thresholds_MPa, msh.comm)
    basis = PatternBasis(model, plan, "design map") if plan.projector.shape[1] else None
    S = basis.S if basis is not None else np.zeros((0, 6, len(volumes)))  # no load at any point: stress-free
    projector = plan.projector
    t0 = time.perf_counter()
    out = []
    for (xv, yv), c in zip(points, C):
        stress = CellStress(np.tensordot(c @ projector, S, axes=1))
        stats = phase_statistics(stress, volumes, model.phase_index, cm.phase_names, msh.comm)
        fracture.add(stats, stress.max_principal, volumes, model.phase_index)  # tensile statistics
        values = {}
        for q in quantities:
            phase, _, measure = q.partition(".")
            if measure not in stats[phase]:
                raise CaseError("command line", "--quantity", f"{q!r}: unknown measure; allowed: {sorted(stats[phase])}")
            values[q] = stats[phase][measure]
        out.append(MapPoint(xv, yv, values))
    log.info("design map: %d combination solve(s) in %.1f s, then %d points in %.2f s",
             plan.solves, basis.time_s if basis is not None else 0.0, len(out), time.perf_counter() - t0)
    return out


def map_case(case_dir, x: GridAxis, y: GridAxis, quantities: list[str], comm, plot: bool = True) -> dict:
    """Build the case's model, evaluate the map and write ``CASE/results/maps/<x>--<y>.csv`` (and .png).

    Returns {"csv": path, "png": path or None, "points": [MapPoint], "timings_s": {...}} on every rank.
    """
    import csv
    import io
    import re
    from pathlib import Path

    from ..case import load_case
    from ..geometry.msh import read_phase_mesh
    from ..geometry.provide import case_mesh_file
    from ..output.results_dir import write_atomic
    from .case_model import build_case_model

    t0 = time.perf_counter()
    loaded = load_case(case_dir)
    msh_file, unit_m, mesh_info = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m, case_file=str(loaded.file))
    cm = build_case_model(loaded, pm, msh_file, mesh_info)
    ctx = StageContext(loaded, pm, cm.phase_names, cm.materials, cm.model.phase_index)
    t1 = time.perf_counter()
    points = design_map(cm, ctx, x, y, quantities)
    t2 = time.perf_counter()
    cm.model.close()
    folder = Path(loaded.directory) / "results" / "maps"
    stem = re.sub(r"[^A-Za-z0-9_.+-]", "-", f"{x.parameter}--{y.parameter}")
    csv_path, png_path = folder / f"{stem}.csv", (folder / f"{stem}.png" if plot else None)
    if comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([x.parameter, y.parameter, *quantities])
        w.writerows([[f"{p.x:.10g}", f"{p.y:.10g}", *(f"{p.values[q]:.12g}" for q in quantities)] for p in points])
        write_atomic(csv_path, buf.getvalue())
        if plot:
            from ..viz.maps import map_figure

            map_figure(png_path, x.values, y.values, x.parameter, y.parameter,
                       {q: np.array([p.values[q] for p in points]) for q in quantities},
                       f"{loaded.directory.name}: {len(points)} load points")
    log.info("design map: set-up %.1f s, %d points in %.2f s; %s", t1 - t0, len(points), t2 - t1, csv_path)
    return {"csv": csv_path, "png": png_path, "points": points,
            "timings_s": {"setup": t1 - t0, "map": t2 - t1}}
