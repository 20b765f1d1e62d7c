"""Default element sizes of generated geometries (um), from the particle sizes unless [mesh] sets them.

Plain functions of the case tables' fields, importing nothing of stressfem: the size guard calls them
at `stressfem check` without loading the Gmsh builders.
"""

from __future__ import annotations

__all__ = ["mesh_sizes", "stack_sizes"]


def _d50_um(dist) -> float:
    """Median diameter (um) of a size distribution table."""
    return dist.diameter_um if dist.type == "fixed" else dist.d50_um


def mesh_sizes(geometry, mesh) -> tuple[float, float]:
    """Bulk and interface element sizes (um) of a particle box: defaults d50/4 and half of that."""
    size = mesh.size_um or _d50_um(geometry.size_distribution) / 4.0
    return size, mesh.interface_size_um or size / 2.0


def stack_sizes(layers, mesh) -> tuple[float, float]:
    """Bulk and interface element sizes (um) of a layered stack: d50/4 of the finest composite layer (else
    the thinnest layer / 4) and half of that, unless [mesh] sets them."""
    d50s = [_d50_um(layer.size_distribution) for layer in layers if layer.type == "composite"]
    ref = min(d50s) if d50s else min(layer.thickness_um for layer in layers)
    size = mesh.size_um or ref / 4.0
    return size, mesh.interface_size_um or size / 2.0
