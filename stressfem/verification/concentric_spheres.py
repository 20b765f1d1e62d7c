"""Concentric spheres with an eigenstrain mismatch (Lame): octant mesh and closed form.

Closed form (``../shared/reference/literature.md``, "Analytical solutions"; e.g. Timoshenko &
Goodier, Theory of Elasticity, Sec. 135): a particle of radius a in a matrix shell of outer
radius b (free outer surface), f = a^3/b^3, linear eigenstrain mismatch e = e_p - e_m:

    P = e / [ (1 - 2 nu_p)/E_p + ((1 + nu_m) + 2 (1 - 2 nu_m) f) / (2 E_m (1 - f)) ]

and the particle carries the uniform hydrostatic stress -P.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["interface_pressure", "write_octant_msh", "write_sphere_msh"]


def interface_pressure(mismatch: float, E_p: float, nu_p: float, E_m: float, nu_m: float, f: float) -> float:
    """Interface pressure P (Pa) for a linear eigenstrain mismatch e_p - e_m (-)."""
    return mismatch / ((1 - 2 * nu_p) / E_p + ((1 + nu_m) + 2 * (1 - 2 * nu_m) * f) / (2 * E_m * (1 - f)))


def write_octant_msh(path: str | Path, a: float = 1.0, b: float = 3.0, size: float = 0.3,
                     interface_size: float = 0.12) -> Path:
    """Octant of a sphere (radius a) in a shell (radius b), in the file's length unit.

    Physical volumes ``particle`` and ``matrix``; surfaces ``x0 y0 z0`` (symmetry planes),
    ``outer`` (r = b) and ``interface`` (r = a). With b <= a: the particle alone, surface ``outer``.
    """
    from ..geometry.gmsh_session import gmsh_session, write_msh

    with gmsh_session(threads=1) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("octant")
        box = occ.addBox(0, 0, 0, b, b, b)
        inner = occ.addSphere(0, 0, 0, a)
        spheres = [(3, occ.addSphere(0, 0, 0, b)), (3, inner)] if b > a else [(3, inner)]
        cut, _ = occ.intersect(spheres, [(3, box)])
        occ.fragment(cut, [])
        occ.synchronize()
        vols = gmsh.model.getEntities(3)
        r_of = {t: max(abs(c) for c in gmsh.model.occ.getCenterOfMass(3, t)) for _, t in vols}
        particle = min(r_of, key=r_of.get)
        matrix = [t for t in r_of if t != particle]
        gmsh.model.addPhysicalGroup(3, [particle], name="particle")
        if matrix:
            gmsh.model.addPhysicalGroup(3, matrix, name="matrix")
        tol = 1e-6 * b
        planes: set[int] = set()
        for axis, name in enumerate(("x0", "y0", "z0")):
            lo, hi = [-tol] * 3, [b + tol] * 3
            hi[axis] = tol
            tags = [t for _, t in gmsh.model.getEntitiesInBoundingBox(*lo, *hi, dim=2)]
            gmsh.model.addPhysicalGroup(2, tags, name=name)
            planes.update(tags)
        pb = {t for d, t in gmsh.model.getBoundary([(3, particle)], oriented=False)}
        mb = {t for d, t in gmsh.model.getBoundary([(3, m) for m in matrix], oriented=False)} if matrix else pb
        if matrix:
            gmsh.model.addPhysicalGroup(2, sorted((pb & mb) - planes), name="interface")
            gmsh.model.addPhysicalGroup(2, sorted(mb - pb - planes), name="outer")
        else:  # a lone particle: its surface is "outer"
            gmsh.model.addPhysicalGroup(2, sorted(pb - planes), name="outer")
        fm = gmsh.model.mesh.field
        dist = fm.add("Distance")
        fm.setNumbers(dist, "SurfacesList", sorted((pb & mb) - planes) if matrix else sorted(pb - planes))
        thr = fm.add("Threshold")
        fm.setNumber(thr, "InField", dist)
        fm.setNumber(thr, "SizeMin", interface_size)
        fm.setNumber(thr, "SizeMax", size)
        fm.setNumber(thr, "DistMin", 0.1 * a)
        fm.setNumber(thr, "DistMax", 1.0 * a)
        fm.setAsBackgroundMesh(thr)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.model.mesh.generate(3)
        write_msh(gmsh, path)
    return Path(path)


def write_sphere_msh(path: str | Path, radius: float = 1.0, size: float = 0.25) -> Path:
    """A whole sphere: volume ``particle``, surface ``outer`` (file length unit)."""
    from ..geometry.gmsh_session import gmsh_session, write_msh

    with gmsh_session(threads=1) as gmsh:
        gmsh.model.add("sphere")
        s = gmsh.model.occ.addSphere(0, 0, 0, radius)
        gmsh.model.occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [s], name="particle")
        gmsh.model.addPhysicalGroup(2, [t for _, t in gmsh.model.getBoundary([(3, s)], oriented=False)], name="outer")
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.model.mesh.generate(3)
        write_msh(gmsh, path)
    return Path(path)
