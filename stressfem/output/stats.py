"""Per-cell stress and its per-phase statistics, reduced over MPI ranks (owned cells only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._dolfinx import MPI, fem, mesh
from ..parallel import allreduce_array
from .cell_average import CellAverage, displacement_degree, midpoint_is_average

__all__ = ["CellStress", "cell_volumes", "voigt_components", "VOIGT_PAIRS", "CellStressEvaluator", "phase_statistics",
           "von_mises", "hydrostatic", "max_principal", "weighted_quantiles"]


# DOLFINx (lexicographic) -> Gmsh/VTK node order of a linear hexahedron
DOLFINX_TO_VTK_HEX = np.array([0, 1, 3, 2, 4, 5, 7, 6])
# reference-cell midpoints, where the per-cell stress is evaluated (where that is the cell average)
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


VOIGT_PAIRS = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))  # xx yy zz yz xz xy


def voigt_components(s: np.ndarray) -> np.ndarray:
    """(6, n) contiguous components xx yy zz yz xz xy of (n, 3, 3) symmetric tensors."""
    return np.ascontiguousarray(np.stack([s[:, i, j] for i, j in VOIGT_PAIRS]))


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
    return _max_principal(q, s[:, 0, 0] - q, s[:, 1, 1] - q, s[:, 2, 2] - q, s[:, 0, 1], s[:, 1, 2], s[:, 0, 2])


def _max_principal(q, a, b, c, d, e, f) -> np.ndarray:
    """Largest eigenvalue from the mean q, the deviatoric diagonal (a, b, c) and shears xy, yz, xz (d, e, f)."""
    p = np.sqrt((a * a + b * b + c * c + 2.0 * (d * d + e * e + f * f)) / 6.0)
    det = a * (b * c - e * e) - d * (d * c - e * f) + f * (d * e - b * f)
    safe = np.where(p > 0, p, 1.0)
    r = np.where(p > 0, det / (2.0 * safe**3), 0.0)
    return q + 2.0 * p * np.cos(np.arccos(np.clip(r, -1.0, 1.0)) / 3.0)


def _measures(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hydrostatic, von Mises and largest principal stress (Pa) of (6, n) Voigt components.

    The formulas of ``hydrostatic``, ``von_mises`` (as 1.5 |dev|^2 + 3 shear^2: the same value to
    round-off) and ``_max_principal``, written into one work buffer: the per-increment measures of
    a superposed path (docs/performance.md section 9); fresh temporaries of this size cost a page
    fault per 4 kB each time.
    """
    xx, yy, zz, yz, xz, xy = c
    q = np.add(xx, yy)
    q += zz
    q /= 3.0
    a, b, cz, s2, t, u, p = np.empty((7, c.shape[1]))
    np.subtract(xx, q, out=a)
    np.subtract(yy, q, out=b)
    np.subtract(zz, q, out=cz)
    np.multiply(xy, xy, out=s2)
    s2 += np.multiply(yz, yz, out=t)
    s2 += np.multiply(xz, xz, out=t)
    np.multiply(a, a, out=p)
    p += np.multiply(b, b, out=t)
    p += np.multiply(cz, cz, out=t)  # |dev diagonal|^2
    vm = np.multiply(p, 1.5)
    vm += np.multiply(s2, 3.0, out=t)
    np.sqrt(vm, out=vm)
    p += np.multiply(s2, 2.0, out=t)
    p /= 6.0
    np.sqrt(p, out=p)
    det = np.multiply(b, cz)  # a (b c - e^2) - d (d c - e f) + f (d e - b f); d, e, f = xy, yz, xz
    det -= np.multiply(yz, yz, out=t)
    det *= a
    np.multiply(xy, cz, out=t)
    t -= np.multiply(yz, xz, out=u)
    t *= xy
    det -= t
    np.multiply(xy, yz, out=t)
    t -= np.multiply(b, xz, out=u)
    t *= xz
    det += t
    np.multiply(p, p, out=t)
    t *= p
    t *= 2.0
    zero = t == 0.0  # p = 0: an isotropic stress; r = 0
    if zero.any():
        t[zero] = 1.0
        det[zero] = 0.0
    det /= t
    np.clip(det, -1.0, 1.0, out=det)
    np.arccos(det, out=det)
    det /= 3.0
    np.cos(det, out=det)
    det *= p
    det *= 2.0
    det += q
    return q, vm, det


class CellStress:
    """Stress (Pa) of each owned cell with derived measures.

    Attributes:
        components: (6, n) components xx yy zz yz xz xy, rows contiguous.
        von_mises, hydrostatic, max_principal: (n,) measures (Pa).
        tensor: (n, 3, 3) symmetric tensors, built on first use.
    """

    def __init__(self, components: np.ndarray):
        self.components = components
        self.hydrostatic, self.von_mises, self.max_principal = _measures(components)
        self._tensor = None

    @classmethod
    def of(cls, tensor: np.ndarray) -> "CellStress":
        """The stress of (n, 3, 3) symmetric tensors (Pa)."""
        out = cls(voigt_components(tensor))
        out._tensor = tensor
        return out

    @property
    def tensor(self) -> np.ndarray:
        if self._tensor is None:
            t = self._tensor = np.empty((self.components.shape[1], 3, 3))
            for k, (i, j) in enumerate(VOIGT_PAIRS):
                t[:, i, j] = t[:, j, i] = self.components[k]
        return self._tensor


class CellStressEvaluator:
    """The stress (Pa) of each owned cell: its cell average, from a stress expression.

    On linear tetrahedra with P1 displacement the stress is constant per cell, with P2 linear; on
    hexahedra with Q1 displacement it varies inside the cell, but each strain component is a sum
    of products of linear functions of different reference coordinates. In these cases the value
    at the reference midpoint is the cell average (for parallelepiped hexahedra, i.e. voxels) and
    is evaluated there. At Q2 on hexahedra it is not, and the exact average is assembled
    (output/cell_average.py).
    The expression is compiled once, when the evaluator is made; ``__call__`` only evaluates.
    """

    def __init__(self, stress_expr, msh: mesh.Mesh):
        kind = msh.topology.cell_type.name
        if kind not in _MIDPOINT:
            raise ValueError(f"cell stress on {kind} cells is not implemented")
        degree = displacement_degree(stress_expr)
        self.averaged = not midpoint_is_average(kind, degree)
        if self.averaged:
            self._average = CellAverage(stress_expr, msh, degree)
        else:
            self._expr = fem.Expression(stress_expr, np.array([_MIDPOINT[kind]]))
        self._msh = msh
        self._cells = np.arange(msh.topology.index_map(3).size_local, dtype=np.int32)

    def __call__(self) -> CellStress:
        n = len(self._cells)
        if self.averaged:
            values = self._average()
        else:
            values = self._expr.eval(self._msh, self._cells).reshape(n, 3, 3)
        return CellStress.of(0.5 * (values + values.transpose(0, 2, 1)))


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative weight (values ascending) reaches q of the total.

    Sorts only the largest values when they hold the quantile (a partition first), which gives the
    same value as a full sort.
    """
    n = len(values)
    k = min(n, 4 * int(np.ceil(n * (1.0 - q))) + 16)
    total = float(weights.sum())
    if k < n:
        top = np.argpartition(values, n - k)[n - k:]  # the k largest values, unordered
        below = total - float(weights[top].sum())
        if below < q * total:
            order = top[np.argsort(values[top], kind="stable")]
            i = int(np.searchsorted(below + np.cumsum(weights[order]), q * total, side="left"))
            return float(values[order][min(i, k - 1)])
    return float(weighted_quantiles(values, weights, q)[0])


_BRACKET_MIN = 20_000  # values above which weighted_quantiles brackets instead of sorting all
_SAMPLE = 2048  # sorted strided sample that guesses the bracket


def _bracketed_quantiles(values: np.ndarray, weights: np.ndarray, qs: np.ndarray) -> list[float | None]:
    """``weighted_quantiles``' values without a full sort (None where no bracket held the quantile).

    A sorted strided sample (one for all q) guesses values lo < hi around each quantile; the cells
    below lo precede and those above hi follow the cells in [lo, hi] in any ascending order, so when
    the quantile's cumulative weight lies in [lo, hi] sorting those cells alone gives the same value
    (up to the order of the floating-point sums of the weights). The bracket widens 4x until it
    holds. Weight sums are dot products with the masks, and the cells in a bracket are taken by
    index (boolean-mask indexing is several times slower).
    """
    n = len(values)
    total = float(weights.sum())
    step = max(1, n // _SAMPLE)
    sample = values[::step]
    order = np.argsort(sample)
    cw = np.cumsum(weights[::step][order])
    s = sample[order]
    found: list[float | None] = []
    for q in qs:
        target = q * total
        j = int(np.searchsorted(cw, q * cw[-1], side="left"))
        value = None
        for m in (8, 32, 128, 512):
            lo = s[j - m] if j - m >= 0 else -np.inf
            hi = s[j + m] if j + m < len(s) else np.inf
            below = float(weights @ (values < lo))
            inside = np.flatnonzero((values >= lo) & (values <= hi))
            w_in = weights.take(inside)
            if below < target <= below + float(w_in.sum()):
                v_in = values.take(inside)
                k = np.argsort(v_in)
                i = int(np.searchsorted(below + np.cumsum(w_in[k]), target, side="left"))
                value = float(v_in[k][min(i, len(k) - 1)])
                break
        found.append(value)
    return found


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    """Volume-weighted quantiles: for each q, the smallest value whose cumulative weight reaches q of the total.

    Always one of ``values`` (no interpolation), so it does not depend on how cells are split over
    ranks once they are gathered; NaN for an empty set. Several q with one sort. The sort need not be
    stable: the cumulative weight at the end of a run of equal values does not depend on their order,
    so neither does the value returned.
    """
    qs = np.atleast_1d(np.asarray(qs, dtype=float))
    if len(values) == 0:
        return np.full(qs.shape, np.nan)
    if len(values) >= _BRACKET_MIN:
        found = _bracketed_quantiles(values, weights, qs)
        if all(v is not None for v in found):
            return np.array(found, dtype=values.dtype)
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    i = np.searchsorted(cw, qs * cw[-1], side="left")
    return values[order][np.minimum(i, len(values) - 1)]


def phase_statistics(stress: CellStress, volumes: np.ndarray, phase_index: np.ndarray,
                     phase_names: Sequence[str], comm: MPI.Comm, percentile: bool = True) -> dict[str, dict]:
    """Per phase: volume, volume-averaged stress tensor and von Mises, max and 99th percentile.

    Sums and maxima of all phases are reduced in one collective each. The 99th percentile is
    volume-weighted; for it the von Mises values are gathered to rank 0, so it is the same on any
    number of ranks; with ``percentile=False`` (increments whose p99 is not reported) that gather
    is skipped and ``p99_von_mises_Pa`` is None. (Tensile statistics: output/tensile.py.)
    """
    owned_phase = phase_index[: len(volumes)]
    n_ph = len(phase_names)
    sums, maxima, selections = np.zeros((n_ph, 11)), np.full((n_ph, 2), -np.inf), []
    W = np.zeros((n_ph, len(volumes)))  # row i: the cell volumes of phase i, 0 elsewhere
    for i in range(n_ph):
        sel = np.flatnonzero(owned_phase == i)  # indices, not a mask: take is ~5x faster than mask indexing
        selections.append(sel)
        W[i, sel] = volumes.take(sel)
        maxima[i] = (stress.von_mises.take(sel).max(initial=-np.inf), stress.max_principal.take(sel).max(initial=-np.inf))
    c6 = stress.components @ W.T  # (6, n_ph) volume-weighted sums xx yy zz yz xz xy, one product for all phases
    sums[:, 0] = W.sum(axis=1)
    sums[:, 1:10] = c6[[0, 5, 4, 5, 1, 3, 4, 3, 2]].T
    sums[:, 10] = W @ stress.von_mises
    sums = allreduce_array(comm, sums, MPI.SUM)
    maxima = allreduce_array(comm, maxima, MPI.MAX)
    p99 = [None] * n_ph
    if percentile:
        gathered = comm.gather([(stress.von_mises.take(sel), volumes.take(sel)) for sel in selections], root=0)
        if comm.rank == 0:
            for i in range(n_ph):
                vm, w = (np.concatenate([g[i][k] for g in gathered]) for k in range(2))
                p99[i] = _weighted_quantile(vm, w, 0.99) if len(vm) else float("nan")
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
