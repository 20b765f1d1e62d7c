"""Read a Gmsh .msh file into a distributed DOLFINx mesh with named phases and surfaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._dolfinx import MPI, dolfinx, mesh

__all__ = ["PhaseMesh", "read_phase_mesh"]

log = logging.getLogger(__name__)


@dataclass
class PhaseMesh:
    """A mesh whose cells carry phase tags and whose facets carry named-surface tags.

    Attributes:
        mesh: the DOLFINx mesh (coordinates in m), facet-ghosted (GhostMode.shared_facet).
        cell_tags: physical volume tag per cell.
        facet_tags: physical surface tags.
        volumes: phase name -> physical volume tag.
        surfaces: surface name -> physical surface tag.
        source: the file it was read from.
    """

    mesh: mesh.Mesh
    cell_tags: mesh.MeshTags
    facet_tags: mesh.MeshTags | None
    volumes: dict[str, int]
    surfaces: dict[str, int]
    source: Path

    @property
    def num_cells_owned(self) -> int:
        return self.mesh.topology.index_map(3).size_local

    def phase_index(self, phase_names: list[str]) -> np.ndarray:
        """Per local cell (owned and ghost), the index of its phase in phase_names, -1 if none."""
        imap = self.mesh.topology.index_map(3)
        out = np.full(imap.size_local + imap.num_ghosts, -1, dtype=np.int32)
        for i, name in enumerate(phase_names):
            out[self.cell_tags.find(self.volumes[name])] = i
        return out


def read_phase_mesh(path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD, length_unit_m: float = 1.0) -> PhaseMesh:
    """Read on rank 0 and distribute; physical names become phase and surface names."""
    path = Path(path)
    partitioner = mesh.create_cell_partitioner(mesh.GhostMode.shared_facet, 2)
    data = dolfinx.io.gmsh.read_from_msh(str(path), comm, rank=0, gdim=3, partitioner=partitioner)
    if length_unit_m != 1.0:
        data.mesh.geometry.x[:] *= length_unit_m
    volumes = {n: t for n, (d, t) in data.physical_groups.items() if d == 3}
    surfaces = {n: t for n, (d, t) in data.physical_groups.items() if d == 2}
    log.info("read %s: %d cells, phases %s, surfaces %s", path.name,
             data.mesh.topology.index_map(3).size_global, sorted(volumes), sorted(surfaces))
    return PhaseMesh(data.mesh, data.cell_tags, data.facet_tags, volumes, surfaces, path)
