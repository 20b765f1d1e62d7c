"""Periodic unit cells and closed forms for verifying periodic homogenisation.

* Laminate along z (layers normal to z, isotropic phases): the in-plane strain and the
  out-of-plane stress are uniform, which gives the exact effective stiffness and eigenstress
  (Backus 1962; e.g. Milton, The Theory of Composites, 2002, Sec. 9.5):
      C_OO = <C_OO^-1>^-1,  C_OI = C_OO <C_OO^-1 C_OI>,
      C_II = <C_II - C_IO C_OO^-1 C_OI> + <C_IO C_OO^-1> C_OO <C_OO^-1 C_OI>,
      b_O = C_OO <C_OO^-1 b_O>,  b_I = <b_I - C_IO C_OO^-1 b_O> + <C_IO C_OO^-1> b_O
  (Voigt, engineering shear; O = zz yz xz, I = xx yy xy; Sigma = C E - b, b = C alpha dT).
* Dilute spheres: Hashin-Shtrikman bounds of isotropic phases (Hashin & Shtrikman 1963,
  Milton 2002 Sec. 23.4); the lower bound of stiff spheres in a softer matrix equals the
  Maxwell estimate. Levin (1967): for two phases the effective CTE follows from K_eff exactly,
      alpha = alpha_1 + (alpha_2 - alpha_1) (1/K - 1/K_1) / (1/K_2 - 1/K_1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["isotropic_voigt", "laminate_effective", "write_laminate_msh", "write_sphere_cell_msh"]

_O, _I = [2, 3, 4], [0, 1, 5]


def isotropic_voigt(E: float, nu: float) -> np.ndarray:
    """6x6 Voigt stiffness (Pa, engineering shear) of an isotropic material."""
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    C = np.zeros((6, 6))
    C[:3, :3] = lam
    C[range(3), range(3)] += 2 * mu
    C[range(3, 6), range(3, 6)] = mu
    return C


def laminate_effective(stiffness: list[np.ndarray], eigenstress: list[np.ndarray],
                       fractions: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Exact effective (C, b) (Pa) of a laminate normal to z (module doc)."""
    f = np.asarray(fractions, dtype=float)
    ix = np.ix_

    def mean(values):
        return sum(fk * v for fk, v in zip(f, values))

    inv_oo = [np.linalg.inv(C[ix(_O, _O)]) for C in stiffness]
    C_oo = np.linalg.inv(mean(inv_oo))
    A = mean([i @ C[ix(_O, _I)] for i, C in zip(inv_oo, stiffness)])  # <C_OO^-1 C_OI>
    B = mean([C[ix(_I, _O)] @ i for i, C in zip(inv_oo, stiffness)])  # <C_IO C_OO^-1>
    C_ii = mean([C[ix(_I, _I)] - C[ix(_I, _O)] @ i @ C[ix(_O, _I)] for i, C in zip(inv_oo, stiffness)]) + B @ C_oo @ A
    b_o = C_oo @ mean([i @ b[_O] for i, b in zip(inv_oo, eigenstress)])
    b_i = mean([b[_I] - C[ix(_I, _O)] @ i @ b[_O] for i, C, b in zip(inv_oo, stiffness, eigenstress)]) + B @ b_o
    C = np.zeros((6, 6))
    C[ix(_O, _O)], C[ix(_O, _I)], C[ix(_I, _O)], C[ix(_I, _I)] = C_oo, C_oo @ A, B @ C_oo, C_ii
    b = np.zeros(6)
    b[_O], b[_I] = b_o, b_i
    return C, b


def _periodic_mesh(gmsh, path: Path, size: float, name_of, periodic: bool = True) -> Path:
    """Name volumes (name_of(tag) -> phase), make the unit cube's faces periodic, mesh and write."""
    from ..geometry.gmsh_session import name_box_faces, write_msh
    from ..geometry.periodic import set_periodic_box, strip_periodic_section

    groups: dict[str, list[int]] = {}
    for _, t in gmsh.model.getEntities(3):
        groups.setdefault(name_of(t), []).append(t)
    for name, tags in sorted(groups.items()):
        gmsh.model.addPhysicalGroup(3, tags, name=name)
    name_box_faces(gmsh, np.ones(3))
    if periodic:
        set_periodic_box(gmsh, np.ones(3))
    gmsh.option.setNumber("Mesh.MeshSizeMax", size)
    gmsh.model.mesh.generate(3)
    write_msh(gmsh, path, scale_to_m=1e-6)
    strip_periodic_section(path)
    return path


def write_laminate_msh(path: str | Path, fraction: float = 0.5, size: float = 0.25) -> Path:
    """Unit cube (um) with layer ``A`` (z < fraction) and ``B`` (z > fraction), periodic faces."""
    from ..geometry.gmsh_session import gmsh_session

    with gmsh_session(threads=1) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("laminate")
        occ.fragment([(3, occ.addBox(0, 0, 0, 1, 1, fraction))], [(3, occ.addBox(0, 0, fraction, 1, 1, 1 - fraction))])
        occ.synchronize()
        return _periodic_mesh(gmsh, Path(path), size,
                              lambda t: "A" if gmsh.model.occ.getCenterOfMass(3, t)[2] < fraction else "B")


def write_sphere_cell_msh(path: str | Path, fraction: float, size: float = 0.1,
                          sphere_size: float | None = None, periodic: bool = True) -> Path:
    """Unit cube (um) with a centred sphere ``sphere`` of volume fraction ``fraction`` in ``matrix``
    (``periodic=False``: faces meshed independently, for refusal tests)."""
    from ..geometry.gmsh_session import gmsh_session

    r = (3.0 * fraction / (4.0 * np.pi)) ** (1.0 / 3.0)
    with gmsh_session(threads=1) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("sphere-cell")
        sphere = occ.addSphere(0.5, 0.5, 0.5, r)
        occ.fragment([(3, occ.addBox(0, 0, 0, 1, 1, 1))], [(3, sphere)])
        occ.synchronize()
        if sphere_size is not None:
            gmsh.model.mesh.setSize(gmsh.model.getBoundary([(3, sphere)], recursive=True), sphere_size)
        vols = {t: abs(occ.getMass(3, t) - 4.0 / 3.0 * np.pi * r**3) for _, t in gmsh.model.getEntities(3)}
        inner = min(vols, key=vols.get)
        return _periodic_mesh(gmsh, Path(path), size, lambda t: "sphere" if t == inner else "matrix",
                              periodic)
