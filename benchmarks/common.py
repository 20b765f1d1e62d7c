"""Shared helpers of the benchmark modules: machine description, load, memory, box phase meshes."""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

RESULTS = Path(os.environ.get("STRESSFEM_BENCH_RESULTS", Path(__file__).resolve().parent / "results"))
SCRATCH = Path(__file__).resolve().parent / ".scratch"  # generated meshes, VTK output (gitignored)

# The same PETSc options for stressfem and the bare-DOLFINx reference: stressfem's defaults
# (solver/options.py) with the rtol of the shared example.
RTOL = 1e-8


def machine() -> dict:
    """A generic description of the machine (no host names or paths)."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    from stressfem._dolfinx import dolfinx
    import gmsh

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_GB": mem_gb, "python": platform.python_version(),
            "dolfinx": dolfinx.__version__, "gmsh": gmsh.__version__, "os": platform.system()}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def peak_rss_mb() -> float:
    """Peak resident memory of this process (MB); Linux reports ru_maxrss in kB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Timer:
    """Named sections: ``with t("solve"): ...``; ``t.s`` wall seconds, ``t.cpu`` this process's CPU
    seconds (less sensitive to other jobs on a shared machine)."""

    def __init__(self, comm=None):
        self.s: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.comm = comm

    @contextmanager
    def __call__(self, name: str):
        if self.comm is not None:
            self.comm.Barrier()
        t0, c0 = time.perf_counter(), time.process_time()
        yield
        c1 = time.process_time()
        if self.comm is not None:
            self.comm.Barrier()
        self.s[name] = self.s.get(name, 0.0) + time.perf_counter() - t0
        self.cpu[name] = self.cpu.get(name, 0.0) + c1 - c0


def write_json(name: str, data) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=float))
    os.replace(tmp, path)
    return path


def box_phase_mesh(n: int, comm, side_m: float = 20e-6):
    """A stressfem PhaseMesh: an n x n x n tetrahedral box (6 n^3 cells, 3 (n+1)^3 P1 dofs) of side
    20 um with a spherical NMC811 particle (30 % of the volume) in LLZO, and the six named faces.

    The same mesh object serves the bare-DOLFINx reference and stressfem.
    """
    from stressfem._dolfinx import mesh
    from stressfem.geometry.msh import PhaseMesh

    msh = mesh.create_box(comm, [[0, 0, 0], [side_m] * 3], [n, n, n], mesh.CellType.tetrahedron,
                          ghost_mode=mesh.GhostMode.shared_facet)
    tdim = 3
    imap = msh.topology.index_map(tdim)
    n_local = imap.size_local + imap.num_ghosts
    cells = np.arange(n_local, dtype=np.int32)
    centroid = mesh.compute_midpoints(msh, tdim, cells)
    r = (0.3 * 3 / (4 * np.pi)) ** (1 / 3) * side_m
    inside = np.linalg.norm(centroid - side_m / 2, axis=1) < r
    values = np.where(inside, 1, 2).astype(np.int32)
    cell_tags = mesh.meshtags(msh, tdim, cells, values)
    msh.topology.create_connectivity(2, 3)
    faces, tags = [], []
    names = {}
    for k, (axis, end) in enumerate([(a, e) for a in range(3) for e in (0.0, side_m)], start=1):
        f = mesh.locate_entities_boundary(msh, 2, lambda x, a=axis, e=end: np.isclose(x[a], e))
        faces.append(f)
        tags.append(np.full(len(f), k, dtype=np.int32))
        names[f"{'xyz'[axis]}{'min' if end == 0.0 else 'max'}"] = k
    f_all = np.concatenate(faces)
    order = np.argsort(f_all)
    facet_tags = mesh.meshtags(msh, 2, f_all[order], np.concatenate(tags)[order])
    return PhaseMesh(msh, cell_tags, facet_tags, {"NMC811": 1, "LLZO": 2}, names, Path("box"))


def thermal_materials():
    """NMC811 and LLZO from the library, thermal only (the chemical strain plays no part in a cool-down)."""
    import dataclasses

    from stressfem.materials.library import LIBRARY

    return [dataclasses.replace(LIBRARY[n], chemical_strain=None, partial_molar_volume_m3_per_mol=None,
                                crystal_stiffness_Pa=None)
            for n in ("NMC811", "LLZO")]
