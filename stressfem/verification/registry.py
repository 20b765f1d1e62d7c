"""The verification checks of the test suite, by the physics they cover (for the HTML report).

A static table shipped with the package (checks.toml, package data): the report never reads
tests at run time. Each entry names its test module and requirement id (the bullet ``* <id> ...``
of the module docstring, checked by tests/unit/test_verification_registry.py), the requirement,
its tolerance and the measured error where one is recorded (README.md, docs/*.md, or measured with
the test's set-up on the date given), else None.

Physics keys: the keys of PHYSICS_TITLES (``fracture``: output/tensile.py, ``voltage``:
materials/ocv.py). Step kinds name the physics they exercise in output/schema.py.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

__all__ = ["VerificationCheck", "CHECKS", "PHYSICS_TITLES", "checks_for"]

PHYSICS_TITLES = {
    "thermoelastic": "thermoelastic CTE mismatch (cooling)",
    "chemical": "chemical (lithiation) strain: delithiation / state of charge",
    "diffusion": "Li diffusion in the particles (galvanostatic)",
    "pressure": "stack pressure ramp (surface loads)",
    "superposition": "superposed load path (pattern solutions)",
    "cohesive": "cohesive interfaces (debonding, contact)",
    "coating": "thin (unmeshed) coating: spring layer, cohesive laws of its sides in series",
    "p2": "quadratic (P2) elements",
    "mpi": "MPI-parallel run",
    "fracture": "tensile statistics and Weibull failure probability",
    "voltage": "open-circuit voltage (voltage_V, voltage_end_V)",
    "periodic": "periodic boundary conditions, macroscopic loading, homogenisation",
}


@dataclass(frozen=True)
class VerificationCheck:
    """One requirement of a verification test."""

    test: str  # test module, relative to the repository
    id: str  # requirement id in its docstring
    physics: tuple[str, ...]
    requirement: str
    tolerance: str
    measured: str | None = None  # recorded measured error, None where none is recorded


def _load() -> tuple[VerificationCheck, ...]:
    text = resources.files(__package__).joinpath("checks.toml").read_text(encoding="utf-8")
    return tuple(VerificationCheck(**{**row, "physics": tuple(row["physics"])})
                 for row in tomllib.loads(text)["check"])


CHECKS = _load()


def checks_for(physics: str) -> list[VerificationCheck]:
    """The checks that cover one physics key."""
    return [c for c in CHECKS if physics in c.physics]
