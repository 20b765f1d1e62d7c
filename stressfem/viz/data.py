"""Read a results folder back for figures: summary, history, resolved case, fields, manifest.

Only written files are read (no solver state); their format is output/schema.py. Optional outputs
(interfaces, ``microstructure.json``) are used when present and skipped when absent.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..errors import OutputError
from ..jsonio import finite_or_null
from ..output.schema import step_kind

__all__ = ["FIGURES", "MANIFEST", "ResultsData", "atomic_target", "cell_volumes", "cell_centroids", "tets", "sentence_start",
           "weighted_quantile", "update_manifest", "read_manifest", "nice_number"]

log = logging.getLogger(__name__)

FIGURES = "figures"
MANIFEST = "figures.json"
GHOST = "vtkGhostType"
# cell or point arrays of interface state that the cohesive-zone output may add
INTERFACE_ARRAY = re.compile(r"(damage|opening|debond)", re.IGNORECASE)


def results_folder(path: str | Path) -> Path:
    """CASE/results for a case directory, or the folder itself when it holds summary.json."""
    p = Path(path)
    for cand in (p, p / "results"):
        if (cand / "summary.json").is_file():
            return cand
    raise OutputError(f"no finished run in {p}: {p / 'results' / 'summary.json'} not found "
                      f"(run `stressfem run {p}` first)")


@contextlib.contextmanager
def atomic_target(path: Path):
    """Yield a temporary path next to ``path`` (same suffix); rename it to ``path`` on success."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The volume-weighted quantile (same definition as output/stats.py)."""
    if len(values) == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cw = np.cumsum(weights[order])
    i = int(np.searchsorted(cw, q * cw[-1], side="left"))
    return float(values[order][min(i, len(values) - 1)])


def nice_number(x: float) -> float:
    """Round down to 1, 2 or 5 times a power of ten (magnifications, scale bars)."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    e = math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * 10**e <= x:
            return float(m * 10**e)
    return float(10**e)


def tets(grid) -> np.ndarray | None:
    """(n, 4) node indices when every cell is a linear tetrahedron, else None."""
    import pyvista as pv

    if grid.n_cells == 0:
        return np.zeros((0, 4), dtype=np.int64)
    ct = np.asarray(grid.celltypes)
    # DOLFINx writes degree-1 cells as VTK_LAGRANGE_TETRAHEDRON (4 nodes)
    if not np.all((ct == pv.CellType.TETRA) | (ct == pv.CellType.LAGRANGE_TETRAHEDRON)):
        return None
    if not np.all(np.diff(np.asarray(grid.cell_offsets)) == 4):
        return None
    return np.asarray(grid.cell_connectivity).reshape(-1, 4)


def cell_volumes(grid) -> np.ndarray:
    """Cell volumes (units of the points cubed)."""
    t = tets(grid)
    if t is None:
        return np.abs(np.asarray(grid.compute_cell_sizes(length=False, area=False)["Volume"]))
    p = np.asarray(grid.points)[t]
    d = p[:, 1:, :] - p[:, :1, :]
    return np.abs(np.einsum("ij,ij->i", d[:, 0], np.cross(d[:, 1], d[:, 2]))) / 6.0


def cell_centroids(grid) -> np.ndarray:
    t = tets(grid)
    if t is None:
        return np.asarray(grid.cell_centers().points)
    return np.asarray(grid.points)[t].mean(axis=1)


def _read_piece(file: Path, arrays: set[str] | None):
    """One .vtu/.pvtu file, reading only the named arrays (ASCII parsing dominates large files)."""
    import pyvista as pv

    if file.suffix not in (".vtu", ".pvtu"):
        return pv.read(str(file))
    from vtkmodules.vtkIOXML import vtkXMLPUnstructuredGridReader, vtkXMLUnstructuredGridReader

    reader = vtkXMLPUnstructuredGridReader() if file.suffix == ".pvtu" else vtkXMLUnstructuredGridReader()
    reader.SetFileName(str(file))
    reader.UpdateInformation()
    if arrays is not None:
        for sel in (reader.GetCellDataArraySelection(), reader.GetPointDataArraySelection()):
            for i in range(sel.GetNumberOfArrays()):
                name = sel.GetArrayName(i)
                keep = name in arrays or name == GHOST or INTERFACE_ARRAY.search(name) is not None
                (sel.EnableArray if keep else sel.DisableArray)(name)
    reader.Update()
    return pv.wrap(reader.GetOutput())


def read_pvd_entries(pvd: Path) -> list[tuple[float, list[Path]]]:
    """(time, [files]) of a .pvd collection, in the file's order (load-path order; the times may be
    temperatures, which fall along a cool-down, output/fields.py)."""
    try:
        root = ET.parse(pvd).getroot()
    except (OSError, ET.ParseError) as exc:
        raise OutputError(f"cannot read {pvd}: {exc}") from None
    by_time: dict[float, list[Path]] = {}
    for ds in root.iter("DataSet"):
        t = float(ds.get("timestep", "0"))
        by_time.setdefault(t, []).append(pvd.parent / ds.get("file", ""))
    return list(by_time.items())


def read_pvd(pvd: Path, index: int, arrays: set[str] | None = None):
    """Time entry ``index`` of a .pvd as one UnstructuredGrid/PolyData: pieces merged, ghosts dropped."""
    import pyvista as pv

    entries = read_pvd_entries(pvd)
    if not entries:
        raise OutputError(f"{pvd} has no time entries")
    _, files = entries[index]
    parts = [_read_piece(f, arrays) for f in files]
    blocks = []
    for part in parts:
        stack = [part]
        while stack:
            b = stack.pop()
            if isinstance(b, pv.MultiBlock):
                stack.extend(x for x in b if x is not None)
            elif b is not None and b.n_cells:
                blocks.append(b)
    if not blocks:
        raise OutputError(f"{pvd} time entry {index} holds no cells")
    data = blocks[0] if len(blocks) == 1 else pv.merge(blocks, merge_points=False)
    if GHOST in data.cell_data:
        ghost = np.asarray(data.cell_data[GHOST])
        if np.any(ghost != 0):
            data = data.extract_cells(ghost == 0)
    return data


def _float(s: str) -> float:
    try:
        return float(s)
    except (TypeError, ValueError):
        return float("nan")


class ResultsData:
    """The files of one finished run."""

    def __init__(self, path: str | Path):
        self.results = results_folder(path)
        self.case_dir = self.results.parent
        self.figures = self.results / FIGURES
        self.summary = self._json("summary.json") or {}
        self.resolved = self._json("case.resolved.json") or {}
        self.microstructure = self._json("microstructure.json")
        self.history = self._history()
        self._entries = None

    def _json(self, name: str) -> dict | None:
        f = self.results / name
        if not f.is_file():
            return None
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s: %s", f, exc)
            return None

    def _history(self) -> dict[str, np.ndarray] | None:
        f = self.results / "history.csv"
        if not f.is_file():
            return None
        with f.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        if len(rows) < 2:
            return None
        cols = rows[0]
        out: dict[str, np.ndarray] = {}
        for j, c in enumerate(cols):
            vals = [r[j] if j < len(r) else "" for r in rows[1:]]
            out[c] = np.array(vals, dtype=object) if c == "stage" else np.array([_float(v) for v in vals])
        return out

    # -- naming ----------------------------------------------------------------------------------
    @property
    def case_name(self) -> str:
        return self.case_dir.resolve().name

    @property
    def title(self) -> str:
        return self.resolved.get("title") or self.case_name

    @property
    def steps(self) -> list[dict]:
        return list(self.summary.get("steps", []))

    @property
    def phase_names(self) -> list[str]:
        """Phases in the order of ``phase_id`` in the field files."""
        if self.summary.get("phases"):
            return list(self.summary["phases"])
        return list(self.steps[0]["phases"]) if self.steps else []

    def particle_phases(self) -> list[str]:
        geo = self.resolved.get("geometry", {}) or {}
        names = self.phase_names
        if geo.get("particle_phase") in names:
            return [geo["particle_phase"]]
        if len(names) < 2 or not self.steps:
            return names[:1]
        vols = {p: v.get("volume_m3", 0.0) for p, v in self.steps[-1]["phases"].items()}
        matrix = max(names, key=lambda p: vols.get(p, 0.0))
        return [p for p in names if p != matrix]

    @staticmethod
    def step_label(step: dict) -> str:
        parts = []
        T = step.get("temperature_K")
        kind = step_kind(str(step.get("type")))
        thermal = kind is not None and kind.abscissa == "temperature_K"
        if T is not None and (thermal or not isinstance(step.get("soc"), (int, float))):
            parts.append(f"{T - 273.15:.0f} °C")
        if not thermal:
            for key, fmt in (("soc", "SOC {:.2f}"), ("time_s", "t = {:.4g} s")):
                if isinstance(step.get(key), (int, float)) and not isinstance(step.get(key), bool):
                    parts.append(fmt.format(step[key]))
        return f"{step.get('name', '?')} ({', '.join(parts)})" if parts else str(step.get("name", "?"))

    def slug(self, step: dict, i: int) -> str:
        s = re.sub(r"[^A-Za-z0-9_-]+", "-", str(step.get("name", f"step{i + 1}"))).strip("-")
        return f"{i + 1:02d}-{s or 'step'}"

    # -- fields ----------------------------------------------------------------------------------
    @property
    def fields_file(self) -> Path:
        return self.results / "fields.pvd"

    def field_entries(self) -> list[tuple[float, list[Path]]]:
        if self._entries is None:
            self._entries = read_pvd_entries(self.fields_file) if self.fields_file.is_file() else []
        return self._entries

    def step_field_index(self, i: int) -> int | None:
        """Index of the field time entry written at the end of step ``i`` (None if unknown)."""
        n = len(self.field_entries())
        steps = self.steps
        if n == 0 or not steps:
            return None
        if n == len(steps):
            return i
        incs = [int(s.get("increments", 1) or 1) for s in steps]
        if n == sum(incs):
            return int(np.cumsum(incs)[i] - 1)
        return n - 1 if i == len(steps) - 1 else None

    def entry_history_rows(self) -> list[int | None]:
        """History row of each field time entry (for animation labels), None where unknown."""
        n = len(self.field_entries())
        h = self.history
        nrows = len(h["stage"]) if h else 0
        if nrows and n == nrows:
            return list(range(n))
        ends = []
        if h:
            stages = list(h["stage"])
            ends = [k for k in range(nrows) if k == nrows - 1 or stages[k + 1] != stages[k]]
        return [ends[k] if k < len(ends) and n == len(ends) else None for k in range(n)]

    def read_field(self, index: int, arrays: set[str] | None = None):
        return read_pvd(self.fields_file, index, arrays)

    def interface_files(self) -> list[Path]:
        """Other .pvd collections (e.g. interface output of cohesive zones)."""
        return sorted(p for p in self.results.glob("*.pvd") if p.name != "fields.pvd")

    def interfaces(self, step: dict) -> dict[str, dict]:
        return dict(step.get("interfaces") or {})


def sentence_start(text: str) -> str:
    """Upper-case the first letter only (str.capitalize would turn "von Mises" into "Von mises")."""
    return text[:1].upper() + text[1:]


def version_string() -> str:
    try:
        from importlib.metadata import version

        return f"stressfem {version('stressfem')}"
    except Exception:  # not installed (source checkout on the path)
        return "stressfem (unknown version)"


def read_manifest(folder: Path) -> dict:
    f = Path(folder) / MANIFEST
    if f.is_file():
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    return {"figures": []}


def update_manifest(folder: Path, entries: list[dict], meta: dict | None = None) -> dict:
    """Merge entries (by file name) into figures.json, dropping entries whose file is gone."""
    folder = Path(folder)
    man = read_manifest(folder)
    by_file = {e["file"]: e for e in man.get("figures", []) if (folder / e["file"]).is_file()}
    for e in entries:
        by_file[e["file"]] = e
    man["figures"] = list(by_file.values())
    man["stressfem"] = version_string()
    if meta:
        man.update(meta)
    with atomic_target(folder / MANIFEST) as tmp:
        tmp.write_text(json.dumps(finite_or_null(man), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return man
