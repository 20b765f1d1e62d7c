"""Strict JSON for every file stressfem writes: no NaN or Infinity (they are not JSON).

``strict_dumps`` refuses a non-finite number and names where it is (``steps[0].phases.x``), so a
bug that produces one is reported instead of written; ``finite_or_null`` is for by-products
(figure manifests, batch tables) where "no value" is the honest entry.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import OutputError

__all__ = ["strict_dumps", "finite_or_null", "non_finite_path"]


def non_finite_path(data: Any, path: str = "") -> str | None:
    """Dotted path of the first NaN/Infinity in data (dicts, lists, tuples), or None."""
    if isinstance(data, float) and not math.isfinite(data):
        return path or "(top level)"
    if isinstance(data, dict):
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in data.items())
    elif isinstance(data, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(data))
    else:
        return None
    for p, v in items:
        found = non_finite_path(v, p)
        if found is not None:
            return found
    return None


def strict_dumps(data: Any, where: str, **kwargs) -> str:
    """json.dumps(allow_nan=False); a non-finite number raises OutputError naming ``where`` and its path."""
    try:
        return json.dumps(data, allow_nan=False, **kwargs)
    except ValueError:
        path = non_finite_path(data)
        if path is None:
            raise
        raise OutputError(f"{where}: {path} is not a finite number (NaN/Infinity are not JSON); "
                          f"not written") from None


def finite_or_null(data: Any) -> Any:
    """A copy of data with every NaN/Infinity replaced by None (JSON null)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_or_null(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_or_null(v) for v in data]
    return data
