"""Exact cell averages of a (3, 3) tensor expression, for elements whose midpoint value is not one.

The per-phase statistics (output/stats.py) weight one stress tensor per cell by the cell volume, so
that tensor must be the cell average for the phase means to be the volume means of the field.
The value at the reference midpoint is the cell average where each stress component is, in
reference coordinates, a sum of products of functions of degree <= 1 in each coordinate: P1 and P2
on affine tetrahedra (constant or linear strain) and Q1 on parallelepiped hexahedra (voxels). It is
not on hexahedra at Q2 and above: there the strain has terms quadratic along a cell's axes, whose
average over [0, 1] is 1/3, not the midpoint's 1/4 (docs/accuracy.md, "Q2 hexahedra").

There the average is assembled: int_K sigma : tau dx against a DG0 tensor test function tau, divided by
int_K 1 dx. The form is compiled once; each call is one vector assembly (no loop over cells).
"""

from __future__ import annotations

import numpy as np

from .._dolfinx import fem, mesh, ufl

__all__ = ["CellAverage", "displacement_degree", "midpoint_is_average"]


def displacement_degree(expr) -> int:
    """Highest polynomial degree (per reference coordinate on hexahedra) of the coefficients in ``expr``."""
    degrees = [c.ufl_element().embedded_superdegree for c in ufl.algorithms.extract_coefficients(expr)]
    return max(degrees, default=0)


def midpoint_is_average(cell_type: str, degree: int) -> bool:
    """True when the value at the reference midpoint of a stress from a degree-``degree`` displacement
    is its cell average (affine tetrahedra up to P2, parallelepiped hexahedra up to Q1; module doc)."""
    return degree <= (2 if cell_type == "tetrahedron" else 1)


class CellAverage:
    """Cell averages (units of ``expr``) of a (3, 3) tensor expression over the owned cells.

    Quadrature degree 2 * ``degree``: a (degree + 1)^3 Gauss rule on hexahedra, exact for a strain of
    degree ``degree`` in each reference coordinate on parallelepiped cells (stiffness and
    eigenstrain are DG0), like the stiffness form (solver/thermoelastic.py ``cell_measure``).
    """

    def __init__(self, expr, msh: mesh.Mesh, degree: int):
        dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": 2 * max(degree, 1)})
        T = fem.functionspace(msh, ("DG", 0, (3, 3)))
        S = fem.functionspace(msh, ("DG", 0))
        n = msh.topology.index_map(msh.topology.dim).size_local
        self._form = fem.form(ufl.inner(expr, ufl.TestFunction(T)) * dx)
        # DG0 dofs of the owned cells (blocks of 9 components, row-major like ufl.inner's tau_ij)
        self._rows = T.dofmap.list[:n, 0]
        volume = fem.assemble_vector(fem.form(ufl.TestFunction(S) * dx)).array
        self._volume = volume[S.dofmap.list[:n, 0]]  # m3, the same quadrature as the integrals

    def __call__(self) -> np.ndarray:
        """(n_owned, 3, 3) cell averages at the current coefficient values."""
        b = fem.assemble_vector(self._form).array.reshape(-1, 9)  # owned cells only: no ghost sums needed
        return (b[self._rows] / self._volume[:, None]).reshape(-1, 3, 3)
