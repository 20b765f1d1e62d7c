"""Gmsh (OpenCASCADE) model of spherical particles in a cuboid of electrolyte.

Geometry is built in micrometres (OCC's tolerances suit O(1) numbers) and the mesh file is
written in metres (``Mesh.ScalingFactor``). Physical groups written:

* volumes: one per phase (``particle_phase``, ``matrix_phase``);
* surfaces: ``xmin xmax ymin ymax zmin zmax`` (outer faces) and
  ``<particle_phase>/<matrix_phase>`` (the particle/electrolyte interfaces).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..errors import GeometryError
from .face_policy import add_sphere, sphere_rotations
from .gmsh_session import gmsh_session, mesh_and_write, name_box_faces
from .packing import Packing
from .periodic import set_periodic_box, shared_rotations
from .sizes import mesh_sizes

__all__ = ["build_particle_rve", "mesh_sizes"]

log = logging.getLogger(__name__)


def particle_pieces(packings: list[Packing], z_offsets: list[float] | None = None) -> dict:
    """Sphere pieces (um) with the id of the particle each belongs to (periodic images share it),
    for per-particle crystal orientation (physics/orientation.py); ids run on across packings."""
    centres, radii, ids, first = [], [], [], 0
    for k, pk in enumerate(packings):
        shift = np.array([0.0, 0.0, z_offsets[k] if z_offsets else 0.0])
        centres.append(pk.centres_um + shift)
        radii.append(pk.radii_um)
        pid = pk.particle_ids if pk.particle_ids is not None else np.arange(len(pk.radii_um))
        ids.append(np.asarray(pid) + first)
        first += pk.n_particles
    return {"centres_um": np.concatenate(centres).tolist(), "radii_um": np.concatenate(radii).tolist(),
            "particle": np.concatenate(ids).astype(int).tolist(), "n_particles": first}


def build_particle_rve(packing: Packing, geometry, mesh, out_file, periodic_axes: str = "") -> dict:
    """Mesh the packing to ``out_file`` (.msh, metres); returns mesh statistics.

    periodic_axes: the axes ("xyz" or a subset) along which opposite faces get matching meshes
    (geometry/periodic.py); periodic images of a sphere then share its rotation."""
    box = np.asarray(packing.box_um)
    size, isize = mesh_sizes(geometry, mesh)
    t0 = time.perf_counter()
    with gmsh_session(threads=mesh.threads) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("rve")
        box_tag = occ.addBox(0, 0, 0, *box)
        rot = sphere_rotations(packing.centres_um, packing.radii_um, 0.0, box, 0.5 * isize)
        if periodic_axes:
            rot = shared_rotations(rot, packing)
        spheres = [(3, add_sphere(occ, c, r, q)) for c, r, q in zip(packing.centres_um, packing.radii_um, rot)]
        if packing.necks is not None:  # contact policy "neck": solid cylinders join close particles
            spheres += [(3, occ.addCylinder(*n[:3], *(n[3:6] - n[:3]), n[6])) for n in packing.necks]
        if packing.necks is not None or getattr(packing, "fused", None) is not None:
            # contact policies "neck" and "fused": one union (geometry/dense.py), no internal faces
            from .dense import fuse_volumes

            spheres = fuse_volumes(occ, spheres)
        if spheres:
            pieces, _ = occ.intersect(spheres, [(3, box_tag)], removeObject=True, removeTool=False)
            out, out_map = occ.fragment([(3, box_tag)], pieces)
            particle_vols = sorted({t for dt in out_map[1:] for (d, t) in dt if d == 3})
        else:
            out, particle_vols = [(3, box_tag)], []
        occ.synchronize()
        t_geo = time.perf_counter() - t0
        all_vols = [t for d, t in gmsh.model.getEntities(3)]
        matrix_vols = sorted(set(all_vols) - set(particle_vols))
        if not matrix_vols:
            raise GeometryError("the particles fill the whole box; lower geometry.volume_fraction")
        gmsh.model.addPhysicalGroup(3, particle_vols, name=geometry.particle_phase)
        gmsh.model.addPhysicalGroup(3, matrix_vols, name=geometry.matrix_phase)
        faces = name_box_faces(gmsh, box)
        on_box = {t for tags in faces.values() for t in tags}
        interface = sorted(
            {t for d, t in gmsh.model.getBoundary([(3, v) for v in particle_vols], oriented=False) if d == 2} - on_box
        ) if particle_vols else []
        if interface:
            gmsh.model.addPhysicalGroup(2, interface, name=f"{geometry.particle_phase}/{geometry.matrix_phase}")
        if periodic_axes:
            stats_periodic = set_periodic_box(gmsh, box, axes=periodic_axes)
        _size_field(gmsh, interface, size, isize)
        t_mesh, stats = mesh_and_write(
            gmsh, mesh, size, isize, "the particle box",
            "a smaller mesh.interface_size_um, a larger geometry.min_gap_fraction, mesh.algorithm = \"delaunay\", "
            "or another geometry.seed", out_file, periodic=bool(periodic_axes))
    stats.update(packing.to_dict())
    # sphere pieces (um), for per-particle crystal orientation (physics/orientation.py)
    stats["particle_pieces"] = particle_pieces([packing])
    if periodic_axes:
        stats["periodic_surface_pairs"] = stats_periodic
    stats.update({"mesh_size_um": size, "interface_size_um": isize, "geometry_time_s": t_geo,
                  "meshing_time_s": t_mesh, "n_interface_surfaces": len(interface)})
    log.info("meshed %d tetrahedra in %.1f s (geometry %.1f s), min quality %.3f",
             stats["n_tetrahedra"], t_mesh, t_geo, stats["min_quality"])
    return stats


def threshold_field(gmsh, surfaces: list[int], size_min: float, size_max: float, dist_min: float,
                    dist_max: float) -> int:
    """A Gmsh Threshold field: size_min within dist_min of the surfaces, size_max beyond dist_max."""
    fm = gmsh.model.mesh.field
    dist = fm.add("Distance")
    fm.setNumbers(dist, "SurfacesList", surfaces)
    thr = fm.add("Threshold")
    fm.setNumber(thr, "InField", dist)
    fm.setNumber(thr, "SizeMin", size_min)
    fm.setNumber(thr, "SizeMax", size_max)
    fm.setNumber(thr, "DistMin", dist_min)
    fm.setNumber(thr, "DistMax", dist_max)
    return thr


def use_background_field(gmsh, field: int) -> None:
    """Mesh sizes from this field only (not from points or boundaries)."""
    gmsh.model.mesh.field.setAsBackgroundMesh(field)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)


def _size_field(gmsh, surfaces: list[int], size: float, isize: float) -> None:
    """Element size isize at the interfaces growing to size over a distance of 2 size."""
    if not surfaces or isize >= size:
        return
    use_background_field(gmsh, threshold_field(gmsh, surfaces, isize, size, 0.5 * isize, 2.0 * size))
