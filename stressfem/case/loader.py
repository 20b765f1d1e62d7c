"""Read case.toml: load_case() -> LoadedCase, with pydantic errors turned into CaseErrors that name
the file, the dotted key and the keys allowed there."""

from __future__ import annotations

import json
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import CaseError
from .checks import phase_problem
from .coating_laws import CoatingLawError, coating_laws, thin_coating_problem
from .common import CASE_FILE
from .geometry import ImageGeometry, MshGeometry
from .root import Case
from .stages import CoolingStage

__all__ = ["load_case", "LoadedCase", "error_location"]


def _members(annotation: Any) -> list[type[BaseModel]]:
    """The table classes an annotation can hold (through list, dict, Optional, Union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _members(arg)
    return out


def error_location(loc: tuple) -> tuple[str, list[str] | None]:
    """Dotted key for a pydantic error location, and the keys allowed in its table."""
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
    key, allowed = error_location(tuple(first["loc"]))
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
        """Checks that span tables: phases vs geometry, input files, materials vs library."""
        from ..materials import resolve_materials

        c = self.case
        problem = phase_problem(c.phases, c.geometry)
        if problem is not None:
            raise self.error(*problem)
        thin = thin_coating_problem(c.interfaces, c.phases, c.geometry)
        if thin is not None:
            raise self.error(*thin)
        if isinstance(c.geometry, (ImageGeometry, MshGeometry)):
            path = self.input_path(c.geometry.file)
            if not path.is_file():
                raise self.error("geometry.file", f"file not found: {path}")
        packing_file = getattr(c.geometry, "packing_file", None)
        if packing_file is not None and not self.input_path(packing_file).is_file():
            raise self.error("geometry.packing_file", f"file not found: {self.input_path(packing_file)} (a "
                             f"CASE/mesh/<name>.packing.json written next to a generated mesh)")
        from ..geometry.size_guard import size_guard_message
        from ..solver.bc_conflicts import surface_conflict_message

        too_big = size_guard_message(c)
        if too_big:
            raise self.error("mesh.max_cells", too_big)
        clash = surface_conflict_message(
            [(f"boundary_conditions[{i}]", bc.type, s) for i, bc in enumerate(c.boundary_conditions) for s in bc.surfaces]
            + [(f"stages[{i}]", "pressure", s) for i, st in enumerate(c.stages) if st.type == "pressure"
               for s in st.surfaces])
        if clash:
            raise self.error("boundary_conditions", clash)
        materials = resolve_materials(self)  # raises CaseError on unknown names or missing properties
        try:
            coating_laws(c.interfaces, c.phases, c.geometry, materials)  # e.g. a snap-back in series with a coating
        except CoatingLawError as exc:
            raise self.error(exc.key, str(exc)) from None
        if c.periodic is not None:
            from .periodic import check_periodic_case

            check_periodic_case(self)
        degree = c.solver.element_degree
        if c.has_interface_model and degree != 1 and (c.periodic is not None or c.cohesive_solver.method != "newton"):
            what = ("inside a periodic volume ([periodic])" if c.periodic is not None
                    else f"with cohesive_solver.method = {c.cohesive_solver.method!r}")
            raise self.error("solver.element_degree", f"{degree}: cohesive interfaces {what} support linear elements "
                             f"only; allowed: 1 (quadratic elements need the non-periodic Newton path, "
                             f"docs/cohesive.md)")

    def input_path(self, file: str) -> Path:
        """A file named in the case, relative to the case folder unless absolute."""
        p = Path(file)
        return p if p.is_absolute() else (self.directory / p)

    def msh_path(self) -> Path:
        g = self.case.geometry
        assert isinstance(g, MshGeometry)
        return self.input_path(g.file)

    def resolved_json(self) -> str:
        """The case with every default filled in, as JSON (written next to the results)."""
        from ..materials import resolve_materials

        out = self.case.model_dump(mode="json")
        out["resolved_materials"] = {p: m.as_dict() for p, m in resolve_materials(self).items()}
        for stage, data in zip(self.case.stages, out["stages"]):
            if isinstance(stage, CoolingStage):
                data["start_temperature_K"] = stage.start_K
                data["end_temperature_K"] = stage.end_K
        return json.dumps(out, indent=2)
