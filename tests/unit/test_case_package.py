"""stressfem.case is a package of one module per table that still offers every name of the old case.py.

Requirements (exact; run time under 1 s):
* every public name of the former stressfem/case.py is importable from stressfem.case;
* ``__all__`` lists only names the package has, and ``from stressfem.case import *`` works;
* ``ParticlesGeometry`` and ``CompositeLayer`` share the packed-particle fields of one base table.
"""

from __future__ import annotations

import stressfem.case as case

FORMER_NAMES = """Case load_case LoadedCase CASE_FILE ZERO_CELSIUS_K PositiveFloat FiniteFloat PositiveInt NonNegativeInt
Vector3 Name CteTable ChemicalStrainSpec CrystalStiffness DiffusivityTable MaterialSpec FixedSize LognormalSize
SizeDistribution CoatingSpec MAX_SPHERE_FRACTION MAX_FUSED_FRACTION GrainsSpec ParticlesGeometry MshGeometry
DenseLayer CompositeLayer Layer LayeredGeometry ImageGeometry Geometry MeshSpec CoolingStage SocStage CyclesStage
GalvanostaticStage Stage OrientationSpec Surfaces RollerBC FixedBC PressureBC TractionBC BoundaryCondition
PetscValue SolverSpec OutputSpec BilinearLawSpec ExponentialLawSpec CohesiveLawSpec InterfaceSpec
CohesiveSolverSpec""".split()


def test_former_names_are_importable():
    assert len(FORMER_NAMES) == 52
    assert [n for n in FORMER_NAMES if not hasattr(case, n)] == []
    assert set(FORMER_NAMES) <= set(case.__all__)


def test_all_is_consistent():
    assert [n for n in case.__all__ if not hasattr(case, n)] == []
    namespace: dict = {}
    exec("from stressfem.case import *", namespace)
    assert set(case.__all__) <= set(namespace)


def test_packed_particles_base():
    shared = set(case.PackedParticles.model_fields)
    assert len(shared) == 11
    for table in (case.ParticlesGeometry, case.CompositeLayer):
        assert issubclass(table, case.PackedParticles) and shared <= set(table.model_fields)
