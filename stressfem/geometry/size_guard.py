"""Size guard: estimate the cell count of a generated mesh before meshing, refuse above mesh.max_cells.

A 1e5 um box or ``size_um = 0.05`` would mesh until memory runs out (issue 16). The estimate is
``C_BULK V / h^3 + C_INTERFACE A / h_i^2`` with V the volume (um^3), h = size_um, A the particle
surface (um^2, spheres: 6 phi V / d32, d32 = d50 exp(2.5 sigma^2)) and h_i the interface size,
capped by the curvature sizing (pi d50 / curvature_points). The constants were fitted to Gmsh HXT
meshes of the shipped cool-down RVE (20 um box, 35 % of d50 = 6 um): measured 62 770, 57 361 and
22 235 tetrahedra for (h, h_i) = (1.5, 0.75), (3, 0.75), (1.5, 1.5) um; the estimate gives
+4.6 %, +3.6 % and -2.2 %; for cases/design-cell-75nmc (fused, 75 %) it gives 213k against 211k
measured (docs/geometry.md). Images have their own voxel limits; a user .msh is not estimated.
"""

from __future__ import annotations

import math

__all__ = ["estimate_cells", "size_guard_message", "C_BULK", "C_INTERFACE"]

C_BULK = 3.0  # cells per h^3 of volume (fitted, see the module docstring)
C_INTERFACE = 13.0  # cells per h_i^2 of interface


def _sauter_um(dist) -> float:
    """Surface-weighted (Sauter) mean diameter d32 (um) of the size distribution."""
    if dist.type == "fixed":
        return dist.diameter_um
    return dist.d50_um * math.exp(2.5 * dist.sigma**2)


def _packed_cells(volume: float, packed, size: float, isize: float, curvature_points: int) -> tuple[float, float]:
    """(estimated cells, particle surface um^2) of a packed-particles box of ``volume`` um^3."""
    dist = packed.size_distribution
    d50 = dist.diameter_um if dist.type == "fixed" else dist.d50_um
    h_i = min(isize, math.pi * d50 / curvature_points) if curvature_points > 0 else isize
    area = 6.0 * packed.volume_fraction * volume / _sauter_um(dist)
    return C_BULK * volume / size**3 + C_INTERFACE * area / h_i**2, area


def estimate_cells(case) -> dict | None:
    """{"cells", "volume_um3", "particle_surface_um2", "size_um", "interface_size_um"}; None if not generated."""
    from .sizes import mesh_sizes, stack_sizes

    g, mesh = case.geometry, case.mesh
    if g.type == "particles":
        size, isize = mesh_sizes(g, mesh)
        volume = g.box_um[0] * g.box_um[1] * g.box_um[2]
        cells, area = _packed_cells(volume, g, size, isize, mesh.curvature_points)
    elif g.type == "layered":
        size, isize = stack_sizes(g.layers, mesh)
        cells = area = volume = 0.0
        for layer in g.layers:
            v = g.lateral_um[0] * g.lateral_um[1] * layer.thickness_um
            volume += v
            if layer.type == "dense":
                cells += C_BULK * v / size**3
            else:
                c, a = _packed_cells(v, layer, size, isize, mesh.curvature_points)
                cells, area = cells + c, area + a
    else:
        return None
    return {"cells": cells, "volume_um3": volume, "particle_surface_um2": area, "size_um": size,
            "interface_size_um": isize}


def size_guard_message(case) -> str | None:
    """Why the generated mesh would be too large for mesh.max_cells, or None."""
    est = estimate_cells(case)
    limit = case.mesh.max_cells
    if est is None or est["cells"] <= limit:
        return None
    return (f"the generated mesh would have about {est['cells']:.3g} cells (volume {est['volume_um3']:.3g} um^3 at "
            f"size_um = {est['size_um']:.3g}, particle surface {est['particle_surface_um2']:.3g} um^2 at "
            f"interface_size_um = {est['interface_size_um']:.3g}), above mesh.max_cells = {limit}; coarsen "
            f"mesh.size_um / mesh.interface_size_um, shrink the geometry (box_um, lateral_um, thickness_um), or "
            f"raise mesh.max_cells if the machine has the memory (about 1 GB per million cells per rank)")
