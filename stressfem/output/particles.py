"""results/particles.csv: one row per particle (or volume) and step.

Units: the particles of generated packings (periodic pieces share their particle's id), the
connected regions of each label of an image, and otherwise each physical volume of the mesh
(``msh`` geometries, grains ``<phase>#<id>``, and the matrix of a generated packing). Per unit:
phase, volume (m3), centroid (m), equivalent diameter (6 V / pi)^(1/3) (m), ``cut`` (the unit
touches the outer box of the mesh), and per step the volume-averaged hydrostatic and von Mises
stress and the volume-weighted p99 of the maximum principal stress (Pa; the p99 definition of
output/stats.py). Sums are reduced with Allreduce over a unit list shared by all ranks; the p99
gathers (unit, sigma_1, volume) to rank 0, so the table does not depend on the rank count.
In runs with cohesive interfaces each owned interface facet is given to the unit of its cell on
the particle side (phase A of an "A/B" interface; the first cell otherwise), and the unit's interface
area, debonded and contact (closed) fractions are added (INTERFACE_COLUMNS).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._dolfinx import MPI
from ..parallel import allreduce_array
from .results_dir import csv_text
from .schema import DEBONDED
from .stats import CellStress

__all__ = ["ParticleTable", "cell_units", "grouped_quantile", "COLUMNS", "INTERFACE_COLUMNS"]

COLUMNS = ("step", "id", "phase", "volume_m3", "centroid_x_m", "centroid_y_m", "centroid_z_m",
           "equivalent_diameter_m", "cut", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "p99_max_principal_Pa")
# runs with cohesive [[interfaces]]: the unit's cohesive interface area (m2) and the fractions of it
# that are debonded (damage >= DEBONDED) and closed in compression (normal opening < 0)
INTERFACE_COLUMNS = ("interface_area_m2", "debonded_fraction", "contact_fraction")


def cell_units(loaded, pm, mesh_info: dict, phase_index: np.ndarray,
               phase_names: Sequence[str]) -> tuple[np.ndarray, dict[int, str]]:
    """(unit id per local cell, -1 for cells of no phase; unit id -> printed id).

    ``phase_index`` indexes ``phase_names``. Ids >= PARTICLE_OFFSET are particles (printed as their
    number); others are physical volume tags (printed as the volume name).
    """
    from ..physics.orientation import PARTICLE_OFFSET, cell_midpoints, orientation_units, voxel_units

    g = loaded.case.geometry
    particle_phases = {getattr(g, "particle_phase", None)} | {getattr(layer, "particle_phase", None)
                                                              for layer in getattr(g, "layers", [])}
    is_particle = np.isin(phase_index, [i for i, n in enumerate(phase_names) if n in particle_phases])
    units, _ = orientation_units(pm.mesh, pm.cell_tags, mesh_info, is_particle)
    if g.type == "image":
        from ..geometry.image import voxel_grains

        grains, voxel = voxel_grains(g, loaded.input_path(g.file))
        cells = np.flatnonzero(phase_index >= 0)
        units[cells] = voxel_units(cell_midpoints(pm.mesh)[cells], grains, voxel)
    units[phase_index < 0] = -1
    printed = {tag: name for name, tag in pm.volumes.items()}
    return units, {u: printed.get(u, str(u - PARTICLE_OFFSET)) for u in np.unique(units[units >= 0]).tolist()}


def grouped_quantile(groups: np.ndarray, values: np.ndarray, weights: np.ndarray, n_groups: int,
                     q: float) -> np.ndarray:
    """Per group 0..n_groups-1 the volume-weighted q-quantile (stats.weighted_quantiles' definition), vectorised.

    NaN for an empty group.
    """
    out = np.full(n_groups, np.nan)
    if len(values) == 0:
        return out
    order = np.lexsort((values, groups))
    g, v, w = groups[order], values[order], weights[order]
    total = np.bincount(g, weights=w, minlength=n_groups)
    starts = np.searchsorted(g, np.arange(n_groups), side="left")
    cw = np.cumsum(w)
    before = np.where(starts > 0, cw[np.maximum(starts - 1, 0)], 0.0)
    frac = (cw - before[g]) / np.where(total[g] > 0, total[g], 1.0)
    key = g + np.minimum(frac, 1.0)
    present = np.flatnonzero(np.bincount(g, minlength=n_groups) > 0)
    idx = np.searchsorted(key, present + q, side="left")
    ends = starts[present] + np.bincount(g, minlength=n_groups)[present] - 1
    out[present] = v[np.minimum(idx, ends)]
    return out


class ParticleTable:
    """Per-unit geometry (computed once) and per-step stress statistics; rows kept on rank 0."""

    def __init__(self, msh, units: np.ndarray, printed: dict[int, str], phase_index: np.ndarray,
                 phase_names: Sequence[str], volumes: np.ndarray, comm: MPI.Comm):
        self.comm = comm
        n = len(volumes)
        local_ids = np.unique(units[:n][units[:n] >= 0])
        self.ids = np.unique(np.concatenate(comm.allgather(local_ids))).astype(np.int64)
        self.printed = {int(u): name for d in comm.allgather(printed) for u, name in d.items()}
        owned = units[:n]
        self.sel = owned >= 0
        self.group = np.searchsorted(self.ids, owned[self.sel])
        self.w = volumes[self.sel]
        m = len(self.ids)
        x = msh.geometry.x[msh.geometry.dofmap[:n]][self.sel]  # (cells, nodes, 3)
        mid = x.mean(axis=1)
        sums = np.column_stack([np.bincount(self.group, weights=c, minlength=m) for c in
                                (self.w, *(self.w * mid[:, k] for k in range(3)))] +
                               [np.bincount(self.group, weights=self.w * (phase_index[:n][self.sel] == i),
                                            minlength=m) for i in range(len(phase_names))])
        sums = allreduce_array(comm, sums, MPI.SUM)
        lo = np.full((m, 3), np.inf)
        hi = np.full((m, 3), -np.inf)
        np.minimum.at(lo, self.group, x.min(axis=1))
        np.maximum.at(hi, self.group, x.max(axis=1))
        lo, hi = allreduce_array(comm, lo, MPI.MIN), allreduce_array(comm, hi, MPI.MAX)
        box_lo, box_hi = lo.min(axis=0), hi.max(axis=0)
        tol = 1e-6 * float(np.linalg.norm(box_hi - box_lo))
        self.volume = sums[:, 0]
        self.centroid = sums[:, 1:4] / self.volume[:, None]
        self.diameter = (6.0 * self.volume / np.pi) ** (1.0 / 3.0)
        self.cut = np.any((lo <= box_lo + tol) | (hi >= box_hi - tol), axis=1)
        self.phase = [phase_names[i] for i in np.argmax(sums[:, 4:], axis=1)]  # the phase of most of its volume
        self.rows: list[list] = []
        self.columns = COLUMNS
        self._facet_groups: list[np.ndarray] | None = None
        self._units, self._phase_index, self._phase_names, self._msh = units, phase_index, list(phase_names), msh

    def set_interfaces(self, interface_state: list[dict]) -> None:
        """Attribute the owned facets of each cohesive interface (CohesiveModel.interface_state) to units."""
        msh = self._msh
        msh.topology.create_connectivity(msh.topology.dim - 1, msh.topology.dim)
        f2c = msh.topology.connectivity(msh.topology.dim - 1, msh.topology.dim)
        groups = []
        for g in interface_state:
            parent = g["emap"].sub_topology_to_topology(np.arange(g["n_owned"], dtype=np.int32), inverse=False)
            c0 = f2c.array[f2c.offsets[parent]]
            c1 = f2c.array[f2c.offsets[parent + 1] - 1]
            side_a = g["name"].split("/")[0] if "/" in g["name"] else None
            if side_a in self._phase_names:
                a = self._phase_names.index(side_a)
                cell = np.where(self._phase_index[c0] == a, c0, c1)
            else:
                cell = c0
            unit = self._units[cell]
            grp = np.searchsorted(self.ids, unit)
            grp[(unit < 0) | (grp >= len(self.ids)) | (self.ids[np.minimum(grp, len(self.ids) - 1)] != unit)] = -1
            groups.append(np.repeat(grp, g.get("npts", 1)))  # rows of interface_state: integration points
        self._facet_groups = groups
        self.columns = COLUMNS + INTERFACE_COLUMNS

    def _interface_sums(self, interface_state: list[dict]) -> np.ndarray:
        """(units, 3): interface area, debonded area, closed area, reduced over ranks."""
        m = len(self.ids)
        out = np.zeros((m, 3))
        for grp, g in zip(self._facet_groups, interface_state):
            ok = grp >= 0
            a, d, jn = g["area"][ok], g["values"][ok, 1], g["values"][ok, 2]
            out += np.column_stack([np.bincount(grp[ok], weights=w, minlength=m)
                                    for w in (a, a * (d >= DEBONDED), a * (jn < 0))])
        return allreduce_array(self.comm, out, MPI.SUM)

    def add(self, step: str, stress: CellStress, interface_state: list[dict] | None = None) -> None:
        """Rows of one step (collective); ``interface_state`` after set_interfaces (cohesive runs)."""
        m = len(self.ids)
        iface = self._interface_sums(interface_state) if self._facet_groups is not None else None
        s = np.column_stack([np.bincount(self.group, weights=self.w * a[self.sel], minlength=m)
                             for a in (stress.hydrostatic, stress.von_mises)])
        s = allreduce_array(self.comm, s, MPI.SUM)
        gathered = self.comm.gather((self.group, stress.max_principal[self.sel], self.w), root=0)
        if self.comm.rank != 0:
            return
        g, v, w = (np.concatenate(a) for a in zip(*gathered))
        p99 = grouped_quantile(g, v, w, m, 0.99)
        for k, u in enumerate(self.ids):
            self.rows.append([step, self.printed.get(int(u), str(u)), self.phase[k], f"{self.volume[k]:.10g}",
                              *(f"{c:.10g}" for c in self.centroid[k]), f"{self.diameter[k]:.10g}",
                              int(self.cut[k]), f"{s[k, 0] / self.volume[k]:.10g}",
                              f"{s[k, 1] / self.volume[k]:.10g}", f"{p99[k]:.10g}"]
                             + ([] if iface is None else _interface_cells(iface[k])))

    def text(self) -> str:
        return csv_text(self.columns, self.rows)


def _interface_cells(sums: np.ndarray) -> list[str]:
    """CSV cells of one unit's interface area and fractions (empty fractions without interface)."""
    area = float(sums[0])
    if area <= 0:
        return ["0", "", ""]
    return [f"{area:.10g}", f"{sums[1] / area:.10g}", f"{sums[2] / area:.10g}"]
