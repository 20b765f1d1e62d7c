"""Dispatch a generated geometry table to its builder; every builder writes one .msh + an info dict."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..case import CompositeLayer, ImageGeometry, LayeredGeometry, LoadedCase, ParticlesGeometry
from ..errors import GeometryError

__all__ = ["build_geometry", "stack_sizes"]

log = logging.getLogger(__name__)


def stack_sizes(layers, mesh) -> tuple[float, float]:
    """Bulk and interface element sizes (um): d50/4 of the finest composite layer (else the thinnest
    layer / 4) and half of that, unless [mesh] sets them."""
    d50s = [layer.size_distribution.diameter_um if layer.size_distribution.type == "fixed"
            else layer.size_distribution.d50_um for layer in layers if layer.type == "composite"]
    ref = min(d50s) if d50s else min(layer.thickness_um for layer in layers)
    size = mesh.size_um or ref / 4.0
    return size, mesh.interface_size_um or size / 2.0


def _layer_packing(layer: CompositeLayer, lateral, seed: int, isize: float, curvature_points: int):
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
    return pack_particles(box_geometry, isize, curvature_points)


def pack_particles(g: ParticlesGeometry, isize: float, curvature_points: int):
    """The packing of a particles table, radii compensated for flat facets (isize: interface element size, um)."""
    if g.contact == "fused":
        from .dense import pack_fused

        return pack_fused(g, face_clearance_um=0.5 * isize, interface_size_um=isize, curvature_points=curvature_points)
    from .packing import compensate_facets, pack_spheres

    return compensate_facets(pack_spheres(g, face_clearance_um=0.5 * isize), isize, curvature_points)


def build_geometry(loaded: LoadedCase, msh: Path) -> dict:
    """Build the mesh of a generated geometry into msh; returns the info dict (sizes, timings, quality)."""
    g, mesh = loaded.case.geometry, loaded.case.mesh
    if isinstance(g, ImageGeometry):
        from .image import build_image_mesh

        info, _, _ = build_image_mesh(g, loaded.input_path(g.file), msh)
        return info
    if isinstance(g, ParticlesGeometry) and g.coating is None and g.grains is None:
        from .rve import build_particle_rve, mesh_sizes

        _, isize = mesh_sizes(g, mesh)
        axes = loaded.case.periodic.axes if loaded.case.periodic is not None else ""
        return build_particle_rve(pack_particles(g, isize, mesh.curvature_points), g, mesh, msh, periodic_axes=axes)
    from .stack import build_stack

    if isinstance(g, ParticlesGeometry):  # coated or polycrystalline: a one-layer stack
        layers = [CompositeLayer(type="composite", name="rve", thickness_um=g.box_um[2], **g.packing_fields())]
        lateral, seed = g.box_um[:2], g.seed
    else:
        assert isinstance(g, LayeredGeometry)
        layers, lateral, seed = list(g.layers), g.lateral_um, g.seed
    size, isize = stack_sizes(layers, mesh)
    blocks, z0, layer_info = [], 0.0, []
    for i, layer in enumerate(layers):
        block = {"name": layer.name, "z0": z0, "thickness": layer.thickness_um, "type": layer.type}
        entry = {"name": layer.name, "type": layer.type, "z_um": [z0, z0 + layer.thickness_um]}
        if layer.type == "dense":
            block["phase"] = entry["phase"] = layer.phase
        else:
            packing = _layer_packing(layer, lateral, seed + i, isize, mesh.curvature_points)
            block.update(packing=packing, particle_phase=layer.particle_phase, matrix_phase=layer.matrix_phase,
                         coating=layer.coating, grains=layer.grains)
            entry.update(packing.to_dict())
            entry.update(particle_phase=layer.particle_phase, matrix_phase=layer.matrix_phase)
            if layer.coating is not None:
                entry["coating"] = _coating_info(layer)
        blocks.append(block)
        layer_info.append(entry)
        z0 += layer.thickness_um
    info = build_stack(blocks, lateral, mesh, msh, seed, size, isize)
    info["layers"] = layer_info
    coats = [e["coating"] for e in layer_info if "coating" in e]
    if coats:
        info["coating"] = coats
    if isinstance(g, ParticlesGeometry):
        for key in ("target_volume_fraction", "achieved_volume_fraction", "n_particles", "seed"):
            info[key] = layer_info[0][key]
    return info


def _coating_info(layer: CompositeLayer) -> dict:
    """What the cohesive-zone and chemo-mechanics modules need to know about a coating."""
    c = layer.coating
    out = {"phase": c.phase, "thickness_um": c.thickness_um, "meshed": c.meshed,
           "min_meshed_thickness_um": c.min_meshed_thickness_um}
    if c.meshed:
        out["interfaces"] = [f"{layer.particle_phase}/{c.phase}", f"{c.phase}/{layer.matrix_phase}"]
    else:
        out["interface"] = f"{layer.particle_phase}/{layer.matrix_phase}"
        out["note"] = ("coating thinner than min_meshed_thickness_um: not meshed; an interface property "
                       "of the particle/matrix interface")
    return out
