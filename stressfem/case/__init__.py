"""case.toml -> validated, typed case objects; clear errors naming file, key and what is allowed.

Units are SI (Pa, m, K, s) unless the key name says otherwise (``_um``, ``_C``).
Every key is documented in docs/case-format.md. One module per table:

- ``common``: the strict base ``Table`` and constrained value types;
- ``geometry`` (with ``particles``: packed-particle fields shared by ``particles`` and
  ``composite`` layers), ``mesh``, ``materials``, ``stages``, ``orientation``, ``boundary``,
  ``solver``, ``output``, ``interfaces`` (cohesive laws and their solver), ``periodic``
  (periodic boundary conditions, macroscopic loading);
- ``root``: the whole file (``Case``); ``checks``: checks that span tables;
- ``loader``: ``load_case`` -> ``LoadedCase``, error locations.
"""

from __future__ import annotations

from . import (boundary, common, geometry, interfaces, loader, materials, mesh, orientation, output, particles,
               periodic, root, solver, stages)
from .boundary import BoundaryCondition, FixedBC, PressureBC, RollerBC, Surfaces, TractionBC
from .common import (
    CASE_FILE,
    ZERO_CELSIUS_K,
    FiniteFloat,
    Name,
    NonNegativeInt,
    PetscOptions,
    PetscValue,
    PositiveFloat,
    PositiveInt,
    Table,
    Vector3,
)
from .geometry import (
    CompositeLayer,
    DenseLayer,
    Geometry,
    ImageGeometry,
    Layer,
    LayeredGeometry,
    MshGeometry,
    ParticlesGeometry,
)
from .interfaces import (
    BilinearLawSpec,
    CohesiveLawSpec,
    CohesiveSolverSpec,
    ExponentialLawSpec,
    InterfaceSpec,
)
from .loader import LoadedCase, error_location, load_case
from .materials import ChemicalStrainSpec, CrystalStiffness, CteTable, DiffusivityTable, MaterialSpec
from .mesh import MeshSpec
from .orientation import OrientationSpec
from .output import OutputSpec
from .periodic import PeriodicSpec
from .particles import (
    MAX_FUSED_FRACTION,
    MAX_SPHERE_FRACTION,
    CoatingSpec,
    FixedSize,
    GrainsSpec,
    LognormalSize,
    PackedParticles,
    SizeDistribution,
)
from .root import Case
from .solver import SolverSpec
from .stages import CoolingStage, CyclesStage, GalvanostaticStage, SocStage, Stage

__all__ = [  # every public name of the table modules, as before the split into a package
    *root.__all__, *loader.__all__, *common.__all__, *materials.__all__, *particles.__all__, *geometry.__all__,
    *mesh.__all__, *stages.__all__, *orientation.__all__, *boundary.__all__, *solver.__all__, *output.__all__,
    *interfaces.__all__, "PeriodicSpec",
]
