"""Plain-text summary of microstructure metrics (``stressfem mesh``)."""

from __future__ import annotations

__all__ = ["metrics_text"]


def metrics_text(m: dict) -> str:
    """A few lines a researcher reads first: fractions, areas, contact, tortuosity, mesh quality."""
    box = " x ".join(f"{v * 1e6:.4g}" for v in m["box_m"])
    lines = [f"{m.get('geometry_type', 'mesh')} geometry, box {box} um, {m['n_cells']} cells"]
    if "target_volume_fraction" in m:
        lines.append(f"  particle volume fraction: target {m['target_volume_fraction']:.4f}, packing "
                     f"{m.get('packing_achieved_volume_fraction', float('nan')):.4f}")
    for layer in m.get("layers", []):
        fr = ", ".join(f"{p} {v:.4f}" for p, v in layer["volume_fractions"].items())
        text = f"  layer {layer['name']}: z {layer['z_um'][0]:g}-{layer['z_um'][1]:g} um, meshed {fr}"
        if layer.get("type") == "composite":
            text += (f"; {layer['particle_phase']} target {layer['target_volume_fraction']:.4f}, packing "
                     f"{layer['packing_achieved_volume_fraction']:.4f}")
            if "tortuosity" in layer:
                text += "; tortuosity " + ", ".join(f"{ax} {layer['tortuosity'][ax]['tau']:.3f}" for ax in "xyz")
        lines.append(text)
    lines.append("  volume fractions (meshed): " + ", ".join(f"{p} {v:.4f}" for p, v in m["volume_fractions"].items())
                 + f"; porosity {m['porosity']:.4f}")
    for pair, v in m["interfaces"].items():
        lines.append(f"  interface {pair}: {v['area_m2'] * 1e12:.4g} um2, specific {v['specific_area_per_m'] * 1e-6:.4g} 1/um")
    for phase, a in m.get("grain_boundary_area_m2", {}).items():
        lines.append(f"  grain boundaries in {phase}: {a * 1e12:.4g} um2")
    if "contact_fraction" in m:
        lines.append(f"  contact fraction {m['active_phase']}/{m['electrolyte_phase']}: {m['contact_fraction']:.4f}")
    if "tortuosity" in m:
        t = m["tortuosity"]
        lines.append(f"  tortuosity factor of {t['phase']}: " + ", ".join(f"{ax} {t[ax]['tau']:.3f}" for ax in "xyz"))
    if "min_quality" in m:
        lines.append(f"  mesh quality ({m.get('quality_measure', '')}): min {m['min_quality']:.3f}, "
                     f"mean {m['mean_quality']:.3f}; meshing {m.get('meshing_time_s', 0.0):.1f} s")
    return "\n".join(lines)
