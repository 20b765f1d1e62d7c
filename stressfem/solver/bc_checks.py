"""Checks of the applied boundary conditions of a model (exit 2 naming boundary_conditions).

Conflicting prescribed displacements on shared nodes (bc_conflicts.py) and surface loads that
the supports cannot balance (load_balance.py); one load pattern per load amplitude (the
constant loads, and each stage-driven pressure), since each must be balanced on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._dolfinx import fem, ufl
from ..geometry.msh import PhaseMesh
from .bc_conflicts import conflict_message, dirichlet_entry
from .boundary import BoundarySpec, Support
from .load_balance import unbalanced_load_message

__all__ = ["dirichlet_conflicts", "unbalanced_loads"]


def dirichlet_conflicts(supports: Sequence[Support], bcs: Sequence, comm) -> str | None:
    """Different values on shared dofs; ``bcs``: the DirichletBCs of ``supports`` on one space, same order."""
    entries = [dirichlet_entry(bc, s.description, None if s.axis is not None else s.value_m)
               for s, bc in zip(supports, bcs)]
    return conflict_message(entries, comm)


def unbalanced_loads(spec: BoundarySpec, pm: PhaseMesh, V: fem.FunctionSpace, dirichlet) -> str | None:
    """The first load pattern (constant loads; each stage amplitude) unbalanced on a free body, or None."""
    msh = V.mesh
    v, n = ufl.TestFunction(V), ufl.FacetNormal(msh)
    ds = ufl.Measure("ds", domain=msh, subdomain_data=pm.facet_tags)
    groups: dict[str | None, list] = {}
    for load in spec.loads:
        groups.setdefault(load.amplitude, []).append(load)
    for amplitude, loads in groups.items():
        form = sum((ufl.inner(load.traction(n), v) * ds(load.tag) for load in loads[1:]),
                   ufl.inner(loads[0].traction(n), v) * ds(loads[0].tag))
        names = [load.description for load in loads]
        if amplitude is not None:
            names.append("forces per 1 Pa of the stage's pressure")
        problem = unbalanced_load_message(V, form, dirichlet, names)
        if problem:
            return problem
    return None
