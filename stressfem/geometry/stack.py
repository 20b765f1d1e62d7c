"""Gmsh (OpenCASCADE) builder for layered stacks and for coated or polycrystalline particles.

A stack is a list of layers along z (first layer at z = 0). A dense layer is one phase; a
composite layer is a particle packing (periodic in its own layer box, cut by the box: see
packing.py) in a matrix phase. Particles may carry a conformal coating (a shell volume) and
may be split into Voronoi primary grains. A ``particles`` geometry with a coating or grains is
built here as a one-layer stack.

Physical groups written (conventions in docs/geometry.md):

* volumes: one per phase; a polycrystalline particle phase gets one volume per grain,
  named ``<phase>#<grain id>`` (the solver groups names on the part before ``#``);
* surfaces: ``xmin .. zmax`` (faces of the whole stack), ``A/B`` between phases A and B
  (A the particle side: particle < coating < matrix < dense layers, lower layers first),
  ``<phase>#gb`` for the grain boundaries inside a polycrystalline phase.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from ..errors import GeometryError
from .face_policy import add_sphere, sphere_rotations
from .gmsh_session import gmsh_session, mesh_and_write, name_box_faces

__all__ = ["build_stack", "uniform_quaternions", "voronoi_seeds"]

log = logging.getLogger(__name__)


def uniform_quaternions(n: int, rng: np.random.Generator) -> np.ndarray:
    """n unit quaternions (w, x, y, z) uniformly distributed on SO(3) (Shoemake 1992)."""
    u1, u2, u3 = rng.random((3, n))
    a, b = np.sqrt(1.0 - u1), np.sqrt(u1)
    return np.stack([a * np.sin(2 * np.pi * u2), a * np.cos(2 * np.pi * u2),
                     b * np.sin(2 * np.pi * u3), b * np.cos(2 * np.pi * u3)], axis=1)[:, [1, 0, 2, 3]]


def voronoi_seeds(n: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """n grain seeds uniform in a ball of 0.9 radius (relative to the particle centre)."""
    v = rng.standard_normal((n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    return v * (0.9 * radius * rng.random(n) ** (1.0 / 3.0))[:, None]


def _halfspace_box(occ, point: np.ndarray, normal: np.ndarray, size: float) -> tuple[int, int]:
    """A cube of side 2 size lying on the plane (point, normal), on the side the normal points to."""
    tag = occ.addBox(-size, -size, 0.0, 2 * size, 2 * size, 2 * size)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(z, normal)
    s, c = np.linalg.norm(axis), float(np.dot(z, normal))
    if s > 1e-12:
        occ.rotate([(3, tag)], 0, 0, 0, *(axis / s), math.atan2(s, c))
    elif c < 0:
        occ.rotate([(3, tag)], 0, 0, 0, 1, 0, 0, math.pi)
    occ.translate([(3, tag)], *point)
    return (3, tag)


def _grain_volumes(occ, centre: np.ndarray, radius: float, seeds: np.ndarray, rotvec=None) -> list[int]:
    """Sphere split into the Voronoi cells of seeds (relative to centre); one OCC volume per grain.

    rotvec: rotation of the OCC sphere about its centre (rad; face_policy.sphere_rotations)."""
    out = []
    for k in range(len(seeds)):
        current = [(3, add_sphere(occ, centre, radius, rotvec))]
        for j in range(len(seeds)):  # one half-space at a time: much faster in OCC than all tools at once
            if j == k:
                continue
            d = seeds[j] - seeds[k]
            n = d / np.linalg.norm(d)
            foot = centre + float(np.dot(0.5 * (seeds[j] + seeds[k]), n)) * n  # closest plane point to the centre
            tool = _halfspace_box(occ, foot, n, 1.2 * radius)
            current, _ = occ.cut(current, [tool], removeObject=True, removeTool=True)
        vols = [t for d, t in current if d == 3]
        if len(vols) != 1:
            raise GeometryError(f"Voronoi grain {k} of a particle at {centre.round(3).tolist()} gave {len(vols)} "
                                f"volumes; change geometry.seed")
        out.append(vols[0])
    return out


def build_stack(blocks: list[dict], lateral_um, mesh, out_file, seed: int, size: float, isize: float,
                periodic_axes: str = "") -> dict:
    """Mesh layer blocks to ``out_file`` (.msh, metres); ``periodic_axes`` ("xy"): matching lateral face
    meshes (geometry/periodic.py).

    Each block: {"name", "z0", "thickness", "type": "dense", "phase"} or {"type": "composite",
    "packing", "particle_phase", "matrix_phase", "coating", "grains"}.
    """
    rng = np.random.default_rng(seed + 104729)
    lx, ly = lateral_um
    height = sum(b["thickness"] for b in blocks)
    rank: list[str] = []  # phase order for interface names (particle side first)
    for b in blocks:
        names = [b["phase"]] if b["type"] == "dense" else (
            [b["particle_phase"]] + ([b["coating"].phase] if b["coating"] and b["coating"].meshed else [])
            + [b["matrix_phase"]])
        rank += [p for p in names if p not in rank]
    t0 = time.perf_counter()
    grains_info: dict[str, dict] = {}
    with gmsh_session(threads=mesh.threads) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("stack")
        boxes, cut_pieces, cut_group = [], [], []  # cut_group: (kind, phase or grain id, phase)
        for b in blocks:
            box = occ.addBox(0, 0, b["z0"], lx, ly, b["thickness"])
            boxes.append((3, box))
            if b["type"] != "composite" or b["packing"] is None:
                continue
            pieces, groups = _particle_pieces(occ, b, rng, grains_info, (lx, ly), 0.5 * isize, bool(periodic_axes))
            if getattr(b["packing"], "fused", None) is not None:  # overlapping particles: one union (dense.py)
                from .dense import fuse_volumes

                pieces = fuse_volumes(occ, pieces)
                groups = groups[:1] * len(pieces)
            if pieces:  # cut every piece by its layer box (the box itself is kept)
                _, out_map = occ.intersect(pieces, [(3, box)], removeObject=True, removeTool=False)
                for grp, m in zip(groups, out_map[: len(pieces)]):
                    for dt in m:
                        if dt[0] == 3:
                            cut_pieces.append(dt)
                            cut_group.append(grp)
        _, out_map = occ.fragment(boxes, cut_pieces)
        occ.synchronize()
        t_geo = time.perf_counter() - t0
        box_vols = [{t for d, t in m if d == 3} for m in out_map[: len(boxes)]]
        piece_vols = [{t for d, t in m if d == 3} for m in out_map[len(boxes):]]
        owner: dict[int, tuple] = {}
        for kind_order in ("shell", "core", "grain"):  # cores/grains override the shells containing them
            for vols, grp in zip(piece_vols, cut_group):
                if grp[0] == kind_order:
                    for v in vols:
                        owner[v] = grp
        by_name: dict[str, list[int]] = {}
        vol_phase: dict[int, tuple[str, int]] = {}
        for b, vols in zip(blocks, box_vols):
            base = b["phase"] if b["type"] == "dense" else b["matrix_phase"]
            for v in vols:
                if v in owner:
                    kind, label, phase = owner[v]
                    name = f"{phase}#{label}" if kind == "grain" else phase
                    vol_phase[v] = (phase, label if kind == "grain" else 0)
                else:
                    name = base
                    vol_phase[v] = (base, 0)
                by_name.setdefault(name, []).append(v)
        for name, vols in by_name.items():
            gmsh.model.addPhysicalGroup(3, sorted(vols), name=name)
        faces = name_box_faces(gmsh, np.array([lx, ly, height]))
        on_box = {t for tags in faces.values() for t in tags}
        surf_groups: dict[str, list[int]] = {}
        for _, s in gmsh.model.getEntities(2):
            if s in on_box:
                continue
            up, _ = gmsh.model.getAdjacencies(2, s)
            owners = [vol_phase[v] for v in up if v in vol_phase]
            if len(owners) != 2:
                continue
            (pa, ga), (pb, gb) = owners
            if pa == pb:
                if ga != gb:
                    surf_groups.setdefault(f"{pa}#gb", []).append(s)
                continue
            a, bb = sorted((pa, pb), key=rank.index)
            surf_groups.setdefault(f"{a}/{bb}", []).append(s)
        for name, tags in surf_groups.items():
            gmsh.model.addPhysicalGroup(2, tags, name=name)
        interfaces = sorted({t for n, tags in surf_groups.items() for t in tags})
        if periodic_axes:
            from .periodic import set_periodic_box

            pairs = set_periodic_box(gmsh, np.array([lx, ly, height]), axes=periodic_axes)
        _fields(gmsh, interfaces, blocks, surf_groups, size, isize)
        t_mesh, stats = mesh_and_write(
            gmsh, mesh, size, isize, "the stack",
            "a smaller mesh.interface_size_um, a larger min_gap_fraction of the composite layers, "
            "mesh.algorithm = \"delaunay\", a thicker coating (or one below coating.min_meshed_thickness_um), "
            "fewer grains_per_particle, or another seed", out_file, periodic=bool(periodic_axes))
    if periodic_axes:
        stats["periodic_surface_pairs"] = pairs
    stats.update({"mesh_size_um": size, "interface_size_um": isize, "geometry_time_s": t_geo,
                  "meshing_time_s": t_mesh, "height_um": height, "lateral_um": [lx, ly],
                  "surface_groups": sorted(surf_groups)})
    composites = [b for b in blocks if b["type"] == "composite" and b["packing"] is not None]
    if composites and not grains_info:  # per-particle orientation (grains are volumes of their own)
        from .rve import particle_pieces

        stats["particle_pieces"] = particle_pieces([b["packing"] for b in composites], [b["z0"] for b in composites])
    if grains_info:
        stats["grains"] = sorted(grains_info.values(), key=lambda g: g["id"])
        stats["grain_convention"] = "volume '<phase>#<id>' per grain, grain boundaries '<phase>#gb'"
    log.info("meshed stack: %d tetrahedra in %.1f s (geometry %.1f s), min quality %.3f",
             stats["n_tetrahedra"], t_mesh, t_geo, stats["min_quality"])
    return stats


def _particle_pieces(occ, b: dict, rng, grains_info: dict, lateral, clearance: float,
                     shared: bool = False) -> tuple[list, list]:
    """OCC volumes of the particles of a composite block: cores or grains, and shells.

    Spheres are oriented so that the layer box faces miss their poles and seams by clearance (um);
    ``shared``: periodic images of a particle get its rotation (periodic meshes, geometry/periodic.py)."""
    pk, coat, grains = b["packing"], b["coating"], b["grains"]
    shift = np.array([0.0, 0.0, b["z0"]])
    n_grain = grains.grains_per_particle if grains is not None else 0
    meshed_coat = coat is not None and coat.meshed
    lo, hi = np.array([0.0, 0.0, b["z0"]]), np.array([lateral[0], lateral[1], b["z0"] + b["thickness"]])
    core_radii = pk.radii_um - (coat.thickness_um if meshed_coat else 0.0)
    core_rot = sphere_rotations(pk.centres_um + shift, core_radii, lo, hi, clearance)
    shell_rot = sphere_rotations(pk.centres_um + shift, pk.radii_um, lo, hi, clearance) if meshed_coat else None
    if shared:
        from .periodic import shared_rotations

        core_rot = shared_rotations(core_rot, pk)
        shell_rot = shared_rotations(shell_rot, pk) if shell_rot is not None else None
    seeds, quats = {}, None
    if n_grain:
        for pid in range(pk.n_particles):
            r = float(pk.radii_um[pid]) - (coat.thickness_um if meshed_coat else 0.0)
            seeds[pid] = voronoi_seeds(n_grain, r, rng)
        quats = uniform_quaternions(pk.n_particles * n_grain, rng)
    pieces, groups = [], []
    for piece, (c, r, pid) in enumerate(zip(pk.centres_um, pk.radii_um, pk.particle_ids.tolist())):
        c = c + shift
        core_r = r - coat.thickness_um if meshed_coat else r
        if core_r <= 0.2 * r:
            raise GeometryError(f"a coating of {coat.thickness_um} um leaves less than 20 % of a particle radius "
                                f"({r:.3g} um); lower coating.thickness_um or enlarge the particles")
        if n_grain:
            for k, v in enumerate(_grain_volumes(occ, c, core_r, seeds[pid], core_rot[piece])):
                key = f"{b['name']}:{pid}:{k}"
                if key not in grains_info:  # periodic images of a particle share its grain ids
                    grains_info[key] = {
                        "id": len(grains_info) + 1, "layer": b["name"], "particle": pid, "grain": k,
                        "phase": b["particle_phase"], "quaternion_wxyz": quats[pid * n_grain + k].tolist(),
                        "seed_point_um": (pk.centres_um[pid] + shift + seeds[pid][k]).tolist(),
                    }
                pieces.append((3, v))
                groups.append(("grain", grains_info[key]["id"], b["particle_phase"]))
        else:
            pieces.append((3, add_sphere(occ, c, core_r, core_rot[piece])))
            groups.append(("core", b["particle_phase"], b["particle_phase"]))
        if meshed_coat:
            pieces.append((3, add_sphere(occ, c, r, shell_rot[piece])))
            groups.append(("shell", coat.phase, coat.phase))
    if pk.necks is not None:  # contact policy "neck": solid cylinders of particle phase join close particles
        for n in pk.necks:
            pieces.append((3, occ.addCylinder(*(n[:3] + shift), *(n[3:6] - n[:3]), n[6])))
            groups.append(("core", b["particle_phase"], b["particle_phase"]))
    return pieces, groups


def _fields(gmsh, interfaces: list[int], blocks, surf_groups, size: float, isize: float) -> None:
    """isize at every interface, growing to size over 2 size; coating shells one element thick."""
    from .rve import threshold_field, use_background_field

    fields = []
    if interfaces and isize < size:
        fields.append(threshold_field(gmsh, interfaces, isize, size, 0.5 * isize, 2.0 * size))
    for b in blocks:
        coat = b.get("coating")
        if coat is None or not coat.meshed:
            continue
        shell = [t for n, tags in surf_groups.items() if coat.phase in n.split("/") for t in tags]
        if shell and coat.thickness_um < isize:
            fields.append(threshold_field(gmsh, shell, coat.thickness_um, size, coat.thickness_um, 2.0 * size))
    if not fields:
        return
    if len(fields) > 1:
        fm = gmsh.model.mesh.field
        mn = fm.add("Min")
        fm.setNumbers(mn, "FieldsList", fields)
        fields = [mn]
    use_background_field(gmsh, fields[0])
