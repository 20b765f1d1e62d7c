"""Random sphere packings in a periodic box (NumPy + spheropack), lengths in um.

Policy (documented in docs/geometry.md): spheres are packed in a *periodic* box with the
event-driven Lubachevsky-Stillinger algorithm (spheropack), then cut by the box faces; a
sphere crossing a face is continued by its periodic image on the opposite face, so the box
holds the target volume fraction. Radii are shrunk by ``min_gap_fraction`` after packing to
leave a gap between particles (no particle/particle contacts, no slivers between them), and a
sphere whose surface nearly touches a box face is shrunk until it clears the face by a
quarter of the gap, so no sliver caps or near-tangent faces reach the mesher.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["Packing", "sample_diameters", "pack_spheres", "pack_periodic", "particle_count", "decimal_unit"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Packing:
    """Spheres in the box [0, L] (um): centres (n, 3), radii (n,), with periodic images."""

    box_um: tuple[float, float, float]
    centres_um: np.ndarray
    radii_um: np.ndarray
    n_particles: int  # distinct particles, before periodic images
    target_fraction: float
    achieved_fraction: float  # sphere volume inside the box over the box volume (exact)
    seed: int
    particle_ids: np.ndarray | None = None  # (pieces,) index of the distinct particle of each piece
    necks: np.ndarray | None = None  # (k, 7): start xyz, end xyz, radius of neck cylinders (um)
    size_scale: float = 1.0  # packed / requested particle size (before the gap shrink); see particle_count

    def to_dict(self) -> dict:
        return {
            "box_um": list(self.box_um),
            "n_particles": self.n_particles,
            "n_sphere_pieces": int(len(self.radii_um)),
            "target_volume_fraction": self.target_fraction,
            "achieved_volume_fraction": self.achieved_fraction,
            "seed": self.seed,
            "d50_um": float(np.median(2 * self.radii_um[: self.n_particles])),
            "size_scale": self.size_scale,
        }


def sample_diameters(distribution, n: int, rng: np.random.Generator, unit: float = 1.0) -> np.ndarray:
    """n diameters from a FixedSize or LognormalSize table, in ``unit`` (um; see pack_periodic)."""
    if distribution.type == "fixed":
        return np.full(n, in_unit(distribution.diameter_um, unit))
    return in_unit(distribution.d50_um, unit) * np.exp(distribution.sigma * rng.standard_normal(n))


SIZE_SCALE_WARN = 0.05  # packed sizes further than 5 % from the request: warned and recorded
SIZE_SCALE_MAX = 0.25  # further than 25 %: refused (the case would not describe the microstructure asked for)


def particle_count(distribution, box_volume: float, fraction: float, rng: np.random.Generator,
                   cap: int) -> tuple[int, float]:
    """(particles n, size scale): n particles of the requested sizes, grown or shrunk alike by the size
    scale, fill ``fraction`` of the box. The scale differs from 1 by the rounding of n (a few particles
    in a small box) or when n hits max_particles; beyond SIZE_SCALE_WARN it is logged, beyond
    SIZE_SCALE_MAX refused (GeometryError naming the keys to change)."""
    probe = sample_diameters(distribution, 4000, rng)
    mean_volume = float(np.mean(math.pi / 6.0 * probe**3))
    wanted = fraction * box_volume / mean_volume
    n = max(1, min(cap, round(wanted)))
    scale = (wanted / n) ** (1.0 / 3.0)
    requested = distribution.diameter_um if distribution.type == "fixed" else distribution.d50_um
    if abs(scale - 1.0) > SIZE_SCALE_MAX:
        from ..errors import GeometryError

        if n == cap and wanted > cap:
            raise GeometryError(
                f"filling volume fraction {fraction} with particles of {requested:g} um needs about {wanted:.0f} "
                f"particles, but geometry.max_particles = {cap}: they would be packed {scale:.2f} times larger "
                f"({scale * requested:.3g} um); raise max_particles, shrink box_um, or ask for larger particles")
        raise GeometryError(
            f"the box holds only {wanted:.2f} particles of {requested:g} um at volume fraction {fraction}; {n} "
            f"particle(s) would be packed {scale:.2f} times {'larger' if scale > 1 else 'smaller'} "
            f"({scale * requested:.3g} um); enlarge geometry.box_um (at least a few particle diameters) or use "
            f"smaller particles (geometry.size_distribution)")
    if abs(scale - 1.0) > SIZE_SCALE_WARN:
        log.warning("particle sizes adjusted: %d particles packed %.3f times the requested size (%.3g -> %.3g um) "
                    "to fill volume fraction %.3f%s; recorded as size_scale in summary.json", n, scale, requested,
                    scale * requested, fraction, " (max_particles reached)" if n == cap and wanted > cap else "")
    return n, scale


MAX_PERIODIC_FRACTION = 0.645  # spheropack's jamming density in a periodic box (stack notes)


def pack_spheres(geometry, face_clearance_um: float = 0.0, draw: int = 0) -> Packing:
    """Pack the particles of a ParticlesGeometry table; returns the cut, gap-shrunk packing.

    face_clearance_um: smallest allowed distance (um) between a sphere surface and a box face,
    and smallest cap a face may cut off a sphere (about half the interface element size).

    The gap shrink and the face clearing remove volume; the packing is therefore grown to
    ``target / (1 - min_gap_fraction)^3`` and, when the cleared packing still falls more than
    0.002 below the target, packed again with the density raised by the measured loss (at most
    three attempts, never above the periodic jamming density).

    draw: which translation of the periodic packing to use (0: the unshifted one if no sphere nearly
    touches a face; k > 0: the best of another seeded set; the mesh quality gate of builders.py asks
    for the next draw when a mesh has slivers).
    """
    seed = geometry.seed
    rng = np.random.default_rng(seed)
    box = np.asarray(geometry.box_um, dtype=float)
    target = geometry.volume_fraction
    shrink = 1.0 - geometry.min_gap_fraction
    n, size_scale = particle_count(geometry.size_distribution, float(np.prod(box)), target, rng,
                                   geometry.max_particles)
    unit = decimal_unit(geometry.size_distribution)
    diameters = sample_diameters(geometry.size_distribution, n, rng, unit)  # in unit
    pack_target = target / shrink**3
    best = None
    for attempt in range(3):
        centres, radii, achieved = _pack_once(diameters, box, pack_target, geometry, face_clearance_um,
                                              np.random.default_rng([seed + 7919 * attempt, draw] if draw else
                                                                    seed + 7919 * attempt), draw == 0)
        if best is None or abs(achieved - target) < abs(best[2] - target):
            best = (centres, radii, achieved)
        if achieved >= target - 0.002 or pack_target >= MAX_PERIODIC_FRACTION - 1e-9:
            break
        pack_target = min(MAX_PERIODIC_FRACTION, pack_target + (target - achieved) / shrink**3 + 0.001)
        log.info("face clearing lost %.4f of volume fraction; packing again to %.4f", target - achieved,
                 pack_target)
    centres, radii, achieved = best
    if abs(achieved - target) > 0.001:  # scale every radius alike (at most a third of the gap), clear faces again
        scale = min((target / achieved) ** (1.0 / 3.0), 1.0 + geometry.min_gap_fraction / 3.0)
        scaled = radii * scale
        clearance = np.maximum(0.25 * geometry.min_gap_fraction * scaled, face_clearance_um)
        radii = _clear_faces(centres, scaled, box, clearance)
        achieved = float(np.sum(4.0 / 3.0 * math.pi * radii**3) / np.prod(box))
    # periodic images of spheres crossing faces (up to 7 per sphere at a corner)
    all_c, all_r, all_i = [centres], [radii], [np.arange(n)]
    for shift in _shifts():
        moved = centres + shift * box
        keep = np.all((moved + radii[:, None] > 0) & (moved - radii[:, None] < box), axis=1)
        all_c.append(moved[keep])
        all_r.append(radii[keep])
        all_i.append(np.flatnonzero(keep))
    c, r, ids = np.concatenate(all_c), np.concatenate(all_r), np.concatenate(all_i)
    if achieved < target - 0.05:
        from ..errors import GeometryError

        raise GeometryError(
            f"the packing reached volume fraction {achieved:.3f}, far below the target {target:.3f}; lower "
            f"volume_fraction or min_gap_fraction, widen size_distribution, or enlarge the box (face clearing "
            f"costs most in thin or small boxes)")
    if achieved < target - 0.01:
        log.warning("packing fraction %.4f is more than 0.01 below the target %.4f (reported as achieved)",
                    achieved, target)
    necks = None
    if getattr(geometry, "contact", "gap") == "neck":
        necks = neck_cylinders(centres, radii, box, max(face_clearance_um, 0.25 * geometry.min_gap_fraction * radii.min()),
                               geometry.neck_radius_fraction)
    log.info("packed %d particles: target volume fraction %.4f, achieved %.4f (%d pieces cut by the box)",
             n, target, achieved, len(r))
    return Packing(tuple(box), c, r, n, target, achieved, int(seed), ids, necks, size_scale)


def neck_cylinders(centres, radii, box, gap_um: float, fraction: float) -> np.ndarray:
    """Contact policy "neck": a cylinder of radius fraction x min(r_i, r_j) joins every pair of
    particles closer than gap_um (surface to surface), with its periodic images in the box.

    The thin matrix film between nearly touching particles is replaced by a solid neck (a
    sintered contact); the remaining gap beside the neck opens as ~ rho^2 / r and meshes well.
    Returns (k, 7) rows: start xyz, end xyz, radius (um).
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(np.mod(centres, box), boxsize=box)
    pairs = tree.query_pairs(2.0 * float(radii.max()) + gap_um, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 7))
    i, j = pairs[:, 0], pairs[:, 1]
    d = centres[j] - centres[i]
    d -= box * np.round(d / box)  # minimal image
    gap = np.linalg.norm(d, axis=1) - radii[i] - radii[j]
    close = gap < gap_um
    i, j, d = i[close], j[close], d[close]
    start, end = centres[i], centres[i] + d
    rad = fraction * np.minimum(radii[i], radii[j])
    rows = []
    for shift in [np.zeros(3)] + _shifts():
        s0, s1 = start + shift * box, end + shift * box
        lo, hi = np.minimum(s0, s1) - rad[:, None], np.maximum(s0, s1) + rad[:, None]
        keep = np.all((hi > 0) & (lo < box), axis=1)
        rows.append(np.column_stack([s0[keep], s1[keep], rad[keep]]))
    out = np.concatenate(rows)
    log.info("contact policy 'neck': %d contacts closer than %.3g um joined by necks (%d cylinder pieces)",
             int(close.sum()), gap_um, len(out))
    return out


def decimal_unit(distribution) -> float:
    """The power of ten (um) at or below the requested size (diameter or d50): the packing's length unit."""
    size = float(distribution.diameter_um if distribution.type == "fixed" else distribution.d50_um)
    return 10.0 ** math.floor(math.log10(size) + 1e-9)


def in_unit(value_um, unit: float):
    """A length (um) in ``unit`` (um), rounded to 12 digits; unchanged when unit is 1 um."""
    return value_um if unit == 1.0 else np.round(np.asarray(value_um, dtype=float) / unit, 12)


def pack_periodic(diameters: np.ndarray, box: np.ndarray, unit: float, *, density: float, seed: int,
                  growth_rate: float):
    """spheropack in a periodic box: (positions um, radii um, spheropack result); ``diameters`` in ``unit``.

    The event-driven dynamics amplify any difference of the inputs, even in the last bit. Packing in
    a decimal unit (decimal_unit; diameters sampled in it, sample_diameters) makes a case whose
    lengths are all multiplied by a power of ten pack exactly alike (issue 16); cases with sizes of
    1 to 10 um pack exactly as before (unit 1 um).
    """
    import spheropack

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spheropack.PackingWarning)
        result = spheropack.pack(radii=diameters / 2,
                                 container=spheropack.Box(tuple(in_unit(box, unit)), periodic=True),
                                 density=density, seed=seed, strict=False, growth_rate=growth_rate)
    return np.asarray(result.positions, dtype=float) * unit, np.asarray(result.radii, dtype=float) * unit, result


def _pack_once(diameters, box, pack_target, geometry, face_clearance_um, rng, unshifted_first: bool = True):
    """One spheropack run to pack_target, gap shrink and face clearing; (centres, radii, fraction)."""
    shrink = 1.0 - geometry.min_gap_fraction
    pack_target = min(pack_target, MAX_PERIODIC_FRACTION)
    positions, radii0, result = pack_periodic(diameters, box, decimal_unit(geometry.size_distribution),
                                              density=pack_target,
                                              seed=int(geometry.seed),
                                              growth_rate=0.02 if pack_target < 0.55 else 0.005)
    if not result.success or result.density < 0.995 * pack_target:
        from ..errors import GeometryError

        if result.density * shrink**3 < 0.995 * geometry.volume_fraction:
            raise GeometryError(
                f"the packing jammed at volume fraction {result.density * shrink**3:.3f} before the target "
                f"{geometry.volume_fraction:.3f} (status {result.status!r}); lower geometry.volume_fraction, "
                f"lower geometry.min_gap_fraction, or widen geometry.size_distribution"
            )
    radii = radii0 * shrink
    clearance = np.maximum(0.25 * geometry.min_gap_fraction * radii, face_clearance_um)
    centres = _best_shift(positions, radii, box, clearance, rng, unshifted_first)
    radii = _clear_faces(centres, radii, box, clearance)
    # each sphere's volume is shared exactly among its periodic images inside the box
    achieved = float(np.sum(4.0 / 3.0 * math.pi * radii**3) / np.prod(box))
    return centres, radii, achieved


def _shifts() -> list[np.ndarray]:
    out = []
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            for k in (-1, 0, 1):
                if (i, j, k) != (0, 0, 0):
                    out.append(np.array([i, j, k], dtype=float))
    return out


def _near_faces(centres: np.ndarray, radii: np.ndarray, box: np.ndarray, clearance: np.ndarray) -> np.ndarray:
    """Boolean (n, 6): the sphere surface is within clearance of a face (thin cap or thin gap)."""
    dist = np.concatenate([centres, box - centres], axis=1)
    return np.abs(radii[:, None] - dist) < clearance[:, None]


def _best_shift(centres, radii, box, clearance, rng, unshifted_first: bool = True, trials: int = 64) -> np.ndarray:
    """Translate the periodic packing so that the fewest spheres nearly touch a face (first trial: no
    translation, unless unshifted_first is False)."""
    best, best_bad = np.mod(centres, box), None
    for k in range(trials):
        shifted = np.mod(centres + (0.0 if k == 0 and unshifted_first else rng.random(3) * box), box)
        bad = int(_near_faces(shifted, radii, box, clearance).sum())
        if best_bad is None or bad < best_bad:
            best, best_bad = shifted, bad
            if bad == 0:
                break
    return best


def _clear_faces(centres: np.ndarray, radii: np.ndarray, box: np.ndarray, clearance: np.ndarray) -> np.ndarray:
    """Shrink spheres whose surface lies within clearance of a face: no slivers or thin caps."""
    dist = np.concatenate([centres, box - centres], axis=1)
    r = radii.copy()
    near = _near_faces(centres, radii, box, clearance)
    for j in range(6):
        hit = near[:, j]
        r[hit] = np.minimum(r[hit], dist[hit, j] - clearance[hit])
    if np.any(near):
        log.info("shrank %d spheres to clear the box faces by at least %.3g um", int(np.any(near, axis=1).sum()),
                 float(clearance.min()))
    if np.any(r < 0.5 * radii):
        log.warning("%d spheres were shrunk by more than half to clear box faces", int(np.sum(r < 0.5 * radii)))
    if np.any(r <= 0.0):  # a centre within the clearance of a face: no sphere is left to mesh (issue 16)
        from ..errors import GeometryError

        raise GeometryError(
            f"{int(np.sum(r <= 0))} sphere(s) lie with their centre within {float(clearance.max()):.3g} um of a "
            f"box face and vanish when cleared from it; change geometry.seed (or geometry.box_um)")
    return r


def compensate_facets(packing: Packing, interface_size_um: float, curvature_points: int,
                      keep_gaps: bool = True) -> Packing:
    """Inflate the radii so that the meshed (flat-faceted) particles hold the packing's volume.

    A sphere meshed with flat triangles of edge h lies inside the sphere; the volume lost is
    about h^2 / (4 r^2) of the sphere (mean sagitta h^2 / (12 r) over the surface); Gmsh's
    triangles measured 0.3 h^2 / r^2 (60 % box, h = 0.6 um, r = 2.5 um), which is used. The radius
    is scaled by (1 - loss)^(-1/3), so the meshed volume fraction matches the reported packing
    fraction (checked in the tests), but never by more than 3/4 of any gap to a neighbour
    (gap_policy.limit_inflation: larger inflations made neighbours overlap in thin lenses), unless
    ``keep_gaps`` is False (contact = "fused": the gap cap moved volume onto particles next to neck
    balls sized for the uncapped radii and dropped a 0.75 box from min SICN 0.0055 to 0.0005).
    """
    r = packing.radii_um
    h = np.full_like(r, interface_size_um)
    if curvature_points > 0:
        h = np.minimum(h, 2.0 * math.pi * r / curvature_points)
    loss = np.clip(0.3 * h**2 / r**2, 0.0, 0.1)
    scaled = r * (1.0 - loss) ** (-1.0 / 3.0)
    from dataclasses import replace

    from .gap_policy import limit_inflation

    if keep_gaps:  # fused packings (dense.py) manage their films with neck balls instead
        scaled = limit_inflation(packing.centres_um, r, scaled, packing.box_um, packing.n_particles,
                                 packing.particle_ids)
    return replace(packing, radii_um=scaled)
