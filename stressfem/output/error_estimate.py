"""A-posteriori estimate of the discretisation error of the per-phase statistics (recovery, ZZ type).

Zienkiewicz & Zhu, Int. J. Numer. Meth. Eng. 24 (1987) 337: a continuous stress sigma* recovered
from the discontinuous FE stress is closer to the exact one than the FE stress itself, so
sigma* - sigma_h stands in for the error sigma - sigma_h. The stress jumps across phase
interfaces, so the recovery is done per phase: each mesh vertex gets, for each phase touching it,
the volume-weighted average of the cell stresses of that phase's cells around it (vertex sums are
added over MPI ranks), and sigma* of a cell is the average of its vertices' values for its own
phase. The estimates (Pa) of a phase are

* mean stress tensor, mean hydrostatic and mean von Mises: the volume mean of |sigma* - sigma_h|
  (component-wise, resp. of the difference of the measure), a bound of the error of the mean
  were sigma* exact. With ``balanced`` (no ``fixed`` boundary:
  rollers, free, pressure and traction faces only) the volume integral of each diagonal stress
  component over the whole body is exact in the Galerkin solution (x_i e_i is a test function,
  and the loads are integrated exactly), so the phases' errors e_q of the diagonal means satisfy
  sum_q V_q e_q = 0, and |e_p| <= sum_{q != p} V_q eta_q / V_p also bounds them; the smaller of
  the two bounds is reported (it matters for a phase whose mean is small beside its local stresses,
  e.g. a matrix balancing dilute particles);
* p99 and max of von Mises, max principal: the difference of the statistic of sigma* and of
  sigma_h.

Their effectivity (estimate / true error) is measured against closed forms in
tests/verification/test_error_estimate.py and docs/accuracy.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .._dolfinx import MPI, la, mesh
from ..parallel import allreduce_array
from .stats import CellStress, phase_statistics

__all__ = ["RecoveryEstimator", "ESTIMATED", "EFFECTIVITY"]

log = logging.getLogger(__name__)

# estimate / true error, measured on the Eshelby and Lame octants at interface elements a/4 .. a/8
# (tests/verification/test_error_estimate.py, docs/accuracy.md)
EFFECTIVITY = {
    2: {"means": [1.0, 4.8], "p99_von_mises": [0.7, 8.5]},
    1: {"means": [0.26, 0.32], "p99_von_mises": [0.6, 9.4]},
}

# per-phase statistics that get an estimate: name in phase_statistics -> how it is estimated
ESTIMATED = ("mean_stress_Pa", "mean_hydrostatic_Pa", "mean_von_mises_Pa", "p99_von_mises_Pa",
             "max_von_mises_Pa", "max_principal_Pa")


class RecoveryEstimator:
    """Per-phase recovery of the cell stress on one mesh; built once, called per result."""

    def __init__(self, msh: mesh.Mesh, phase_index: np.ndarray, phase_names: Sequence[str], volumes: np.ndarray,
                 balanced: bool = False):
        """``phase_index`` of the local cells (owned first), ``volumes`` (m3) of the owned cells;
        ``balanced``: the body's total mean of the diagonal stress is exact (see the module doc)."""
        self._balanced = balanced
        tdim = msh.topology.dim
        msh.topology.create_connectivity(tdim, 0)
        n = len(volumes)
        c2v = msh.topology.connectivity(tdim, 0)
        self._verts = c2v.array.reshape(-1, len(c2v.links(0)))[:n]  # (n, vertices per cell), local indices
        self._phase = np.asarray(phase_index[:n])
        self._names = list(phase_names)
        self._volumes = volumes
        self._comm = msh.comm
        n_ph = len(self._names)
        # one block per vertex: n_ph x (6 Voigt stress components + weight)
        self._vec = la.vector(msh.topology.index_map(0), bs=n_ph * 7)
        self._valid = self._phase >= 0
        self._slot = np.where(self._valid, self._phase, 0)
        # (vertex, phase) slot of every (cell, vertex); the sums into the slots and the average of a
        # cell's slots as sparse matrices, built once: (slots, n) with the cell volumes, (n, slots) 1/nv
        nv = self._verts.shape[1]
        slots = (self._verts * n_ph + self._slot[:, None]).ravel()
        cells = np.repeat(np.arange(n), nv)
        shape = (len(self._vec.array) // 7, n)
        w = np.where(self._valid, self._volumes, 0.0)
        self._sum = sparse.csr_matrix((np.repeat(w, nv), (slots, cells)), shape=shape)
        self._avg = sparse.csr_matrix((np.full(n * nv, 1.0 / nv), (cells, slots)), shape=shape[::-1])

    def description(self, element_degree: int) -> dict:
        """What the per-phase ``error_estimate_Pa`` values are, for summary.json (and a warning for P1)."""
        out = {"method": "per-phase stress recovery (Zienkiewicz-Zhu)", "unit": "Pa (absolute)",
               "element_degree": element_degree, "balanced": self._balanced,
               "effectivity_measured": EFFECTIVITY.get(element_degree), "reference": "docs/accuracy.md"}
        if element_degree == 1:
            log.warning("element_degree = 1: the error estimate of the mean stresses under-reports the true error "
                        "about 3.5x (measured, docs/accuracy.md); check with `stressfem converge` or use P2")
        return out

    def recover(self, stress: CellStress) -> CellStress:
        """The recovered (per-phase vertex-averaged) stress at the owned cells (Pa)."""
        n = len(self._volumes)
        data = self._vec.array.reshape(-1, 7)
        cols = np.ones((n, 7))
        cols[:, :6] = stress.components.T  # the symmetric tensor's 6 components (the 9 entries repeat 3)
        data[:] = self._sum @ cols
        self._vec.scatter_reverse(la.InsertMode.add)
        self._vec.scatter_forward()
        vertex_avg = data[:, :6] / np.maximum(data[:, 6:], np.finfo(float).tiny)  # per (vertex, phase) slot
        rec = self._avg @ vertex_avg
        rec[~self._valid] = cols[~self._valid, :6]  # void / unassigned cells: nothing to recover
        return CellStress(np.ascontiguousarray(rec.T))

    def estimate(self, stress: CellStress, stats: dict[str, dict]) -> dict[str, dict]:
        """Estimated absolute error (Pa) of each phase statistic in ``stats`` (from phase_statistics)."""
        rec = self.recover(stress)
        n_ph = len(self._names)
        w = np.where(self._valid, self._volumes, 0.0)
        diff = np.empty((9, len(w)))  # |difference| of the 6 Voigt components, hydrostatic, von Mises; 1
        np.abs(np.subtract(rec.components, stress.components, out=diff[:6]), out=diff[:6])
        np.abs(np.subtract(rec.hydrostatic, stress.hydrostatic, out=diff[6]), out=diff[6])
        np.abs(np.subtract(rec.von_mises, stress.von_mises, out=diff[7]), out=diff[7])
        diff[8] = 1.0
        diff *= w
        sums9 = np.zeros((n_ph, 9))
        for k in range(9):  # a loop over 9 columns, not over cells
            sums9[:, k] = np.bincount(self._slot, weights=diff[k], minlength=n_ph)[:n_ph]
        sums = sums9[:, _TENSOR_COLUMNS]  # the 3 x 3 entries (row-major), hydrostatic, von Mises, volume
        sums = allreduce_array(self._comm, sums, MPI.SUM)
        if self._balanced and n_ph > 1:  # diagonal components and hydrostatic: sum_q V_q e_q = 0
            cols = [0, 4, 8, 9]
            other = sums[:, cols].sum(axis=0)[None, :] - sums[:, cols]  # sum over q != p of V_q eta_q
            sums[:, cols] = np.minimum(sums[:, cols], other)
        rstats = phase_statistics(rec, self._volumes, self._phase, self._names, self._comm)
        out: dict[str, dict] = {}
        for i, name in enumerate(self._names):
            V = sums[i, 11]
            mean = sums[i] / V if V > 0 else np.zeros(12)
            raw, r = stats[name], rstats[name]
            out[name] = {
                "mean_stress_Pa": mean[:9].reshape(3, 3).tolist(),
                "mean_hydrostatic_Pa": float(mean[9]),
                "mean_von_mises_Pa": float(mean[10]),
                **{k: _difference(r[k], raw[k]) for k in ESTIMATED[3:]},
            }
        return out


# Voigt row (xx yy zz yz xz xy, then hydrostatic, von Mises, volume) of each estimate column
_TENSOR_COLUMNS = [0, 5, 4, 5, 1, 3, 4, 3, 2, 6, 7, 8]


def _difference(a, b) -> float | None:
    """|a - b| of two statistics; None when either is missing or not finite (empty phase)."""
    if a is None or b is None or not (np.isfinite(a) and np.isfinite(b)):
        return None
    return float(abs(a - b))
