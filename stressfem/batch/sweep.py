"""Parameter sweeps: a base case and SWEEP.toml -> ordinary, readable, reproducible case directories.

SWEEP.toml::

    mode = "product"                       # or "zip" (all lists of one length, taken side by side)
    output = "vf-seed"                     # folder of the generated cases, relative to SWEEP.toml
    [parameters]                           # dotted case.toml paths -> lists of values
    "geometry.volume_fraction" = [0.30, 0.35]
    "geometry.seed" = [1, 2, 3]
    "stages[0].final_temperature_C" = [25.0, -20.0]

Each case is named by its values (``volume_fraction=0.3__seed=1``), validated with
:func:`stressfem.case.load_case` before anything is written, and written only when its text changes
(so the results of an unchanged case stay valid and a batch skips it).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from ..case import CASE_FILE, load_case
from ..errors import CaseError
from .dotted import PathError, get_path, parse_path, set_path

__all__ = ["SweepSpec", "SweepCase", "read_sweep", "expand", "generate", "PARAMETERS_FILE", "MANIFEST_FILE"]

log = logging.getLogger(__name__)

PARAMETERS_FILE = "sweep-parameters.json"  # in each generated case: which values made it
MANIFEST_FILE = "sweep.json"  # in the output folder: the whole sweep
_KEYS = {"mode", "output", "parameters"}


@dataclass
class SweepSpec:
    file: Path
    mode: Literal["product", "zip"]
    output: Path
    parameters: dict[str, list[Any]]


@dataclass
class SweepCase:
    name: str
    values: dict[str, Any]
    directory: Path
    text: str = ""
    state: str = ""  # new | updated | unchanged
    extra: dict = field(default_factory=dict)


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """``{"geometry": {"seed": [1, 2]}}`` -> ``{"geometry.seed": [1, 2]}`` (quoted dotted keys stay as they are)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def read_sweep(file: str | Path, output: str | Path | None = None) -> SweepSpec:
    """Read and check SWEEP.toml; errors name the file and key."""
    file = Path(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseError(str(file), "", "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(str(file), "", f"not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise CaseError(str(file), unknown[0], f"unknown key; allowed keys: {', '.join(sorted(_KEYS))}")
    mode = data.get("mode", "product")
    if mode not in ("product", "zip"):
        raise CaseError(str(file), "mode", f"must be \"product\" or \"zip\" (got {mode!r})")
    params = _flatten(data.get("parameters", {}))
    if not params:
        raise CaseError(str(file), "parameters", "give at least one `\"dotted.key\" = [values]`")
    for key, values in params.items():
        try:
            parse_path(key)
        except PathError as exc:
            raise CaseError(str(file), f"parameters.{key}", str(exc)) from None
        if not isinstance(values, list) or not values:
            raise CaseError(str(file), f"parameters.{key}", "must be a non-empty list of values")
    if mode == "zip" and len({len(v) for v in params.values()}) > 1:
        lengths = {k: len(v) for k, v in params.items()}
        raise CaseError(str(file), "parameters", f"mode = \"zip\" needs lists of one length; got {lengths}")
    if output is not None:
        out = Path(output)
    elif "output" in data:
        out = file.parent / str(data["output"])
    else:
        out = file.parent / file.stem
    return SweepSpec(file=file, mode=mode, output=out, parameters=params)


def _labels(keys: list[str]) -> dict[str, str]:
    """The shortest unique tail of each dotted path: ``geometry.seed`` -> ``seed``."""
    parts = {k: [re.sub(r"\[(\d+)\]", r"\1", p) for p in k.split(".")] for k in keys}
    n = {k: 1 for k in keys}
    while True:
        labels = {k: ".".join(parts[k][-n[k]:]) for k in keys}
        clash = [k for k in keys if list(labels.values()).count(labels[k]) > 1 and n[k] < len(parts[k])]
        if not clash:
            return labels
        for k in clash:
            n[k] += 1


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        plain = format(value, ".12g")
        mantissa, _, exponent = format(value, ".12e").partition("e")
        sci = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
        return sci if len(sci) < len(plain) else plain
    if isinstance(value, list):
        return "x".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return "-".join(f"{k}{_fmt(v)}" if k != "type" else _fmt(v) for k, v in value.items())
    return str(value)


def case_name(values: dict[str, Any], labels: dict[str, str]) -> str:
    """``volume_fraction=0.35__seed=2``: readable, filesystem- and glob-safe."""
    name = "__".join(f"{labels[k]}={_fmt(v)}" for k, v in values.items())
    return re.sub(r"[^A-Za-z0-9_.+\-=]", "_", name)


def expand(spec: SweepSpec) -> list[SweepCase]:
    """The cases of the sweep in a fixed order (product: last key varies fastest)."""
    keys = list(spec.parameters)
    lists = [spec.parameters[k] for k in keys]
    combos = itertools.product(*lists) if spec.mode == "product" else zip(*lists)
    labels = _labels(keys)
    cases = []
    for combo in combos:
        values = dict(zip(keys, combo))
        name = case_name(values, labels)
        cases.append(SweepCase(name=name, values=values, directory=spec.output / name))
    names = [c.name for c in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise CaseError(str(spec.file), "parameters", f"values give the same case name twice: {dup}")
    return cases


def _base_doc(base_dir: Path, out_root: Path) -> dict:
    """The base case.toml as data, with a relative geometry.file (msh) or geometry.packing_file made
    relative to the new cases."""
    doc = tomllib.loads((base_dir / CASE_FILE).read_text(encoding="utf-8"))
    geometry = doc.get("geometry", {})
    keys = (["file"] if geometry.get("type") == "msh" else []) + ["packing_file"]
    for key in keys:
        if isinstance(geometry.get(key), str) and not Path(geometry[key]).is_absolute():
            target = (base_dir / geometry[key]).resolve()
            geometry[key] = Path(os.path.relpath(target, (out_root / "x").resolve())).as_posix()
    return doc


def _packing_varied(doc: dict, spec: SweepSpec) -> str:
    """The swept [geometry] keys (comma-separated) when the base case fixes its packing by
    geometry.packing_file: a packing file holds one packing, so it cannot follow another seed, box or
    size distribution. Empty when the packing file can be kept (logged as a warning otherwise)."""
    if "packing_file" not in doc.get("geometry", {}):
        return ""
    varied = [k for k in spec.parameters if k.startswith("geometry.") and k != "geometry.packing_file"]
    if varied:
        log.warning("sweep %s varies %s: the generated cases do not use the base's geometry.packing_file "
                    "and pack from their own seed (noted in each case.toml)", spec.file.name, ", ".join(varied))
    return ", ".join(varied)


def _render(case: SweepCase, base_dir: Path, spec: SweepSpec, base_text: str) -> str:
    digest = hashlib.sha256(base_text.encode()).hexdigest()[:12]
    lines = [f"# generated by `stressfem sweep` from {base_dir.name}/{CASE_FILE} (sha256 {digest}) "
             f"and {spec.file.name}:"]
    lines += [f"#   {k} = {json.dumps(v)}" for k, v in case.values.items()]
    if case.extra.get("note"):
        lines.append(f"# {case.extra['note']}")
    return "\n".join(lines) + "\n\n" + case.text


def _reuse_base_mesh(base_dir: Path, case_dir: Path) -> None:
    """Hard-link (or copy) the base case's cached mesh when the generated case has the same geometry."""
    from ..geometry.provide import MESH_CACHE_DIR, geometry_key

    try:
        loaded = load_case(case_dir)
        if loaded.case.geometry.type == "msh":
            return
        stem = f"{loaded.case.geometry.type}-{geometry_key(loaded)}"
    except CaseError:
        return
    for src in sorted((base_dir / MESH_CACHE_DIR).glob(f"{stem}.*")):  # .msh, .json, .metrics.json
        dst = case_dir / MESH_CACHE_DIR / src.name
        if src.is_file() and not dst.exists():
            dst.parent.mkdir(exist_ok=True)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)


def generate(base_case: str | Path, spec: SweepSpec, dry_run: bool = False) -> list[SweepCase]:
    """Validate every case of the sweep, then write those that are new or changed.

    Nothing is written when any case is invalid; the CaseError lists each broken case with the
    parameter value and key that broke it.
    """
    base = load_case(base_case)  # the base must itself be valid
    base_dir = base.directory
    base_text = base.file.read_text(encoding="utf-8")
    cases = expand(spec)
    out_root = spec.output
    doc0 = _base_doc(base_dir, out_root)
    problems: list[str] = []
    out_root.mkdir(parents=True, exist_ok=True)
    drop_packing = _packing_varied(doc0, spec)
    for i, case in enumerate(cases):
        doc = copy.deepcopy(doc0)
        if drop_packing:
            del doc["geometry"]["packing_file"]
            case.extra["note"] = (f"geometry.packing_file of the base dropped: this sweep varies {drop_packing}, "
                                  "so each case packs from its own geometry.seed")
        try:
            for key, value in case.values.items():
                if isinstance(parse_path(key)[-1], int):
                    get_path(doc, key)  # list items must exist in the base
                set_path(doc, key, value)
        except PathError as exc:
            problems.append(f"{case.name}: {exc}")
            continue
        case.text = tomli_w.dumps(doc)
        check = out_root / f".sweep-check-{os.getpid()}-{i}"  # same depth: relative paths hold
        check.mkdir(exist_ok=True)
        (check / CASE_FILE).write_text(case.text, encoding="utf-8")
        try:
            load_case(check)
        except CaseError as exc:
            culprit = [k for k in case.values if exc.key and (exc.key == k or exc.key.startswith(k + ".")
                                                             or k.startswith(exc.key + "."))]
            which = ", ".join(f"{k} = {json.dumps(case.values[k])}" for k in (culprit or case.values))
            problems.append(f"{case.name}: {which} broke key '{exc.key}': {exc.message}")
        finally:
            shutil.rmtree(check, ignore_errors=True)
    if problems:
        raise CaseError(str(spec.file), "parameters",
                        f"{len(problems)} of {len(cases)} generated case(s) are invalid:\n  " + "\n  ".join(problems))
    if dry_run:
        return cases
    for case in cases:
        text = _render(case, base_dir, spec, base_text)
        target = case.directory / CASE_FILE
        old = target.read_text(encoding="utf-8") if target.is_file() else None
        case.state = "unchanged" if old == text else ("new" if old is None else "updated")
        if case.state != "unchanged":
            case.directory.mkdir(parents=True, exist_ok=True)
            tmpf = target.with_name(f".{CASE_FILE}.{os.getpid()}.tmp")
            tmpf.write_text(text, encoding="utf-8")
            os.replace(tmpf, target)
            params = {"base": os.path.relpath(base_dir, case.directory.resolve()), "parameters": case.values}
            (case.directory / PARAMETERS_FILE).write_text(json.dumps(params, indent=2, allow_nan=False) + "\n",
                                                              encoding="utf-8")
        _reuse_base_mesh(base_dir, case.directory)
    manifest = {"base": os.path.relpath(base_dir, out_root.resolve()), "sweep": spec.file.name, "mode": spec.mode,
                "parameters": spec.parameters, "cases": [{"name": c.name, "parameters": c.values} for c in cases]}
    (out_root / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    log.info("sweep %s: %d case(s) in %s", spec.file.name, len(cases), out_root)
    return cases
