"""case.toml -> validated, typed case objects; clear errors naming file, key and what is allowed.

Units are SI (Pa, m, K, s) unless the key name says otherwise (``_um``, ``_C``).
Every key is documented in docs/case-format.md.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import CaseError
from .periodic_spec import PeriodicSpec

__all__ = [
    "Case",
    "load_case",
    "CoolingStage",
    "ParticlesGeometry",
    "MshGeometry",
    "LayeredGeometry",
    "ImageGeometry",
    "MeshSpec",
    "MaterialSpec",
    "CteTable",
    "ZERO_CELSIUS_K",
]

ZERO_CELSIUS_K = 273.15
CASE_FILE = "case.toml"

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Vector3 = tuple[FiniteFloat, FiniteFloat, FiniteFloat]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.+\-]+$")]


class _Table(BaseModel):
    """A TOML table: unknown keys are errors, values are immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- materials
class CteTable(_Table):
    """Instantaneous (tangent) CTE alpha(T) (1/K) at temperatures (K); linear in between."""

    temperature_K: list[PositiveFloat] = Field(min_length=2)
    cte_per_K: list[FiniteFloat] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> "CteTable":
        if len(self.temperature_K) != len(self.cte_per_K):
            raise ValueError("temperature_K and cte_per_K must have the same length")
        if any(b <= a for a, b in zip(self.temperature_K, self.temperature_K[1:])):
            raise ValueError("temperature_K must be strictly increasing")
        return self


class ChemicalStrainSpec(_Table):
    """Lattice strain (-) along crystal a and c versus Li content x (-), or isotropic via volume_change."""

    x: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(min_length=2)
    strain_a: list[FiniteFloat] | None = None
    strain_c: list[FiniteFloat] | None = None
    volume_change: list[Annotated[float, Field(gt=-0.5, lt=0.5)]] | None = None
    x_soc0: Annotated[float, Field(ge=0.0, le=2.0)] = 1.0
    x_soc1: Annotated[float, Field(ge=0.0, le=2.0)]

    @model_validator(mode="after")
    def _columns(self) -> "ChemicalStrainSpec":
        aniso = self.strain_a is not None or self.strain_c is not None
        if aniso == (self.volume_change is not None) or (aniso and (self.strain_a is None or self.strain_c is None)):
            raise ValueError("give strain_a and strain_c (anisotropic), or volume_change (isotropic)")
        for col in ("strain_a", "strain_c", "volume_change"):
            v = getattr(self, col)
            if v is not None and len(v) != len(self.x):
                raise ValueError(f"{col} must have as many entries as x")
        return self


class CrystalStiffness(_Table):
    """Transversely isotropic single-crystal elastic constants (Pa), c axis = 3."""

    C11: PositiveFloat
    C12: FiniteFloat
    C13: FiniteFloat
    C33: PositiveFloat
    C44: PositiveFloat


class DiffusivityTable(_Table):
    """Li diffusivity D (m2/s) versus Li content x (-), linear in between."""

    x: list[Annotated[float, Field(ge=0.0, le=2.0)]] = Field(min_length=2)
    D_m2_per_s: list[PositiveFloat] = Field(min_length=2)


class MaterialSpec(_Table):
    """Overrides of a library material, or a new material defined inline."""

    base: str | None = None
    youngs_modulus_Pa: PositiveFloat | None = None
    poisson_ratio: Annotated[float, Field(gt=-1.0, lt=0.5)] | None = None
    cte_per_K: FiniteFloat | None = None
    cte_table: CteTable | None = None
    density_kg_per_m3: PositiveFloat | None = None
    chemical_strain: ChemicalStrainSpec | None = None
    crystal_stiffness_Pa: CrystalStiffness | None = None
    diffusivity_m2_per_s: PositiveFloat | None = None
    diffusivity_table: DiffusivityTable | None = None
    max_concentration_mol_per_m3: PositiveFloat | None = None
    partial_molar_volume_m3_per_mol: FiniteFloat | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_cte(self) -> "MaterialSpec":
        if self.cte_per_K is not None and self.cte_table is not None:
            raise ValueError("give either cte_per_K or cte_table, not both")
        return self


# ----------------------------------------------------------------------------- geometry
class FixedSize(_Table):
    """All particles have the same diameter (um)."""

    type: Literal["fixed"]
    diameter_um: PositiveFloat


class LognormalSize(_Table):
    """Lognormal diameters: median d50 (um) and spread sigma_ln = std. dev. of ln(d), or d90 (um)."""

    type: Literal["lognormal"]
    d50_um: PositiveFloat
    sigma_ln: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    d90_um: PositiveFloat | None = None

    @model_validator(mode="after")
    def _spread(self) -> "LognormalSize":
        if self.sigma_ln is not None and self.d90_um is not None:
            raise ValueError("give either sigma_ln or d90_um, not both")
        if self.d90_um is not None and not self.d50_um < self.d90_um <= 3.0 * self.d50_um:
            raise ValueError("d90_um must lie between d50_um and 3 d50_um")
        return self

    @property
    def sigma(self) -> float:
        """sigma_ln; from d90: ln(d90/d50)/z90 with z90 = 1.2816 (90 % quantile of N(0,1)); default 0.2."""
        if self.d90_um is not None:
            import math

            return math.log(self.d90_um / self.d50_um) / 1.2815515655446004
        return 0.2 if self.sigma_ln is None else self.sigma_ln


SizeDistribution = Annotated[Union[FixedSize, LognormalSize], Field(discriminator="type")]


class CoatingSpec(_Table):
    """A conformal shell (e.g. ALD ZrO2) of the given thickness around every particle (um).

    Shells at least ``min_meshed_thickness_um`` thick are meshed as a volume of phase
    ``phase``; thinner ones are not meshed and are recorded as an interface property
    (docs/geometry.md)."""

    phase: Name
    thickness_um: PositiveFloat
    min_meshed_thickness_um: PositiveFloat = 0.1

    @property
    def meshed(self) -> bool:
        return self.thickness_um >= self.min_meshed_thickness_um


MAX_SPHERE_FRACTION = 0.64  # random sphere packings jam near 0.645 (docs/geometry.md)
MAX_FUSED_FRACTION = 0.85  # contact = "fused": jammed spheres (~0.64) grown by at most 15 % in radius


def _check_contact(table) -> None:
    """Fractions above random packing need fused contacts, which exclude coatings and grains."""
    if table.contact != "fused" and table.volume_fraction > MAX_SPHERE_FRACTION:
        raise ValueError(
            f"volume_fraction {table.volume_fraction} is above what random sphere packings reach "
            f"({MAX_SPHERE_FRACTION}); set contact = \"fused\" (sintered, overlapping particles) or lower it")
    if table.contact == "fused" and (table.coating is not None or table.grains is not None):
        raise ValueError('contact = "fused" does not support coating or grains (overlapping particles would '
                         'overlap their shells and grains)')


class GrainsSpec(_Table):
    """Polycrystalline secondary particles: Voronoi primary grains clipped to each particle."""

    grains_per_particle: Annotated[int, Field(ge=2, le=64)] = 8


class ParticlesGeometry(_Table):
    """Spherical particles packed in a cuboid of electrolyte, cut by the box faces."""

    type: Literal["particles"]
    box_um: tuple[PositiveFloat, PositiveFloat, PositiveFloat]
    volume_fraction: Annotated[float, Field(gt=0.0, le=MAX_FUSED_FRACTION)]
    size_distribution: SizeDistribution
    particle_phase: Name = "particles"
    matrix_phase: Name = "electrolyte"
    seed: Annotated[int, Field(ge=0)] = 0
    min_gap_fraction: Annotated[float, Field(ge=0.005, le=0.2)] = 0.03
    contact: Literal["gap", "neck", "fused"] = "gap"
    neck_radius_fraction: Annotated[float, Field(gt=0.0, le=0.6)] = 0.3
    min_wedge_deg: Annotated[float, Field(ge=5.0, le=60.0)] = 25.0
    max_particles: Annotated[int, Field(ge=1, le=5000)] = 2000
    coating: CoatingSpec | None = None
    grains: GrainsSpec | None = None

    @model_validator(mode="after")
    def _distinct(self) -> "ParticlesGeometry":
        _check_contact(self)
        names = [self.particle_phase, self.matrix_phase] + ([self.coating.phase] if self.coating else [])
        if len(set(names)) != len(names):
            raise ValueError("particle_phase, matrix_phase and coating.phase must differ")
        return self

    @property
    def phase_names(self) -> list[str]:
        coat = [self.coating.phase] if self.coating is not None and self.coating.meshed else []
        return [self.particle_phase, self.matrix_phase] + coat


class MshGeometry(_Table):
    """A Gmsh .msh file; physical volume names are phases, surface names are boundaries."""

    type: Literal["msh"]
    file: str = Field(min_length=1)
    length_unit_m: PositiveFloat = 1.0


class DenseLayer(_Table):
    """A dense single-phase layer (separator, current collector, substrate) of a layered stack."""

    type: Literal["dense"]
    name: Name
    phase: Name
    thickness_um: PositiveFloat


class CompositeLayer(_Table):
    """A particle-resolved composite layer: particles packed periodically in the layer box, cut by it."""

    type: Literal["composite"]
    name: Name
    thickness_um: PositiveFloat
    volume_fraction: Annotated[float, Field(gt=0.0, le=MAX_FUSED_FRACTION)]
    size_distribution: SizeDistribution
    particle_phase: Name
    matrix_phase: Name
    min_gap_fraction: Annotated[float, Field(ge=0.005, le=0.2)] = 0.03
    contact: Literal["gap", "neck", "fused"] = "gap"
    neck_radius_fraction: Annotated[float, Field(gt=0.0, le=0.6)] = 0.3
    min_wedge_deg: Annotated[float, Field(ge=5.0, le=60.0)] = 25.0
    max_particles: Annotated[int, Field(ge=1, le=5000)] = 2000
    coating: CoatingSpec | None = None
    grains: GrainsSpec | None = None

    @model_validator(mode="after")
    def _contact(self) -> "CompositeLayer":
        _check_contact(self)
        return self


Layer = Annotated[Union[DenseLayer, CompositeLayer], Field(discriminator="type")]


class LayeredGeometry(_Table):
    """Layers stacked along z from z = 0 (first layer) upwards, lateral size lateral_um (x, y)."""

    type: Literal["layered"]
    lateral_um: tuple[PositiveFloat, PositiveFloat]
    layers: list[Layer] = Field(min_length=1)
    seed: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _names(self) -> "LayeredGeometry":
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique (got {names})")
        return self

    @property
    def phase_names(self) -> list[str]:
        out: list[str] = []
        for layer in self.layers:
            if layer.type == "dense":
                new = [layer.phase]
            else:
                new = [layer.particle_phase, layer.matrix_phase]
                if layer.coating is not None and layer.coating.meshed:
                    new.append(layer.coating.phase)
            out += [p for p in new if p not in out]
        return out


class ImageGeometry(_Table):
    """A labelled 3D image (TIFF stack, .npy or .raw) meshed voxel by voxel: one hexahedron per
    voxel (``element = "hexahedron"``, default) or 6 tetrahedra (``"tetrahedron"``); hexahedra can
    get ``smoothing_iterations`` Taubin steps on interfaces and pore surfaces."""

    type: Literal["image"]
    file: str = Field(min_length=1)
    voxel_size_m: PositiveFloat
    element: Literal["hexahedron", "tetrahedron"] = "hexahedron"
    smoothing_iterations: Annotated[int, Field(ge=0, le=20)] = 0
    labels: dict[Annotated[str, Field(pattern=r"^[0-9]+$")], Name] = Field(min_length=1)
    axis_order: Literal["zyx", "xyz"] = "zyx"
    shape: tuple[PositiveInt, PositiveInt, PositiveInt] | None = None
    dtype: Literal["uint8", "uint16", "int16", "int32", "uint32"] | None = None
    crop_voxels: tuple[tuple[NonNegativeInt, PositiveInt], tuple[NonNegativeInt, PositiveInt],
                       tuple[NonNegativeInt, PositiveInt]] | None = None
    downsample: Annotated[int, Field(ge=1, le=64)] = 1
    active_phase: Name | None = None
    electrolyte_phase: Name | None = None

    @model_validator(mode="after")
    def _smoothing_needs_hexahedra(self) -> "ImageGeometry":
        if self.smoothing_iterations and self.element != "hexahedron":
            raise ValueError('smoothing_iterations needs element = "hexahedron" (smoothed Kuhn tetrahedra '
                             'degenerate); set smoothing_iterations = 0 for tetrahedra')
        return self

    @property
    def phase_names(self) -> list[str]:
        out: list[str] = []
        for p in self.labels.values():
            if p != "void" and p not in out:
                out.append(p)
        return out


Geometry = Annotated[Union[ParticlesGeometry, MshGeometry, LayeredGeometry, ImageGeometry],
                     Field(discriminator="type")]


class MeshSpec(_Table):
    """Mesh controls for generated geometry (lengths in um)."""

    size_um: PositiveFloat | None = None
    interface_size_um: PositiveFloat | None = None
    algorithm: Literal["hxt", "delaunay"] = "hxt"
    threads: Annotated[int, Field(ge=1, le=256)] = 2
    curvature_points: Annotated[int, Field(ge=0, le=100)] = 12


# ----------------------------------------------------------------------------- loads
class _Temperatures(_Table):
    """Temperatures may be given in K (``_K``) or in degrees Celsius (``_C``)."""

    def _kelvin(self, stem: str) -> float:
        k, c = getattr(self, f"{stem}_K"), getattr(self, f"{stem}_C")
        return float(k) if k is not None else float(c) + ZERO_CELSIUS_K


class CoolingStage(_Temperatures):
    """Uniform temperature ramp from the stress-free temperature to a final one."""

    type: Literal["cooling"]
    name: Name = "cooling"
    stress_free_temperature_K: PositiveFloat | None = None
    stress_free_temperature_C: Annotated[float, Field(gt=-ZERO_CELSIUS_K)] | None = None
    final_temperature_K: PositiveFloat | None = None
    final_temperature_C: Annotated[float, Field(gt=-ZERO_CELSIUS_K)] | None = None
    increments: Annotated[int, Field(ge=1, le=10000)] = 10

    @model_validator(mode="after")
    def _exactly_one(self) -> "CoolingStage":
        for stem in ("stress_free_temperature", "final_temperature"):
            given = [getattr(self, f"{stem}_{u}") is not None for u in ("K", "C")]
            if sum(given) != 1:
                raise ValueError(f"give exactly one of {stem}_K or {stem}_C")
        return self

    @property
    def start_K(self) -> float:
        return self._kelvin("stress_free_temperature")

    @property
    def end_K(self) -> float:
        return self._kelvin("final_temperature")


class SocStage(_Table):
    """Equilibrium (de)lithiation: uniform state of charge in every particle, swept quasi-statically."""

    type: Literal["soc"]
    name: Name = "charge"
    soc_start: Annotated[float, Field(ge=0.0, le=1.0)] | None = None  # None: carry on from the previous stage
    soc_end: Annotated[float, Field(ge=0.0, le=1.0)]
    increments: Annotated[int, Field(ge=1, le=10000)] = 10


class CyclesStage(_Table):
    """Repeated equilibrium charge (soc_low -> soc_high) and discharge, count times."""

    type: Literal["cycles"]
    name: Name = "cycle"
    count: Annotated[int, Field(ge=1, le=1000)]
    soc_low: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    soc_high: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0
    increments: Annotated[int, Field(ge=1, le=10000)] = 5  # per half cycle


class GalvanostaticStage(_Table):
    """Kinetic (de)lithiation: Fickian Li diffusion in the particles under a constant surface flux."""

    type: Literal["galvanostatic"]
    name: Name = "galvanostatic"
    direction: Literal["charge", "discharge"] = "charge"
    c_rate_per_h: PositiveFloat = 1.0
    soc_end: Annotated[float, Field(ge=0.0, le=1.0)] | None = None  # default 1 (charge) or 0 (discharge)
    duration_s: PositiveFloat | None = None  # alternative to soc_end
    increments: Annotated[int, Field(ge=1, le=100000)] = 20
    flux_surfaces: list[Name] | None = None  # default: every <phase>/<other> interface of diffusing phases
    stress_coupling: bool = False
    temperature_K: PositiveFloat | None = None  # for the stress coupling; default: the current temperature


Stage = Annotated[Union[CoolingStage, SocStage, CyclesStage, GalvanostaticStage], Field(discriminator="type")]


class OrientationSpec(_Table):
    """Crystal c-axis orientation of anisotropic phases, per particle (or per grain/region)."""

    distribution: Literal["random", "textured", "aligned"] = "random"
    c_axis: tuple[FiniteFloat, FiniteFloat, FiniteFloat] = (0.0, 0.0, 1.0)
    spread_deg: Annotated[float, Field(ge=0.0, le=180.0)] = 15.0
    seed: Annotated[int, Field(ge=0)] = 0


# ----------------------------------------------------------------------------- boundary conditions
Surfaces = Annotated[list[Name], Field(min_length=1)]


class RollerBC(_Table):
    """Symmetry: zero normal displacement on planar, axis-aligned surfaces."""

    type: Literal["roller"]
    surfaces: Surfaces


class FixedBC(_Table):
    """Prescribed displacement (m), zero by default."""

    type: Literal["fixed"]
    surfaces: Surfaces
    displacement_m: Vector3 = (0.0, 0.0, 0.0)


class PressureBC(_Table):
    """Uniform pressure (Pa) acting against the outward normal (stack pressure)."""

    type: Literal["pressure"]
    surfaces: Surfaces
    pressure_Pa: FiniteFloat


class TractionBC(_Table):
    """Uniform traction vector (Pa) on the surfaces."""

    type: Literal["traction"]
    surfaces: Surfaces
    traction_Pa: Vector3


BoundaryCondition = Annotated[
    Union[RollerBC, FixedBC, PressureBC, TractionBC], Field(discriminator="type")
]


# ----------------------------------------------------------------------------- solver, output
PetscValue = Union[bool, int, float, str]


class SolverSpec(_Table):
    """Discretisation and linear solver: P1 or P2 displacement, CG + GAMG by default."""

    element_degree: Literal[1, 2] = 1
    rtol: Annotated[float, Field(gt=0.0, lt=1.0)] = 1e-10
    max_iterations: Annotated[int, Field(ge=1)] = 2000
    petsc_options: dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], PetscValue] = {}


class OutputSpec(_Table):
    """What is written to CASE/results/."""

    fields: bool = True
    fields_every_increment: bool = False


# ----------------------------------------------------------------------------- cohesive interfaces
class BilinearLawSpec(_Table):
    """Bilinear mixed-mode law (Camanho-Davila onset, Benzeggagh-Kenane propagation); docs/cohesive.md."""

    type: Literal["bilinear"]
    penalty_stiffness_Pa_per_m: PositiveFloat
    normal_strength_Pa: PositiveFloat
    shear_strength_Pa: PositiveFloat
    GIc_J_per_m2: PositiveFloat
    GIIc_J_per_m2: PositiveFloat
    bk_exponent: PositiveFloat = 2.0
    viscosity_s: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0


class ExponentialLawSpec(_Table):
    """Exponential Xu-Needleman-type law with secant unloading (one fracture energy); docs/cohesive.md."""

    type: Literal["exponential"]
    penalty_stiffness_Pa_per_m: PositiveFloat
    normal_strength_Pa: PositiveFloat
    shear_strength_Pa: PositiveFloat
    GIc_J_per_m2: PositiveFloat
    viscosity_s: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0


CohesiveLawSpec = Annotated[Union[BilinearLawSpec, ExponentialLawSpec], Field(discriminator="type")]


class InterfaceSpec(_Table):
    """A cohesive interface; unlisted interfaces stay bonded (docs/cohesive.md).

    ``name``: ``"A/B"`` (phases A, the particle side, and B), ``"<phase>#gb"`` (boundaries between
    different volumes of one phase: grain boundaries, particle/particle contacts) or the name of a
    physical surface of a .msh geometry.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+\-#]+(/[A-Za-z0-9_.+\-]+)?$")]
    law: CohesiveLawSpec

    @model_validator(mode="after")
    def _law_is_valid(self) -> "InterfaceSpec":
        from .physics.cohesive import make_law

        make_law(self.law.model_dump())  # raises ValueError, e.g. a penalty too small for the strengths
        return self

    @property
    def kind(self) -> str:
        """``"phases"`` (A/B), ``"bodies"`` (<phase>#gb) or ``"surface"`` (a named physical surface)."""
        if "/" in self.name:
            return "phases"
        return "bodies" if self.name.endswith("#gb") else "surface"

    @property
    def phases(self) -> tuple[str, str]:
        """The two phases (A, B) of ``A/B``; (phase, phase) for ``<phase>#gb``; empty for a surface."""
        if self.kind == "phases":
            a, b = self.name.split("/")
            return a, b
        if self.kind == "bodies":
            p = self.name[: -len("#gb")]
            return p, p
        return ()


class CohesiveSolverSpec(_Table):
    """Newton (PETSc SNES) and adaptive load stepping of cases with [[interfaces]]."""

    rtol: Annotated[float, Field(gt=0.0, lt=1.0)] = 1e-9
    max_newton_iterations: Annotated[int, Field(ge=1, le=500)] = 25
    line_search: Literal["basic", "bt"] = "basic"
    first_step_fraction: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    min_step_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 1e-4
    cut_factor: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5
    grow_factor: Annotated[float, Field(ge=1.0, le=10.0)] = 1.5
    easy_iterations: Annotated[int, Field(ge=1)] = 5
    linear_solver: Literal["auto", "direct", "iterative"] = "auto"
    reuse_factorization: bool = True
    refactor_ksp_iterations: Annotated[int, Field(ge=1, le=1000)] = 12
    refresh_ksp_growth: Annotated[float, Field(ge=1.0, le=100.0)] = 2.0
    stall_iterations: Annotated[int, Field(ge=0, le=500)] = 0
    petsc_options: dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")], PetscValue] = {}


class Case(_Table):
    """A whole case.toml."""

    title: str = ""
    geometry: Geometry
    mesh: MeshSpec = MeshSpec()
    phases: dict[Name, Name] = Field(min_length=1)
    materials: dict[Name, MaterialSpec] = {}
    stages: list[Stage] = Field(min_length=1)
    orientation: OrientationSpec = OrientationSpec()
    boundary_conditions: list[BoundaryCondition] = []
    solver: SolverSpec = SolverSpec()
    output: OutputSpec = OutputSpec()
    interfaces: list[InterfaceSpec] = []
    cohesive_solver: CohesiveSolverSpec = CohesiveSolverSpec()
    periodic: PeriodicSpec | None = None

    @field_validator("stages")
    @classmethod
    def _unique_stage_names(cls, stages: list) -> list:
        names = [s.name for s in stages]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"stage names must be unique; repeated: {sorted(dup)}")
        return stages

    @model_validator(mode="after")
    def _interface_phases(self) -> "Case":
        names = [i.name for i in self.interfaces]
        allowed = ('"A/B" (phases A != B of [phases]), "<phase>#gb" (between volumes of one phase) or a '
                   'physical surface name of a .msh geometry')
        for k, spec in enumerate(self.interfaces):
            if spec.kind == "phases":
                unknown = [p for p in spec.phases if p not in self.phases]
                if unknown or spec.phases[0] == spec.phases[1]:
                    same = (f"; for boundaries between volumes of one phase use \"{spec.phases[0]}#gb\""
                            if spec.phases[0] == spec.phases[1] else "")
                    raise ValueError(f"interfaces[{k}].name = {spec.name!r}: both sides must be different phases "
                                     f"of [phases] ({sorted(self.phases)}){same}; allowed: {allowed}")
            elif spec.kind == "bodies":
                if spec.phases[0] not in self.phases:
                    raise ValueError(f"interfaces[{k}].name = {spec.name!r}: {spec.phases[0]!r} is not a phase of "
                                     f"[phases] ({sorted(self.phases)}); allowed: {allowed}")
            elif not isinstance(self.geometry, MshGeometry):
                raise ValueError(f"interfaces[{k}].name = {spec.name!r}: not an interface name; allowed: "
                                 + (allowed if isinstance(self.geometry, MshGeometry) else
                                    '"A/B" or "<phase>#gb" (named surfaces need a geometry of type "msh")'))
            if names.count(spec.name) > 1 or (spec.kind == "phases" and "/".join(spec.phases[::-1]) in names):
                raise ValueError(f"interface {spec.name!r} is listed twice")
        return self


# ----------------------------------------------------------------------------- loading
def _members(annotation: Any) -> list[type[BaseModel]]:
    """The table classes an annotation can hold (through list, dict, Optional, Union)."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _members(arg)
    return out


def _walk(loc: tuple) -> tuple[str, list[str] | None]:
    """Dotted key for a pydantic error location, and the keys allowed in its table."""
    import typing

    model: type[BaseModel] | None = Case
    pending: list[type[BaseModel]] = []
    dict_key_next = False
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):  # list index
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            continue
        if dict_key_next:  # a user-chosen key of a dict table, e.g. materials.<name>
            parts.append(str(item))
            dict_key_next = False
            model = pending[0] if len(pending) == 1 else None
            continue
        if item == "[key]":  # pydantic's marker for an invalid dict key
            parts = parts[:-1]
            break
        tagged = [c for c in pending if "type" in c.model_fields
                  and item in typing.get_args(c.model_fields["type"].annotation)]
        if tagged:  # pydantic puts the union's `type` tag in the location
            model, pending = tagged[0], []
            continue
        if len(pending) == 1:
            model = pending[0]
        pending = []
        parts.append(str(item))
        field = model.model_fields.get(item) if model is not None else None
        if field is None:
            break
        pending = _members(field.annotation)
        dict_key_next = typing.get_origin(field.annotation) is dict
        model = pending[0] if len(pending) == 1 and not dict_key_next else None
    allowed = sorted(model.model_fields) if model is not None else None
    return ".".join(parts), allowed


def _case_error(file: Path, err: ValidationError) -> CaseError:
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")  # typos first
    first = errors[0]
    key, allowed = _walk(tuple(first["loc"]))
    kind = first["type"]
    if kind == "extra_forbidden":
        msg = "unknown key"
        if allowed:
            msg += f"; allowed keys here: {', '.join(allowed)}"
    elif kind == "missing":
        msg = "required key is missing"
    else:
        msg = first["msg"].removeprefix("Value error, ")
        if kind not in ("model_type", "dict_type", "list_type") and not kind.startswith("value_error"):
            msg += f" (got {first.get('input')!r})"
    n_more = len(err.errors()) - 1
    if n_more:
        msg += f" [{n_more} more problem(s) after this one]"
    return CaseError(str(file), key, msg)


def load_case(case_dir: str | Path) -> "LoadedCase":
    """Read and validate CASE/case.toml (or a path to a .toml file)."""
    path = Path(case_dir)
    file = path if path.suffix == ".toml" else path / CASE_FILE
    if not file.is_file():
        raise CaseError(str(file), "", "no such file; a case is a folder holding case.toml")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(str(file), "", f"not valid TOML: {exc}") from None
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise _case_error(file, exc) from None
    loaded = LoadedCase(case=case, file=file.resolve(), directory=file.parent.resolve())
    loaded.check_cross_references()
    return loaded


class LoadedCase:
    """A validated case with the location it was read from."""

    def __init__(self, case: Case, file: Path, directory: Path):
        self.case, self.file, self.directory = case, file, directory

    def error(self, key: str, message: str) -> CaseError:
        return CaseError(str(self.file), key, message)

    def check_cross_references(self) -> None:
        """Checks that span tables: phases vs geometry, materials vs library."""
        from .materials import resolve_materials

        c = self.case
        if isinstance(c.geometry, ParticlesGeometry):
            for key, name in (("particle_phase", c.geometry.particle_phase), ("matrix_phase", c.geometry.matrix_phase)):
                if name not in c.phases:
                    raise self.error(
                        "phases", f"geometry.{key} = {name!r} has no material; add `{name} = \"<material>\"` "
                        f"under [phases] (phases given: {sorted(c.phases)})"
                    )
            extra = set(c.phases) - set(c.geometry.phase_names)
            if extra:
                raise self.error("phases", f"phases {sorted(extra)} are not in the generated geometry "
                                 f"(it has {c.geometry.phase_names})")
        elif not isinstance(c.geometry, MshGeometry):  # layered, image: generated phases
            names = c.geometry.phase_names
            missing, extra = sorted(set(names) - set(c.phases)), sorted(set(c.phases) - set(names))
            if missing:
                raise self.error("phases", f"geometry phases {missing} have no material; add "
                                 f"`<name> = \"<material>\"` under [phases] for each")
            if extra:
                raise self.error("phases", f"phases {extra} are not in the generated geometry (it has {names})")
            if isinstance(c.geometry, ImageGeometry) and not self.input_path(c.geometry.file).is_file():
                raise self.error("geometry.file", f"file not found: {self.input_path(c.geometry.file)}")
        else:
            msh = self.msh_path()
            if not msh.is_file():
                raise self.error("geometry.file", f"file not found: {msh}")
        resolve_materials(self)  # raises CaseError on unknown names or missing properties
        if c.periodic is not None:
            from .periodic_spec import check_periodic_case

            check_periodic_case(self)

    def input_path(self, file: str) -> Path:
        """A file named in the case, relative to the case folder unless absolute."""
        p = Path(file)
        return p if p.is_absolute() else (self.directory / p)

    def msh_path(self) -> Path:
        g = self.case.geometry
        assert isinstance(g, MshGeometry)
        p = Path(g.file)
        return p if p.is_absolute() else (self.directory / p)

    def resolved_json(self) -> str:
        """The case with every default filled in, as JSON (written next to the results)."""
        from .materials import resolve_materials

        out = self.case.model_dump(mode="json")
        out["resolved_materials"] = {p: m.as_dict() for p, m in resolve_materials(self).items()}
        for stage, data in zip(self.case.stages, out["stages"]):
            if isinstance(stage, CoolingStage):
                data["start_temperature_K"] = stage.start_K
                data["end_temperature_K"] = stage.end_K
        return json.dumps(out, indent=2)
