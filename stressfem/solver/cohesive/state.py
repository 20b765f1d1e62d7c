"""Per-facet interface state of the cohesive model: facet values, history commit, statistics.

Each interface record (a dict, built by model.py) holds the facet quantities of the last converged
step in ``values`` (one row per owned facet, columns ``Q``), the irreversible history ``h`` (DG0),
the facet areas ``area`` (m2) and the traction work ``work`` along the opening path (J/m2).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..._dolfinx import MPI, fem, la
from .stats import interface_fractions

__all__ = ["Q", "NQ", "facet_values", "commit_history", "dissipated_per_area", "statistics", "damage_line",
           "viscous_dissipation"]

# facet quantities assembled per interface (index -> name); global traction and jump last
Q = ("history", "damage", "jn", "js1", "js2", "tn", "ts1", "ts2", "Tx", "Ty", "Tz", "jx", "jy", "jz")
NQ = len(Q)
# the path work may fall short of the reached damage's dissipation by this share (of it, or of a tenth
# of the energy of debonding the whole interface, whichever is larger) before a warning
WORK_DEFICIT_WARN = 0.01
log = logging.getLogger("stressfem")


def facet_values(g: dict) -> np.ndarray:
    """The quantities Q at the centroid of every owned facet of interface record g (SI units)."""
    vec = fem.assemble_vector(g["quant_form"][0])  # one form per (plus block, minus block) pair (pairs.py)
    for form in g["quant_form"][1:]:
        fem.assemble_vector(vec.array, form)
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


def dissipated_per_area(g: dict) -> np.ndarray:
    """Per owned facet: the traction work along the path minus the recoverable energy 0.5 T.jump (J/m2)."""
    v = g["values"]
    return g["work"] - 0.5 * np.sum(v[:, 8:11] * v[:, 11:14], axis=1)


def statistics(interfaces: Sequence[dict], comm: MPI.Comm) -> dict[str, dict]:
    """Per interface, reduced over ranks: area, damaged/debonded/bonded/contact fractions, max opening,
    dissipated energy (stats.py)."""
    out = {}
    for g in interfaces:
        v = g["values"]
        out[g["name"]] = interface_fractions(g["area"], v[:, 1], v[:, 2], dissipated_per_area(g), comm,
                                             v[:, 5], np.hypot(v[:, 6], v[:, 7]))
    return out


def viscous_dissipation(interfaces: Sequence[dict], comm: MPI.Comm) -> dict[str, dict]:
    """Per interface: the viscous part of the dissipated energy (J) and its share of it (-).

    Viscous part = dissipated energy (traction work along the path minus the recoverable energy) minus
    the rate-independent dissipation of the reached history (law.rate_independent_dissipation). It is
    0 for a law without ``viscosity_s`` (what remains there is the time-discretisation error of the
    work, not viscosity); the share is 0 while nothing is dissipated.
    """
    out = {}
    for g in interfaces:
        law, v, area = g["law"], g["values"], g["area"]
        phi = law.rate_independent_dissipation(v[:, 0], v[:, 2], v[:, 3], v[:, 4]) if len(area) else np.zeros(0)
        full = law.rate_independent_dissipation(np.ones(len(area)), v[:, 2], v[:, 3], v[:, 4]) if len(area) \
            else np.zeros(0)  # G_c at each facet's mixity: the energy of debonding it completely
        local = np.array([float(area @ dissipated_per_area(g)), float(area @ phi), float(area @ full)])
        total, ri, scale = comm.allreduce(local, op=MPI.SUM)
        visc = total - ri if law.viscosity_s > 0.0 else 0.0
        if ri - total > WORK_DEFICIT_WARN * max(ri, 0.1 * scale):
            log.warning("interface %s: the traction work along the load path (%.3g J) is %.1f %% below the "
                        "dissipation of the damage reached (%.3g J): the increments are too coarse to "
                        "integrate the work, so dissipated_energy_J and viscous_share are inaccurate; use "
                        "more increments", g["name"], total, 100.0 * (1.0 - total / ri), ri)
        out[g["name"]] = {"viscous_dissipated_energy_J": visc,
                          "viscous_share": visc / total if total > 0.0 else 0.0}
    return out


def damage_line(stats: dict[str, dict]) -> str:
    """One log line of the damaged and debonded fractions of every interface."""
    return ", ".join(f"{n}: damaged {s['damaged_fraction']:.3f}, debonded {s['debonded_fraction']:.3f}"
                     for n, s in stats.items()) or "no interfaces"
