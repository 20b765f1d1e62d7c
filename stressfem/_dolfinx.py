"""The only place that imports DOLFINx/PETSc directly and checks their version.

``dolfinx_solver`` must be imported before ``dolfinx`` and ``petsc4py`` (it loads the PETSc
that the wheel ships). Every other module imports DOLFINx through this one.
"""

import dolfinx_solver  # noqa: F401  (must come first)

import basix.ufl  # noqa: E402  (quadrature elements: cohesive history at P2)
import dolfinx  # noqa: E402
import ufl  # noqa: E402
from dolfinx import default_scalar_type, fem, io, la, mesh  # noqa: E402
from dolfinx.fem import petsc as fem_petsc  # noqa: E402  (assemble_*, NonlinearProblem: PETSc objects)
from mpi4py import MPI  # noqa: E402
from petsc4py import PETSc  # noqa: E402

__all__ = ["basix", "dolfinx", "fem", "fem_petsc", "io", "la", "mesh", "ufl", "MPI", "PETSc", "default_scalar_type",
           "DOLFINX_VERSION"]

DOLFINX_VERSION = tuple(int(p) for p in dolfinx.__version__.split(".")[:2])
if DOLFINX_VERSION != (0, 11):
    raise ImportError(f"stressfem needs DOLFINx 0.11 (wheel dolfinx-solver-real); found {dolfinx.__version__}")
