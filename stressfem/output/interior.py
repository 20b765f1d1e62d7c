"""Interior statistics: leave the cells near the box faces out of the per-phase statistics.

Boxes with roller/free faces carry a boundary layer: particles cut by a free face relax and
their rims are loaded differently from the bulk (docs/periodic.md). ``[output]
interior_margin_um = d`` drops every cell with a vertex closer than d to a face of the box
normal to one of ``interior_axes`` from the statistics (history.csv, summary.json); fields and
the solve are unchanged. Periodic runs (``[periodic]``) need no margin.
"""

from __future__ import annotations

import logging

import numpy as np

from .._dolfinx import MPI, mesh
from ..parallel import allreduce_array

__all__ = ["interior_phase_index"]

log = logging.getLogger(__name__)


def interior_phase_index(msh: mesh.Mesh, phase_index: np.ndarray, margin_m: float, axes: str = "xyz",
                         volumes: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """phase_index with the cells within margin_m (m) of the box faces set to -1, and a record dict."""
    x = msh.geometry.x
    lo = allreduce_array(msh.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
    hi = allreduce_array(msh.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
    n = len(phase_index)
    cells = x[msh.geometry.dofmaps[0][:n]]  # (n, vertices, 3)
    idx = ["xyz".index(a) for a in axes]
    gap = np.minimum(cells[:, :, idx] - lo[idx], hi[idx] - cells[:, :, idx]).min(axis=(1, 2))
    out = np.where(gap < margin_m - 1e-9 * float(np.max(hi - lo)), -1, phase_index).astype(phase_index.dtype)
    record = {"interior_margin_m": margin_m, "interior_axes": axes}
    if volumes is not None:
        owned = len(volumes)
        kept = allreduce_array(msh.comm, np.array([volumes[out[:owned] >= 0].sum(), volumes.sum()]), MPI.SUM)
        record["kept_volume_fraction"] = float(kept[0] / kept[1]) if kept[1] > 0 else 0.0
        log.info("interior statistics: cells within %.3g um of the %s faces left out (%.1f %% of the volume kept)",
                 margin_m * 1e6, axes, 100 * record["kept_volume_fraction"])
        if kept[0] == 0.0:
            log.warning("interior statistics: the margin leaves no cell; per-phase statistics are empty")
    return out, record
