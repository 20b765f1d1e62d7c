"""One self-contained HTML report of a finished run (images embedded as base64 data URIs).

Contents: run and mesh/solver statistics, load path, per-phase and per-interface tables of every
step, materials with their sources, boundary conditions, figures (from figures/figures.json; made
first when missing or older than the run), microstructure metrics, the verification status of
the physics the run used, the resolved case parameters and the list of result files.

A small inline script records, after the page has loaded, how many images decoded
(``#render-check``: ``data-images-ok`` / ``data-images-total``); the browser test reads it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import logging
import math
from pathlib import Path

from ..output.schema import step_kind
from ..verification.registry import PHYSICS_TITLES, checks_for
from .data import MANIFEST, ResultsData, atomic_target, read_manifest, version_string

__all__ = ["write_report", "verification_status", "physics_used"]

log = logging.getLogger(__name__)

def physics_used(data: ResultsData) -> list[str]:
    """Physics keys (stressfem/verification/registry.py) the run used: those of its step kinds
    (output/schema.py), cohesive interfaces, thin coatings, P2 elements, more than one MPI rank, superposition,
    tensile statistics, an open-circuit voltage."""
    used: list[str] = []
    for st in data.steps:
        kind = step_kind(str(st.get("type")))
        used += kind.physics if kind is not None else []
    if any(s.get("interfaces") for s in data.steps):
        used.append("cohesive")
    if any("coating" in law for law in (data.summary.get("interface_laws") or {}).values()):
        used.append("coating")
    if (data.resolved.get("solver") or {}).get("element_degree") == 2:
        used.append("p2")
    if int(data.summary.get("mpi_ranks", 1) or 1) > 1:
        used.append("mpi")
    if (data.summary.get("superposition") or {}).get("used"):
        used.append("superposition")
    if any("p99_max_principal_Pa" in p for st in data.steps for p in (st.get("phases") or {}).values()):
        used.append("fracture")
    if any(st.get("voltage_V") is not None for st in data.steps):
        used.append("voltage")
    return [p for p in PHYSICS_TITLES if p in used]


def verification_status(data: ResultsData) -> list[dict]:
    """Per physics used by the run: the verification checks that cover it (static registry)."""
    rows = []
    for key in physics_used(data):
        checks = checks_for(key)
        rows.append({"physics": PHYSICS_TITLES[key], "covered": bool(checks),
                     "checks": [{"file": c.test, "id": c.id, "requirement": c.requirement,
                                 "tolerance": c.tolerance, "measured": c.measured} for c in checks]})
    return rows


# -- HTML helpers -------------------------------------------------------------------------------

def _e(x) -> str:
    return html.escape(str(x))


def _num(x, scale=1.0, fmt="{:.4g}") -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return _e(x) if x is not None else "-"
    v = x * scale
    return "nan" if isinstance(v, float) and math.isnan(v) else fmt.format(v)


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def _kv(rows: list[tuple[str, str]]) -> str:
    return "<table class='kv'><tbody>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + \
           "</tbody></table>"


def _flatten(obj, prefix="") -> list[tuple[str, object]]:
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list) and len(obj) > 6:
        out.append((prefix, f"[{len(obj)} values]"))
    else:
        out.append((prefix, obj))
    return out


MIME = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".mp4": "video/mp4", ".svg": "image/svg+xml"}


def _embed(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = MIME.get(path.suffix.lower(), "application/octet-stream")
    if mime.startswith("video/"):
        return f'<video controls loop src="data:{mime};base64,{data}"></video>'
    return f'<img alt="{_e(alt)}" src="data:{mime};base64,{data}">'


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}table.kv th{text-align:left}table.kv td{text-align:left}td:first-child{text-align:left}
figure{margin:1em 0;page-break-inside:avoid}figure img,figure video{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#444}pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.8em}
.ok{color:#1a7f37;font-weight:bold}.missing{color:#b42318;font-weight:bold}.muted{color:#666;font-size:.85em}
nav a{margin-right:1em}
"""

CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  var d = document.getElementById('render-check');
  d.setAttribute('data-images-total', String(imgs.length));
  d.setAttribute('data-images-ok', String(ok));
  d.textContent = ok + ' of ' + imgs.length + ' images rendered';
});
"""


def _figures_current(data: ResultsData) -> bool:
    man = data.figures / MANIFEST
    return man.is_file() and man.stat().st_mtime >= (data.results / "summary.json").stat().st_mtime


def _with_error(p: dict, key: str) -> str:
    """'value ± estimated discretisation error' in MPa (the estimate from summary.json, if any)."""
    est = (p.get("error_estimate_Pa") or {}).get(key)
    value = _num(p.get(key), 1e-6, "{:.1f}")
    return value if not isinstance(est, (int, float)) else f"{value} ± {_num(est, 1e-6, '{:.2g}')}"


def _error_note(data: ResultsData) -> str:
    """One sentence on what the ± values are (summary.json ``error_estimate``)."""
    info = data.summary.get("error_estimate")
    if not isinstance(info, dict):
        return ""
    eff = (info.get("effectivity_measured") or {}).get("means")
    rng = f" (estimate / true error measured {eff[0]:g} to {eff[1]:g} for means)" if eff else ""
    return (f"<p class='muted'>± : estimated discretisation error, {_e(info.get('method', ''))}, element degree "
            f"{_num(info.get('element_degree'))}{rng}; see {_e(info.get('reference', ''))} and "
            f"<code>stressfem converge</code>.</p>")


def _phase_tables(data: ResultsData, step: dict) -> str:
    phases = step.get("phases") or {}
    total = sum(p.get("volume_m3", 0.0) for p in phases.values()) or float("nan")
    mat = data.summary.get("phases") or {}
    rows = []
    for name, p in phases.items():
        mean = p.get("mean_stress_Pa")
        diag = " / ".join(_num(mean[k][k], 1e-6, "{:.1f}") for k in range(3)) if isinstance(mean, list) else "-"
        rows.append([_e(name), _e(mat.get(name, "")), _num(p.get("volume_m3", 0.0) / total, fmt="{:.3f}"),
                     _with_error(p, "mean_hydrostatic_Pa"), _with_error(p, "mean_von_mises_Pa"),
                     _with_error(p, "p99_von_mises_Pa"), _num(p.get("max_von_mises_Pa"), 1e-6, "{:.1f}"),
                     _num(p.get("max_principal_Pa"), 1e-6, "{:.1f}"), diag])
    out = _table(["phase", "material", "volume fraction", "mean hydrostatic (MPa)", "mean von Mises (MPa)",
                  "p99 von Mises (MPa)", "max von Mises (MPa)", "max principal (MPa)",
                  "mean σxx / σyy / σzz (MPa)"], rows) + _error_note(data)
    ifaces = step.get("interfaces") or {}
    if ifaces:
        known = [("area_m2", "area (µm²)", 1e12, "{:.4g}"), ("damaged_fraction", "damaged fraction", 1, "{:.3f}"),
                 ("debonded_fraction", "debonded fraction", 1, "{:.3f}"),
                 ("bonded_fraction", "bonded fraction", 1, "{:.3f}"),
                 ("contact_fraction", "contact (closed) fraction", 1, "{:.3f}"),
                 ("max_opening_m", "max opening (nm)", 1e9, "{:.4g}"),
                 ("dissipated_energy_J", "dissipated energy (J)", 1, "{:.4g}")]
        extra = sorted({k for v in ifaces.values() if isinstance(v, dict) for k in v} - {k for k, *_ in known})
        header = ["interface"] + [t for _, t, _, _ in known] + extra
        rows = [[_e(n)] + [_num(v.get(k), s, f) for k, _, s, f in known] + [_num(v.get(k)) for k in extra]
                for n, v in ifaces.items() if isinstance(v, dict)]
        out += "<h4>Interfaces</h4>" + _table(header, rows)
    return out


_UNITS = (("_um", "µm"), ("_m3", "m³"), ("_m", "m"), ("_s", "s"), ("_K", "K"), ("_Pa", "Pa"))


def _label(key: str) -> str:
    """'mesh_size_um' -> 'mesh size (µm)', 'n_nodes' -> 'number of nodes'."""
    if key.startswith("n_"):
        key = "number_of_" + key[2:]
    for suffix, unit in _UNITS:
        if key.endswith(suffix):
            return f"{key[: -len(suffix)].replace('_', ' ')} ({unit})"
    return key.replace("_", " ")


def _value(v) -> str:
    """A mesh-info value as text: numbers formatted, lists of numbers as a × b × c, tables nested."""
    if isinstance(v, dict):
        return _kv([(_label(str(k)), _value(x)) for k, x in v.items()])
    if isinstance(v, list):
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            return " × ".join(_num(x) for x in v) if len(v) <= 3 else ", ".join(_num(x) for x in v)
        return ", ".join(_e(json.dumps(x)) if isinstance(x, (list, dict)) else _e(x) for x in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:,}" if isinstance(v, int) else _num(v)


def _mesh_table(mesh: dict) -> str:
    """The mesh information of summary.json as a two-column table (nested tables for grouped values)."""
    if not mesh:
        return "<p>-</p>"
    return _kv([(_label(k), _value(v)) for k, v in mesh.items()])


def _fracture_html(step: dict, fracture: dict | None, warnings: list[str]) -> str:
    """Tensile statistics of the maximum principal stress per phase (output/tensile.py) and the step's warnings."""
    phases = {n: p for n, p in (step.get("phases") or {}).items() if "p99_max_principal_Pa" in p}
    mine = [w for w in warnings if w.startswith(f"step {step.get('name')!r}:")]
    out = ("<ul class='warning'>" + "".join(f"<li><b>Warning:</b> {_e(w)}</li>" for w in mine) + "</ul>") if mine else ""
    if not phases:
        return out
    props = (fracture or {}).get("phases") or {}
    extra = sorted({k for p in phases.values() for k in p if k.startswith("volume_fraction_above_")}
                   - {"volume_fraction_above_strength"}, key=lambda k: float(k[22:-3]))
    rows = []
    for name, p in phases.items():
        strength = (props.get(name) or {}).get("tensile_strength_Pa")
        rows.append([_e(name)] + [_num(p.get(k), 1e-6, "{:.1f}") for k in
                                  ("mean_max_principal_Pa", "p50_max_principal_Pa", "p90_max_principal_Pa",
                                   "p99_max_principal_Pa")]
                    + [_num(strength, 1e-6, "{:.0f}"), _num(p.get("volume_fraction_above_strength"), fmt="{:.4f}")]
                    + [_num(p.get(k), fmt="{:.4f}") for k in extra] + [_num(p.get("failure_probability"), fmt="{:.3g}")])
    header = (["phase", "mean σ1 (MPa)", "p50 σ1 (MPa)", "p90 σ1 (MPa)", "p99 σ1 (MPa)", "tensile strength (MPa)",
               "volume fraction above strength"] + [f"volume fraction above {k[22:-3]} MPa" for k in extra]
              + ["Weibull failure probability"])
    return "<h4>Tension: maximum principal stress σ1 (volume-weighted)</h4>" + _table(header, rows) + out


def _figure_html(data: ResultsData, e: dict) -> str:
    f = data.figures / e["file"]
    if not f.is_file():
        return ""
    cap = e.get("caption") or e.get("title") or e["file"]
    extra = []
    if e.get("clim_MPa"):
        extra.append(f"colour range {e['clim_MPa'][0]:.4g} to {e['clim_MPa'][1]:.4g} MPa")
    if e.get("magnification"):
        extra.append(f"magnification x{e['magnification']:g}")
    more = f" <span class='muted'>({'; '.join(extra)}; {e['file']})</span>" if extra else \
        f" <span class='muted'>({e['file']})</span>"
    return f"<figure>{_embed(f, e.get('title', e['file']))}<figcaption>{_e(cap)}{more}</figcaption></figure>"


def _verification_html(rows: list[dict]) -> str:
    if not rows:
        return "<p>No physics of this run is listed for verification.</p>"
    out = []
    for r in rows:
        status = "<span class='ok'>verified</span>" if r["covered"] else \
            "<span class='missing'>no verification test found</span>"
        checks = "".join(f"<li><code>{_e(c['file'])}</code> {_e(c['id'])}: {_e(c['requirement'])}; tolerance "
                         f"{_e(c['tolerance'])}; measured {_e(c['measured'] or 'not documented')}</li>"
                         for c in r["checks"])
        out.append([_e(r["physics"]), status, f"<ul>{checks}</ul>" if checks else "-"])
    return _table(["physics used by this run", "status", "covering tests, tolerances and measured errors"], out,
                  "verif") + \
        "<p class='muted'>Status lists the verification tests that cover each piece of physics " \
        "(stressfem/verification/registry.py); it does not re-run them (run <code>make test</code>).</p>"


def write_report(case_or_results, output: str | Path | None = None, make_figures: bool = True) -> Path:
    """Write the HTML report (default CASE/results/report.html); returns its path."""
    data = ResultsData(case_or_results)
    if make_figures and not _figures_current(data):
        from . import figures

        try:
            figures.make_figures(data.results)
        except Exception as exc:  # the report still has its tables
            log.warning("figures could not be made (%s); the report has tables only", exc)
    man = read_manifest(data.figures)
    figs = man.get("figures", [])
    s = data.summary
    parts = [f"<h1>{_e(data.title)}</h1>",
             f"<p class='muted'>case <code>{_e(data.case_name)}</code>; report generated "
             f"{_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by {_e(version_string())}</p>",
             "<p id='render-check' data-images-ok='' data-images-total=''>images not checked yet</p>",
             "<nav><a href='#run'>run</a><a href='#steps'>results</a><a href='#figures'>figures</a>"
             "<a href='#materials'>materials</a><a href='#microstructure'>microstructure</a>"
             "<a href='#verification'>verification</a><a href='#parameters'>parameters</a></nav>"]
    # run statistics
    mesh = s.get("mesh") or {}
    timings = s.get("timings_s") or {}
    peak = s.get("peak_memory_per_rank_MB")
    rows = [("degrees of freedom", _num(s.get("dofs"), fmt="{:,.0f}")),
            (f"cells ({'hexahedra' if mesh.get('element') == 'hexahedron' else 'tetrahedra'})",
             _num(s.get("cells", mesh.get("n_tetrahedra")), fmt="{:,.0f}")),
            ("MPI ranks", _num(s.get("mpi_ranks"))),
            ("wall time", _num(s.get("wall_time_s"), fmt="{:.1f} s")),
            ("timings", ", ".join(f"{_e(k)} {v:.2f} s" for k, v in timings.items() if isinstance(v, (int, float))) or "-"),
            ("peak memory per rank", f"{max(peak):.0f} MB (max over ranks)" if isinstance(peak, list) and peak else "-"),
            ("linear iterations (total)", _num((s.get("solver") or {}).get("linear_iterations"))),
            ("element degree", _num((data.resolved.get("solver") or {}).get("element_degree"))),
            ("solver rtol", _num((data.resolved.get("solver") or {}).get("rtol")))]
    parts += ["<h2 id='run'>Run, mesh and solver</h2>", _kv(rows), "<h3>Mesh</h3>", _mesh_table(mesh)]
    bcs = s.get("boundary_conditions") or []
    if bcs:
        parts += ["<h3>Boundary conditions</h3><ul>" + "".join(f"<li>{_e(b)}</li>" for b in bcs) + "</ul>"]
    laws = s.get("interface_laws") or {}
    if laws:
        parts += ["<h3>Interface models applied</h3>",
                  _table(["interface", "law", "parameters", "source"],
                         [[_e(name), _e(law.get("type")),
                           "<br>".join(f"{_e(k)}: {_num(v) if isinstance(v, (int, float)) else _e(v)}"
                                       for k, v in law.items() if k not in ("type", "source")),
                           _e(law.get("source"))] for name, law in laws.items()])]
    # load path and per-step tables
    steps = data.steps
    lp = [[_e(st.get("name")), _e(st.get("type")), _num(st.get("temperature_K"), 1, "{:.1f}"),
           _num((st.get("temperature_K") or 0) - 273.15 if st.get("temperature_K") is not None else None, 1, "{:.1f}"),
           _num(st.get("increments")), _num(st.get("linear_iterations"))] for st in steps]
    parts += ["<h2 id='steps'>Load path and results per step</h2>",
              _table(["step", "type", "end temperature (K)", "(°C)", "increments", "linear iterations"], lp)]
    for i, st in enumerate(steps):
        parts += [f"<h3>Step {i + 1}: {_e(data.step_label(st))}</h3>", _phase_tables(data, st),
                  _fracture_html(st, s.get("fracture"), s.get("warnings") or [])]
    # figures
    parts.append("<h2 id='figures'>Figures</h2>")
    if figs:
        order = {k: n for n, k in enumerate(("von_mises", "hydrostatic", "max_principal", "particles", "deformed",
                                              "histograms", "history", "particle_sizes", "microstructure", "animation"))}
        figs = sorted(figs, key=lambda e: (e.get("step_index", 10**6), order.get(e.get("kind"), 99), e["file"]))
        last = object()
        for e in figs:
            if e.get("step_index", None) != last:
                last = e.get("step_index", None)
                label = data.step_label(steps[last]) if isinstance(last, int) and last < len(steps) else "load path"
                parts.append(f"<h3>{_e(label)}</h3>")
            parts.append(_figure_html(data, e))
    else:
        parts.append("<p>No figures (run <code>stressfem plot</code>).</p>")
    # materials
    mats = data.resolved.get("resolved_materials") or {}
    mrows = []
    for phase, m in mats.items():
        src = m.get("sources") or {}
        mrows.append([_e(phase), _e(m.get("name")), _num(m.get("youngs_modulus_Pa"), 1e-9, "{:.1f}"),
                      _num(m.get("poisson_ratio"), fmt="{:.3f}"), _num(m.get("cte_per_K"), 1e6, "{:.2f}"),
                      _num(m.get("density_kg_per_m3"), fmt="{:.0f}"),
                      "<br>".join(f"{_e(k)}: {_e(v)}" for k, v in src.items())])
    parts += ["<h2 id='materials'>Materials</h2>",
              _table(["phase", "material", "E (GPa)", "ν", "CTE (1e-6/K)", "density (kg/m³)", "sources"], mrows)
              if mrows else "<p>-</p>"]
    # microstructure
    parts.append("<h2 id='microstructure'>Microstructure</h2>")
    if isinstance(data.microstructure, dict):
        parts.append(_kv([(k, _num(v)) for k, v in _flatten(data.microstructure)]))
    else:
        parts.append("<p>No <code>microstructure.json</code> in this run.</p>")
    # verification
    parts += ["<h2 id='verification'>Verification status</h2>", _verification_html(verification_status(data))]
    # parameters
    parts += ["<h2 id='parameters'>Resolved case parameters</h2>",
              "<p class='muted'>results/case.resolved.json: every key with its default filled in, "
              "temperatures in K, materials resolved with their sources.</p>",
              f"<pre>{_e(json.dumps(data.resolved, indent=2))}</pre>"]
    toml = data.case_dir / "case.toml"
    if toml.is_file():
        parts += ["<details><summary>case.toml as written</summary>",
                  f"<pre>{_e(toml.read_text(encoding='utf-8', errors='replace'))}</pre></details>"]
    files = sorted(p for p in data.results.rglob("*") if p.is_file() and not p.name.startswith("."))
    parts += ["<h2>Result files</h2>",
              _table(["file", "size (kB)"], [[_e(p.relative_to(data.results).as_posix()), f"{p.stat().st_size / 1024:.0f}"]
                                             for p in files])]
    doc = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{_e(data.title)}: stressfem report</title>"
           f"<style>{CSS}</style></head><body>{''.join(parts)}<script>{CHECK_SCRIPT}</script></body></html>\n")
    out = Path(output) if output else data.results / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(out) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    log.info("report: %s (%.1f MB, %d figure(s))", out, out.stat().st_size / 1e6, len(figs))
    return out
