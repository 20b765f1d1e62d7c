"""Per-facet interface state of the cohesive model: facet values, history commit, statistics.

Each interface record (a dict, built by model.py) holds the facet quantities of the last converged
step in ``values`` (one row per owned facet, columns ``Q``), the irreversible history ``h`` (DG0),
the facet areas ``area`` (m2) and the traction work ``work`` along the opening path (J/m2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..._dolfinx import MPI, fem, la
from .stats import interface_fractions

__all__ = ["Q", "NQ", "facet_values", "commit_history", "statistics", "damage_line"]

# facet quantities assembled per interface (index -> name); global traction and jump last
Q = ("history", "damage", "jn", "js1", "js2", "tn", "ts1", "ts2", "Tx", "Ty", "Tz", "jx", "jy", "jz")
NQ = len(Q)


def facet_values(g: dict) -> np.ndarray:
    """The quantities Q at the centroid of every owned facet of interface record g (SI units)."""
    vec = fem.assemble_vector(g["quant_form"])
    vec.scatter_reverse(la.InsertMode.add)
    vals = vec.array.reshape(-1, NQ)[g["qdofs"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        return vals / g["area"][:, None]


def commit_history(interfaces: Sequence[dict]) -> None:
    """After a converged step: history = max(history, new), traction work along the path (trapezoid, J/m2)."""
    for g in interfaces:
        new = facet_values(g)
        old = g["values"]
        dj = new[:, 11:14] - old[:, 11:14]
        g["work"] += 0.5 * np.sum((new[:, 8:11] + old[:, 8:11]) * dj, axis=1)
        g["values"] = new
        h = g["h"].x.array
        h[g["hdofs"]] = np.maximum(h[g["hdofs"]], new[:, 0])
        g["h"].x.scatter_forward()


def statistics(interfaces: Sequence[dict], comm: MPI.Comm) -> dict[str, dict]:
    """Per interface, reduced over ranks: area, damaged/debonded/bonded/contact fractions, max opening,
    dissipated energy (stats.py)."""
    out = {}
    for g in interfaces:
        v = g["values"]
        psi = 0.5 * np.sum(v[:, 8:11] * v[:, 11:14], axis=1)
        out[g["name"]] = interface_fractions(g["area"], v[:, 1], v[:, 2], g["work"] - psi, comm)
    return out


def damage_line(stats: dict[str, dict]) -> str:
    """One log line of the damaged and debonded fractions of every interface."""
    return ", ".join(f"{n}: damaged {s['damaged_fraction']:.3f}, debonded {s['debonded_fraction']:.3f}"
                     for n, s in stats.items()) or "no interfaces"
