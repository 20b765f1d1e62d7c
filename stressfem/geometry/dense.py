"""Dense composites beyond random sphere packing: jammed spheres grown into fused (sintered) contacts.

Contact policy ``contact = "fused"`` (docs/geometry.md). Random packings of lognormal spheres
jam near 0.65 (spheropack, periodic box), far below the 75 vol % active material of a
co-sintered oxide composite cathode ([PERSP] design cell, [REV] reference cell). Sintered and
calendered particles flatten against each other; this module models that as overlapping
spheres, lengths in um:

1. pack the spheres to 0.64 (spheropack, periodic box, as in packing.py);
2. grow every radius by one factor s about its fixed centre, solved (Brent) so that the volume
   of the union of the spheres (exact pairwise inclusion-exclusion with the analytic lens
   volume, plus the necks of step 4) is the target fraction of the box; a sphere that would
   cross a box face by less than the face clearance stops growing a clearance short of it;
3. inflate the radii for the flat-faceted mesh (packing.compensate_facets);
4. classify every neighbour pair: an overlap whose matrix wedge at the rim (the angle
   between the two sphere surfaces, seen from the matrix) is below ``min_wedge_deg``, or a
   matrix film thinner than the film threshold, is joined by a neck *ball* on the line of
   centres that swallows the lens rim and ends where the crevice is a film wide, so the
   mesher sees neither thin wedges nor thin films (spheres keep the OCC booleans to circles);
5. translate the periodic packing so that no cap, ball or rim grazes a box face closely.

The union is one phase. Each particle keeps its id and its periodic images (Packing.particle_ids)
for per-particle crystal orientation; a cell in an overlap lens or a neck belongs to the
particle with the smaller |x - c| / r (physics/orientation.py), i.e. for equal radii the
lens is split by its mid-plane.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from ..errors import GeometryError
from .packing import Packing, compensate_facets, decimal_unit, pack_periodic, particle_count, sample_diameters

__all__ = ["FusedPacking", "pack_fused", "lens_volume", "neck_balls", "neck_ball_volume", "wedge_angle_deg",
           "union_fraction", "fuse_volumes"]

log = logging.getLogger(__name__)

MAX_GROWTH = 1.15  # radius growth beyond which three equal touching spheres would share a point (2/sqrt(3) = 1.155)
JAM_TARGET = 0.64  # packing density before growth: spheropack reaches it in seconds ("max", ~0.65, is slower)


@dataclass(frozen=True)
class FusedPacking(Packing):
    """A Packing whose spheres overlap (contact policy "fused"), with the fusion statistics."""

    fused: dict | None = None

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self.fused is not None:
            out["fused"] = self.fused
        return out


def lens_volume(dist: np.ndarray, ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
    """Volume (um^3) of the intersection of two spheres of radii ra, rb (um) at centre distance dist (um)."""
    dist, ra, rb = np.broadcast_arrays(np.asarray(dist, float), np.asarray(ra, float), np.asarray(rb, float))
    small = np.minimum(ra, rb)
    with np.errstate(divide="ignore", invalid="ignore"):
        lens = math.pi * (ra + rb - dist) ** 2 * (dist**2 + 2 * dist * (ra + rb) - 3 * (ra - rb) ** 2) / (12 * dist)
    lens = np.where(dist <= np.abs(ra - rb), 4.0 / 3.0 * math.pi * small**3, lens)
    return np.where(dist >= ra + rb, 0.0, lens)


def wedge_angle_deg(dist: np.ndarray, ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
    """Angle (deg) of the matrix wedge along the rim of two overlapping spheres (0 when they just touch,
    180 - the angle between the outward normals); 0 for pairs that do not overlap."""
    cos = np.clip((ra**2 + rb**2 - dist**2) / (2 * ra * rb), -1.0, 1.0)
    return np.where(dist < ra + rb, 180.0 - np.degrees(np.arccos(cos)), 0.0)


def neck_balls(radii: np.ndarray, i: np.ndarray, j: np.ndarray, dist: np.ndarray, fraction: float,
               film_um: float = 0.0):
    """Neck balls of pairs (i, j): offset (um) of the ball centre from centre i along the line of centres
    (the middle of the gap or overlap), ball radius (um), smallest acceptable radius (um).

    The radius is the distance from the ball centre to the rim of the overlap lens (0 without overlap)
    plus a reach t beyond it: fraction x the smaller radius, and at least the t at which the crevice
    between the spheres, g+ + t^2 (1/(2 ri) + 1/(2 rj)), has opened to film_um (um), so the ball surface
    crosses the crevice where it is a film's width wide. The smallest radius is the rim + half that reach."""
    ri, rj = radii[i], radii[j]
    gap = dist - ri - rj
    offset = ri + 0.5 * gap
    x = (dist**2 + ri**2 - rj**2) / (2.0 * dist)  # radical plane of the pair, from centre i
    rim = np.where(gap < 0, np.hypot(x - offset, np.sqrt(np.maximum(ri**2 - x**2, 0.0))), 0.0)
    opening = np.sqrt(np.maximum(film_um - np.maximum(gap, 0.0), 0.0) / (0.5 / ri + 0.5 / rj))
    reach = np.maximum(fraction * np.minimum(ri, rj), opening)
    return offset, rim + reach, rim + 0.5 * reach


def neck_ball_volume(radii, i, j, dist, offset, rho) -> np.ndarray:
    """Volume (um^3) of each neck ball outside its two particles: ball - (ball & i) - (ball & j) + lens(i, j)
    (the lens lies inside the ball)."""
    ri, rj = radii[i], radii[j]
    return (4.0 / 3.0 * math.pi * rho**3 - lens_volume(offset, ri, rho) - lens_volume(dist - offset, rj, rho)
            + lens_volume(dist, ri, rj))


def _pairs(centres: np.ndarray, radii: np.ndarray, box: np.ndarray, reach: float):
    """Minimal-image neighbour pairs (i, j, centre distance, vector i -> j) closer than 2 max(r) + reach."""
    from scipy.spatial import cKDTree

    tree = cKDTree(np.mod(centres, box), boxsize=box)
    pairs = tree.query_pairs(2.0 * float(radii.max()) + reach, output_type="ndarray").reshape(-1, 2)
    i, j = pairs[:, 0], pairs[:, 1]
    vec = centres[j] - centres[i]
    vec -= box * np.round(vec / box)
    return i, j, np.linalg.norm(vec, axis=1), vec


def union_fraction(radii: np.ndarray, i: np.ndarray, j: np.ndarray, dist: np.ndarray, box: np.ndarray) -> float:
    """Volume fraction of the union of periodic spheres in the box, by pairwise inclusion-exclusion
    (exact while no point lies in three spheres; reported as triple overlaps otherwise)."""
    total = np.sum(4.0 / 3.0 * math.pi * radii**3) - np.sum(lens_volume(dist, radii[i], radii[j]))
    return float(total / np.prod(box))


def _neck_pairs(radii, i, j, dist, film_um, min_wedge_deg):
    """Pairs to join by a neck: overlaps with a wedge below min_wedge_deg, or films thinner than film_um."""
    gap = dist - radii[i] - radii[j]
    thin_wedge = (gap < 0) & (wedge_angle_deg(dist, radii[i], radii[j]) < min_wedge_deg)
    return thin_wedge | ((gap >= 0) & (gap < film_um))


def _triple_overlaps(centres, radii, i, j, vec, box) -> int:
    """Triples of mutually overlapping spheres whose three spheres share a point (the centroid of the
    three touching points test is enough for the small growths allowed here)."""
    over = (np.linalg.norm(vec, axis=1) < radii[i] + radii[j])
    if not np.any(over):
        return 0
    n = len(radii)
    nb: list[set] = [set() for _ in range(n)]
    for a, b in zip(i[over].tolist(), j[over].tolist()):  # adjacency of the contact network (O(contacts))
        nb[a].add(b)
        nb[b].add(a)
    count = 0
    for a, b, v in zip(i[over].tolist(), j[over].tolist(), vec[over]):
        for k in nb[a] & nb[b]:
            if k <= max(a, b):
                continue
            ck = centres[k] - centres[a]
            ck -= box * np.round(ck / box)
            pts = np.array([np.zeros(3), v, ck])
            rr = radii[[a, b, k]]
            # point of the plane of the three centres closest to all three sphere surfaces: power centre
            A = 2 * (pts[1:] - pts[0])
            rhs = (np.sum(pts[1:] ** 2, axis=1) - rr[1:] ** 2) - (0.0 - rr[0] ** 2)
            sol, *_ = np.linalg.lstsq(A, rhs, rcond=None)
            if np.all(np.linalg.norm(pts - sol, axis=1) < rr):
                count += 1
    return count


def _images(centres: np.ndarray, box: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Periodic images (all 27 shifts) of objects with bounding boxes centres + [lo, hi] that reach into the box.

    Returns (shifted centres (m, 3), index of the original object (m,)), the unshifted copies first."""
    grid = np.array(np.meshgrid([0, -1, 1], [0, -1, 1], [0, -1, 1], indexing="ij")).reshape(3, -1).T * box
    moved = centres[None, :, :] + grid[:, None, :]  # (27, n, 3)
    keep = np.all((moved + hi[None] > 0) & (moved + lo[None] < box), axis=2)
    shift_idx, obj = np.nonzero(keep)
    return moved[shift_idx, obj], obj


def pack_fused(geometry, face_clearance_um: float, interface_size_um: float, curvature_points: int,
               draw: int = 0) -> FusedPacking:
    """Pack a ParticlesGeometry table with contact policy "fused" (module docstring); radii include the
    facet compensation, so the meshed particle fraction is the target. draw > 0 picks the translation of
    the periodic packing from another seeded set (the mesh quality gate of builders.py)."""
    seed = int(geometry.seed)
    rng = np.random.default_rng(seed)
    box = np.asarray(geometry.box_um, dtype=float)
    target = float(geometry.volume_fraction)
    n, size_scale = particle_count(geometry.size_distribution, float(np.prod(box)), target, rng,
                                   geometry.max_particles)
    unit = decimal_unit(geometry.size_distribution)
    diameters = sample_diameters(geometry.size_distribution, n, rng, unit)  # in unit (packing.pack_periodic)
    positions, r0, result = pack_periodic(diameters, box, unit, density=JAM_TARGET, seed=seed, growth_rate=0.005)
    jammed = float(result.density)
    film = max(geometry.min_gap_fraction * 2.0 * float(np.median(r0)), face_clearance_um)
    centres = np.mod(positions, box)
    i, j, dist, vec = _pairs(centres, r0, box, 2.0 * (MAX_GROWTH - 1.0) * float(r0.max()) + film)
    s, grown, radii, sel, offset, rho, neck_fraction, conflicts = _grow(
        centres, r0, i, j, dist, vec, box, face_clearance_um, target, jammed, film, geometry, interface_size_um,
        curvature_points)
    balls_c = centres[i[sel]] + vec[sel] * (offset / dist[sel])[:, None]
    shift = _shift_off_faces(*_face_features(centres, radii, balls_c, rho, box), box,
                             np.random.default_rng([seed, draw]) if draw else rng, unshifted_first=draw == 0)
    centres = np.mod(centres + shift, box)  # pairs and distances are unchanged by a translation
    s, grown, radii, sel, offset, rho, neck_fraction, conflicts = _grow(
        centres, r0, i, j, dist, vec, box, face_clearance_um, target, jammed, film, geometry, interface_size_um,
        curvature_points)
    achieved = union_fraction(grown, i, j, dist, box) + neck_fraction
    # neck balls: owned by the particle with the smaller |x - c| / r at the ball centre (as a lens cell)
    ball_c = np.mod(centres[i[sel]] + vec[sel] * (offset / dist[sel])[:, None], box)
    ball_owner = np.where(offset / radii[i[sel]] <= (dist[sel] - offset) / radii[j[sel]], i[sel], j[sel])
    gap = dist - radii[i] - radii[j]
    fused_pairs = gap < 0
    wedges = wedge_angle_deg(dist[fused_pairs], radii[i[fused_pairs]], radii[j[fused_pairs]])
    triples = _triple_overlaps(centres, radii, i, j, vec, box)
    stats = {
        "packed_volume_fraction": jammed,
        "growth_factor": s,
        "sphere_volume_fraction": float(np.sum(4.0 / 3.0 * math.pi * radii**3) / np.prod(box)),
        "overlap_volume_fraction": float(np.sum(lens_volume(dist, radii[i], radii[j])) / np.prod(box)),
        "neck_volume_fraction": neck_fraction,
        "fused_contacts_per_particle": float(2.0 * fused_pairs.sum() / n),
        "n_necks": int(sel.sum()),
        "necks_touching_other_particles": conflicts,
        "min_wedge_deg": float(geometry.min_wedge_deg),
        "median_wedge_deg": float(np.median(wedges)) if len(wedges) else None,
        "film_threshold_um": float(film),
        "triple_overlaps": triples,
        "lens_owner": "particle with the smaller |x - c| / r (physics/orientation.py)",
    }
    if triples:
        log.warning("%d triples of spheres share a point: the union fraction is underestimated there", triples)
    all_r = np.concatenate([radii, rho])
    all_c, obj = _images(np.concatenate([centres, ball_c]), box, -all_r[:, None], all_r[:, None])
    ids = np.concatenate([np.arange(n), ball_owner])[obj]
    order = np.argsort(obj >= n, kind="stable")  # particles (originals first) before neck balls
    log.info("fused packing: %d particles packed at %.4f, radii grown by %.4f, %.2f fused contacts per particle, "
             "%d neck balls; target %.4f, achieved %.4f", n, jammed, s, stats["fused_contacts_per_particle"],
             stats["n_necks"], target, achieved)
    return FusedPacking(tuple(box), all_c[order], all_r[obj][order], n, target, achieved, seed, ids[order],
                        size_scale=size_scale, fused=stats)


def _face_features(centres, radii, balls_c, balls_r, box):
    """Points and half-extents along x, y, z (um) of what must not graze a box face: sphere caps, neck
    balls and the rim circles where two overlapping pieces meet (sphere-sphere, ball-sphere, ball-ball).
    A grazing rim makes the two cut circles on the face nearly tangent: a sliver triangle on the face."""
    pc, pr = np.concatenate([centres, balls_c]), np.concatenate([radii, balls_r])
    i, j, dist, vec = _pairs(pc, pr, box, 0.0)
    over = (dist < pr[i] + pr[j]) & (dist > np.abs(pr[i] - pr[j]))  # rims exist (neither piece inside the other)
    i, j, dist, vec = i[over], j[over], dist[over], vec[over]
    u = vec / dist[:, None]
    x = (dist**2 + pr[i] ** 2 - pr[j] ** 2) / (2 * dist)
    rim_r = np.sqrt(np.maximum(pr[i] ** 2 - x**2, 0.0))
    points = np.concatenate([pc, pc[i] + u * x[:, None]])
    extent = np.concatenate([np.repeat(pr[:, None], 3, axis=1), rim_r[:, None] * np.sqrt(1.0 - u**2)])
    return points, extent


def _shift_off_faces(points, extent, box, rng, unshifted_first: bool = True, trials: int = 512) -> np.ndarray:
    """The translation (um) of the periodic packing that keeps the feature closest to grazing a box face
    (a cap or rim whose extent nearly equals its distance to the face) farthest from grazing it."""
    shifts = rng.random((trials, 3)) * box
    if unshifted_first:
        shifts = np.vstack([np.zeros(3), shifts[:-1]])
    worst = np.empty(trials)
    for k in range(0, trials, 64):  # blocks of trials x features x 3
        pos = np.mod(points[None] + shifts[k:k + 64, None, :], box)
        worst[k:k + 64] = np.min(np.abs(np.minimum(pos, box - pos) - extent[None]), axis=(1, 2))
    best = int(np.argmax(worst))
    log.info("fused packing shifted: closest grazing of a box face %.3f um (unshifted %.3f um)", worst[best],
             worst[0])
    return shifts[best]


def _settle_balls(ball_c, rho, floor, centres, radii, i, j, box, film: float, min_wedge_deg: float):
    """Neck-ball radii (um) shrunk to stay a film off third particles, never below floor. Returns the radii,
    the volume the balls share with third particles (um^3, to take off the neck volume) and the number
    of balls left nearer than a film to a third particle (a thin film or wedge for the mesher)."""
    from scipy.spatial import cKDTree

    out, shared = rho.copy(), np.zeros(len(rho))
    if len(rho) == 0:
        return out, shared, 0
    tree = cKDTree(np.mod(centres, box), boxsize=box)
    pairs = tree.sparse_distance_matrix(cKDTree(np.mod(ball_c, box), boxsize=box),
                                        float(rho.max() + radii.max()) + film, output_type="ndarray")
    k, b, d = pairs["i"], pairs["j"], pairs["v"]
    other = (k != i[b]) & (k != j[b])
    k, b, d = k[other], b[other], d[other]
    room = np.full(len(rho), np.inf)
    np.minimum.at(room, b, d - radii[k])
    out = np.maximum(np.minimum(rho, room - film), floor)
    gap = d - radii[k] - out[b]
    np.add.at(shared, b, lens_volume(d, radii[k], out[b]))
    bad = ((gap >= 0) & (gap < film)) | ((gap < 0) & (wedge_angle_deg(d, radii[k], out[b]) < min_wedge_deg))
    return out, shared, int(np.unique(b[bad]).size)


def _ball_ball_overlap(ball_c: np.ndarray, rho: np.ndarray, box: np.ndarray) -> float:
    """Volume (um^3) shared by pairs of neck balls (pairwise lenses), counted once in the neck volume."""
    if len(rho) < 2:
        return 0.0
    i, j, dist, _ = _pairs(np.mod(ball_c, box), rho, box, 0.0)
    return float(np.sum(lens_volume(dist, rho[i], rho[j])))


def _face_bounds(centres: np.ndarray, radii: np.ndarray, box: np.ndarray, clearance: float):
    """Radius bounds (um) that keep every sphere surface at least a clearance off each box face, given the
    radii now: a sphere short of a face (r < d) stops a clearance short of it (upper bound d - c); one that
    crosses it by less than the clearance grows to cross it by the clearance (lower bound d + c): no thin
    caps, no near-tangent faces. clip(s r0, lower, upper) is continuous in the growth factor s."""
    dist = np.concatenate([centres, box - centres], axis=1)  # (n, 6) distances to the faces
    upper = np.min(np.where(radii[:, None] < dist, dist - clearance, np.inf), axis=1)
    lower = np.max(np.where((radii[:, None] >= dist) & (radii[:, None] < dist + clearance), dist + clearance, 0.0),
                   axis=1)
    return np.minimum(lower, upper), np.maximum(upper, 0.0)


def _compensate_exposed(centres, grown, i, j, dist, box, target, isize, curvature_points) -> np.ndarray:
    """Radii (um) inflated for the flat-faceted mesh (packing.compensate_facets) on the exposed part of each
    sphere only: the caps buried in overlapping neighbours (area 2 pi r h per cap) are not meshed."""
    n = len(grown)
    pk = Packing(tuple(box), centres, grown, n, target, 0.0, 0, np.arange(n))
    inflated = compensate_facets(pk, isize, curvature_points, keep_gaps=False).radii_um
    over = dist < grown[i] + grown[j]
    buried = np.zeros(n)
    for a, b in ((i, j), (j, i)):  # cap height of sphere a inside sphere b: r_a - x_a
        x = (dist[over] ** 2 + grown[a[over]] ** 2 - grown[b[over]] ** 2) / (2 * dist[over])
        np.add.at(buried, a[over], (grown[a[over]] - x) / (2 * grown[a[over]]))
    return grown + (inflated - grown) * np.clip(1.0 - buried, 0.0, 1.0)


def _grow(centres, r0, i, j, dist, vec, box, clearance, target, jammed, film, geometry, isize, curvature_points):
    """Growth factor, final radii, neck pairs (mask), neck-ball offsets and radii, neck volume fraction and
    unresolved neck conflicts such that the spheres (kept off the faces) and the necks fill the target
    fraction (Brent on the growth factor; the necks are rebuilt for every trial)."""
    n, volume = len(r0), float(np.prod(box))
    bounds = _face_bounds(centres, r0 * (target / jammed) ** (1.0 / 3.0), box, clearance)  # at the expected growth

    def spheres(s: float) -> np.ndarray:
        return np.clip(s * r0, *bounds)

    def build(s: float):
        radii = _compensate_exposed(centres, spheres(s), i, j, dist, box, target, isize, curvature_points)
        sel = _neck_pairs(radii, i, j, dist, film, geometry.min_wedge_deg)
        offset, rho, floor = neck_balls(radii, i[sel], j[sel], dist[sel], geometry.neck_radius_fraction, film)
        balls_c = centres[i[sel]] + vec[sel] * (offset / dist[sel])[:, None]
        rho, shared, conflicts = _settle_balls(balls_c, rho, floor, centres, radii, i[sel], j[sel], box, film,
                                               geometry.min_wedge_deg)
        neck = float((np.sum(neck_ball_volume(radii, i[sel], j[sel], dist[sel], offset, rho) - shared)
                      - _ball_ball_overlap(balls_c, rho, box)) / volume)
        return union_fraction(spheres(s), i, j, dist, box) + neck, (radii, sel, offset, rho, neck, conflicts)

    for _ in range(3):  # spheres without bounds that grew into a face band get bounds (bounds are kept)
        s = _solve_growth(lambda s: build(s)[0], target, jammed)
        lower, upper = _face_bounds(centres, spheres(s), box, clearance)
        free = (bounds[0] == 0.0) & np.isinf(bounds[1]) & ((lower > 0.0) | np.isfinite(upper))
        if not np.any(free):
            break
        bounds = (np.where(free, lower, bounds[0]), np.where(free, upper, bounds[1]))
    else:
        s = _solve_growth(lambda s: build(s)[0], target, jammed)
    radii, sel, offset, rho, neck, conflicts = build(s)[1]
    return s, spheres(s), radii, sel, offset, rho, neck, conflicts


def _solve_growth(fraction, target: float, jammed: float) -> float:
    """Radius growth factor s in [1 - 0.1, MAX_GROWTH] with fraction(s) = target (Brent)."""
    from scipy.optimize import brentq

    lo = 0.9
    if fraction(MAX_GROWTH) < target:
        raise GeometryError(
            f"volume_fraction {target:.3f} needs the jammed packing ({jammed:.3f}) grown by more than "
            f"{100 * (MAX_GROWTH - 1):.0f} % in radius (contact = \"fused\"); lower volume_fraction, widen "
            f"size_distribution, or enlarge the box (spheres kept off the box faces cost most in small boxes)")
    return float(brentq(lambda s: fraction(s) - target, lo, MAX_GROWTH, xtol=1e-5))


def fuse_volumes(occ, volumes: list) -> list:
    """OCC union of overlapping particle volumes (dim, tag): no internal lens faces for the mesher, and
    much faster than fragmenting the overlaps (measured: docs/geometry.md)."""
    if len(volumes) < 2:
        return volumes
    fused, _ = occ.fuse(volumes[:1], volumes[1:])
    return [dt for dt in fused if dt[0] == 3]
