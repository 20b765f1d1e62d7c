"""Issue 3, item 8: a 500-particle RVE must mesh in under 2 minutes on 2 cores (HXT, 2 threads).

Usage: python benchmarks/meshing_500.py [--particles 500] [--fraction 0.5] [--threads 2]
Prints packing, OCC geometry and meshing times, the element count and the quality, and writes
them as JSON to benchmarks/results/meshing_500.json (not committed). Run with UCX_TLS=self,sm,tcp.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import tempfile
import time
from pathlib import Path

from stressfem.case import MeshSpec, ParticlesGeometry
from stressfem.geometry.packing import compensate_facets, pack_spheres
from stressfem.geometry.rve import build_particle_rve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--particles", type=int, default=500)
    ap.add_argument("--fraction", type=float, default=0.5)
    ap.add_argument("--d50", type=float, default=5.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size-per-d50", type=float, default=1 / 3.5, help="bulk element size / d50")
    ap.add_argument("--algorithm", default="hxt")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)
    sigma = 0.2
    mean_volume = math.pi / 6 * args.d50**3 * math.exp(4.5 * sigma**2)  # E[d^3] of a lognormal
    side = (args.particles * mean_volume / args.fraction) ** (1 / 3)
    g = ParticlesGeometry(type="particles", box_um=(side,) * 3, volume_fraction=args.fraction, seed=1,
                          min_gap_fraction=0.02, max_particles=5000,
                          size_distribution={"type": "lognormal", "d50_um": args.d50, "sigma_ln": sigma})
    size = args.size_per_d50 * args.d50
    mesh = MeshSpec(size_um=size, interface_size_um=size / 2, threads=args.threads, algorithm=args.algorithm)
    t0, c0 = time.perf_counter(), time.process_time()
    packing = pack_spheres(g, face_clearance_um=size / 4)
    t_pack = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        info = build_particle_rve(compensate_facets(packing, size / 2, mesh.curvature_points), g, mesh,
                                  Path(tmp) / "rve.msh")
        t_build = time.perf_counter() - t1
    out = {"particles": packing.n_particles, "box_um": side, "target": args.fraction,
           "achieved": packing.achieved_fraction, "threads": args.threads, "mesh_size_um": size,
           "packing_s": t_pack, "geometry_s": info["geometry_time_s"], "meshing_s": info["meshing_time_s"],
           "total_s": t_pack + t_build, "cpu_s_all_threads": time.process_time() - c0,
           "load_average_1min": __import__("os").getloadavg()[0], "n_tetrahedra": info["n_tetrahedra"],
           "min_quality": info["min_quality"], "mean_quality": info["mean_quality"]}
    print(json.dumps(out, indent=2))
    res = Path(__file__).parent / "results"
    res.mkdir(exist_ok=True)
    (res / "meshing_500.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
