"""The packing of a generated geometry as a plain-data file (strict JSON), written next to the mesh and
accepted back as input (``geometry.packing_file``), so a published case reproduces its mesh exactly.

The file holds every number the mesh builders take from a packing (lengths in um): per composite layer
(one entry for a ``particles`` box) the box, the sphere pieces with their periodic images (centres,
radii after the facet compensation, particle ids), the neck cylinders of ``contact = "neck"`` and the
fusion statistics of ``contact = "fused"`` (neck balls are pieces like the spheres). Floats are written
with Python's shortest round-trip repr, so reading gives the same float64 bits. Face-policy rotations
are not stored: they are a deterministic function of the centres and radii (geometry/face_policy.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..errors import GeometryError
from .dense import FusedPacking
from .packing import Packing

__all__ = ["PACKING_FORMAT", "write_packing_file", "read_packing_file", "packing_file_sha256"]

PACKING_FORMAT = "stressfem-packing"
VERSION = 1


def _entry(layer: str | None, pk: Packing) -> dict:
    fused = getattr(pk, "fused", None)
    ids = pk.particle_ids if pk.particle_ids is not None else np.arange(len(pk.radii_um))
    return {
        "layer": layer,
        "box_um": [float(v) for v in pk.box_um],
        "n_particles": int(pk.n_particles),
        "target_fraction": float(pk.target_fraction),
        "achieved_fraction": float(pk.achieved_fraction),
        "seed": int(pk.seed),
        "centres_um": np.asarray(pk.centres_um, float).tolist(),
        "radii_um": np.asarray(pk.radii_um, float).tolist(),
        "particle_ids": np.asarray(ids, int).tolist(),
        "necks": None if pk.necks is None else np.asarray(pk.necks, float).tolist(),
        "fused": fused,
    }


def write_packing_file(path: Path, packings: list[tuple[str | None, Packing]]) -> None:
    """Write the packings (layer name or None for a particles box, packing) atomically as strict JSON."""
    data = {"format": PACKING_FORMAT, "version": VERSION, "length_unit": "um",
            "packings": [_entry(layer, pk) for layer, pk in packings]}
    text = json.dumps(data, allow_nan=False, default=float)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed (strict JSON)")


def _packing(entry: dict, where: str) -> Packing:
    centres = np.asarray(entry["centres_um"], float).reshape(-1, 3)
    radii = np.asarray(entry["radii_um"], float)
    ids = np.asarray(entry["particle_ids"], int)
    n = int(entry["n_particles"])
    finite = np.all(np.isfinite(centres)) and np.all(np.isfinite(radii) & (radii > 0))
    if not (len(radii) == len(centres) == len(ids)) or not finite:
        raise GeometryError(f"{where}: centres_um, radii_um and particle_ids must have one finite entry per "
                            f"piece and positive radii")
    if len(ids) and (ids.min() < 0 or ids.max() >= n):
        raise GeometryError(f"{where}: particle_ids must lie in [0, n_particles)")
    necks = None if entry.get("necks") is None else np.asarray(entry["necks"], float).reshape(-1, 7)
    args = (tuple(float(v) for v in entry["box_um"]), centres, radii, n, float(entry["target_fraction"]),
            float(entry["achieved_fraction"]), int(entry["seed"]), ids, necks)
    if entry.get("fused") is not None:
        return FusedPacking(*args, fused=entry["fused"])
    return Packing(*args)


def read_packing_file(path: Path, key: str, layers: list[tuple[str | None, tuple]]) -> list[Packing]:
    """The packings of the file for the expected (layer name or None, box_um) list, in that order.

    Raises GeometryError naming ``key`` when the file is not a packing file or does not match the case
    (another box, other composite layers)."""
    try:
        data = json.loads(Path(path).read_text(), parse_constant=_reject_constant)
    except (OSError, ValueError) as exc:
        raise GeometryError(f"{key}: cannot read the packing file {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != PACKING_FORMAT or data.get("version") != VERSION:
        raise GeometryError(f"{key}: {path} is not a {PACKING_FORMAT} file of version {VERSION} (written next "
                            f"to a generated mesh as CASE/mesh/<name>.packing.json)")
    entries = {e.get("layer"): e for e in data.get("packings", [])}
    if sorted(entries, key=str) != sorted((name for name, _ in layers), key=str):
        raise GeometryError(f"{key}: {path} holds packings for layers {sorted(entries, key=str)}, the case has "
                            f"composite layers {sorted((n for n, _ in layers), key=str)}")
    out = []
    for name, box in layers:
        entry = entries[name]
        where = f"{key} ({path}, layer {name})" if name is not None else f"{key} ({path})"
        if not np.allclose(entry["box_um"], box, rtol=1e-12, atol=0.0):
            raise GeometryError(f"{where}: packed for the box {entry['box_um']} um, the case has {list(box)} um")
        try:
            out.append(_packing(entry, where))
        except (KeyError, TypeError, ValueError) as exc:
            raise GeometryError(f"{where}: malformed packing entry ({exc})") from None
    return out


def packing_file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes (part of the mesh cache key)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
