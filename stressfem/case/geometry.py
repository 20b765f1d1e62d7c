"""[geometry] tables: packed particles, a Gmsh file, a layered stack or a labelled image (lengths in um
unless the key says otherwise)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .common import LengthUm, Name, NonNegativeInt, PositiveInt, Table
from .particles import PackedParticles

__all__ = [
    "ParticlesGeometry",
    "MshGeometry",
    "DenseLayer",
    "CompositeLayer",
    "Layer",
    "LayeredGeometry",
    "ImageGeometry",
    "Geometry",
]


class ParticlesGeometry(PackedParticles):
    """Spherical particles packed in a cuboid of electrolyte, cut by the box faces."""

    type: Literal["particles"]
    box_um: tuple[LengthUm, LengthUm, LengthUm]
    particle_phase: Name = "particles"
    matrix_phase: Name = "electrolyte"
    seed: Annotated[int, Field(ge=0)] = 0
    # a packing written next to a generated mesh (CASE/mesh/*.packing.json): reproduces that mesh exactly
    packing_file: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> "ParticlesGeometry":
        names = [self.particle_phase, self.matrix_phase] + ([self.coating.phase] if self.coating else [])
        if len(set(names)) != len(names):
            raise ValueError("particle_phase, matrix_phase and coating.phase must differ")
        self.check_fits(min(self.box_um), "the box (box_um)")
        return self

    @property
    def phase_names(self) -> list[str]:
        return self.meshed_phase_names


class MshGeometry(Table):
    """A Gmsh .msh file; physical volume names are phases, surface names are boundaries."""

    type: Literal["msh"]
    file: str = Field(min_length=1)
    length_unit_m: Annotated[float, Field(ge=1e-10, le=1.0)] = 1.0


class DenseLayer(Table):
    """A dense single-phase layer (separator, current collector, substrate) of a layered stack."""

    type: Literal["dense"]
    name: Name
    phase: Name
    thickness_um: LengthUm


class CompositeLayer(PackedParticles):
    """A particle-resolved composite layer: particles packed periodically in the layer box, cut by it."""

    type: Literal["composite"]
    name: Name
    thickness_um: LengthUm


Layer = Annotated[Union[DenseLayer, CompositeLayer], Field(discriminator="type")]


class LayeredGeometry(Table):
    """Layers stacked along z from z = 0 (first layer) upwards, lateral size lateral_um (x, y)."""

    type: Literal["layered"]
    lateral_um: tuple[LengthUm, LengthUm]
    layers: list[Layer] = Field(min_length=1)
    seed: Annotated[int, Field(ge=0)] = 0
    packing_file: str | None = Field(default=None, min_length=1)  # as for ParticlesGeometry

    @model_validator(mode="after")
    def _names(self) -> "LayeredGeometry":
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique (got {names})")
        for layer in self.layers:
            if layer.type == "composite":
                layer.check_fits(min(*self.lateral_um, layer.thickness_um),
                                 f"layer {layer.name!r} (lateral_um, thickness_um)")
        return self

    @property
    def phase_names(self) -> list[str]:
        out: list[str] = []
        for layer in self.layers:
            new = [layer.phase] if layer.type == "dense" else layer.meshed_phase_names
            out += [p for p in new if p not in out]
        return out


class ImageGeometry(Table):
    """A labelled 3D image (TIFF stack, .npy or .raw) meshed voxel by voxel: one hexahedron per
    voxel (``element = "hexahedron"``, default) or 6 tetrahedra (``"tetrahedron"``); hexahedra can
    get ``smoothing_iterations`` Taubin steps on interfaces and pore surfaces. ``subdivide`` n splits
    every voxel into n^3 (the same staircase geometry, refined; ``stressfem converge`` uses it)."""

    type: Literal["image"]
    file: str = Field(min_length=1)
    voxel_size_m: Annotated[float, Field(ge=1e-10, le=1e-2)]
    element: Literal["hexahedron", "tetrahedron"] = "hexahedron"
    smoothing_iterations: Annotated[int, Field(ge=0, le=20)] = 0
    labels: dict[Annotated[str, Field(pattern=r"^[0-9]+$")], Name] = Field(min_length=1)
    axis_order: Literal["zyx", "xyz"] = "zyx"
    shape: tuple[PositiveInt, PositiveInt, PositiveInt] | None = None
    dtype: Literal["uint8", "uint16", "int16", "int32", "uint32"] | None = None
    crop_voxels: tuple[tuple[NonNegativeInt, PositiveInt], tuple[NonNegativeInt, PositiveInt],
                       tuple[NonNegativeInt, PositiveInt]] | None = None
    downsample: Annotated[int, Field(ge=1, le=64)] = 1
    subdivide: Annotated[int, Field(ge=1, le=8)] = 1  # cells per voxel edge: same voxel geometry, refined
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
