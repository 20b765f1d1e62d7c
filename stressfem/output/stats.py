"""Per-cell stress and its per-phase statistics, reduced over MPI ranks (owned cells only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._dolfinx import MPI, fem, mesh
from ..parallel import allreduce_array

__all__ = ["CellStress", "cell_volumes", "CellStressEvaluator", "phase_statistics", "von_mises", "hydrostatic",
           "max_principal", "weighted_quantile", "cell_stress_of"]


# DOLFINx (lexicographic) -> Gmsh/VTK node order of a linear hexahedron
DOLFINX_TO_VTK_HEX = np.array([0, 1, 3, 2, 4, 5, 7, 6])
# reference-cell midpoints, where the per-cell stress is evaluated
_MIDPOINT = {"tetrahedron": [0.25, 0.25, 0.25], "hexahedron": [0.5, 0.5, 0.5]}


def cell_volumes(msh: mesh.Mesh) -> np.ndarray:
    """Volume (m3) of each owned cell: linear tetrahedra or trilinear hexahedra."""
    n = msh.topology.index_map(3).size_local
    x = msh.geometry.x[msh.geometry.dofmap[:n]]  # (n, 4, 3) or (n, 8, 3)
    kind = msh.topology.cell_type.name
    if kind == "hexahedron" and x.shape[1] == 8:
        from ..geometry.metrics import hex_volumes

        return hex_volumes(x.reshape(-1, 3), np.arange(8 * n).reshape(n, 8)[:, DOLFINX_TO_VTK_HEX])
    if kind != "tetrahedron" or x.shape[1] != 4:
        raise ValueError(f"cell volumes of {kind} cells with {x.shape[1]} geometry nodes are not implemented")
    d = x[:, 1:, :] - x[:, :1, :]
    return np.abs(np.linalg.det(d)) / 6.0


def von_mises(s: np.ndarray) -> np.ndarray:
    """Von Mises stress (Pa) of (n, 3, 3) tensors."""
    dev = s - np.trace(s, axis1=1, axis2=2)[:, None, None] / 3.0 * np.eye(3)
    return np.sqrt(1.5 * np.einsum("nij,nij->n", dev, dev))


def hydrostatic(s: np.ndarray) -> np.ndarray:
    """Hydrostatic stress tr(s)/3 (Pa); positive in tension."""
    return np.trace(s, axis1=1, axis2=2) / 3.0


def max_principal(s: np.ndarray) -> np.ndarray:
    """Largest eigenvalue (Pa) of symmetric (n, 3, 3) tensors, in closed form (Smith 1961).

    Same values as ``np.linalg.eigvalsh(s)[:, -1]`` to round-off (a few 1e-15 of the largest
    magnitude), about 10x faster (it dominated the per-increment stress evaluation,
    docs/performance.md).
    """
    q = (s[:, 0, 0] + s[:, 1, 1] + s[:, 2, 2]) / 3.0
    a, b, c = s[:, 0, 0] - q, s[:, 1, 1] - q, s[:, 2, 2] - q
    d, e, f = s[:, 0, 1], s[:, 1, 2], s[:, 0, 2]
    p = np.sqrt((a * a + b * b + c * c + 2.0 * (d * d + e * e + f * f)) / 6.0)
    det = a * (b * c - e * e) - d * (d * c - e * f) + f * (d * e - b * f)
    safe = np.where(p > 0, p, 1.0)
    r = np.where(p > 0, det / (2.0 * safe**3), 0.0)
    return q + 2.0 * p * np.cos(np.arccos(np.clip(r, -1.0, 1.0)) / 3.0)


@dataclass
class CellStress:
    """Stress (Pa) of each owned cell with derived measures."""

    tensor: np.ndarray  # (n, 3, 3)
    von_mises: np.ndarray
    hydrostatic: np.ndarray
    max_principal: np.ndarray


def cell_stress_of(tensor: np.ndarray) -> CellStress:
    """CellStress of (n, 3, 3) symmetric tensors (Pa), with its derived measures."""
    return CellStress(tensor, von_mises(tensor), hydrostatic(tensor), max_principal(tensor))


class CellStressEvaluator:
    """Evaluates a stress expression at the owned cells' reference midpoints (Pa).

    On linear tetrahedra with P1 displacement the stress is constant per cell. On hexahedra with
    Q1 displacement it varies inside the cell; its value at the midpoint is the cell average for
    parallelepiped cells (voxels), because each strain component is a sum of products of linear
    functions of different reference coordinates.
    The expression is compiled once, when the evaluator is made; ``__call__`` only evaluates.
    """

    def __init__(self, stress_expr, msh: mesh.Mesh):
        kind = msh.topology.cell_type.name
        if kind not in _MIDPOINT:
            raise ValueError(f"cell stress on {kind} cells is not implemented")
        self._expr = fem.Expression(stress_expr, np.array([_MIDPOINT[kind]]))
        self._msh = msh
        self._cells = np.arange(msh.topology.index_map(3).size_local, dtype=np.int32)

    def __call__(self) -> CellStress:
        n = len(self._cells)
        values = self._expr.eval(self._msh, self._cells).reshape(n, 3, 3)
        return cell_stress_of(0.5 * (values + values.transpose(0, 2, 1)))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile (0..1) of values weighted by weights (the smallest value reaching q of the weight)."""
    order = np.argsort(values, kind="stable")
    cw = np.cumsum(weights[order])
    i = int(np.searchsorted(cw, q * cw[-1], side="left"))
    return float(values[order][min(i, len(values) - 1)])


def phase_statistics(stress: CellStress, volumes: np.ndarray, phase_index: np.ndarray,
                     phase_names: Sequence[str], comm: MPI.Comm, percentile: bool = True) -> dict[str, dict]:
    """Per phase: volume, volume-averaged stress tensor and von Mises, max and 99th percentile.

    Sums and maxima of all phases are reduced in one collective each. The 99th percentile is
    volume-weighted; for it the von Mises values are gathered to rank 0, so it is the same on any
    number of ranks; with ``percentile=False`` (increments whose p99 is not reported) that gather
    is skipped and ``p99_von_mises_Pa`` is None.
    """
    owned_phase = phase_index[: len(volumes)]
    n_ph = len(phase_names)
    sums, maxima, selections = np.zeros((n_ph, 11)), np.full((n_ph, 2), -np.inf), []
    for i in range(n_ph):
        sel = owned_phase == i
        selections.append(sel)
        w = volumes[sel]
        sums[i, 0] = w.sum()
        sums[i, 1:10] = np.einsum("n,nij->ij", w, stress.tensor[sel]).ravel()
        sums[i, 10] = w @ stress.von_mises[sel]
        maxima[i] = (stress.von_mises[sel].max(initial=-np.inf), stress.max_principal[sel].max(initial=-np.inf))
    sums = allreduce_array(comm, sums, MPI.SUM)
    maxima = allreduce_array(comm, maxima, MPI.MAX)
    p99 = [None] * n_ph
    if percentile:
        gathered = comm.gather([(stress.von_mises[sel], volumes[sel]) for sel in selections], root=0)
        if comm.rank == 0:
            for i in range(n_ph):
                vm_all = np.concatenate([g[i][0] for g in gathered])
                w_all = np.concatenate([g[i][1] for g in gathered])
                p99[i] = weighted_quantile(vm_all, w_all, 0.99) if len(vm_all) else float("nan")
        p99 = comm.bcast(p99, root=0)
    out: dict[str, dict] = {}
    for i, name in enumerate(phase_names):
        V = float(sums[i, 0])
        mean = (sums[i, 1:10] / V).reshape(3, 3) if V > 0 else np.full((3, 3), np.nan)
        out[name] = {
            "volume_m3": V,
            "mean_stress_Pa": mean.tolist(),
            "mean_hydrostatic_Pa": float(np.trace(mean) / 3.0),
            "mean_von_mises_Pa": float(sums[i, 10] / V) if V > 0 else float("nan"),
            "max_von_mises_Pa": float(maxima[i, 0]),
            "p99_von_mises_Pa": p99[i],
            "max_principal_Pa": float(maxima[i, 1]),
        }
    return out
