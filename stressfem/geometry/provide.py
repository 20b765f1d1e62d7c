"""The mesh of a case: a user .msh, or a generated one cached under CASE/mesh/ by its parameters."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from ..case import LoadedCase, MshGeometry, ParticlesGeometry
from ..errors import GeometryError, StressfemError

__all__ = ["case_mesh_file", "geometry_key", "MESH_CACHE_DIR", "GEOMETRY_VERSION"]

log = logging.getLogger(__name__)

MESH_CACHE_DIR = "mesh"
GEOMETRY_VERSION = 1  # bump when a builder's output changes for the same parameters


def geometry_key(loaded: LoadedCase) -> str:
    """A short hash of everything the generated mesh depends on."""
    payload = {
        "v": GEOMETRY_VERSION,
        "geometry": loaded.case.geometry.model_dump(mode="json"),
        "mesh": loaded.case.mesh.model_dump(mode="json", exclude={"threads"}),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def _generate(loaded: LoadedCase) -> tuple[Path, dict]:
    from .packing import pack_spheres
    from .rve import build_particle_rve, mesh_sizes

    geometry = loaded.case.geometry
    assert isinstance(geometry, ParticlesGeometry)
    cache = loaded.directory / MESH_CACHE_DIR
    key = geometry_key(loaded)
    msh, info_file = cache / f"{geometry.type}-{key}.msh", cache / f"{geometry.type}-{key}.json"
    if msh.is_file() and info_file.is_file():
        log.info("reusing cached mesh %s", msh.relative_to(loaded.directory))
        info = json.loads(info_file.read_text())
        info["cached"] = True
        return msh, info
    _, isize = mesh_sizes(geometry, loaded.case.mesh)
    packing = pack_spheres(geometry, face_clearance_um=0.5 * isize)
    info = build_particle_rve(packing, geometry, loaded.case.mesh, msh)
    info = json.loads(json.dumps(info, default=float))
    tmp = info_file.with_name(f".{info_file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info, indent=2))
    os.replace(tmp, info_file)
    info["cached"] = False
    return msh, info


def case_mesh_file(loaded: LoadedCase, comm=None) -> tuple[Path, float, dict]:
    """(.msh path, length unit in m, mesh/geometry info); rank 0 builds, the others wait.

    Errors on rank 0 are re-raised on every rank, so no rank is left waiting.
    """
    geometry = loaded.case.geometry
    if isinstance(geometry, MshGeometry):
        return loaded.msh_path(), geometry.length_unit_m, {"source": str(geometry.file)}
    result: tuple | None = None
    error: StressfemError | None = None
    if comm is None or comm.rank == 0:
        try:
            path, info = _generate(loaded)
            result = (str(path), info)
        except StressfemError as exc:
            error = exc
        except Exception as exc:  # unexpected Gmsh/packing failure: still release the other ranks
            error = GeometryError(f"geometry generation failed: {exc}")
    if comm is not None and comm.size > 1:
        result, error = comm.bcast((result, error), root=0)
    if error is not None:
        raise error
    return Path(result[0]), 1.0, result[1]
