"""Dispatch a generated geometry table to its builder; every builder writes one .msh + an info dict."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ..case import CompositeLayer, ImageGeometry, LayeredGeometry, LoadedCase, ParticlesGeometry
from ..errors import GeometryError
from .gmsh_session import MeshingError
from .sizes import stack_sizes

__all__ = ["build_geometry", "stack_sizes", "MIN_QUALITY", "QUALITY_DRAWS"]

log = logging.getLogger(__name__)

MIN_QUALITY = 0.005  # Gmsh minSICN below which a packed-particle mesh is made again (docs/geometry.md)
QUALITY_DRAWS = 4  # translations of the periodic packing tried at most


def _layer_packing(layer: CompositeLayer, lateral, seed: int, isize: float, curvature_points: int, draw: int = 0,
                   packing_isize: float | None = None):
    """Pack a composite layer in its own periodic box (lateral x lateral x thickness)."""
    dist = layer.size_distribution
    d_max = dist.diameter_um if dist.type == "fixed" else dist.d50_um * float(np.exp(2.33 * dist.sigma))  # ~d99
    if min(*lateral, layer.thickness_um) < 1.05 * d_max:
        raise GeometryError(
            f"layer {layer.name!r}: the box {lateral[0]} x {lateral[1]} x {layer.thickness_um} um is smaller than "
            f"the largest particles (~{d_max:.2g} um); enlarge lateral_um/thickness_um or use smaller particles")
    fields = layer.packing_fields() | {"coating": None, "grains": None}  # the packing ignores shells and grains
    box_geometry = ParticlesGeometry(type="particles", box_um=(lateral[0], lateral[1], layer.thickness_um),
                                     seed=seed, **fields)
    return pack_particles(box_geometry, isize, curvature_points, draw, packing_isize)


def pack_particles(g: ParticlesGeometry, isize: float, curvature_points: int, draw: int = 0,
                   packing_isize: float | None = None):
    """The packing of a particles table, radii compensated for flat facets (isize: interface element size, um);
    draw: which translation of the periodic packing (packing.pack_spheres). ``packing_isize`` (default
    isize) sets the packing itself (face clearance); the facet compensation always follows the mesh's
    isize, so meshes of one packing at several sizes hold the same particle volume (``stressfem converge``)."""
    pack_isize = packing_isize or isize
    if g.contact == "fused":
        from .dense import pack_fused

        return pack_fused(g, face_clearance_um=0.5 * pack_isize, interface_size_um=pack_isize,
                          curvature_points=curvature_points, draw=draw)
    from .packing import compensate_facets, pack_spheres

    return compensate_facets(pack_spheres(g, face_clearance_um=0.5 * pack_isize, draw=draw), isize, curvature_points)


def build_geometry(loaded: LoadedCase, msh: Path) -> dict:
    """Build the mesh of a generated geometry into msh; returns the info dict (sizes, timings, quality).

    Quality gate for packed particles: a mesh whose min SICN is below MIN_QUALITY (slivers where curves
    meet a box face at a shallow angle) or that Gmsh cannot mesh is made again from the next translation
    of the periodic packing (a statistically equivalent box), up to QUALITY_DRAWS in all; the best one is
    kept and its packing written next to it. A case with geometry.packing_file is meshed as given."""
    g = loaded.case.geometry
    if isinstance(g, ImageGeometry):
        from .image import build_image_mesh

        info, _, _ = build_image_mesh(g, loaded.input_path(g.file), msh)
        return info
    draws = 1 if g.packing_file is not None else QUALITY_DRAWS
    best, error, tried = None, None, []
    for draw in range(draws):
        out = msh if draws == 1 else msh.with_name(f".{msh.stem}.draw{draw}.msh")
        try:
            info, packings = _build_packed(loaded, out, draw)
        except GeometryError as exc:  # Gmsh failed, or a later translation could not be packed (face bounds)
            if draws == 1 or (draw == 0 and not isinstance(exc, MeshingError)):
                raise
            log.warning("draw %d of the packing translation: %s", draw, exc)
            error, tried = exc, tried + [None]
            continue
        tried.append(info["min_quality"])
        if best is None or info["min_quality"] > best[0]["min_quality"]:
            best = (info, packings, out, draw)
        if info["min_quality"] >= MIN_QUALITY or draw + 1 == draws:
            break
        log.warning("min mesh quality %.4f < %.3f (draw %d): meshing the next translation of the packing",
                    info["min_quality"], MIN_QUALITY, draw)
    if best is None:
        raise error
    info, packings, out, draw = best
    for k in range(len(tried)):
        other = msh.with_name(f".{msh.stem}.draw{k}.msh")
        if draws > 1 and k == draw:
            os.replace(other, msh)
        elif draws > 1:
            other.unlink(missing_ok=True)
    if info["min_quality"] < MIN_QUALITY:
        log.warning("min mesh quality %.4f after %d draw(s) (< %.3f): stresses in the worst cells are not "
                    "meaningful; read p99", info["min_quality"], len(tried), MIN_QUALITY)
    info["quality_gate"] = {"min_quality_required": MIN_QUALITY, "draws_min_quality": tried, "chosen_draw": draw}
    _write_packings(msh, packings, info)
    return info


def _build_packed(loaded: LoadedCase, msh: Path, draw: int) -> tuple[dict, list]:
    """Pack (translation draw) or read the packing and mesh it: (info, [(layer name or None, packing)])."""
    g, mesh = loaded.case.geometry, loaded.case.mesh
    if isinstance(g, ParticlesGeometry) and g.coating is None and g.grains is None:
        from .rve import build_particle_rve
        from .sizes import mesh_sizes

        _, isize = mesh_sizes(g, mesh)
        packing = _packings(loaded, [(None, g.box_um, lambda: pack_particles(g, isize, mesh.curvature_points, draw,
                                                                             mesh.packing_interface_size_um))])[0]
        axes = loaded.case.periodic.axes if loaded.case.periodic is not None else ""
        return build_particle_rve(packing, g, mesh, msh, periodic_axes=axes), [(None, packing)]
    from .stack import build_stack

    if isinstance(g, ParticlesGeometry):  # coated or polycrystalline: a one-layer stack
        layers = [CompositeLayer(type="composite", name="rve", thickness_um=g.box_um[2], **g.packing_fields())]
        lateral, seed = g.box_um[:2], g.seed
    else:
        assert isinstance(g, LayeredGeometry)
        layers, lateral, seed = list(g.layers), g.lateral_um, g.seed
    size, isize = stack_sizes(layers, mesh)
    names = [None if isinstance(g, ParticlesGeometry) else layer.name for layer in layers]
    packed = iter(_packings(loaded, [
        (name, (*lateral, layer.thickness_um),
         lambda layer=layer, i=i: _layer_packing(layer, lateral, seed + i, isize, mesh.curvature_points, draw,
                                                 mesh.packing_interface_size_um))
        for i, (name, layer) in enumerate(zip(names, layers)) if layer.type == "composite"]))
    blocks, z0, layer_info, used = [], 0.0, [], []
    for name, layer in zip(names, layers):
        block = {"name": layer.name, "z0": z0, "thickness": layer.thickness_um, "type": layer.type}
        entry = {"name": layer.name, "type": layer.type, "z_um": [z0, z0 + layer.thickness_um]}
        if layer.type == "dense":
            block["phase"] = entry["phase"] = layer.phase
        else:
            packing = next(packed)
            used.append((name, packing))
            block.update(packing=packing, particle_phase=layer.particle_phase, matrix_phase=layer.matrix_phase,
                         coating=layer.coating, grains=layer.grains)
            entry.update(packing.to_dict())
            entry.update(particle_phase=layer.particle_phase, matrix_phase=layer.matrix_phase)
            if layer.coating is not None:
                entry["coating"] = _coating_info(layer)
        blocks.append(block)
        layer_info.append(entry)
        z0 += layer.thickness_um
    axes = loaded.case.periodic.axes if loaded.case.periodic is not None else ""  # coated/grains boxes: "xyz"
    info = build_stack(blocks, lateral, mesh, msh, seed, size, isize, periodic_axes=axes)
    info["layers"] = layer_info
    coats = [e["coating"] for e in layer_info if "coating" in e]
    if coats:
        info["coating"] = coats
    if isinstance(g, ParticlesGeometry):
        for key in ("target_volume_fraction", "achieved_volume_fraction", "n_particles", "seed"):
            info[key] = layer_info[0][key]
    return info, used


def _packings(loaded: LoadedCase, wanted: list) -> list:
    """The packings of the composite layers: read from geometry.packing_file if the case gives one, else
    packed. wanted: (layer name or None for a particles box, box_um, function that packs) per layer."""
    file = loaded.case.geometry.packing_file
    if file is None:
        return [make() for _, _, make in wanted]
    from .packing_file import read_packing_file

    log.info("packing read from %s (geometry.packing_file): seed and size distribution are not used", file)
    return read_packing_file(loaded.input_path(file), "geometry.packing_file",
                             [(name, tuple(box)) for name, box, _ in wanted])


def _write_packings(msh: Path, packings: list, info: dict) -> None:
    """CASE/mesh/<name>.packing.json next to the mesh: a case gives it back as geometry.packing_file."""
    if not packings:
        return
    from .packing_file import write_packing_file

    path = msh.with_suffix(".packing.json")
    write_packing_file(path, packings)
    info["packing_file"] = path.name


def _coating_info(layer: CompositeLayer) -> dict:
    """What the cohesive-zone and chemo-mechanics modules need to know about a coating."""
    c = layer.coating
    out = {"phase": c.phase, "thickness_um": c.thickness_um, "meshed": c.meshed,
           "min_meshed_thickness_um": c.min_meshed_thickness_um}
    if c.meshed:
        out["interfaces"] = [f"{layer.particle_phase}/{c.phase}", f"{c.phase}/{layer.matrix_phase}"]
    else:
        out["interface"] = f"{layer.particle_phase}/{layer.matrix_phase}"
        out["note"] = ("coating thinner than min_meshed_thickness_um: not meshed; a spring-layer interface on "
                       f"{out['interface']} (k_n = M/t, k_t = G/t) when its phase is listed under [phases], "
                       "otherwise without mechanical effect (docs/cohesive.md, Thin coatings)")
        log.warning("coating %s (%g um) is thinner than coating.min_meshed_thickness_um (%g um): not meshed; it acts "
                    "as a spring layer on %s only if %s is listed under [phases], otherwise it has no mechanical "
                    "effect", c.phase, c.thickness_um, c.min_meshed_thickness_um, out["interface"], c.phase)
    return out
