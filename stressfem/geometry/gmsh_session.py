"""Shared Gmsh plumbing: a session context, box-face naming, quality and atomic .msh output."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import GeometryError

log = logging.getLogger(__name__)

__all__ = ["MeshingError", "gmsh_session", "generate_volume_mesh", "mesh_and_write", "name_box_faces", "mesh_quality", "write_msh", "FACE_NAMES"]

class MeshingError(GeometryError):
    """Gmsh could not mesh a valid geometry (another translation of a periodic packing may mesh)."""


FACE_NAMES = ("xmin", "xmax", "ymin", "ymax", "zmin", "zmax")


@contextlib.contextmanager
def gmsh_session(threads: int = 1, verbose: bool = False) -> Iterator:
    """Initialise Gmsh (no signal handlers, quiet) and always finalise it.

    threads > 1 lets HXT and the surface mesher run in parallel; their result then depends on thread
    timing (measured: 80,041 / 79,963 / 79,928 tetrahedra in three runs of one geometry), while one thread
    gives byte-identical .msh files (docs/geometry.md, Reproducibility).
    """
    import signal
    import threading

    import gmsh

    # Gmsh resets SIGTERM to its default action even when not interruptible; keep the caller's
    # handlers (the CLI turns SIGINT/SIGTERM into a clean, marker-free stop of a run).
    main = threading.current_thread() is threading.main_thread()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)} if main else {}
    gmsh.initialize(interruptible=False)
    for sig, handler in handlers.items():
        if handler is not None:
            signal.signal(sig, handler)
    try:
        gmsh.option.setNumber("General.Terminal", 1 if verbose else 0)
        gmsh.option.setNumber("General.Verbosity", 2)
        for option in ("General.NumThreads", "Mesh.MaxNumThreads1D", "Mesh.MaxNumThreads2D",
                       "Mesh.MaxNumThreads3D"):
            gmsh.option.setNumber(option, threads)
        gmsh.option.setNumber("Geometry.OCCParallel", 0)  # OCC booleans in one thread as well
        if threads > 1:
            log.warning("Gmsh meshes with %d threads: the mesh is not reproducible (mesh.threads = 1 is)", threads)
        yield gmsh
    finally:
        gmsh.finalize()


def name_box_faces(gmsh, box: np.ndarray, origin=(0.0, 0.0, 0.0)) -> dict[str, list[int]]:
    """Add physical surface groups xmin ... zmax for the faces of the cuboid [origin, origin+box]."""
    lo = np.asarray(origin, dtype=float)
    hi = lo + np.asarray(box, dtype=float)
    tol = 1e-6 * float(np.max(box))
    faces: dict[str, list[int]] = {}
    for axis in range(3):
        for side, value in (("min", lo[axis]), ("max", hi[axis])):
            bmin, bmax = lo - tol, hi + tol
            bmin[axis], bmax[axis] = value - tol, value + tol
            tags = [t for d, t in gmsh.model.getEntitiesInBoundingBox(*bmin, *bmax, dim=2)]
            name = "xyz"[axis] + side
            faces[name] = tags
            if tags:
                gmsh.model.addPhysicalGroup(2, tags, name=name)
    return faces


def mesh_quality(gmsh) -> dict:
    """Element count and min/mean quality (Gmsh minSICN, 1 = regular tetrahedron)."""
    types, tags, _ = gmsh.model.mesh.getElements(3)
    all_tags = np.concatenate([np.asarray(t) for t in tags]) if tags else np.zeros(0)
    q = np.asarray(gmsh.model.mesh.getElementQualities(all_tags, "minSICN")) if len(all_tags) else np.zeros(1)
    node_tags, _, _ = gmsh.model.mesh.getNodes()
    return {
        "n_tetrahedra": int(len(all_tags)),
        "n_nodes": int(len(node_tags)),
        "min_quality": float(q.min()),
        "mean_quality": float(q.mean()),
        "quality_measure": "gmsh minSICN",
    }


def write_msh(gmsh, out_file: str | Path, scale_to_m: float = 1.0) -> None:
    """Write the mesh (format 4.1) atomically, coordinates multiplied by scale_to_m."""
    out = Path(out_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.msh")
    gmsh.option.setNumber("Mesh.ScalingFactor", scale_to_m)
    gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
    gmsh.option.setNumber("Mesh.SaveAll", 0)
    gmsh.write(str(tmp))
    os.replace(tmp, out)


def generate_volume_mesh(gmsh, mesh, size: float, isize: float, what: str, advice: str) -> float:
    """Set the global size options of [mesh] and mesh in 3D; returns the meshing time (s).

    ``size``, ``isize``: bulk and interface element sizes (um). A Gmsh failure raises MeshingError
    "Gmsh failed to mesh <what> (<gmsh message>); try <advice>"."""
    import time

    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    gmsh.option.setNumber("Mesh.MeshSizeMin", min(isize, size) / 4)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", mesh.curvature_points)
    gmsh.option.setNumber("Mesh.Algorithm3D", 10 if mesh.algorithm == "hxt" else 1)
    t1 = time.perf_counter()
    try:
        gmsh.model.mesh.generate(3)
    except Exception as exc:  # gmsh raises plain Exception with its own message
        raise MeshingError(f"Gmsh failed to mesh {what} ({exc}); try {advice}") from None
    return time.perf_counter() - t1



def mesh_and_write(gmsh, mesh, size: float, isize: float, what: str, advice: str, out_file,
                   periodic: bool = False) -> tuple[float, dict]:
    """Mesh in 3D (generate_volume_mesh), measure the quality and write ``out_file`` (.msh, metres).

    ``periodic``: the mesh has periodic face pairs; their $Periodic section is dropped from the file
    (geometry/periodic.py). Returns (meshing time s, quality statistics)."""
    t_mesh = generate_volume_mesh(gmsh, mesh, size, isize, what, advice)
    stats = mesh_quality(gmsh)
    write_msh(gmsh, out_file, scale_to_m=1e-6)
    if periodic:
        from .periodic import strip_periodic_section

        strip_periodic_section(out_file)
    return t_mesh, stats
