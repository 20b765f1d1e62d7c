"""Interface state of the cohesive model at its integration points: values, history commit, statistics.

Each interface record (a dict, built by model.py) holds the quantities of the last converged step in
``values`` (one row per integration point of the owned facets, columns ``Q``), the irreversible history
``h``, the integration weights ``area`` (m2; they sum to each facet's area) and the traction work
``work`` along the opening path (J/m2), all per integration point.

Integration points (``interface_spaces``): with linear (P1) displacements one point per facet, its
centroid: the history is DG0 and a row is a facet (``npts`` = 1). With quadratic (P2) displacements
the opening is quadratic over a facet, so the interface integrals use the degree-4 rule (6 points per
facet), which integrates the undamaged term K delta.v exactly, and the history lives in a quadrature
space of the same rule on the facet submesh: every point has its own irreversible history, exactly the
state its traction was computed with (docs/cohesive.md, "Quadratic elements"). Quantities are obtained
by assembling them against the test functions of that space and dividing by the assembled weights,
which returns the point values exactly for both spaces.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..._dolfinx import MPI, basix, fem, la
from .stats import interface_fractions

__all__ = ["Q", "NQ", "interface_quadrature_degree", "interface_spaces", "facet_means", "facet_values",
           "commit_history", "dissipated_per_area", "statistics", "damage_line", "viscous_dissipation"]

# facet quantities assembled per interface (index -> name); global traction and jump last
Q = ("history", "damage", "jn", "js1", "js2", "tn", "ts1", "ts2", "Tx", "Ty", "Tz", "jx", "jy", "jz")
NQ = len(Q)
# the path work may fall short of the reached damage's dissipation by this share (of it, or of a tenth
# of the energy of debonding the whole interface, whichever is larger) before a warning
WORK_DEFICIT_WARN = 0.01
log = logging.getLogger("stressfem")


def interface_quadrature_degree(degree: int) -> int:
    """Quadrature degree of the interface integrals for displacement degree ``degree``: 1 (the centroid) for
    P1, 2 * degree for higher degrees (K delta.v integrated exactly)."""
    return 1 if degree == 1 else 2 * degree


def interface_spaces(gsub, degree: int) -> tuple:
    """(H, Qv, npts) on the facet submesh ``gsub``: the history space, the space of the NQ quantities and
    the number of integration points per facet (DG0 and 1 for P1, quadrature spaces otherwise)."""
    if degree == 1:
        return fem.functionspace(gsub, ("DG", 0)), fem.functionspace(gsub, ("DG", 0, (NQ,))), 1
    qdeg = interface_quadrature_degree(degree)
    H = fem.functionspace(gsub, basix.ufl.quadrature_element(gsub.basix_cell(), value_shape=(), degree=qdeg))
    Qv = fem.functionspace(gsub, basix.ufl.quadrature_element(gsub.basix_cell(), value_shape=(NQ,), degree=qdeg))
    return H, Qv, H.dofmap.list.shape[1]


def facet_means(g: dict, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(facet areas (m2), weighted facet means of ``rows``) of the owned facets from per-point ``rows``."""
    n, w = g["n_owned"], g["area"].reshape(g["n_owned"], g["npts"])  # a rank may own no facet
    area = w.sum(axis=1)
    r = rows.reshape(n, w.shape[1], *rows.shape[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.einsum("fp,fp...->f...", w, r) / area.reshape(n, *([1] * (r.ndim - 2)))
    return area, mean


def facet_values(g: dict) -> np.ndarray:
    """The quantities Q at every integration point of the owned facets of interface record g (SI units)."""
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
