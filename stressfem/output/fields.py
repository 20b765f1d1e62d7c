"""Field output for ParaView: displacement (at the vertices) and per-cell stress measures (DG0), as VTK.

Written with DOLFINx's VTKFile (``fields.pvd`` + per-rank ``.vtu`` pieces); one time entry
per stage end (or per increment): t = 1, 2, ... in load-path order. pyvista reads it too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._dolfinx import fem
from ..physics.elasticity import cell_dofs
from .stats import CellStress

__all__ = ["FieldWriter"]


class FieldWriter:
    """Writes displacement, stress tensor, von Mises, hydrostatic stress and phase id."""

    def __init__(self, folder: Path, u: fem.Function, phase_index: np.ndarray):
        from dolfinx.io import VTKFile

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
        self.file = VTKFile(msh.comm, str(Path(folder) / "fields.pvd"), "w")
        self._t = 0

    def write(self, stress: CellStress) -> None:
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
        self.file.write_function([self.u, self.stress, self.von_mises, self.hydrostatic,
                                  self.max_principal, self.phase], float(self._t))

    def close(self) -> None:
        self.file.close()
