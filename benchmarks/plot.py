"""The summary figure of the benchmark results (benchmarks/results/bench.png) and the best-of-reps
numbers used in docs/performance.md (``summary(results)``)."""

from __future__ import annotations

import json
from pathlib import Path


def _load(results: Path, name: str) -> list[dict]:
    f = results / f"{name}.json"
    return json.loads(f.read_text()).get("rows", []) if f.is_file() else []


def solve_rows(results: Path) -> list[dict]:
    """One row per (size, ranks) with the best (smallest wall time) of the repetitions."""
    out = []
    for r in _load(results, "solve"):
        def best(side, keys, reps=r["reps"]):
            """Best of the repetitions: the smallest wall time and, separately, the smallest CPU time."""
            vals = [(sum(rep[side]["s"][k] for k in keys), sum(rep[side]["cpu_s"][k] for k in keys), rep["load_average"])
                    for rep in reps if rep.get(side)]
            if not vals:
                return None, None, None
            return min(v[0] for v in vals), min(v[1] for v in vals), vals[0][2]

        sf_core, sf_core_cpu, load = best("stressfem", ["setup", "increment"])
        over, over_cpu, _ = best("stressfem", ["cell_stress", "statistics", "fields_init", "fields_write"])
        bare, bare_cpu, load_b = best("bare", ["assemble", "solve"])
        inc = [i for rep in r["reps"] for i in rep["stressfem"]["more_increments"]]
        out.append({"n": r["n"], "ranks": r["ranks"], "dofs": r["dofs"], "cells": r["cells"],
                    "stressfem_s": sf_core, "stressfem_cpu_s": sf_core_cpu, "bare_s": bare, "bare_cpu_s": bare_cpu,
                    "ratio_wall": sf_core / bare if bare else None,
                    "ratio_cpu": sf_core_cpu / bare_cpu if bare_cpu else None,
                    "overhead_s": over, "overhead_cpu_s": over_cpu,
                    "overhead_parts_s": {k: min(rep["stressfem"]["s"][k] for rep in r["reps"])
                                         for k in ("cell_stress", "statistics", "fields_init", "fields_write")},
                    "setup_s": min(rep["stressfem"]["s"]["setup"] for rep in r["reps"]),
                    "increment_s": min(rep["stressfem"]["s"]["increment"] for rep in r["reps"]),
                    "reused_increment_s": min((i["s"]["solve"] for i in inc), default=None),
                    "reused_increment_cpu_s": min((i["cpu_s"]["solve"] for i in inc), default=None),
                    "iterations_stressfem": r["reps"][0]["stressfem"]["iterations"],
                    "iterations_bare": (r["reps"][0]["bare"] or {}).get("iterations"),
                    "iterations_reused": [i["iterations"] for i in r["reps"][0]["stressfem"]["more_increments"]],
                    "peak_rss_MB_per_rank": r["peak_rss_MB_per_rank"], "fields_MB": r["reps"][0]["fields_bytes"] / 1e6,
                    "load_average": [rep["load_average"] for rep in r["reps"]], "reps": len(r["reps"])})
    return sorted(out, key=lambda x: (x["ranks"], x["dofs"]))


def plot_all(results: Path) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = solve_rows(results)
    serial = [r for r in rows if r["ranks"] == 1]
    mesh_rows = _load(results, "meshing")
    qual = _load(results, "quality")
    if not (serial or mesh_rows or qual):
        return None
    fig, ax = plt.subplots(2, 3, figsize=(15, 8.5))
    d = [r["dofs"] for r in serial]
    a = ax[0, 0]
    if serial:
        a.loglog(d, [r["bare_cpu_s"] for r in serial], "o-", label="bare DOLFINx: assemble + solve")
        a.loglog(d, [r["stressfem_cpu_s"] for r in serial], "s-", label="stressfem: setup + solve")
        a.loglog(d, [r["stressfem_cpu_s"] + r["overhead_cpu_s"] for r in serial], "^--",
                 label="stressfem + stress, stats, VTK")
        a.loglog(d, [r["reused_increment_cpu_s"] for r in serial], "v:", label="stressfem increment, AMG reused")
        a.loglog(d, [d0 * serial[-1]["bare_cpu_s"] / d[-1] for d0 in d], "k:", lw=0.8, label="linear")
    a.set(xlabel="dofs", ylabel="CPU time (s), best of reps", title="cool-down, 1 rank (machine shared: CPU time)")
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    a = ax[0, 1]
    if serial:
        a.semilogx(d, [1e6 * r["bare_cpu_s"] / r["dofs"] for r in serial], "o-", label="bare DOLFINx")
        a.semilogx(d, [1e6 * r["stressfem_cpu_s"] / r["dofs"] for r in serial], "s-", label="stressfem")
    a.set(xlabel="dofs", ylabel="CPU us per dof", title="time per dof (assembly + solve)")
    a.set_ylim(bottom=0)
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    a = ax[0, 2]
    if serial:
        a.semilogx(d, [r["iterations_stressfem"] for r in serial], "s-", label="box + sphere (default)")
    for variant, mk in (("default", "o"), ("pbjacobi", "D"), ("threshold_0.01", "x")):
        pts = sorted((q["dofs"], q["iterations"]) for q in qual if q["variant"] == variant and q.get("converged"))
        if pts:
            a.semilogx(*zip(*pts), mk, label=f"particle RVEs: {variant}")
    a.set(xlabel="dofs", ylabel="CG iterations (rtol 1e-8)", title="GAMG iterations")
    a.set_ylim(bottom=0)
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    a = ax[1, 0]
    if serial:
        a.loglog(d, [max(r["peak_rss_MB_per_rank"]) for r in serial], "s-", label="stressfem process peak RSS")
    a.set(xlabel="dofs", ylabel="MB", title="peak memory (1 rank)")
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    a = ax[1, 1]
    if mesh_rows:
        m = sorted(mesh_rows, key=lambda r: r["particles"])
        a.plot([r["particles"] for r in m], [r["total_s"] for r in m], "o-", label="packing + OCC + mesh")
        for r in m:
            a.annotate(f"{r['tetrahedra'] / 1e3:.0f}k tets", (r["particles"], r["total_s"]), fontsize=7)
    a.set(xlabel="particles", ylabel="s", title="particle RVE meshing (HXT, 2 threads)")
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    a = ax[1, 2]
    byn = {}
    for r in rows:
        byn.setdefault(r["dofs"], {})[r["ranks"]] = r
    multi = {k: v for k, v in byn.items() if len(v) > 1}
    for i, (dofs, v) in enumerate(sorted(multi.items())):
        for j, ranks in enumerate(sorted(v)):
            a.bar(i * 3 + j, v[ranks]["stressfem_cpu_s"], color=f"C{j}", label=f"stressfem, {ranks} rank(s)" if i == 0 else None)
            a.bar(i * 3 + j, v[ranks]["bare_cpu_s"], fill=False, hatch="//", edgecolor="k",
                  label="bare DOLFINx" if i == 0 and j == 0 else None)
        a.text(i * 3, 0, f"{dofs / 1e3:.0f}k dofs", fontsize=7, va="bottom")
    a.set(ylabel="CPU s per rank (setup + solve)", title="MPI ranks", xticks=[])
    if a.get_legend_handles_labels()[0]:
        a.legend(fontsize=7)
    fig.tight_layout()
    out = results / "bench.png"
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def tables(results: Path) -> str:
    """Markdown tables of the results, for docs/performance.md."""
    out = ["| dofs | ranks | bare CPU s | stressfem CPU s | ratio CPU | bare wall s | stressfem wall s | ratio wall "
           "| us/dof (CPU) | its bare/sf | reused-increment its | overhead wall s (stress, stats, VTK) | peak MB/rank | load (1 min) |",
           "|" + "---|" * 14]
    for r in solve_rows(results):
        out.append(f"| {r['dofs']:,} | {r['ranks']} | {r['bare_cpu_s']:.2f} | {r['stressfem_cpu_s']:.2f} | {r['ratio_cpu']:.2f} "
                   f"| {r['bare_s']:.1f} | {r['stressfem_s']:.1f} | {r['ratio_wall']:.2f} "
                   f"| {1e6 * r['stressfem_cpu_s'] / r['dofs']:.1f} | {r['iterations_bare']}/{r['iterations_stressfem']} "
                   f"| {', '.join(map(str, r['iterations_reused']))} "
                   f"| {r['overhead_s']:.2f} ({', '.join(f'{v:.2f}' for v in r['overhead_parts_s'].values())}) "
                   f"| {max(r['peak_rss_MB_per_rank']):.0f} | {', '.join(str(la[0]) for la in r['load_average'])} |")
    q = _load(results, "quality")
    if q:
        out += ["", "| mesh | min SICN | dofs | variant | its | setup CPU s | solve CPU s | max vM NMC/LLZO MPa | p99 vM NMC/LLZO MPa |",
                "|" + "---|" * 9]
        for r in q:
            vm, p99 = r["max_von_mises_MPa"], r["p99_von_mises_MPa"]
            out.append(f"| {r['mesh']} | {r['min_quality'] or float('nan'):.4f} | {r['dofs']:,} | {r['variant']} | {r['iterations']} "
                       f"| {r.get('setup_cpu_s', float('nan')):.2f} | {r.get('solve_cpu_s', float('nan')):.2f} "
                       f"| {' / '.join(f'{v:.0f}' for v in vm.values())} | {' / '.join(f'{v:.0f}' for v in p99.values())} |")
    m = _load(results, "meshing")
    if m:
        out += ["", "| particles | box um | tetrahedra | packing s | OCC s | mesh s | total s | min SICN | load |", "|" + "---|" * 9]
        for r in sorted(m, key=lambda r: r["particles"]):
            out.append(f"| {r['particles']} | {r['box_um']:.1f} | {r['tetrahedra']:,} | {r['packing_s']:.1f} | {r['geometry_s']:.1f} "
                       f"| {r['meshing_s']:.1f} | {r['total_s']:.1f} | {r['min_quality']:.4f} | {r['load_average'][0]} |")
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    res = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results"
    print(tables(res))
    print(plot_all(res))

