"""Geometry: sphere packings, Gmsh builders, .msh import and the mesh cache."""

from .packing import Packing, pack_spheres, sample_diameters

__all__ = ["Packing", "pack_spheres", "sample_diameters"]
