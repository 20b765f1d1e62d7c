"""Tensile statistics and Weibull risk (stressfem/output/tensile.py) on fields with closed forms.

Requirements (serial, the statistics functions on given per-cell values; about 1 s in all):
* T1 A uniform field sigma_1 = T over cells of random volumes (3 seeds): p50/p90/p99 equal T exactly,
  the mean to 1e-13 relative (summation round-off); the volume fraction above a threshold is exactly 1 below T and 0 above; the Weibull risk
  equals (V/V0)(T/sigma_0)^m to 1e-12 relative and P_f = 1 - exp(-risk).
* T2 Known distribution: values 1..N with equal volumes give the volume-weighted quantiles q N
  exactly (the p99 definition of stats.py: smallest value whose cumulative volume reaches q); two values
  with volumes 0.3/0.7 give p50 = p90 = the second; the fraction above t of values 1..N is (N - t)/N exactly.
* T3 Compressive cells add nothing to the risk and to exceedance (sigma_1 < 0 -> P_f = 0 exactly).
* T4 Phases without a strength / Weibull parameters give None (JSON null), never NaN; a phase index -1
  (cells of no phase) is ignored.
* T5 The Lame-shell closed forms (verification/weibull.py) agree with the statistics of the exact hoop
  stress sampled at the midpoints of radial shells (m = 10): risk to 1e-4 and mean to 1e-5 relative
  with 4000 shells (midpoint rule, O(h^2)), fraction above 100 MPa to 1e-3 absolute.
* T6 The bonded-run warning appears when P_f >= 0.1 or >= 1 % of a phase is above its strength,
  only for bonded runs, and names the phase.
* T7 The quantiles of many cells (stats.weighted_quantiles brackets them instead of sorting all cells)
  equal those of a full sort exactly: 24 sets of 20k-150k values with ties, long runs of equal values,
  heavy volumes in the tail, p50/p90/p99.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stressfem._dolfinx import MPI
from stressfem.output.tensile import fracture_warnings, tensile_keys, tensile_statistics, threshold_key
from stressfem.verification.weibull import (lame_hoop_constant, lame_shell_fraction_above, lame_shell_mean_hoop,
                                            lame_shell_risk, uniform_risk)

COMM = MPI.COMM_SELF
WEIB = (10.0, 150e6, 1.2e-8)


def _stats(sigma1, vols, phase, props, thresholds=(), names=("A",)):
    return tensile_statistics(np.asarray(sigma1, float), np.asarray(vols, float), np.asarray(phase, np.int32),
                              list(names), props, thresholds, COMM)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uniform_field(seed):
    rng = np.random.default_rng(seed)
    n, T = 500, 250e6
    vols = rng.uniform(0.5e-18, 2e-18, n)
    d = _stats(np.full(n, T), vols, np.zeros(n), [(100e6, WEIB)], thresholds=(249.0, 251.0))["A"]
    assert d["mean_max_principal_Pa"] == pytest.approx(T, rel=1e-13)  # sum of 500 products: round-off only
    for k in ("p50_max_principal_Pa", "p90_max_principal_Pa", "p99_max_principal_Pa"):
        assert d[k] == T  # a quantile is one of the cell values
    assert d["volume_fraction_above_strength"] == 1.0
    assert d[threshold_key(249.0)] == 1.0 and d[threshold_key(251.0)] == 0.0
    risk = uniform_risk(T, vols.sum(), *WEIB)
    assert d["weibull_risk"] == pytest.approx(risk, rel=1e-12)
    assert d["failure_probability"] == pytest.approx(-math.expm1(-risk), rel=1e-12)


def test_known_distribution_quantiles_and_exceedance():
    n = 1000
    values = np.arange(1, n + 1, dtype=float) * 1e6
    perm = np.random.default_rng(3).permutation(n)  # order of cells must not matter
    d = _stats(values[perm], np.ones(n), np.zeros(n), [(None, None)], thresholds=(250.0, 900.0))["A"]
    assert d["p50_max_principal_Pa"] == 500e6
    assert d["p90_max_principal_Pa"] == 900e6
    assert d["p99_max_principal_Pa"] == 990e6
    assert d["mean_max_principal_Pa"] == pytest.approx(500.5e6, rel=1e-14)
    assert d[threshold_key(250.0)] == pytest.approx(0.75, abs=1e-15)
    assert d[threshold_key(900.0)] == pytest.approx(0.10, abs=1e-15)
    two = _stats([1e6, 2e6], [0.3, 0.7], [0, 0], [(None, None)])["A"]
    assert two["p50_max_principal_Pa"] == 2e6 and two["p90_max_principal_Pa"] == 2e6


def test_compression_adds_nothing():
    d = _stats([-5e9, -1.0, 0.0], [1.0, 1.0, 1.0], [0, 0, 0], [(100e6, WEIB)])["A"]
    assert d["weibull_risk"] == 0.0 and d["failure_probability"] == 0.0
    assert d["volume_fraction_above_strength"] == 0.0


def test_missing_properties_and_unassigned_cells():
    d = _stats([300e6, 1e12, 50e6], [1.0, 5.0, 1.0], [0, -1, 1], [(None, None), (100e6, WEIB)],
               names=("A", "B"))
    assert d["A"]["volume_fraction_above_strength"] is None
    assert d["A"]["weibull_risk"] is None and d["A"]["failure_probability"] is None
    assert d["A"]["p99_max_principal_Pa"] == 300e6  # the -1 cell (1e12) is ignored
    assert d["B"]["volume_fraction_above_strength"] == 0.0
    assert set(d["A"]) == set(tensile_keys())


def test_lame_closed_forms_against_sampled_field():
    P, a, b = 285e6, 1e-6, 3e-6
    edges = np.linspace(a, b, 4001)
    r = 0.5 * (edges[1:] + edges[:-1])
    vols = 4.0 * np.pi / 3.0 * (edges[1:] ** 3 - edges[:-1] ** 3)
    C = lame_hoop_constant(P, a, b)
    hoop = C * (1.0 + b**3 / (2.0 * r**3))
    d = _stats(hoop, vols, np.zeros(len(r)), [(100e6, WEIB)], thresholds=(100.0,))["A"]
    assert d["weibull_risk"] == pytest.approx(lame_shell_risk(P, a, b, 10, WEIB[1], WEIB[2]), rel=1e-4)
    assert d["mean_max_principal_Pa"] == pytest.approx(lame_shell_mean_hoop(P, a, b), rel=1e-5)
    assert d[threshold_key(100.0)] == pytest.approx(lame_shell_fraction_above(P, a, b, 100e6), abs=1e-3)


def test_bonded_warning():
    step = {"name": "cool", "phases": {
        "LLZO": {"failure_probability": 0.5, "volume_fraction_above_strength": 0.2, "p99_max_principal_Pa": 9e8},
        "NMC": {"failure_probability": 0.01, "volume_fraction_above_strength": 0.001, "p99_max_principal_Pa": 1e8}}}
    props = {"LLZO": (100e6, WEIB), "NMC": (200e6, WEIB)}
    w = fracture_warnings(step, props, bonded=True)
    assert len(w) == 1 and "LLZO" in w[0] and "bonded" in w[0] and "20 %" in w[0]
    assert fracture_warnings(step, props, bonded=False) == []


def _sorted_quantiles(values, weights, qs):
    order = np.argsort(values, kind="stable")
    cw = np.cumsum(weights[order])
    return values[order][np.minimum(np.searchsorted(cw, np.asarray(qs) * cw[-1], side="left"), len(values) - 1)]


@pytest.mark.parametrize("seed", range(24))
def test_bracketed_quantiles_equal_full_sort(seed):
    from stressfem.output.stats import weighted_quantiles

    rng = np.random.default_rng(seed)
    n = int(rng.integers(20_000, 150_000))
    v = rng.normal(size=n) * 1e8
    if seed % 3 == 0:
        v = np.round(v / 1e7) * 1e7  # ties
    if seed % 4 == 0:
        v[: n // 2] = 3.0  # half the cells at one value
    w = rng.random(n) ** (3 if seed % 2 else 1)
    if seed % 5 == 0:
        w[v > np.quantile(v, 0.9)] *= 50.0  # heavy cells in the tail
    qs = (0.5, 0.9, 0.99)
    assert np.array_equal(weighted_quantiles(v, w, qs), _sorted_quantiles(v, w, qs))
