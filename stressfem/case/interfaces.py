"""[[interfaces]] and [cohesive_solver]: cohesive laws on named interfaces and their Newton solver."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, ValidationInfo, create_model, field_validator, model_validator

from ..physics.cohesive import LAWS, make_law
from ..physics.cohesive.params import parameters
from .common import PetscOptions, Table

__all__ = ["law_table", "BilinearLawSpec", "ExponentialLawSpec", "SpringLawSpec", "CohesiveLawSpec", "InterfaceSpec", "CohesiveSolverSpec"]


def law_table(type_name: str, doc: str) -> type[Table]:
    """The case.toml table of the cohesive law ``LAWS[type_name]``, derived from the parameters the
    law class declares (stressfem/physics/cohesive/params.py): same names, defaults, bounds and
    descriptions; physical parameters first, numerical knobs last."""
    fields: dict = {"type": (Literal[type_name], ...)}
    for p in parameters(LAWS[type_name]):
        value_type = Annotated[float, Field(gt=p.gt, ge=p.ge, allow_inf_nan=False)]
        fields[p.name] = (value_type, Field(... if p.required else p.default, description=p.description))
    name = f"{type_name.capitalize()}LawSpec"
    return create_model(name, __base__=Table, __module__=__name__, __doc__=doc, **fields)


BilinearLawSpec = law_table(
    "bilinear", "Bilinear mixed-mode law (Camanho-Davila onset, Benzeggagh-Kenane propagation); docs/cohesive.md.")
ExponentialLawSpec = law_table(
    "exponential", "Exponential Xu-Needleman-type law with secant unloading (one fracture energy); docs/cohesive.md.")


SpringLawSpec = law_table(
    "spring", "Linear spring (imperfect, always bonded) interface: tractions k_n jn, k_t js; docs/cohesive.md.")


CohesiveLawSpec = Annotated[Union[BilinearLawSpec, ExponentialLawSpec, SpringLawSpec], Field(discriminator="type")]


class InterfaceSpec(Table):
    """A cohesive interface; unlisted interfaces stay bonded (docs/cohesive.md).

    ``name``: ``"A/B"`` (phases A, the particle side, and B), ``"<phase>#gb"`` (boundaries between
    different volumes of one phase: grain boundaries, particle/particle contacts) or the name of a
    physical surface of a .msh geometry.
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+\-#]+(/[A-Za-z0-9_.+\-]+)?$")]
    law: CohesiveLawSpec

    @model_validator(mode="after")
    def _law_is_valid(self) -> "InterfaceSpec":
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


class CohesiveSolverSpec(Table):
    """Newton (PETSc SNES) and adaptive load stepping of cases with [[interfaces]]."""

    method: Literal["newton", "secant", "newton_secant"] = "newton"
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
    petsc_options: PetscOptions = {}

    @field_validator("petsc_options")
    @classmethod
    def _allowlist(cls, opts: dict, info: ValidationInfo) -> dict:
        """Only solver tuning (stressfem/petsc_policy.py); preonly needs linear_solver = "direct" or an LU pc."""
        from ..petsc_policy import check_petsc_options

        pc = {"direct": "lu", "iterative": "gamg"}.get(info.data.get("linear_solver", "auto"))
        check_petsc_options(opts, snes=True, defaults={"pc_type": pc})
        return opts
