"""Particle RVE packing + Gmsh meshing time against particle count (stressfem.geometry API).

    python benchmarks/meshing.py 50 [--fraction 0.35] [--keep DIR]

Lognormal NMC811 particles (d50 5 um, sigma_ln 0.2) in LLZO at the shipped cool-down case's volume
fraction; bulk element size d50/3.5 and interface size half that (the case's 1.5/0.75 um at
d50 6 um, scaled); HXT with 2 threads. Prints one JSON object prefixed ``RESULT``; ``--keep`` keeps
the .msh (and its info .json) for the iteration study.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_average, peak_rss_mb  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("particles", type=int)
    ap.add_argument("--fraction", type=float, default=0.35)
    ap.add_argument("--d50", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    from stressfem.case import MeshSpec, ParticlesGeometry
    from stressfem.geometry.packing import compensate_facets, pack_spheres
    from stressfem.geometry.rve import build_particle_rve

    sigma = 0.2
    mean_volume = math.pi / 6 * args.d50**3 * math.exp(4.5 * sigma**2)  # E[d^3] of a lognormal
    side = (args.particles * mean_volume / args.fraction) ** (1 / 3)
    g = ParticlesGeometry(type="particles", box_um=(side,) * 3, volume_fraction=args.fraction, seed=1,
                          particle_phase="NMC811", matrix_phase="LLZO", max_particles=5000,
                          size_distribution={"type": "lognormal", "d50_um": args.d50, "sigma_ln": sigma})
    size = args.d50 / 3.5
    spec = MeshSpec(size_um=size, interface_size_um=size / 2, threads=args.threads)
    load0 = load_average()
    t0 = time.perf_counter()
    packing = pack_spheres(g, face_clearance_um=size / 4)
    t_pack = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        out = (args.keep or Path(tmp)) / f"rve-{args.particles}.msh"
        out.parent.mkdir(parents=True, exist_ok=True)
        t1 = time.perf_counter()
        info = build_particle_rve(compensate_facets(packing, size / 2, spec.curvature_points), g, spec, out)
        t_build = time.perf_counter() - t1
        info = {k: v for k, v in info.items() if k != "particle_pieces"}
        if args.keep:
            out.with_suffix(".json").write_text(json.dumps(info, default=float))
    row = {"particles_target": args.particles, "particles": packing.n_particles, "box_um": side,
           "volume_fraction": args.fraction, "achieved_fraction": packing.achieved_fraction,
           "threads": args.threads, "mesh_size_um": size, "packing_s": t_pack,
           "geometry_s": info.get("geometry_time_s"), "meshing_s": info.get("meshing_time_s"),
           "total_s": t_pack + t_build, "tetrahedra": info.get("n_tetrahedra"), "nodes": info.get("n_nodes"),
           "min_quality": info.get("min_quality"), "mean_quality": info.get("mean_quality"),
           "peak_rss_MB": peak_rss_mb(), "load_average": load0, "msh": out.name if args.keep else None}
    print("RESULT " + json.dumps(row, default=float), flush=True)


if __name__ == "__main__":
    main()
