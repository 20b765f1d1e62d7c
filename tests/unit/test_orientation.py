"""Crystal orientation sampling and chemical-strain tables.

Requirements: random c axes are uniform on the sphere (the c-axis marginal of a uniform rotation),
reproducible by seed; textured axes tilt from the preferred axis by |N(0, spread)|; lattice-strain
tables reproduce the cited volume changes; concentration-dependent diffusivity interpolates.
"""

from __future__ import annotations

import numpy as np
import pytest

from stressfem.materials import LIBRARY, Material
from stressfem.physics.orientation import sample_c_axes


def test_random_axes_are_uniform_and_seeded():
    n = sample_c_axes(200_000, "random", seed=3)
    assert np.allclose(np.linalg.norm(n, axis=1), 1.0)
    assert np.allclose(n.mean(axis=0), 0.0, atol=0.01)
    assert np.allclose(np.mean(n**2, axis=0), 1 / 3, atol=0.005)
    # |cos| of the angle to z is uniform on [0, 1] for a uniform distribution on the sphere
    hist, _ = np.histogram(np.abs(n[:, 2]), bins=10, range=(0, 1))
    assert np.allclose(hist / len(n), 0.1, atol=0.005)
    assert np.array_equal(n, sample_c_axes(200_000, "random", seed=3))
    assert not np.array_equal(n, sample_c_axes(200_000, "random", seed=4))


def test_textured_axes_spread_around_preferred():
    pref = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    n = sample_c_axes(100_000, "textured", c_axis=pref, spread_deg=10.0, seed=1)
    tilt = np.degrees(np.arccos(np.clip(n @ pref, -1, 1)))
    assert np.mean(tilt) == pytest.approx(10.0 * np.sqrt(2 / np.pi), rel=0.02)  # mean of |N(0, s)|
    aligned = sample_c_axes(5, "aligned", c_axis=[0, 0, 2])
    assert np.allclose(aligned, [0, 0, 1])


@pytest.mark.parametrize("name,volume", [("NMC811", -0.051), ("NCM111", -0.012)])
def test_chemical_strain_tables_give_cited_volume_change(name, volume):
    table = LIBRARY[name].chemical_strain
    assert table.volume_change(table.x_soc1) == pytest.approx(volume, abs=0.001)  # Kondrakov 2017
    assert table.volume_change(table.x_soc0) == pytest.approx(0.0, abs=1e-12)
    assert table.source


def test_nmc811_c_axis_expands_then_collapses():
    t = LIBRARY["NMC811"].chemical_strain
    ea, ec = t.strains(np.array([1.0, 0.36, 0.127]))
    assert ec[1] > 0.019 and ec[2] < 0  # Maerker 2019: c max near x = 0.36, collapse below
    assert np.all(np.diff(ea) < 0)


def test_diffusivity_table():
    m = Material("x", 1e9, 0.3, cte_per_K=0.0, diffusivity_table=((0.2, 1.0), (1e-15, 1e-13)))
    assert m.diffuses
    assert m.diffusivity(0.6) == pytest.approx(0.5e-13 + 0.5e-15)
    assert m.diffusivity(0.0) == pytest.approx(1e-15)
