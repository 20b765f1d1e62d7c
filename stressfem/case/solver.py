"""[solver]: discretisation and the linear solver of the bulk problem."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .common import PetscOptions, Table

__all__ = ["SolverSpec"]


class SolverSpec(Table):
    """Discretisation and linear solver: P1 or P2 displacement, CG + GAMG by default.

    ``element_degree`` unset: 2 (P2, docs/accuracy.md), but 1 with cohesive [[interfaces]] (2 is
    available there on the non-periodic Newton path, docs/cohesive.md) and on hexahedral image meshes
    (Q1: one Q2 cell per voxel costs 7x the dofs; it gives better means but lower tail statistics
    than 2 x 2 x 2 Q1 cells at the same dofs, so the shipped
    tomography case keeps Q1 with subdivide = 2, docs/accuracy.md); Case fills it in, so
    case.resolved.json records the choice.
    """

    element_degree: Literal[1, 2] | None = None
    rtol: Annotated[float, Field(gt=0.0, lt=1.0)] = 1e-10
    max_iterations: Annotated[int, Field(ge=1)] = 2000
    petsc_options: PetscOptions = {}
    superposition: Literal["auto", "off"] = "auto"  # solver/superposition.py: linear paths from pattern solves

    @field_validator("petsc_options")
    @classmethod
    def _allowlist(cls, opts: dict) -> dict:
        """Only solver tuning (stressfem/petsc_policy.py): no file output, no code loading."""
        from ..petsc_policy import check_petsc_options
        from ..solver.options import ELASTICITY_DEFAULTS

        check_petsc_options(opts, snes=False, defaults=ELASTICITY_DEFAULTS)
        return opts
