"""Tiny .msh files for the fault-campaign tests (built with Gmsh in a fraction of a second)."""

from __future__ import annotations

from pathlib import Path

from stressfem.geometry.gmsh_session import gmsh_session, write_msh


def write_boxes(path: Path, boxes: list[tuple[str, tuple[float, float, float, float, float, float]]], *,
                size: float = 0.5, name_volumes: bool = True, faces: bool = True,
                untagged: int = 0) -> Path:
    """Boxes (phase, (x0, y0, z0, dx, dy, dz) in um) meshed with tetrahedra of ``size`` um.

    Each box is a physical volume named by its phase (unnamed when ``name_volumes`` is False; the
    last ``untagged`` boxes get no physical group at all);
    the outer faces of the first box are physical surfaces xmin .. zmax. Boxes that share a face
    are fused (conforming); separate boxes stay separate bodies.
    """
    with gmsh_session() as gmsh:
        tags = [gmsh.model.occ.addBox(*b) for _, b in boxes]
        if len(tags) > 1:
            out, _ = gmsh.model.occ.fragment([(3, tags[0])], [(3, t) for t in tags[1:]])
            tags = [t for d, t in out if d == 3]
        gmsh.model.occ.synchronize()
        by_phase: dict[str, list[int]] = {}
        for (phase, b), tag in zip(boxes[:len(boxes) - untagged], tags):
            by_phase.setdefault(phase, []).append(tag)
        for phase, vols in by_phase.items():
            group = gmsh.model.addPhysicalGroup(3, vols)
            if name_volumes:
                gmsh.model.setPhysicalName(3, group, phase)
        if faces:
            x0, y0, z0, dx, dy, dz = boxes[0][1]
            lo, hi = (x0, y0, z0), (x0 + dx, y0 + dy, z0 + dz)
            eps = 1e-6 * max(dx, dy, dz)
            for axis, name in enumerate("xyz"):
                for side, value in (("min", lo[axis]), ("max", hi[axis])):
                    bb = [lo[0] - eps, lo[1] - eps, lo[2] - eps, hi[0] + eps, hi[1] + eps, hi[2] + eps]
                    bb[axis], bb[axis + 3] = value - eps, value + eps
                    found = [t for _, t in gmsh.model.getEntitiesInBoundingBox(*bb, dim=2)]
                    gmsh.model.setPhysicalName(2, gmsh.model.addPhysicalGroup(2, found), f"{name}{side}")
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.model.mesh.generate(3)
        if untagged:  # keep the cells outside physical groups in the file (Gmsh drops them by default)
            gmsh.option.setNumber("Mesh.ScalingFactor", 1e-6)
            gmsh.option.setNumber("Mesh.SaveAll", 1)
            gmsh.write(str(path))
        else:
            write_msh(gmsh, path, scale_to_m=1e-6)
    return path


BOX_CASE = """
title = "fault campaign: one LLZO box"

[geometry]
type = "msh"
file = "box.msh"

[phases]
matrix = "LLZO"

[[stages]]
type = "cooling"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 1

[output]
fields = false
"""
