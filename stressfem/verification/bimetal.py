"""Timoshenko bimetal strip: two bonded layers, uniform temperature change, free ends.

Curvature (S. Timoshenko, "Analysis of bi-metal thermostats", J. Opt. Soc. Am. 11 (1925) 233;
``../shared/reference/literature.md``, "Analytical solutions"):

    kappa = 6 (a2 - a1) dT (1 + m)^2 / ( h [3 (1 + m)^2 + (1 + m n)(m^2 + 1/(m n))] ),
    m = h1/h2, n = E1/E2, h = h1 + h2,

positive when the strip bends towards layer 1 (layer 2 expands more).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["timoshenko_curvature", "write_strip_msh"]


def timoshenko_curvature(a1: float, a2: float, dT: float, E1: float, E2: float, h1: float, h2: float) -> float:
    """Curvature (1/m) of a free bimetal strip; layer 1 below layer 2."""
    m, n, h = h1 / h2, E1 / E2, h1 + h2
    return 6 * (a2 - a1) * dT * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m**2 + 1 / (m * n))))


def write_strip_msh(path: str | Path, length: float, width: float, h1: float, h2: float, size: float) -> Path:
    """Strip along x on [0, length] x [0, width]; layer ``bottom`` z in [0, h1], ``top`` above.

    Lengths in m; built in um (OCC tolerances) and written in m. Surfaces ``xmin`` ... ``zmax``.
    """
    from ..geometry.gmsh_session import gmsh_session, name_box_faces, write_msh

    length, width, h1, h2, size = (v * 1e6 for v in (length, width, h1, h2, size))
    with gmsh_session(threads=1) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("strip")
        b1 = occ.addBox(0, 0, 0, length, width, h1)
        b2 = occ.addBox(0, 0, h1, length, width, h2)
        occ.fragment([(3, b1)], [(3, b2)])
        occ.synchronize()
        for t, name in ((b1, "bottom"), (b2, "top")):
            gmsh.model.addPhysicalGroup(3, [t], name=name)
        name_box_faces(gmsh, [length, width, h1 + h2])
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        gmsh.model.mesh.generate(3)
        write_msh(gmsh, path, scale_to_m=1e-6)
    return Path(path)
