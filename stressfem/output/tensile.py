"""Tensile statistics of the maximum principal stress per phase, and weakest-link failure probability.

Per phase, from the per-cell maximum principal stress sigma_1 (Pa) and cell volumes (m3):
  * ``mean_max_principal_Pa``: volume average of sigma_1;
  * ``p50/p90/p99_max_principal_Pa``: volume-weighted quantiles (the definition of ``p99_von_mises_Pa``,
    stats.weighted_quantiles: the smallest cell value whose cumulative volume reaches q);
  * ``volume_fraction_above_strength``: volume with sigma_1 > the phase's tensile strength, over the
    phase volume (None without a strength);
  * ``volume_fraction_above_<t>MPa``: the same for each user threshold ([output] tensile_thresholds_MPa);
  * ``weibull_risk`` = (1/V0) sum over cells of (max(sigma_1, 0)/sigma_0)^m V_cell (-) and
    ``failure_probability`` P_f = 1 - exp(-weibull_risk) (None without Weibull parameters).
Sums are reduced with one Allreduce; the quantiles gather (sigma_1, volume, phase) to rank 0 and
are broadcast, so every statistic is the same on any number of ranks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._dolfinx import MPI
from ..parallel import allreduce_array
from .stats import weighted_quantiles

__all__ = ["QUANTILES", "tensile_keys", "threshold_key", "tensile_statistics", "weibull_risk",
           "fracture_warnings", "fracture_properties", "FractureOutput"]

QUANTILES = (0.5, 0.9, 0.99)
_QUANTILE_KEYS = tuple(f"p{round(100 * q)}_max_principal_Pa" for q in QUANTILES)
_RISK_CAP = 1e300  # keeps summary.json finite (strict JSON) when (sigma_1 / sigma_0)^m overflows
# warn (bonded runs) at or above these values; see fracture_warnings
WARN_FAILURE_PROBABILITY = 0.1
WARN_FRACTION_ABOVE_STRENGTH = 0.01


def threshold_key(threshold_MPa: float) -> str:
    """Key of the volume fraction above a user threshold, e.g. ``volume_fraction_above_100MPa``."""
    return f"volume_fraction_above_{threshold_MPa:g}MPa"


def tensile_keys(thresholds_MPa: Sequence[float] = ()) -> tuple[str, ...]:
    """The per-phase keys this module adds, in history.csv column order."""
    return ("mean_max_principal_Pa", *_QUANTILE_KEYS, "volume_fraction_above_strength",
            *(threshold_key(t) for t in thresholds_MPa), "weibull_risk", "failure_probability")


def weibull_risk(sigma1: np.ndarray, volumes: np.ndarray, m: float, sigma0_Pa: float, V0_m3: float) -> float:
    """(1/V0) sum of (max(sigma_1, 0)/sigma_0)^m V (-): the weakest-link risk of rupture of these cells."""
    with np.errstate(over="ignore"):
        r = float(volumes @ (np.maximum(sigma1, 0.0) / sigma0_Pa) ** m) / V0_m3
    return min(r, _RISK_CAP)


def fracture_properties(materials) -> list[tuple]:
    """Per phase: (tensile strength Pa or None, (m, sigma_0, V0) or None)."""
    return [(m.tensile_strength_Pa,
             (m.weibull_modulus, m.weibull_scale_Pa, m.weibull_volume_m3) if m.has_weibull else None)
            for m in materials]


def tensile_statistics(sigma1: np.ndarray, volumes: np.ndarray, phase_index: np.ndarray,
                       phase_names: Sequence[str], properties: Sequence[tuple], thresholds_MPa: Sequence[float],
                       comm: MPI.Comm) -> dict[str, dict]:
    """Phase name -> the statistics of the module docstring (Pa, -); collective over comm.

    ``sigma1`` and ``volumes`` are per owned cell; ``phase_index`` per local cell (owned first,
    -1 for cells of no phase); ``properties`` from fracture_properties.
    """
    n_ph, n = len(phase_names), len(volumes)
    phase = phase_index[:n]
    thresholds_Pa = np.asarray(thresholds_MPa, dtype=float) * 1e6
    weib = [p[1] for p in properties]
    sums = np.zeros((n_ph, 4 + len(thresholds_Pa)))  # volume, int sigma_1, above strength, thresholds, risk
    per_phase = []
    for i in range(n_ph):  # cells by index (take), sums as dot products: no mask indexing, no bincount passes
        cells = np.flatnonzero(phase == i)
        s1, w = sigma1.take(cells), volumes.take(cells)
        per_phase.append((s1, w))
        strength = properties[i][0]
        sums[i, :2] = w @ np.ones(len(w), dtype=bool), w @ s1  # the volume summed as the masked volumes below
        sums[i, 2] = w @ (s1 > strength) if strength is not None else 0.0
        for j, t in enumerate(thresholds_Pa):
            sums[i, 3 + j] = w @ (s1 > t)
        if weib[i]:  # compressive cells add exactly 0 (the power only where sigma_1 > 0)
            m, s0, V0 = weib[i]
            pos = np.flatnonzero(s1 > 0.0)
            with np.errstate(over="ignore"):
                sums[i, -1] = w.take(pos) @ np.power(s1.take(pos) / s0, m) / V0
    sums = allreduce_array(comm, sums, MPI.SUM)
    gathered = comm.gather(per_phase, root=0) if comm.size > 1 else [per_phase]  # one rank: no copies
    quantiles = None
    if comm.rank == 0:
        quantiles = []
        for i in range(n_ph):
            s1, w = (np.concatenate([g[i][k] for g in gathered]) for k in range(2)) if comm.size > 1 else gathered[0][i]
            quantiles.append(weighted_quantiles(s1, w, QUANTILES))
    quantiles = comm.bcast(quantiles, root=0)
    out: dict[str, dict] = {}
    for i, name in enumerate(phase_names):
        V = sums[i, 0]
        frac = sums[i, 2:] / V if V > 0 else np.full(sums.shape[1] - 2, np.nan)
        risk = min(float(sums[i, -1]), _RISK_CAP)
        d = {"mean_max_principal_Pa": float(sums[i, 1] / V) if V > 0 else None}
        d.update({k: _finite(v) for k, v in zip(_QUANTILE_KEYS, quantiles[i])})
        d["volume_fraction_above_strength"] = _finite(frac[0]) if properties[i][0] is not None else None
        d.update({threshold_key(t): _finite(f) for t, f in zip(thresholds_MPa, frac[1:-1])})
        d["weibull_risk"] = risk if weib[i] else None
        d["failure_probability"] = float(-np.expm1(-risk)) if weib[i] else None
        out[name] = d
    return out


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def fracture_warnings(step: dict, properties: dict[str, tuple], bonded: bool) -> list[str]:
    """Warnings for one summary step: a phase likely to crack while the model cannot (bonded interfaces).

    A phase warns when its failure probability reaches WARN_FAILURE_PROBABILITY or the volume above
    its tensile strength reaches WARN_FRACTION_ABOVE_STRENGTH. ``properties``: phase -> (strength, weibull).
    """
    if not bonded:
        return []
    out = []
    for phase, st in step["phases"].items():
        pf, frac = st.get("failure_probability"), st.get("volume_fraction_above_strength")
        reasons = []
        if pf is not None and pf >= WARN_FAILURE_PROBABILITY:
            reasons.append(f"Weibull failure probability {pf:.3g}")
        if frac is not None and frac >= WARN_FRACTION_ABOVE_STRENGTH:
            reasons.append(f"{100 * frac:.3g} % of its volume above its tensile strength "
                           f"{properties[phase][0] / 1e6:.0f} MPa")
        if reasons:
            out.append(f"step {step['name']!r}: {phase} has {' and '.join(reasons)} (p99 of the maximum principal "
                       f"stress {st['p99_max_principal_Pa'] / 1e6:.0f} MPa), but all interfaces are bonded and "
                       "nothing can crack or debond: the stresses beyond that point are not physical; consider "
                       "cohesive [[interfaces]] (docs/cohesive.md)")
    return out


class FractureOutput:
    """The driver's hook: adds tensile statistics to per-phase statistics and collects warnings.

    ``columns``: the per-phase history.csv measures; ``add`` (collective) updates the phase statistics
    of one increment in place; ``check`` logs and records the warnings of a finished step;
    ``summary`` is summary.json ``fracture``: per phase the strength and Weibull parameters used,
    and the warnings.
    """

    def __init__(self, phase_names: Sequence[str], materials, thresholds_MPa: Sequence[float], comm: MPI.Comm):
        self.phase_names = list(phase_names)
        self.materials = list(materials)
        self.properties = fracture_properties(materials)
        self.thresholds_MPa = list(thresholds_MPa)
        self.columns = tensile_keys(self.thresholds_MPa)
        self.comm = comm
        self.warnings: list[str] = []

    def add(self, stats: dict[str, dict], sigma1: np.ndarray, volumes: np.ndarray, phase_index: np.ndarray) -> None:
        for name, d in tensile_statistics(sigma1, volumes, phase_index, self.phase_names, self.properties,
                                          self.thresholds_MPa, self.comm).items():
            stats[name].update(d)

    def check(self, step: dict, bonded: bool, log) -> None:
        for w in fracture_warnings(step, dict(zip(self.phase_names, self.properties)), bonded):
            log.warning(w)
            self.warnings.append(w)

    def summary(self) -> dict:
        phases = {}
        for p, m in zip(self.phase_names, self.materials):
            keys = ("tensile_strength_Pa", "weibull_modulus", "weibull_scale_Pa", "weibull_volume_m3")
            phases[p] = {k: getattr(m, k) for k in keys}
            phases[p]["sources"] = {k: m.sources[k] for k in keys if k in m.sources and getattr(m, k) is not None}
        return {"phases": phases, "thresholds_MPa": self.thresholds_MPa, "warnings": self.warnings}
