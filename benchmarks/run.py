"""`make bench`: the stressfem benchmark suite (minutes to an hour; never part of `make test`).

    python benchmarks/run.py [--sections solve,mpi,quality,meshing,cohesive,cohesive_scaling,loadpath] [--sizes 14,24,40,56,68]
                             [--particles 50,200,500] [--reps 2] [--quick] [--plot-only]

Each measurement runs in its own process (clean peak memory, one MPI job at a time); rows are
merged into benchmarks/results/<section>.json (keyed, so partial runs accumulate) together with the
machine description and the load average at the time, and benchmarks/results/bench.png is redrawn.
Sections:

* solve    -- cool-down on box meshes of 3 (N+1)^3 dofs: bare DOLFINx vs stressfem on the same mesh,
              options and rtol (solve.py); time, iterations and peak memory against dofs.
* mpi      -- the same at the largest size on 1 and 2 ranks (mpiexec -n 2).
* meshing  -- particle RVE packing + meshing time against particle count (meshing.py); the meshes
              are kept under benchmarks/.scratch/ for the quality section.
* quality  -- GAMG iterations against mesh quality and solver options (quality.py) on the shipped
              cool-down case's cached meshes and the meshing section's RVEs.
* cohesive -- time per Newton iteration and per increment of the shipped debonding case, direct and
              iterative cohesive linear solvers (cohesive.py).
* cohesive_scaling -- the secant cohesive path on the debonding case at about 20k and 100k dofs,
              1 and 2 ranks: cost per increment in linear-solve units and peak memory (cohesive_cost.py).
* loadpath -- a 100-increment linear load path (20 cool-down increments, 4 cycles of 20) at about
              500k dofs, superposed and incremental, against a single-increment run (load_path.py).

--quick: the smallest size only, one repetition (the smoke test in tests/unit/test_bench_smoke.py).
Run with UCX_TLS=self,sm,tcp (the Makefile sets it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import RESULTS, SCRATCH, load_average, machine, write_json  # noqa: E402

PY = sys.executable
ROOT = HERE.parent


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("UCX_TLS", "self,sm,tcp")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _mpiexec() -> str:
    cand = Path(PY).parent / "mpiexec"
    return str(cand) if cand.exists() else "mpiexec"


def _run(cmd: list[str], timeout: float | None = None) -> list[dict]:
    """Run a benchmark module; its RESULT lines as dicts (failures are reported, not raised)."""
    print("$", " ".join(Path(c).name if c == PY else c for c in cmd), "| load", load_average(), flush=True)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout} s", flush=True)
        return [{"error": f"timed out after {timeout} s", "cmd": [Path(c).name for c in cmd[1:]]}]
    rows = [json.loads(line[7:]) for line in p.stdout.splitlines() if line.startswith("RESULT ")]
    if p.returncode != 0 or not rows:
        print(p.stdout[-2000:], p.stderr[-4000:], sep="\n", flush=True)
        rows.append({"error": f"exit {p.returncode}", "stderr": p.stderr[-2000:], "cmd": [Path(c).name for c in cmd[1:]]})
    print(f"  {time.perf_counter() - t0:.0f} s wall", flush=True)
    return rows


def _merge(name: str, rows: list[dict], key) -> None:
    import fcntl

    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / ".lock", "w") as lock:  # two harness runs may share the results folder
        fcntl.flock(lock, fcntl.LOCK_EX)
        _merge_locked(name, rows, key)


def _merge_locked(name: str, rows: list[dict], key) -> None:
    path = RESULTS / f"{name}.json"
    old = json.loads(path.read_text()) if path.is_file() else {}
    by_key = {json.dumps(key(r)): r for r in old.get("rows", []) if "error" not in r}
    for r in rows:
        if "error" not in r:
            by_key[json.dumps(key(r))] = r
    errors = [r for r in rows if "error" in r]
    write_json(f"{name}.json", {"machine": machine(), "updated_load_average": load_average(),
                                "rows": [by_key[k] for k in sorted(by_key)],
                                "errors": errors})


def section_solve(sizes, reps):
    for n in sizes:
        _merge("solve", _run([PY, str(HERE / "solve.py"), str(n), "--reps", str(reps)]), lambda r: [r["n"], r["ranks"]])


def section_mpi(sizes, reps):
    n = max(sizes)
    _merge("solve", _run([_mpiexec(), "-n", "2", PY, str(HERE / "solve.py"), str(n), "--reps", str(reps)]),
           lambda r: [r["n"], r["ranks"]])


def section_meshing(particles):
    keep = SCRATCH / "rve"
    for n in particles:
        _merge("meshing", _run([PY, str(HERE / "meshing.py"), str(n), "--keep", str(keep)], timeout=1800),
               lambda r: r["particles_target"])


def section_quality(particles):
    case_meshes = sorted((ROOT / "cases" / "nmc811-llzo-cooldown" / "mesh").glob("*.msh"))
    rve = [SCRATCH / "rve" / f"rve-{n}.msh" for n in particles]
    meshes = [str(m) for m in case_meshes + [m for m in rve if m.is_file()]]
    if not meshes:
        print("quality: no meshes (run the meshing section, or the cool-down case once)")
        return
    from quality import VARIANTS

    for m in meshes:
        # every variant on the case meshes; the default and the recommended ones on the larger RVEs
        variants = list(VARIANTS) if "cases" in m else ["default", "pbjacobi", "threshold_0.01"]
        _merge("quality", _run([PY, str(HERE / "quality.py"), m, "--variants", ",".join(variants)]),
               lambda r: [r["mesh"], r["variant"]])


def section_cohesive(limit: float):
    _merge("cohesive", _run([PY, str(HERE / "cohesive.py"), "--time-limit", str(limit)], timeout=2 * limit + 1800),
           lambda r: [r["case"], r["ranks"]])


# the shipped debonding case remeshed ([mesh] size_um, interface_size_um): about 20k and 100k cohesive dofs
COHESIVE_SCALING_MESHES = ((1.6, 0.8), (0.8, 0.4))


def section_cohesive_scaling(increments: int = 6):
    """Secant cohesive path: cost per increment in linear-solve units vs dofs, 1 and 2 ranks, peak memory."""
    import re
    import shutil

    src = ROOT / "cases" / "nmc811-llzo-debonding"
    for size, isize in COHESIVE_SCALING_MESHES:
        folder = SCRATCH / f"cohesive-scaling-{isize}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / "packing.json", folder / "packing.json")
        toml = (src / "case.toml").read_text()
        toml = re.sub(r"\[mesh\][^\[]*", f"[mesh]\nsize_um = {size}\ninterface_size_um = {isize}\n\n", toml, count=1)
        (folder / "case.toml").write_text(toml)
        subprocess.run([str(Path(PY).parent / "stressfem"), "mesh", str(folder)], env=_env(), cwd=ROOT, check=False,
                       capture_output=True)
        for ranks in (1, 2):
            cmd = [PY, str(HERE / "cohesive_cost.py"), str(folder), "--increments", str(increments),
                   "--linear-solver", "iterative", "--method", "secant"]
            if ranks > 1:
                cmd = [_mpiexec(), "-n", str(ranks)] + cmd
            _merge("cohesive_scaling", _run(cmd, timeout=7200),
                   lambda r: [r["cohesive"]["iterative"]["dofs"], r["ranks"]] if "cohesive" in r else [r.get("error")])


def section_loadpath():
    _merge("load_path", _run([PY, str(HERE / "load_path.py")], timeout=7200), lambda r: [r["dofs"], r["ranks"]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sections", default="solve,mpi,meshing,quality,cohesive,cohesive_scaling,loadpath")
    ap.add_argument("--sizes", default="14,24,40,56,68", help="box divisions N (3 (N+1)^3 dofs)")
    ap.add_argument("--particles", default="50,200,500")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--cohesive-time-limit", type=float, default=1800.0, help="seconds of increments (cohesive)")
    ap.add_argument("--quick", action="store_true", help="smallest size, one repetition, solve only")
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    particles = [int(s) for s in args.particles.split(",")]
    sections = args.sections.split(",")
    if args.quick:
        sizes, sections, args.reps = sizes[:1], ["solve"], 1
    if not args.plot_only:
        for s in sections:
            {"solve": lambda: section_solve(sizes, args.reps), "mpi": lambda: section_mpi(sizes, args.reps),
             "meshing": lambda: section_meshing(particles), "quality": lambda: section_quality(particles),
             "cohesive": lambda: section_cohesive(args.cohesive_time_limit),
             "cohesive_scaling": section_cohesive_scaling, "loadpath": section_loadpath}[s]()
    from plot import plot_all

    print("plot:", plot_all(RESULTS), flush=True)


if __name__ == "__main__":
    main()
