"""Fused (sintered) dense packings, contact = "fused" (issue 3, item 2; geometry/dense.py).

Requirements and tolerances:
* the analytic lens volume of two spheres and the extra volume of a neck ball agree with a
  Monte Carlo estimate (2e5 points) within 4 standard errors;
* the pairwise union fraction of a fused packing equals a Monte Carlo estimate of the union of
  its periodic spheres within 0.005 (no point lies in three spheres: triple_overlaps == 0);
* the packing reaches volume fractions 0.72 and 0.75 within 0.002 in a 9 um box of
  d50 2.5 um particles, with no thin wedge and no thin film left between particles: every pair is
  separated by at least the film threshold, overlaps by a wedge of at least min_wedge_deg, or is
  joined by a neck ball;
* the schema refuses fractions above random packing without contact = "fused", and fused contacts
  with coatings, naming the key; a fraction beyond the growth cap names the keys to change.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from stressfem.case import ParticlesGeometry
from stressfem.geometry import dense

SIZES = {"type": "lognormal", "d50_um": 2.5, "sigma_ln": 0.2}


def _mc_fraction(inside, lo, hi, n=200_000, seed=1):
    """Monte Carlo fraction of the box [lo, hi] where inside(points) is True, and its standard error."""
    pts = lo + np.random.default_rng(seed).random((n, 3)) * (hi - lo)
    f = float(np.mean(inside(pts)))
    return f, math.sqrt(f * (1 - f) / n)


def test_lens_and_neck_ball_volumes():
    ra, rb, d = 1.3, 1.0, 2.1
    a, b = np.zeros(3), np.array([d, 0.0, 0.0])
    lo, hi = np.array([-1.5, -1.5, -1.5]), np.array([3.5, 1.5, 1.5])
    box_v = float(np.prod(hi - lo))
    f, se = _mc_fraction(lambda p: (np.linalg.norm(p - a, axis=1) < ra) & (np.linalg.norm(p - b, axis=1) < rb), lo, hi)
    assert float(dense.lens_volume(d, ra, rb)) == pytest.approx(f * box_v, abs=4 * se * box_v)
    assert float(dense.lens_volume(ra + rb + 0.1, ra, rb)) == 0.0
    assert float(dense.wedge_angle_deg(np.array(ra + rb), np.array(ra), np.array(rb))) == 0.0

    radii, i, j, dd = np.array([ra, rb]), np.array([0]), np.array([1]), np.array([d])
    offset, rho, floor = dense.neck_balls(radii, i, j, dd, 0.3, film_um=0.2)
    assert rho[0] >= 0.3 * rb and floor[0] < rho[0]
    extra = dense.neck_ball_volume(radii, i, j, dd, offset, rho)
    c = np.array([offset[0], 0.0, 0.0])

    def extra_region(p):
        ball = np.linalg.norm(p - c, axis=1) < rho[0]
        return ball & (np.linalg.norm(p - a, axis=1) >= ra) & (np.linalg.norm(p - b, axis=1) >= rb)

    f, se = _mc_fraction(extra_region, lo, hi)
    assert extra[0] == pytest.approx(f * box_v, abs=4 * se * box_v + 1e-4)


@pytest.mark.parametrize("target", [0.72, 0.75])
def test_fused_packing_reaches_target(target):
    g = ParticlesGeometry(type="particles", box_um=(9.0, 9.0, 9.0), volume_fraction=target, seed=5,
                          size_distribution=SIZES, contact="fused", min_gap_fraction=0.01)
    # interface size 0.01 um: a negligible facet compensation, so the radii are those of the union
    p = dense.pack_fused(g, face_clearance_um=0.2, interface_size_um=0.01, curvature_points=0)
    assert abs(p.achieved_fraction - target) <= 0.002
    st = p.fused
    assert st["triple_overlaps"] == 0 and st["growth_factor"] < dense.MAX_GROWTH
    assert np.median(2 * p.radii_um[: p.n_particles]) == pytest.approx(2.5, rel=0.1)
    # every particle pair: clearly apart, clearly fused, or joined by a neck ball
    n = p.n_particles
    centres, radii, box = p.centres_um[:n], p.radii_um[:n], np.asarray(p.box_um)
    i, j, dist, _ = dense._pairs(centres, radii, box, 1.0)
    gap = dist - radii[i] - radii[j]
    wedge = dense.wedge_angle_deg(dist, radii[i], radii[j])
    bad = ((gap >= 0) & (gap < st["film_threshold_um"])) | ((gap < 0) & (wedge < st["min_wedge_deg"]))
    assert int(bad.sum()) == st["n_necks"]
    assert len(p.radii_um) >= n + st["n_necks"]  # particles, neck balls and their periodic images

    def inside(pts):  # in any piece (the pieces cover the box: periodic images included)
        from scipy.spatial import cKDTree

        d, k = cKDTree(p.centres_um).query(pts, k=16, distance_upper_bound=2 * float(p.radii_um.max()))
        r = np.concatenate([p.radii_um, [0.0]])[k]
        return np.any(d < r, axis=1)

    f, se = _mc_fraction(inside, np.zeros(3), box)
    assert f == pytest.approx(p.achieved_fraction, abs=0.005)


def test_unreachable_fused_fraction_names_the_keys():
    from stressfem.errors import GeometryError

    g = ParticlesGeometry(type="particles", box_um=(9.0,) * 3, volume_fraction=0.75, seed=5, size_distribution=SIZES,
                          contact="fused").model_copy(update={"volume_fraction": 0.97})  # past the growth cap
    with pytest.raises(GeometryError, match="lower volume_fraction, widen size_distribution, or enlarge the box"):
        dense.pack_fused(g, face_clearance_um=0.2, interface_size_um=0.4, curvature_points=12)


def test_schema_needs_fused_above_random_packing():
    with pytest.raises(ValueError, match='contact = "fused"'):
        ParticlesGeometry(type="particles", box_um=(9.0,) * 3, volume_fraction=0.75, size_distribution=SIZES)
    with pytest.raises(ValueError, match="coating"):
        ParticlesGeometry(type="particles", box_um=(9.0,) * 3, volume_fraction=0.75, size_distribution=SIZES,
                          contact="fused", coating={"phase": "ZrO2", "thickness_um": 0.2})
    ParticlesGeometry(type="particles", box_um=(9.0,) * 3, volume_fraction=0.75, size_distribution=SIZES,
                      contact="fused")

