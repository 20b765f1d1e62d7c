"""[mesh]: mesh controls for generated geometry (lengths in um)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .common import LengthUm, Table

__all__ = ["MeshSpec"]


class MeshSpec(Table):
    """Mesh controls for generated geometry (lengths in um)."""

    size_um: LengthUm | None = None
    interface_size_um: LengthUm | None = None
    # the interface size the particle packing is built for (face clearance; the facet compensation
    # of the radii follows interface_size_um); default interface_size_um. `stressfem converge` sets it
    # so that all levels share one packing.
    packing_interface_size_um: LengthUm | None = None
    algorithm: Literal["hxt", "delaunay"] = "hxt"
    # 1 = reproducible (same .msh on every run and rank count); HXT with more threads is not (docs/geometry.md)
    threads: Annotated[int, Field(ge=1, le=256)] = 1
    curvature_points: Annotated[int, Field(ge=0, le=100)] = 12
    max_cells: Annotated[int, Field(ge=1000, le=10**9)] = 5_000_000  # size guard: refused above (estimate)
