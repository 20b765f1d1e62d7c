"""Field output for ParaView: displacement (at the vertices) and per-cell stress measures (DG0), as VTK.

Written as ``fields.pvd`` + per-time ``.pvtu`` + per-rank ``.vtu`` pieces, laid out like DOLFINx's
VTKFile; one time entry per stage end (or per increment), in load-path order. The ParaView time of the
entries (``field_times``) is the temperature (degrees C) when only the temperature changes between
them, the state of charge when only that changes, else the stage progress: j - 1 + the fraction of
stage j's path reached (stage ends at 1, 2, ...; ``stage_progress``). Entries are in load-path order
in the .pvd either way; ParaView plays them in ascending time, so a cool-down plays from cold to hot. With
several stages, ``fields-<stage>.pvd`` also holds each stage's entries on its own axis: temperature
(degrees C) for temperature steps, state of charge otherwise.
Linear tetrahedral and hexahedral meshes use a raw-binary VTU writer (``_BinaryVTK``: same files and
array names, ~10x faster than VTKFile's ASCII at 1M cells, docs/performance.md); other meshes use VTKFile.
ParaView and pyvista read both.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .._dolfinx import fem, io
from ..physics.elasticity import cell_dofs
from .stats import DOLFINX_TO_VTK_HEX, CellStress

__all__ = ["FieldWriter", "field_times", "stage_progress", "STAGE_PROGRESS_AXIS"]


def _safe(name: str) -> str:
    """A stage name as part of a file name."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "-", name)


STAGE_PROGRESS_AXIS = "stage progress (stage number - 1 + fraction of the stage's load path)"


def field_times(states: list[tuple[float, float]], stages: list[tuple[str | None, bool]] | None = None,
                start: tuple[float, float] | None = None) -> tuple[list[float], str]:
    """(times, axis name) for field entries at (temperature_K, soc) states: temperature in degrees C if
    the temperatures are distinct and the soc constant, soc if the socs are distinct and the
    temperature constant; otherwise, with the entries' ``stages`` ((stage name, thermal) per entry),
    the stage progress (``stage_progress``), else the entry number 1, 2, ..."""
    T = np.array([s[0] for s in states], dtype=float)
    soc = np.array([s[1] for s in states], dtype=float)
    if len(states) > 1 and len(np.unique(T)) == len(T) and np.ptp(soc) == 0:
        return [float(t) - 273.15 for t in T], "temperature (degrees C)"
    if len(states) > 1 and len(np.unique(soc)) == len(soc) and np.ptp(T) == 0:
        return [float(x) for x in soc], "state of charge"
    if (stages is not None and len(stages) == len(states) and all(name for name, _ in stages)
            and len({name for name, _ in stages}) > 1):
        return stage_progress(states, stages, start), STAGE_PROGRESS_AXIS
    return [float(k + 1) for k in range(len(states))], "entry number (load-path order)"


def stage_progress(states: list[tuple[float, float]], stages: list[tuple[str, bool]],
                   start: tuple[float, float] | None = None) -> list[float]:
    """Monotone time for entries of several stages: j - 1 + f for an entry of the j-th stage (in load-path
    order), f in (0, 1] the fraction of the stage's path reached: (x - x_start)/(x_end - x_start) of its
    abscissa x (temperature for thermal stages, else soc) when that rises or falls monotonically from the
    stage start (the previous stage's last entry, or ``start`` for the first stage) to its last entry,
    else the entry's rank in the stage / the stage's entry count. Stage ends are 1, 2, 3, ..."""
    names = list(dict.fromkeys(name for name, _ in stages))
    times, prev = [0.0] * len(states), start
    for j, name in enumerate(names):
        k = [i for i, (n, _) in enumerate(stages) if n == name]
        col = 0 if stages[k[0]][1] else 1
        x = np.array([states[i][col] for i in k])
        x0 = prev[col] if prev is not None else None
        frac = np.arange(1, len(k) + 1) / len(k)
        if x0 is not None and x[-1] != x0:
            f = (x - x0) / (x[-1] - x0)
            if np.all(np.diff(np.concatenate(([0.0], f))) > 0):
                frac = f
        for i, fi in zip(k, frac):
            times[i] = j + float(fi)
        prev = states[k[-1]]
    return times


class FieldWriter:
    """Writes displacement, stress tensor, von Mises, hydrostatic stress and phase id."""

    def __init__(self, folder: Path, u: fem.Function, phase_index: np.ndarray):
        msh = u.function_space.mesh
        self._u_solution = u
        if u.function_space.ufl_element().embedded_superdegree > 1:  # VTK output at the vertices
            self.u = fem.Function(fem.functionspace(msh, ("Lagrange", 1, (3,))), name=u.name)
        else:
            self.u = u
        S = fem.functionspace(msh, ("DG", 0, (3, 3)))
        Q = fem.functionspace(msh, ("DG", 0))
        self.stress = fem.Function(S, name="stress_Pa")
        self.von_mises = fem.Function(Q, name="von_mises_Pa")
        self.hydrostatic = fem.Function(Q, name="hydrostatic_Pa")
        self.max_principal = fem.Function(Q, name="max_principal_Pa")
        self.phase = fem.Function(Q, name="phase_id")
        self._dofs = cell_dofs(Q)
        self._sdofs = cell_dofs(S)
        self.phase.x.array[self._dofs] = phase_index.astype(float)
        self._n = msh.topology.index_map(3).size_local
        self._binary = None
        if (msh.topology.cell_type.name, msh.geometry.dofmap.shape[1]) in _VTK_LINEAR:
            self._binary = _BinaryVTK(msh.comm, Path(folder), msh, [(self.u.name, 3)],
                                      [(f.name, 9 if f is self.stress else 1) for f in self._cell_fields()])
            node_dof = np.empty(msh.geometry.x.shape[0], dtype=np.int64)  # P1 dof at each geometry node
            node_dof[msh.geometry.dofmap.ravel()] = self.u.function_space.dofmap.list.ravel()
            self._node_dof = node_dof
        else:
            self.file = io.VTKFile(msh.comm, str(Path(folder) / "fields.pvd"), "w")
        self._t = 0
        self._states: list[tuple[float, float]] = []
        self._stages: list[tuple[str | None, bool]] = []

    def _cell_fields(self) -> list:
        return [self.stress, self.von_mises, self.hydrostatic, self.max_principal, self.phase]

    def write(self, stress: CellStress, state=None, stage: str | None = None, thermal: bool = False) -> None:
        """One time entry; ``state`` (a LoadState) gives its ParaView time (field_times) at close, and
        ``stage`` (its step name; ``thermal``: a temperature step) a per-stage collection."""
        if state is not None:
            self._states.append((state.temperature_K, state.soc))
            self._stages.append((stage, thermal))
        n = self._n
        if self.u is not self._u_solution:
            self.u.interpolate(self._u_solution)
        self.stress.x.array.reshape(-1, 9)[self._sdofs[:n]] = stress.tensor.reshape(-1, 9)
        for f, vals in ((self.von_mises, stress.von_mises), (self.hydrostatic, stress.hydrostatic),
                        (self.max_principal, stress.max_principal)):
            f.x.array[self._dofs[:n]] = vals
        for f in (self.stress, self.von_mises, self.hydrostatic, self.max_principal):
            f.x.scatter_forward()
        self._t += 1
        if self._binary is not None:
            u = self.u.x.array.reshape(-1, 3)[self._node_dof]
            cells = [f.x.array.reshape(-1, 9)[self._sdofs] if f is self.stress else f.x.array[self._dofs]
                     for f in self._cell_fields()]
            self._binary.write(float(self._t), [u], cells)
            return
        self.file.write_function([self.u, *self._cell_fields()], float(self._t))

    def close(self, start: tuple[float, float] | None = None) -> str | None:
        """Finish the files; returns the ParaView time axis chosen (binary writer with states), else None.
        ``start``: (temperature_K, soc) of the stress-free start, the origin of the first stage's progress."""
        if self._binary is None:
            self.file.close()
            return None
        if len(self._states) != len(self._binary.entries):
            return None
        times, axis = field_times(self._states, self._stages, start)
        files = [f for _, f in self._binary.entries]
        self._binary.entries = list(zip(times, files))
        if self._binary.comm.rank == 0:
            self._binary.write_pvd()
            names = list(dict.fromkeys(st for st, _ in self._stages if st))
            for st in names if len(names) > 1 else []:  # one collection per stage, on its own axis
                k = [i for i, (n, _) in enumerate(self._stages) if n == st]
                thermal = self._stages[k[0]][1]
                t = [self._states[i][0] - 273.15 if thermal else self._states[i][1] for i in k]
                self._binary.write_pvd([(t_i, files[i]) for t_i, i in zip(t, k)], f"fields-{_safe(st)}.pvd")
        return axis


# (DOLFINx cell type, geometry nodes per cell) -> (VTK cell type, DOLFINx -> VTK node order)
_VTK_LINEAR = {("tetrahedron", 4): (10, np.arange(4)), ("hexahedron", 8): (12, DOLFINX_TO_VTK_HEX)}


class _BinaryVTK:
    """fields.pvd + per-time fieldsNNNNNN.pvtu + per-rank fields_pR_NNNNNN.vtu, as DOLFINx's VTKFile lays
    them out (same array names, ghost markers and original ids), but with raw appended binary data
    instead of ASCII numbers: about 10x faster to write and read, and about half the size
    (docs/performance.md). Linear tetrahedral (VTK_TETRA) or hexahedral (VTK_HEXAHEDRON) geometry only;
    VTK/ParaView and pyvista read it.
    """

    def __init__(self, comm, folder: Path, msh, point_arrays: list[tuple[str, int]],
                 cell_arrays: list[tuple[str, int]]):
        self.comm, self.folder = comm, Path(folder)
        self.point_arrays, self.cell_arrays = point_arrays, cell_arrays
        self.entries: list[tuple[float, str]] = []
        geo = msh.geometry
        n_cells, npc = geo.dofmap.shape
        vtk_type, order = _VTK_LINEAR[(msh.topology.cell_type.name, npc)]
        self.points = np.ascontiguousarray(geo.x, dtype=np.float64)
        self.connectivity = np.ascontiguousarray(geo.dofmap[:, order], dtype=np.int64).ravel()
        self.offsets = np.arange(npc, npc * n_cells + 1, npc, dtype=np.int64)
        self.types = np.full(n_cells, vtk_type, dtype=np.uint8)
        point_ghost = np.zeros(len(self.points), dtype=np.uint8)
        point_ghost[geo.index_map().size_local:] = 1  # vtkDataSetAttributes::DUPLICATEPOINT
        cell_ghost = np.zeros(n_cells, dtype=np.uint8)
        cell_ghost[msh.topology.index_map(3).size_local:] = 1  # DUPLICATECELL
        self.point_fixed = [("vtkOriginalPointIds", np.asarray(geo.input_global_indices, dtype=np.int64), 1),
                            ("vtkGhostType", point_ghost, 1)]
        self.cell_fixed = [("vtkGhostType", cell_ghost, 1),
                           ("vtkOriginalCellIds", np.asarray(msh.topology.original_cell_index, dtype=np.int64), 1)]

    @staticmethod
    def _type(a: np.ndarray) -> str:
        return {np.dtype(np.float64): "Float64", np.dtype(np.int64): "Int64", np.dtype(np.uint8): "UInt8"}[a.dtype]

    def write(self, t: float, point_data: list[np.ndarray], cell_data: list[np.ndarray]) -> None:
        k = len(self.entries)
        piece = f"fields_p{self.comm.rank}_{k:06d}.vtu"
        blocks: list[np.ndarray] = []
        lines: list[str] = []
        offset = 0

        def array(name: str | None, a: np.ndarray, ncomp: int, extra: str = "") -> None:
            nonlocal offset
            a = np.ascontiguousarray(a)
            attr = f' Name="{name}"' if name else ""
            lines.append(f'        <DataArray type="{self._type(a)}"{attr} NumberOfComponents="{ncomp}"{extra} '
                         f'format="appended" offset="{offset}" />')
            blocks.append(a)
            offset += 8 + a.nbytes

        lines.append(f'    <Piece NumberOfPoints="{len(self.points)}" NumberOfCells="{len(self.types)}">')
        lines.append("      <PointData>")
        for name, a, nc in self.point_fixed:
            array(name, a, nc, ' IdType="1"' if a.dtype == np.int64 else "")
        for (name, nc), a in zip(self.point_arrays, point_data):
            array(name, a, nc)
        lines.append("      </PointData>\n      <CellData>")
        for name, a, nc in self.cell_fixed:
            array(name, a, nc, ' IdType="1"' if a.dtype == np.int64 else "")
        for (name, nc), a in zip(self.cell_arrays, cell_data):
            array(name, a, nc)
        lines.append("      </CellData>\n      <Points>")
        array(None, self.points, 3)
        lines.append("      </Points>\n      <Cells>")
        array("connectivity", self.connectivity, 1)
        array("offsets", self.offsets, 1)
        array("types", self.types, 1)
        lines.append("      </Cells>\n    </Piece>")
        head = ('<?xml version="1.0"?>\n<VTKFile type="UnstructuredGrid" version="1.0" '
                'byte_order="LittleEndian" header_type="UInt64">\n  <UnstructuredGrid>\n'
                + "\n".join(lines) + '\n  </UnstructuredGrid>\n  <AppendedData encoding="raw">\n   _')
        with open(self.folder / piece, "wb") as f:
            f.write(head.encode())
            for a in blocks:
                f.write(np.uint64(a.nbytes).tobytes())
                f.write(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
            f.write(b"\n  </AppendedData>\n</VTKFile>\n")
        pvtu = f"fields{k:06d}.pvtu"
        self.entries.append((t, pvtu))
        if self.comm.rank == 0:
            self._write_pvtu(pvtu, k)
            self.write_pvd()

    def _write_pvtu(self, name: str, k: int) -> None:
        def p(n, a_type, nc, extra=""):
            return f'      <PDataArray type="{a_type}" Name="{n}" NumberOfComponents="{nc}"{extra} />'

        pts = [p("vtkOriginalPointIds", "Int64", 1, ' IdType="1"'), p("vtkGhostType", "UInt8", 1)]
        pts += [p(n, "Float64", nc) for n, nc in self.point_arrays]
        cls = [p("vtkGhostType", "UInt8", 1), p("vtkOriginalCellIds", "Int64", 1, ' IdType="1"')]
        cls += [p(n, "Float64", nc) for n, nc in self.cell_arrays]
        pieces = "\n".join(f'    <Piece Source="fields_p{r}_{k:06d}.vtu" />' for r in range(self.comm.size))
        text = ('<?xml version="1.0"?>\n<VTKFile type="PUnstructuredGrid" version="1.0" byte_order="LittleEndian" '
                'header_type="UInt64">\n  <PUnstructuredGrid GhostLevel="1">\n    <PPointData>\n'
                + "\n".join(pts) + "\n    </PPointData>\n    <PCellData>\n" + "\n".join(cls)
                + '\n    </PCellData>\n    <PPoints>\n      <PDataArray type="Float64" NumberOfComponents="3" />\n'
                '    </PPoints>\n' + pieces + "\n  </PUnstructuredGrid>\n</VTKFile>\n")
        (self.folder / name).write_text(text)

    def write_pvd(self, entries: list[tuple[float, str]] | None = None, name: str = "fields.pvd") -> None:
        """The collection ``name`` (atomically) of ``entries`` (time, .pvtu file), default all entries."""
        rows = "\n".join(f'    <DataSet timestep="{t:g}" part="0" file="{f}" />'
                         for t, f in (self.entries if entries is None else entries))
        text = ('<?xml version="1.0"?>\n<VTKFile type="Collection" version="1.0">\n  <Collection>\n'
                + rows + "\n  </Collection>\n</VTKFile>\n")
        tmp = self.folder / f".{name}.tmp"
        tmp.write_text(text)
        tmp.replace(self.folder / name)
