"""Boundary conditions from case.toml on named surfaces: Dirichlet BCs and surface loads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._dolfinx import MPI, fem, ufl
from ..case import FixedBC, LoadedCase, PressureBC, RollerBC, TractionBC
from ..geometry.msh import PhaseMesh
from ..parallel import allreduce_array
from .bc_conflicts import DirichletEntry, conflict_message, dirichlet_entry
from .load_balance import unbalanced_load_message

__all__ = ["BoundaryConditions", "build_boundary_conditions"]


@dataclass
class BoundaryConditions:
    """Dirichlet BCs for the displacement space, and the surface-load term of the residual."""

    dirichlet: list[fem.DirichletBC] = field(default_factory=list)
    load_form: ufl.Form | None = None  # integral of traction . v over loaded surfaces (N m)
    described: list[str] = field(default_factory=list)


def _facets(pm: PhaseMesh, loaded: LoadedCase, key: str, name: str) -> np.ndarray:
    if name not in pm.surfaces or pm.facet_tags is None:
        raise loaded.error(key, f"surface {name!r} is not a physical surface of the mesh; "
                           f"allowed: {', '.join(sorted(pm.surfaces)) or '(none)'}")
    return pm.facet_tags.find(pm.surfaces[name])


def _normal_axis(pm: PhaseMesh, facets: np.ndarray, loaded: LoadedCase, key: str, name: str) -> int:
    """The coordinate axis normal to a planar, axis-aligned surface (checked over all ranks)."""
    msh = pm.mesh
    x = msh.geometry.x
    coords = _facet_coordinates(msh, facets)
    lo = coords.min(axis=0) if len(coords) else np.full(3, np.inf)
    hi = coords.max(axis=0) if len(coords) else np.full(3, -np.inf)
    lo = allreduce_array(msh.comm, lo, MPI.MIN)
    hi = allreduce_array(msh.comm, hi, MPI.MAX)
    xlo = allreduce_array(msh.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
    xhi = allreduce_array(msh.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
    extent = float(np.max(xhi - xlo))
    flat = np.flatnonzero((hi - lo) <= 1e-8 * extent)
    if len(flat) != 1:
        raise loaded.error(key, f"a roller needs a planar surface normal to x, y or z; {name!r} is not")
    return int(flat[0])


def _facet_coordinates(msh, facets: np.ndarray) -> np.ndarray:
    """Coordinates (m) of the geometry nodes of the given facets."""
    from dolfinx.mesh import entities_to_geometry

    if len(facets) == 0:
        return np.zeros((0, 3))
    geom = entities_to_geometry(msh, 2, facets.astype(np.int32))
    return msh.geometry.x[geom.reshape(-1)]


def build_boundary_conditions(loaded: LoadedCase, pm: PhaseMesh, V: fem.FunctionSpace, v) -> BoundaryConditions:
    """Translate [[boundary_conditions]] into DOLFINx objects (facets located topologically)."""
    msh = pm.mesh
    msh.topology.create_connectivity(2, 3)
    out = BoundaryConditions()
    bcs = loaded.case.boundary_conditions  # two conditions on one surface: refused at check (case/checks.py)
    entries: list[DirichletEntry] = []
    loads: list[str] = []
    ds = ufl.Measure("ds", domain=msh, subdomain_data=pm.facet_tags)
    n = ufl.FacetNormal(msh)
    load = None
    for i, bc in enumerate(bcs):
        key = f"boundary_conditions[{i}].surfaces"
        for name in bc.surfaces:
            facets = _facets(pm, loaded, key, name)
            tag = pm.surfaces[name]
            if isinstance(bc, RollerBC):
                axis = _normal_axis(pm, facets, loaded, key, name)
                dofs = fem.locate_dofs_topological(V.sub(axis), 2, facets)
                out.dirichlet.append(fem.dirichletbc(0.0, dofs, V.sub(axis)))
                out.described.append(f"roller on {name} (u_{'xyz'[axis]} = 0)")
                entries.append(dirichlet_entry(out.dirichlet[-1], f"boundary_conditions[{i}] (roller on {name})", None))
            elif isinstance(bc, FixedBC):
                dofs = fem.locate_dofs_topological(V, 2, facets)
                value = np.asarray(bc.displacement_m, dtype=float)
                out.dirichlet.append(fem.dirichletbc(value, dofs, V))
                out.described.append(f"fixed on {name} (u = {list(value)} m)")
                entries.append(dirichlet_entry(out.dirichlet[-1], f"boundary_conditions[{i}] (fixed on {name})", value))
            elif isinstance(bc, PressureBC):
                p = fem.Constant(msh, float(bc.pressure_Pa))
                term = -p * ufl.inner(n, v) * ds(tag)
                load = term if load is None else load + term
                out.described.append(f"pressure {bc.pressure_Pa:g} Pa on {name}")
                loads.append(f"boundary_conditions[{i}]: {out.described[-1]}")
            elif isinstance(bc, TractionBC):
                t = fem.Constant(msh, np.asarray(bc.traction_Pa, dtype=float))
                term = ufl.inner(t, v) * ds(tag)
                load = term if load is None else load + term
                out.described.append(f"traction {list(bc.traction_Pa)} Pa on {name}")
                loads.append(f"boundary_conditions[{i}]: {out.described[-1]}")
    out.load_form = load
    problem = conflict_message(entries, msh.comm) or unbalanced_load_message(
        V, load, out.dirichlet, loads)
    if problem:
        raise loaded.error("boundary_conditions", problem)
    return out

