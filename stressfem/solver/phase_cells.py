"""Every phase of a case must have cells: an empty phase has no statistics (NaN), so it is an error."""

from __future__ import annotations

import numpy as np

from .._dolfinx import MPI
from ..case import ImageGeometry, LoadedCase
from ..geometry.msh import PhaseMesh
from ..parallel import allreduce_array

__all__ = ["require_phase_cells"]


def require_phase_cells(loaded: LoadedCase, pm: PhaseMesh, phase_names: list[str]) -> None:
    """CaseError naming the phases with no owned cell on any rank (collective)."""
    index = pm.phase_index(phase_names)[: pm.num_cells_owned]
    counts = allreduce_array(pm.mesh.comm, np.bincount(index[index >= 0], minlength=len(phase_names))[:len(phase_names)],
                             MPI.SUM)
    empty = [p for p, n in zip(phase_names, counts) if n == 0]
    if not empty:
        return
    if isinstance(loaded.case.geometry, ImageGeometry):
        raise loaded.error("geometry.labels", f"phases {empty} have no voxel in the image (after crop and "
                           f"downsampling): map only labels present in the image, or remove these phases")
    raise loaded.error("phases", f"phases {empty} have no cells in the mesh; remove them from [phases] or "
                       f"give them volume in the geometry")
