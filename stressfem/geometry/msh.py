"""Read a Gmsh .msh file into a distributed DOLFINx mesh with named phases and surfaces."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._dolfinx import MPI, dolfinx, mesh
from .bodies import bodies_message, untagged_volumes_message

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
        for i, name in enumerate(phase_names):  # '<phase>#<grain>' volumes belong to <phase>
            for vname, tag in self.volumes.items():
                if vname.split("#", 1)[0] == name:
                    out[self.cell_tags.find(tag)] = i
        return out


def _open_on_root(gmsh, path: Path) -> str | None:
    """Open the file in Gmsh; an error message, or None when it holds named physical volumes."""
    try:
        gmsh.open(str(path))
    except Exception as exc:  # gmsh raises plain Exception
        return f"Gmsh cannot read it: {exc}"
    groups = gmsh.model.getPhysicalGroups(3)
    if not groups:
        return "it has no physical volume groups; name one group per phase (Physical Volume(\"name\"))"
    unnamed = [t for d, t in groups if not gmsh.model.getPhysicalName(d, t)]
    if unnamed:
        return f"physical volumes {unnamed} have no name; phases are identified by name"
    return untagged_volumes_message(gmsh) or bodies_message(gmsh)


MIN_SPAN_M, MAX_SPAN_M = 1e-8, 1.0  # 10 nm .. 1 m: below, rigid modes and tolerances lose meaning


def _span_m(msh) -> float:
    """Largest bounding-box side of the mesh over all ranks (m)."""
    from ..parallel import allreduce_array

    x = msh.geometry.x
    lo = allreduce_array(msh.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
    hi = allreduce_array(msh.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
    return float(np.max(hi - lo))


def read_phase_mesh(path: str | Path, comm: MPI.Comm = MPI.COMM_WORLD, length_unit_m: float = 1.0,
                    case_file: str = "case.toml") -> PhaseMesh:
    """Read on rank 0 and distribute (facet-ghosted); physical names become phase and surface names."""
    import gmsh as gmsh_module

    from ..errors import CaseError
    from .gmsh_session import gmsh_session

    path = Path(path)
    partitioner = mesh.create_cell_partitioner(mesh.GhostMode.shared_facet, 2)
    if comm.rank == 0:
        with gmsh_session() as gmsh:
            problem = _open_on_root(gmsh, path)
            comm.bcast(problem, root=0)
            if problem is not None:
                raise CaseError(case_file, "geometry.file", f"{path}: {problem}")
            data = dolfinx.io.gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=3, partitioner=partitioner)
    else:
        problem = comm.bcast(None, root=0)
        if problem is not None:
            raise CaseError(case_file, "geometry.file", f"{path}: {problem}")
        data = dolfinx.io.gmsh.model_to_mesh(gmsh_module.model, comm, 0, gdim=3, partitioner=partitioner)
    if length_unit_m != 1.0:
        data.mesh.geometry.x[:] *= length_unit_m
    span = _span_m(data.mesh)
    if not MIN_SPAN_M <= span <= MAX_SPAN_M:
        raise CaseError(case_file, "geometry.length_unit_m",
                        f"{path.name} spans {span:.3g} m after scaling by length_unit_m = {length_unit_m:g}; "
                        f"stressfem handles {MIN_SPAN_M:g} m to {MAX_SPAN_M:g} m (microstructures): give the file's "
                        f"length unit in metres (1e-6 for micrometres)")
    volumes = {n: t for n, (d, t) in data.physical_groups.items() if d == 3}
    surfaces = {n: t for n, (d, t) in data.physical_groups.items() if d == 2}
    log.info("read %s: %d cells, phases %s, surfaces %s", path.name,
             data.mesh.topology.index_map(3).size_global, sorted(volumes), sorted(surfaces))
    return PhaseMesh(data.mesh, data.cell_tags, data.facet_tags, volumes, surfaces, path)
