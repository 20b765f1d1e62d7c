"""The mesh of a case: a user .msh, or a generated one cached under CASE/mesh/ by its parameters."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from ..case import ImageGeometry, LayeredGeometry, LoadedCase, MshGeometry, ParticlesGeometry
from ..errors import GeometryError, StressfemError
from ..jsonio import finite_or_null, strict_dumps
from ..output.locks import exclusive_lock

__all__ = ["case_mesh_file", "geometry_key", "MESH_CACHE_DIR", "GEOMETRY_VERSION"]

log = logging.getLogger(__name__)

MESH_CACHE_DIR = "mesh"
GEOMETRY_VERSION = 11  # bump when a builder's output changes for the same parameters


def geometry_key(loaded: LoadedCase) -> str:
    """A short hash of everything the generated mesh depends on."""
    payload = {
        "v": GEOMETRY_VERSION,
        "geometry": loaded.case.geometry.model_dump(mode="json"),
        "mesh": loaded.case.mesh.model_dump(mode="json"),  # threads too: HXT with > 1 thread changes the mesh
    }
    if loaded.case.periodic is not None and not isinstance(loaded.case.geometry, (MshGeometry, ImageGeometry)):
        payload["periodic"] = loaded.case.periodic.axes  # matching face meshes (geometry/periodic.py)
    if isinstance(loaded.case.geometry, ImageGeometry):  # the image content, not only its name
        payload["image_sha256"] = hashlib.sha256(loaded.input_path(loaded.case.geometry.file).read_bytes()).hexdigest()
    packing_file = getattr(loaded.case.geometry, "packing_file", None)
    if packing_file is not None:  # the packing's content, not only its name
        payload["packing_sha256"] = hashlib.sha256(loaded.input_path(packing_file).read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def _generate(loaded: LoadedCase) -> tuple[Path, dict]:
    geometry = loaded.case.geometry
    cache = loaded.directory / MESH_CACHE_DIR
    key = geometry_key(loaded)
    msh, info_file = cache / f"{geometry.type}-{key}.msh", cache / f"{geometry.type}-{key}.json"
    # one builder per cache entry: a concurrent `run`/`mesh` of this case waits, then reuses the mesh
    with exclusive_lock(cache / f".{geometry.type}-{key}.lock", "mesh generation", wait=True):
        if msh.is_file() and info_file.is_file():  # the .json is written last: a complete entry
            log.info("reusing cached mesh %s", msh.relative_to(loaded.directory))
            info = json.loads(info_file.read_text())
            info["cached"] = True
            return msh, info
        from .builders import build_geometry

        info = build_geometry(loaded, msh)  # writes msh atomically
        info = json.loads(json.dumps(info, default=float))
        tmp = info_file.with_name(f".{info_file.name}.{os.getpid()}.tmp")
        tmp.write_text(strict_dumps(info, str(info_file), indent=2))
        os.replace(tmp, info_file)
    info["cached"] = False
    return msh, info


def case_metrics(loaded: LoadedCase, msh: Path, unit_m: float, info: dict, voxels: int = 48) -> dict:
    """Microstructure metrics of the case mesh (cached next to a generated mesh)."""
    from .metrics import msh_metrics

    cached = msh.with_suffix(".metrics.json")
    generated = not isinstance(loaded.case.geometry, MshGeometry)
    if generated and cached.is_file() and cached.stat().st_mtime >= msh.stat().st_mtime:
        old = json.loads(cached.read_text())
        if old.get("voxelisation", {}).get("shape") is None or max(old["voxelisation"]["shape"]) == voxels:
            return old
    active, electrolyte = metric_phases(loaded)
    layers = [{"name": e["name"], "z_m": [z * 1e-6 for z in e["z_um"]], "composite": e["type"] == "composite"}
              for e in info.get("layers", [])] if isinstance(loaded.case.geometry, LayeredGeometry) else None
    image_voxels = _image_voxels(loaded)
    out = msh_metrics(msh, unit_m, active_phase=active, electrolyte_phase=electrolyte, voxels=voxels, layers=layers,
                      **image_voxels)
    if image_voxels:
        out["voxelisation"] = {"source": "the image's own voxels", "voxel_size_m": image_voxels["voxel_size_m"],
                               "shape_voxels": list(image_voxels["label_image"].shape)}
    out["geometry_type"] = loaded.case.geometry.type
    if "layers" in info:  # generator numbers next to the measured ones, per layer
        for measured, built in zip(out.get("layers", []), info["layers"]):
            for key in ("target_volume_fraction", "achieved_volume_fraction", "z_um", "type", "particle_phase"):
                if key in built:
                    measured[key if key != "achieved_volume_fraction" else "packing_achieved_volume_fraction"] = built[key]
    for key in ("target_volume_fraction", "achieved_volume_fraction", "coating", "n_tetrahedra", "n_hexahedra",
                "min_quality", "mean_quality", "quality_measure", "meshing_time_s", "geometry_time_s"):
        if key in info:
            out[key if key not in ("target_volume_fraction", "achieved_volume_fraction") else
                key.replace("achieved_", "packing_achieved_")] = info[key]
    out = json.loads(json.dumps(out, default=float))
    if generated:
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_text(strict_dumps(finite_or_null(out), str(cached), indent=2))
        os.replace(tmp, cached)
    return out


def _image_voxels(loaded: LoadedCase) -> dict:
    """For an image geometry, its own voxels for the tortuosity (exact, no re-voxelisation of the mesh),
    as {label_image (index into the sorted phase names, -1 void), voxel_size_m}; else {}."""
    from .metrics import MAX_VOXELS

    g = loaded.case.geometry
    if not isinstance(g, ImageGeometry):
        return {}
    from .image import phase_image

    img, voxel = phase_image(g, loaded.input_path(g.file))
    if img.size > MAX_VOXELS:  # too large for the finite-volume solve: voxelise the mesh more coarsely
        return {}
    names = g.phase_names
    present = sorted({names[i] for i in np.unique(img) if i >= 0})  # the mesh's phases
    lookup = np.array([present.index(p) if p in present else -1 for p in names] + [-1])  # -1 (void) stays -1
    return {"label_image": lookup[img], "voxel_size_m": voxel}


def write_microstructure(loaded: LoadedCase, msh: Path, unit_m: float, info: dict, out: Path) -> None:
    """results/microstructure.json; a failure is logged, never fatal to the run (rank 0 only)."""
    try:
        data = case_metrics(loaded, msh, unit_m, info)
    except Exception as exc:  # metrics are a by-product: keep the solve going
        log.warning("microstructure metrics failed: %s", exc)
        return
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(strict_dumps(finite_or_null(data), str(out), indent=2))
    os.replace(tmp, out)


def metric_phases(loaded: LoadedCase) -> tuple[str | None, str | None]:
    """The active-material and electrolyte phases the contact fraction and tortuosity refer to."""
    g = loaded.case.geometry
    if isinstance(g, ParticlesGeometry):
        return g.particle_phase, g.matrix_phase
    if isinstance(g, LayeredGeometry):
        comp = [layer for layer in g.layers if layer.type == "composite"]
        return (comp[0].particle_phase, comp[0].matrix_phase) if comp else (None, None)
    if isinstance(g, ImageGeometry):
        return g.active_phase, g.electrolyte_phase
    return None, None


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
