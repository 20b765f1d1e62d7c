"""Deviatoric verification: a sphere with a traceless eigenstrain (Eshelby), at the default settings.

Requirements:
* E1 The closed form (stressfem/verification/eshelby.py) reproduces Eshelby's uniform interior
  stress -2 mu (1 - S_dev) e*, S_dev = 2 (4 - 5 nu) / (15 (1 - nu)), for an infinite matrix
  (1e-12 relative), and for a finite free sphere the volume-mean stress of the whole body is zero
  (1e-9 of the particle stress), as it must be for any traction-free body.
* E2 FE at the defaults (element degree and the interface/bulk element sizes of generated particle
  boxes: d50/8 and d50/4, i.e. a/4 and a/2 for a particle radius a): a particle (radius a) with the
  aligned-crystal lattice strain e* = 0.01 diag(-1/2, -1/2, 1) (purely deviatoric) in a matrix
  of the same isotropic stiffness, octant of a free sphere of radius 3a with symmetry rollers
  (exact for a diagonal eigenstrain). The particle's mean stress is within 1 % of the exact
  finite-sphere value (which differs from the infinite-matrix Eshelby value by -11.5 %, computed
  exactly, not estimated), the matrix mean within 1 % of the particle's magnitude, and the mean is
  traceless (diagonal components: the octant mean of the off-diagonal ones is not zero).
  Tolerance: P2 at this resolution measures +0.6 % (P1 +9.9 %, the error issue 12 reported);
  1 % leaves room for mesh differences between Gmsh builds but fails for P1.
Run time: about 10 s.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.case import MeshSpec
from stressfem.geometry.sizes import mesh_sizes
from stressfem.verification.concentric_spheres import write_octant_msh
from stressfem.verification.eshelby import eshelby_deviatoric_factor, mean_inclusion_stress, mean_stresses

E_PA, NU, STRAIN = 150e9, 0.25, 0.01
MU = E_PA / (2 * (1 + NU))
B = 3.0  # matrix radius / particle radius

CASE = """
[geometry]
type = "msh"
file = "octant.msh"
length_unit_m = 1e-6
[phases]
particle = "crystal"
matrix = "host"
[materials.crystal]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.25
cte_per_K = 0.0
chemical_strain = { x = [0.0, 1.0], strain_a = [-0.005, 0.0], strain_c = [0.01, 0.0], x_soc0 = 1.0, \
x_soc1 = 0.0 }
[materials.host]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.25
cte_per_K = 0.0
[orientation]
distribution = "aligned"
c_axis = [0.0, 0.0, 1.0]
[[stages]]
type = "soc"
name = "shear"
soc_end = 1.0
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[output]
fields = false
"""


@pytest.mark.parametrize("nu_p,mu_ratio", [(0.25, 1.0), (0.3, 2.0), (0.1, 0.5)])
def test_closed_form(nu_p, mu_ratio):
    mu_p = mu_ratio * MU
    if mu_ratio == 1.0:
        exact = -2 * MU * (1 - eshelby_deviatoric_factor(NU))
        assert mean_inclusion_stress(MU, NU, MU, NU) == pytest.approx(exact, rel=1e-12)
    for b in (1.5, 3.0, 10.0):
        p, m = mean_stresses(mu_p, nu_p, MU, NU, 1.0, b)
        f = 1.0 / b**3
        assert abs(f * p + (1 - f) * m) < 1e-9 * abs(p)
    # a larger matrix approaches the infinite one monotonically
    vals = [mean_inclusion_stress(mu_p, nu_p, MU, NU, 1.0, b) for b in (3.0, 10.0, 100.0, np.inf)]
    assert np.all(np.diff(np.abs(vals)) > 0)


@pytest.fixture(scope="module")
def eshelby_run(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("eshelby"), CASE)
    size, isize = mesh_sizes(SimpleNamespace(size_distribution=SimpleNamespace(type="fixed", diameter_um=2.0)),
                             MeshSpec())
    write_octant_msh(folder / "octant.msh", a=1.0, b=B, size=size, interface_size=isize)
    run_cli("run", folder, check=True)
    return read_summary(folder)


def test_deviatoric_inclusion_at_defaults(eshelby_run):
    p_exact, m_exact = (STRAIN * v for v in mean_stresses(MU, NU, MU, NU, 1.0, B))
    phases = eshelby_run["steps"][-1]["phases"]
    mean = np.array(phases["particle"]["mean_stress_Pa"])
    assert mean[2, 2] == pytest.approx(p_exact, rel=0.01), (mean[2, 2], p_exact)
    # diagonal components only: the octant mean of the off-diagonal ones (odd in x_k x_l) is not zero
    shape = np.array([-0.5, -0.5, 1.0])
    assert np.allclose(np.diag(mean), p_exact * shape, atol=0.01 * abs(p_exact)), mean
    matrix = np.array(phases["matrix"]["mean_stress_Pa"])
    assert np.allclose(np.diag(matrix), m_exact * shape, atol=0.01 * abs(p_exact)), matrix
    assert abs(np.trace(mean)) < 0.01 * abs(p_exact)
