"""Boundary conditions as a neutral description (supports and surface loads on named surfaces),
translated once from [[boundary_conditions]] and the stages' driven loads; each model applies it
to its own spaces (this module: one displacement space; solver/cohesive/bcs.py: block spaces)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._dolfinx import MPI, fem, mesh, ufl
from ..geometry.msh import PhaseMesh
from ..parallel import allreduce_array

__all__ = ["Support", "SurfaceLoad", "BoundarySpec", "AppliedBCs", "boundary_spec", "surface_facets",
           "normal_axis", "apply_boundary", "ZERO3"]

ZERO3 = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Support:
    """A prescribed displacement (m) on a named surface: all components, or one (``axis``, a roller)."""

    surface: str
    facets: np.ndarray  # local facet indices of the surface
    axis: int | None
    value_m: tuple[float, float, float] = ZERO3
    description: str = ""

    @property
    def homogeneous(self) -> bool:
        return not any(self.value_m)


@dataclass(frozen=True)
class SurfaceLoad:
    """A uniform surface load on a named surface, times a scale (1, or a stage's amplitude).

    ``pressure_Pa``: the traction is ``-pressure_Pa n`` (n: outward normal); else ``traction_Pa`` (Pa).
    ``amplitude``: the ``LoadState.surface_loads`` key of a stage-driven load (its pressure_Pa is 1 and
    the amplitude is in Pa); None: a constant load (scale 1).
    """

    surface: str
    tag: int
    pressure_Pa: float | None = None
    traction_Pa: tuple[float, float, float] = ZERO3
    amplitude: str | None = None
    description: str = ""

    def traction(self, n: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """The traction (Pa) per unit scale, given the outward normal n."""
        return -self.pressure_Pa * n if self.pressure_Pa is not None else ufl.as_vector(self.traction_Pa)

    def scale(self, state) -> float:
        """The scale of the traction at a load state: 1 for a constant load, else the stage's amplitude (Pa)."""
        return 1.0 if self.amplitude is None else float(state.surface_loads.get(self.amplitude, 0.0))


@dataclass
class BoundarySpec:
    """All supports and surface loads of a case (model independent)."""

    supports: list[Support] = field(default_factory=list)
    loads: list[SurfaceLoad] = field(default_factory=list)

    @property
    def described(self) -> list[str]:
        return [s.description for s in self.supports] + [l.description for l in self.loads]


def surface_facets(pm: PhaseMesh, error: Callable, key: str, name: str) -> np.ndarray:
    """Local facets of the physical surface ``name``; ``error(key, message)`` makes the CaseError."""
    if name not in pm.surfaces or pm.facet_tags is None:
        raise error(key, f"surface {name!r} is not a physical surface of the mesh; "
                         f"allowed: {', '.join(sorted(pm.surfaces)) or '(none)'}")
    return pm.facet_tags.find(pm.surfaces[name])


def normal_axis(pm: PhaseMesh, facets: np.ndarray, error: Callable, key: str, name: str) -> int:
    """The coordinate axis normal to a planar, axis-aligned surface (checked over all ranks)."""
    msh = pm.mesh
    x = msh.geometry.x
    coords = x[mesh.entities_to_geometry(msh, 2, facets.astype(np.int32)).reshape(-1)] if len(facets) else np.zeros((0, 3))
    lo = allreduce_array(msh.comm, coords.min(axis=0) if len(coords) else np.full(3, np.inf), MPI.MIN)
    hi = allreduce_array(msh.comm, coords.max(axis=0) if len(coords) else np.full(3, -np.inf), MPI.MAX)
    xlo = allreduce_array(msh.comm, x.min(axis=0) if len(x) else np.full(3, np.inf), MPI.MIN)
    xhi = allreduce_array(msh.comm, x.max(axis=0) if len(x) else np.full(3, -np.inf), MPI.MAX)
    flat = np.flatnonzero((hi - lo) <= 1e-8 * float(np.max(xhi - xlo)))
    if len(flat) != 1:
        raise error(key, f"a roller needs a planar surface normal to x, y or z; {name!r} is not")
    return int(flat[0])


def _roller(pm, bc, name, facets, error, key) -> Support:
    axis = normal_axis(pm, facets, error, key, name)
    return Support(name, facets, axis, description=f"roller on {name} (u_{'xyz'[axis]} = 0)")


def _fixed(pm, bc, name, facets, error, key) -> Support:
    value = tuple(float(v) for v in bc.displacement_m)
    return Support(name, facets, None, value, f"fixed on {name} (u = {list(value)} m)")


def _pressure(pm, bc, name, facets, error, key) -> SurfaceLoad:
    p = float(bc.pressure_Pa)
    return SurfaceLoad(name, pm.surfaces[name], p, description=f"pressure {p:g} Pa on {name}")


def _traction(pm, bc, name, facets, error, key) -> SurfaceLoad:
    t = tuple(float(v) for v in bc.traction_Pa)
    return SurfaceLoad(name, pm.surfaces[name], None, t, description=f"traction {list(t)} Pa on {name}")


# [[boundary_conditions]] `type` -> its neutral form on one surface
_TRANSLATE = {"roller": _roller, "fixed": _fixed, "pressure": _pressure, "traction": _traction}


def boundary_spec(loaded, pm: PhaseMesh, stages: Sequence = ()) -> BoundarySpec:
    """The supports and loads of [[boundary_conditions]] plus the surface loads the stages drive."""
    out = BoundarySpec()
    for i, bc in enumerate(loaded.case.boundary_conditions):
        key = f"boundary_conditions[{i}].surfaces"
        for name in bc.surfaces:
            item = _TRANSLATE[bc.type](pm, bc, name, surface_facets(pm, loaded.error, key, name), loaded.error, key)
            (out.supports if isinstance(item, Support) else out.loads).append(item)
    for stage in stages:
        for spec in stage.surface_loads():
            for name in spec.surfaces:
                surface_facets(pm, loaded.error, spec.key, name)
                out.loads.append(SurfaceLoad(name, pm.surfaces[name], 1.0, amplitude=spec.amplitude,
                                             description=f"pressure of stage {spec.amplitude!r} on {name}"))
    return out


@dataclass
class AppliedBCs:
    """A BoundarySpec applied to model spaces: Dirichlet BCs, the surface-load residual term (N m), and
    the constants a load state sets (one scale per load; one value per inhomogeneous support)."""

    dirichlet: list = field(default_factory=list)
    load_form: object = None
    described: list[str] = field(default_factory=list)
    scales: list[tuple[fem.Constant, SurfaceLoad]] = field(default_factory=list)
    values: list[tuple[fem.Constant, Support]] = field(default_factory=list)

    def set_state(self, state) -> None:
        """Load scales of a load state; supports at their prescribed values."""
        for c, load in self.scales:
            c.value = load.scale(state)
        for c, s in self.values:
            c.value[:] = s.value_m

    def add_load(self, msh, load: SurfaceLoad, v, ds) -> None:
        """Add ``scale * traction . v`` over ``ds`` (a measure restricted to the load's facets)."""
        c = fem.Constant(msh, 1.0 if load.amplitude is None else 0.0)
        self.scales.append((c, load))
        term = c * ufl.inner(load.traction(ufl.FacetNormal(msh)), v) * ds
        self.load_form = term if self.load_form is None else self.load_form + term

    def dirichlet_value(self, msh, s: Support):
        """The value object of a support's Dirichlet BC (a Constant when inhomogeneous, so it can be zeroed)."""
        if s.axis is not None:
            return 0.0
        if s.homogeneous:
            return np.zeros(3)
        c = fem.Constant(msh, np.asarray(s.value_m, dtype=float))
        self.values.append((c, s))
        return c


def apply_boundary(spec: BoundarySpec, pm: PhaseMesh, V: fem.FunctionSpace, v) -> AppliedBCs:
    """The spec on one displacement space V with test function v (facets located topologically)."""
    msh = pm.mesh
    msh.topology.create_connectivity(2, 3)
    out = AppliedBCs(described=spec.described)
    for s in spec.supports:
        W = V if s.axis is None else V.sub(s.axis)
        dofs = fem.locate_dofs_topological(W, 2, s.facets)
        out.dirichlet.append(fem.dirichletbc(out.dirichlet_value(msh, s), dofs, W))
    ds = ufl.Measure("ds", domain=msh, subdomain_data=pm.facet_tags)
    for load in spec.loads:
        out.add_load(msh, load, v, ds(load.tag))
    return out
