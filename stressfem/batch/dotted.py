"""Address values in a parsed case.toml by dotted path: ``geometry.seed``, ``stages[0].final_temperature_C``."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["parse_path", "set_path", "get_path", "PathError"]

_SEGMENT = re.compile(r"^([A-Za-z0-9_+\-]+)((?:\[\d+\])*)$")


class PathError(ValueError):
    """A dotted path that is malformed or does not fit the document."""


def parse_path(path: str) -> list[str | int]:
    """``"stages[0].final_temperature_C"`` -> ``["stages", 0, "final_temperature_C"]``."""
    out: list[str | int] = []
    if not path or path.strip() != path:
        raise PathError(f"invalid key path {path!r}")
    for segment in path.split("."):
        m = _SEGMENT.match(segment)
        if m is None:
            raise PathError(f"invalid key path {path!r}: segment {segment!r} is not `name` or `name[index]`")
        out.append(m.group(1))
        out += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    return out


def _step(node: Any, part: str | int, path: str, create: bool) -> Any:
    if isinstance(part, int):
        if not isinstance(node, list):
            raise PathError(f"{path}: [{part}] indexes a value that is not a list")
        if part >= len(node):
            raise PathError(f"{path}: index {part} is out of range (the base case has {len(node)} item(s))")
        return node[part]
    if not isinstance(node, dict):
        raise PathError(f"{path}: {part!r} is below a value that is not a table")
    if part not in node:
        if not create:
            raise PathError(f"{path}: no key {part!r} in the base case")
        node[part] = {}
    return node[part]


def get_path(doc: dict, path: str) -> Any:
    """The value at path (PathError if absent)."""
    node: Any = doc
    for part in parse_path(path):
        node = _step(node, part, path, create=False)
    return node


def set_path(doc: dict, path: str, value: Any) -> None:
    """Set the value at path in place; missing tables on the way are created (e.g. ``materials.LLZO``)."""
    parts = parse_path(path)
    node: Any = doc
    for part in parts[:-1]:
        node = _step(node, part, path, create=True)
    last = parts[-1]
    if isinstance(last, int):
        _step(node, last, path, create=False)
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise PathError(f"{path}: {last!r} is below a value that is not a table")
