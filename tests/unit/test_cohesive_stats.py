"""Interface statistics of cohesive runs on a hand case (stressfem/solver/cohesive/stats.py).

Requirements (exact fractions of hand-picked facet values; about 0.1 s):
* I1 Four facets of areas 1, 2, 3, 4 with damage 0, 0.5, 1, 0.9995 and normal openings -1, -1, +2, -0.1 nm:
  damaged 0.9, debonded 0.7, bonded 0.3 (= 1 - debonded), contact (closed, damaged or not) 0.7,
  max opening 2 nm, dissipated energy = sum of area x energy. Exact to 1e-15.
* I2 A rank without facets of the interface gives zeros, not NaN.
* I3 Opening bound: 3 x |free strain| x radius; a larger maximum opening warns and names the interface;
  the largest particle of a fixed / lognormal size distribution is the diameter / d50 exp(3 sigma).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stressfem._dolfinx import MPI
from stressfem.case.particles import FixedSize, LognormalSize
from stressfem.solver.cohesive.stats import (INTERFACE_KEYS, interface_fractions, largest_particle_m,
                                             opening_bound_m, opening_warnings)


def test_hand_case_fractions():
    area = np.array([1.0, 2.0, 3.0, 4.0])
    d = np.array([0.0, 0.5, 1.0, 0.9995])
    jn = np.array([-1e-9, -1e-9, 2e-9, -1e-10])
    energy = np.array([0.0, 1.0, 2.4, 2.0])
    tn, ts = np.array([-5.0, -1.0, 0.0, 3.0]), np.array([1.0, 2.0, 0.0, 4.0])
    st = interface_fractions(area, d, jn, energy, MPI.COMM_SELF, tn, ts)
    assert set(st) == set(INTERFACE_KEYS)
    assert st["mean_normal_traction_Pa"] == pytest.approx((-5.0 - 2.0 + 0.0 + 12.0) / 10.0, rel=1e-15)
    assert st["min_normal_traction_Pa"] == -5.0 and st["max_normal_traction_Pa"] == 3.0
    assert st["mean_shear_traction_Pa"] == pytest.approx((1.0 + 4.0 + 16.0) / 10.0, rel=1e-15)
    assert st["area_m2"] == 10.0
    assert st["damaged_fraction"] == pytest.approx(0.9, abs=1e-15)
    assert st["debonded_fraction"] == pytest.approx(0.7, abs=1e-15)
    assert st["bonded_fraction"] == pytest.approx(0.3, abs=1e-15)
    assert st["contact_fraction"] == pytest.approx(0.7, abs=1e-15)  # damaged facets in compression count
    assert st["max_opening_m"] == 2e-9
    assert st["dissipated_energy_J"] == pytest.approx(2.0 + 7.2 + 8.0, rel=1e-15)


def test_empty_rank():
    e = np.zeros(0)
    st = interface_fractions(e, e, e, e, MPI.COMM_SELF)
    assert all(v == 0.0 for v in st.values())


def test_opening_bound_and_warning():
    bound = opening_bound_m(-0.01, 10e-6)  # 1 % shrinkage of a 10 um particle: 3 x 50 nm
    assert bound == pytest.approx(150e-9, rel=1e-12)
    step = {"name": "charge", "interfaces": {"NMC811/LLZO": {"max_opening_m": 479e-9},
                                             "NMC811#gb": {"max_opening_m": 10e-9}}}
    w = opening_warnings(step, bound)
    assert len(w) == 1 and "NMC811/LLZO" in w[0] and "479 nm" in w[0]
    assert opening_warnings(step, None) == []


def test_largest_particle():
    class G:
        size_distribution = FixedSize(type="fixed", diameter_um=6.0)
    assert largest_particle_m(G) == pytest.approx(6e-6)
    G.size_distribution = LognormalSize(type="lognormal", d50_um=5.0, sigma_ln=0.2)
    assert largest_particle_m(G) == pytest.approx(5e-6 * math.exp(0.6))
    assert largest_particle_m(object()) is None
