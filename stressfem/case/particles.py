"""Packed-particle tables: size distributions, coatings, grains, and the fields shared by the
``particles`` geometry and ``composite`` layers (lengths in um)."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .common import LengthUm, Name, Table, ThinLengthUm

__all__ = [
    "FixedSize",
    "LognormalSize",
    "SizeDistribution",
    "CoatingSpec",
    "GrainsSpec",
    "PackedParticles",
    "MAX_SPHERE_FRACTION",
    "MAX_FUSED_FRACTION",
]

MAX_SPHERE_FRACTION = 0.64  # random sphere packings jam near 0.645 (docs/geometry.md)
MAX_FUSED_FRACTION = 0.85  # contact = "fused": jammed spheres (~0.64) grown by at most 15 % in radius


class FixedSize(Table):
    """All particles have the same diameter (um)."""

    type: Literal["fixed"]
    diameter_um: LengthUm


class LognormalSize(Table):
    """Lognormal diameters: median d50 (um) and spread sigma_ln = std. dev. of ln(d), or d90 (um)."""

    type: Literal["lognormal"]
    d50_um: LengthUm
    sigma_ln: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    d90_um: LengthUm | None = None

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
            return math.log(self.d90_um / self.d50_um) / 1.2815515655446004
        return 0.2 if self.sigma_ln is None else self.sigma_ln


SizeDistribution = Annotated[Union[FixedSize, LognormalSize], Field(discriminator="type")]


class CoatingSpec(Table):
    """A conformal shell (e.g. ALD ZrO2) of the given thickness around every particle (um).

    Shells at least ``min_meshed_thickness_um`` thick are meshed as a volume of phase
    ``phase``; thinner ones are not meshed and are recorded as an interface property
    (docs/geometry.md)."""

    phase: Name
    thickness_um: ThinLengthUm
    min_meshed_thickness_um: ThinLengthUm = 0.1

    @property
    def meshed(self) -> bool:
        return self.thickness_um >= self.min_meshed_thickness_um


class GrainsSpec(Table):
    """Polycrystalline secondary particles: Voronoi primary grains clipped to each particle."""

    grains_per_particle: Annotated[int, Field(ge=2, le=64)] = 8


class PackedParticles(Table):
    """What a random packing of particles in electrolyte needs, shared by the ``particles`` geometry
    and ``composite`` layers (the box and the seed are set by the table that holds it)."""

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
    def _contact(self) -> "PackedParticles":
        """Fractions above random packing need fused contacts, which exclude coatings and grains."""
        if self.contact != "fused" and self.volume_fraction > MAX_SPHERE_FRACTION:
            raise ValueError(
                f"volume_fraction {self.volume_fraction} is above what random sphere packings reach "
                f"({MAX_SPHERE_FRACTION}); set contact = \"fused\" (sintered, overlapping particles) or lower it")
        if self.contact == "fused" and (self.coating is not None or self.grains is not None):
            raise ValueError('contact = "fused" does not support coating or grains (overlapping particles would '
                             'overlap their shells and grains)')
        return self

    def check_fits(self, length_um: float, what: str) -> None:
        """ValueError when the requested particle size (diameter or d50) is not below length_um."""
        d = self.size_distribution
        size, key = (d.diameter_um, "diameter_um") if d.type == "fixed" else (d.d50_um, "d50_um")
        if size >= length_um:
            raise ValueError(f"size_distribution.{key} = {size:g} um is not smaller than {what}, {length_um:g} um: "
                             f"particles larger than the box are not supported; enlarge the box or use smaller "
                             f"particles")

    def packing_fields(self) -> dict:
        """The shared fields as keyword arguments (for the other table type)."""
        return {name: getattr(self, name) for name in PackedParticles.model_fields}

    @property
    def meshed_phase_names(self) -> list[str]:
        """Particle and matrix phase, and the coating phase if the coating is meshed."""
        coat = [self.coating.phase] if self.coating is not None and self.coating.meshed else []
        return [self.particle_phase, self.matrix_phase] + coat
