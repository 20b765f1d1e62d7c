"""Contour plots of a design map (solver/design_map.py): one panel per quantity."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .data import atomic_target

__all__ = ["map_figure"]


def _label(parameter: str) -> str:
    name, _, target = parameter.partition(":")
    return f"{name.replace('_', ' ')}" + (f" ({target})" if target else "")


def map_figure(path: Path, x: Sequence[float], y: Sequence[float], xname: str, yname: str,
               values: dict[str, np.ndarray], title: str) -> None:
    """Write a PNG of filled contours of each quantity (Pa, drawn in MPa) over the (x, y) grid (atomic)."""
    from matplotlib.figure import Figure

    n = len(values)
    fig = Figure(figsize=(4.6 * n, 3.8), dpi=130, layout="constrained")
    X, Y = np.meshgrid(np.asarray(x), np.asarray(y))
    for k, (q, Z) in enumerate(values.items()):
        ax = fig.add_subplot(1, n, k + 1)
        Zm = np.asarray(Z, dtype=float).reshape(len(y), len(x)) / 1e6
        if len(x) > 1 and len(y) > 1:
            cs = ax.contourf(X, Y, Zm, levels=12, cmap="viridis")
            ax.contour(X, Y, Zm, levels=cs.levels, colors="k", linewidths=0.3)
        else:  # a line of points: colour them
            cs = ax.scatter(X.ravel(), Y.ravel(), c=Zm.ravel(), cmap="viridis")
        fig.colorbar(cs, ax=ax, label=f"{q.replace('_Pa', '')} (MPa)")
        ax.set_xlabel(_label(xname))
        ax.set_ylabel(_label(yname))
    fig.suptitle(title, fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path) as tmp:
        fig.savefig(tmp, facecolor="white")
