"""The results format, written down once: summary.json keys, history.csv columns, step kinds and
field arrays. The solver and output/ write what is declared here; viz/ and batch/ read it from here.

A step kind (the ``type`` of a ``summary.json`` step) declares the summary fields and history
columns it adds, the physics it exercises (for the report's verification status) and the axis
its history is plotted against. A new stage type registers its kind with
:func:`register_step_kind`; output and viz then handle it without further edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "SUMMARY_KEYS",
    "STEP_KEYS",
    "PHASE_STATISTICS",
    "PHASE_MEASURES",
    "INTERFACE_STATISTICS",
    "DEBONDED",
    "INTERFACE_MEASURES",
    "HISTORY_COLUMNS",
    "EXTRA_HISTORY_COLUMNS",
    "FIELD_ARRAYS",
    "Axis",
    "AXES",
    "StepKind",
    "STEP_KINDS",
    "register_step_kind",
    "step_kind",
    "column",
    "split_column",
]

# ----------------------------------------------------------------------------- summary.json
SUMMARY_KEYS = {
    "dofs": "global number of displacement degrees of freedom",
    "mpi_ranks": "number of MPI processes",
    "wall_time_s": "wall time of the whole run (s)",
    "steps": "one entry per step (a stage, or a half cycle of a cycles stage): STEP_KEYS",
    "cells": "global number of cells",
    "phases": "phase name -> material name, in the order of phase_id",
    "mesh": "the mesh generator's or reader's info (sizes, quality, timings)",
    "timings_s": "geometry, mesh_distribution, setup, solve, increments (the step loop) (s)",
    "peak_memory_per_rank_MB": "peak resident memory of each rank (MB)",
    "solver": "linear_iterations (total) and the solver types",
    "boundary_conditions": "one sentence per boundary condition",
    "fracture": "per phase the tensile strength and Weibull parameters used (with sources), the tensile "
                "thresholds (MPa) and the fracture warnings (output/tensile.py)",
    "warnings": "every warning of the run about its results (fracture of bonded runs, implausible openings)",
    "superposition": "used (bool); when used: patterns (names), combination_solves, linear_iterations, time_s, "
                     "uniform_expansion (used, note, backward_error, relative_residual, max_stress_Pa)",
    "interface_laws": "runs with interface models: per interface its law type, parameters and source "
                      "([[interfaces]], or the thin coating it represents with the laws of its sides in series: "
                      "coating, its k_n and k_t, governing_side, other_side; docs/coatings.md)",
    "periodic": "[periodic] runs: reduced_dofs, unit_strain_solves, box_m (docs/periodic.md)",
    "effective_properties": "[periodic] homogenize = true: stiffness, moduli, HS bounds, CTE and chemical strain "
                            "tensors (docs/periodic.md)",
    "statistics": "[output] interior_margin_um > 0: interior_margin_m, interior_axes, kept_volume_fraction",
    "restart": "restarted (bool), from_step and from_increment of the checkpoint it resumed from "
               "(output/checkpoint.py)",
    "error_estimate": "how the per-phase error_estimate_Pa was made: method, element_degree, balanced, "
                      "measured effectivity (output/error_estimate.py, docs/accuracy.md)",
}

STEP_KEYS = {
    "name": "step name (the stage name; <name><k>-charge / -discharge for cycles)",
    "type": "step kind: a key of STEP_KINDS",
    "temperature_K": "temperature at the end of the step (K)",
    "soc": "state of charge at the end of the step (-)",
    "increments": "number of load increments",
    "linear_iterations": "linear (KSP) iterations of the step",
    "newton_iterations": "Newton iterations of the step (runs with [[interfaces]] only)",
    "voltage_V": "open-circuit voltage of the cathode phase at the end of the step (V; with an OCV table)",
    "phases": "phase name -> PHASE_STATISTICS at the end of the step",
    "interfaces": "cohesive interface name -> INTERFACE_STATISTICS (runs with [[interfaces]] only)",
    "viscous_dissipation": "runs with [[interfaces]]: interface name -> viscous_dissipated_energy_J (J, the "
                           "dissipated energy beyond the rate-independent dissipation of the reached damage; 0 "
                           "without viscosity_s) and viscous_share (-, of dissipated_energy_J)",
    "solution": "superposed (from pattern solutions) or incremental (solved increment by increment)",
    "macroscopic": "[periodic] runs: strain (3 x 3, -) and stress_Pa (3 x 3, box-volume average, Pa)",
}

PHASE_STATISTICS = {
    "volume_m3": "phase volume (m3)",
    "mean_stress_Pa": "volume-averaged stress tensor, 3 x 3 (Pa)",
    "mean_hydrostatic_Pa": "volume-averaged hydrostatic stress, + tension (Pa)",
    "mean_von_mises_Pa": "volume-averaged von Mises stress (Pa)",
    "max_von_mises_Pa": "largest cell von Mises stress (Pa)",
    "p99_von_mises_Pa": "volume-weighted 99th percentile of the von Mises stress, step ends only (Pa)",
    "max_principal_Pa": "largest cell maximum principal stress (Pa)",
    "mean_max_principal_Pa": "volume-averaged maximum principal stress (Pa)",
    "p50_max_principal_Pa": "volume-weighted median of the maximum principal stress (Pa)",
    "p90_max_principal_Pa": "volume-weighted 90th percentile of the maximum principal stress (Pa)",
    "p99_max_principal_Pa": "volume-weighted 99th percentile of the maximum principal stress, every increment "
                            "(output/tensile.py) (Pa)",
    "volume_fraction_above_strength": "volume fraction with maximum principal stress above the tensile strength "
                                      "(-; null without a strength)",
    "volume_fraction_above_<t>MPa": "the same above each [output] tensile_thresholds_MPa value (-)",
    "weibull_risk": "(1/V0) integral of (max(sigma_1, 0)/sigma_0)^m dV (-; null without Weibull parameters)",
    "failure_probability": "Weibull weakest-link P_f = 1 - exp(-weibull_risk) (-)",
    "error_estimate_Pa": "estimated absolute discretisation error (Pa) of mean_stress_Pa (3 x 3), mean_hydrostatic_Pa, "
                         "mean_von_mises_Pa, p99_von_mises_Pa, max_von_mises_Pa, max_principal_Pa; step ends only "
                         "(output/error_estimate.py)",
}
# the phase statistics written at every increment to history.csv
PHASE_MEASURES = ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa")

# damage at which a facet counts as debonded: less than 0.1 % of its stiffness left (viscous damage
# only approaches 1)
DEBONDED = 0.999
INTERFACE_STATISTICS = {
    "area_m2": "interface area (m2)",
    "damaged_fraction": "area fraction with damage > 0 (-)",
    "debonded_fraction": "area fraction fully debonded (-)",
    "bonded_fraction": "area fraction not fully debonded, = 1 - debonded_fraction (-)",
    "contact_fraction": "area fraction closed, in compression (contact), damaged or not (-)",
    "max_opening_m": "largest normal opening (m)",
    "dissipated_energy_J": "energy dissipated by debonding (J)",
    "mean_normal_traction_Pa": "area-weighted mean normal traction, + tension (Pa)",
    "min_normal_traction_Pa": "most compressive facet normal traction (Pa)",
    "max_normal_traction_Pa": "most tensile facet normal traction (Pa)",
    "mean_shear_traction_Pa": "area-weighted mean magnitude of the shear traction (Pa)",
}
INTERFACE_MEASURES = tuple(INTERFACE_STATISTICS)  # docs/cohesive.md

# ----------------------------------------------------------------------------- history.csv
# one row per load increment: these columns, then "<phase>.<PHASE_MEASURES>" per phase, then
# "<interface>.<INTERFACE_MEASURES>" per cohesive interface, then the step kinds' own columns
HISTORY_COLUMNS = ("stage", "increment", "temperature_K", "soc", "time_s", "linear_iterations")
# written after HISTORY_COLUMNS when they apply: the OCV of the cathode phase (a phase with an OCV
# table), Newton iterations (cohesive runs); and per phase after PHASE_MEASURES the tensile keys of
# output/tensile.py (tensile_keys)
EXTRA_HISTORY_COLUMNS = ("voltage_V", "newton_iterations")


def column(owner: str, measure: str) -> str:
    """History column of a phase or interface measure: ``"<owner>.<measure>"``."""
    return f"{owner}.{measure}"


def split_column(name: str) -> tuple[str, str]:
    """(owner, measure) of a ``"<owner>.<measure>"`` column (phase names may hold dots)."""
    owner, _, measure = name.rpartition(".")
    return owner, measure


# ----------------------------------------------------------------------------- fields.pvd
FIELD_ARRAYS = {
    "displacement": "displacement (m), point data",
    "stress_Pa": "cell stress tensor (Pa)",
    "von_mises_Pa": "cell von Mises stress (Pa)",
    "hydrostatic_Pa": "cell hydrostatic stress, + tension (Pa)",
    "max_principal_Pa": "cell maximum principal stress (Pa)",
    "phase_id": "index of the cell's phase in summary.json phases",
}


# ----------------------------------------------------------------------------- step kinds
@dataclass(frozen=True)
class Axis:
    """How to plot a history column as abscissa: plotted value = column value * scale + offset."""

    label: str
    offset: float = 0.0
    scale: float = 1.0


# history column (or template, see StepKind.abscissa) -> axis, in the order tried for a step whose
# own abscissa does not vary
AXES = {
    "soc": Axis("state of charge (-)"),
    "temperature_K": Axis("temperature (°C)", -273.15),
}


@dataclass(frozen=True)
class StepKind:
    """What a step kind adds to the results and how viz shows it.

    Attributes:
        name: the ``type`` of its summary.json steps.
        abscissa: the history column its history is plotted against (a key of AXES); it may name
            the step, e.g. ``"{step}.pressure_Pa"`` for a column per stage. When it does not vary in
            a step, the first other axis that varies is used, else the increment number.
        physics: keys of the verification registry it exercises (stressfem/verification/registry.py).
        summary_fields: keys it adds to its steps[] entries -> description with unit.
        history_columns: columns it adds to history.csv -> description with unit.
    """

    name: str
    abscissa: str
    physics: tuple[str, ...] = ()
    summary_fields: dict[str, str] = field(default_factory=dict)
    history_columns: dict[str, str] = field(default_factory=dict)

    def abscissa_column(self, step: str) -> str:
        """The history column of the abscissa of one step (by name)."""
        return self.abscissa.format(step=step)


STEP_KINDS: dict[str, StepKind] = {}


def register_step_kind(kind: StepKind, axis: Axis | None = None) -> StepKind:
    """Declare a step kind (with the axis of its abscissa column when that is new); returns it."""
    if axis is not None:
        AXES[kind.abscissa] = axis
    if kind.abscissa not in AXES:
        raise ValueError(f"step kind {kind.name!r}: abscissa {kind.abscissa!r} has no Axis (known: {sorted(AXES)})")
    STEP_KINDS[kind.name] = kind
    return kind


def step_kind(name: str) -> StepKind | None:
    """The declared step kind of a summary step type, None for an unknown one (older results)."""
    return STEP_KINDS.get(name)


register_step_kind(StepKind(
    "cooling", "temperature_K", ("thermoelastic",),
    summary_fields={"stress_free_temperature_K": "temperature at which the stages start stress-free (K)"}))
register_step_kind(StepKind("soc", "soc", ("chemical",)))
register_step_kind(StepKind(
    "galvanostatic", "soc", ("chemical", "diffusion"),
    summary_fields={"time_s": "time at the end of the step (s)",
                    "mean_li_fraction": "mean Li fraction of the diffusing phases (-)"}))
register_step_kind(StepKind(
    "pressure", "{step}.pressure_Pa", ("pressure",),
    summary_fields={"pressure_Pa": "stack pressure at the end of the step (Pa)"},
    history_columns={"{step}.pressure_Pa": "stack pressure of the stage (Pa)"}),
    Axis("stack pressure (MPa)", scale=1e-6))
