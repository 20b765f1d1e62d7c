"""Verification of delithiation chemo-mechanics.

Requirements and tolerances:
* C1 A uniform isotropic chemical strain in a free particle gives zero stress (< 1e-6 E |eps|).
* C2 A single-crystal anisotropic particle (transversely isotropic stiffness and lattice strain)
  with uniform state of charge and free boundaries gives zero stress, for any orientation.
* C3 Stiffness and strain rotate consistently: a fully constrained crystal cube with c axis n
  carries sigma = -C(n) : eps0(n), and that equals R sigma_crystal R^T (1e-6 relative).
* C4 Concentric spheres with a chemical eigenstrain: particle mean hydrostatic stress within 2 %
  of the Lame solution.
* C5 Diffusion-induced stress in an isolated sphere under galvanostatic flux (Zhang, Shyy, Sastry,
  JES 154 (2007) A910; Cheng & Verbrugge, J. Power Sources 190 (2009) 453): after the transient
  the surface hoop stress is within 3 % of -Omega E J R / (15 (1 - nu) D), and sigma_r, sigma_theta
  follow K0 (1 - r^2/R^2) and K0 (1 - 2 r^2/R^2) along the radius within 3 % of K0.
* C6 Serial and mpiexec -n 2 give the same summary (1e-6 relative); cycles expand into
  charge/discharge steps with one history row per increment.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.output.read import read_fields
from stressfem.physics.elasticity import frame_from_axis, rotate_voigt, transversely_isotropic_voigt
from stressfem.verification.bimetal import write_strip_msh
from stressfem.verification.concentric_spheres import interface_pressure, write_octant_msh, write_sphere_msh

CRYSTAL = """
[materials.crystal]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.25
cte_per_K = 0.0
crystal_stiffness_Pa = { C11 = 250e9, C12 = 80e9, C13 = 60e9, C33 = 160e9, C44 = 50e9 }
chemical_strain = { x = [1.0, 0.2], strain_a = [0.0, -0.02], strain_c = [0.0, -0.012], x_soc0 = 1.0, x_soc1 = 0.2 }
"""


def _sphere_case(folder, orientation: str, material_block: str, phase_material: str):
    return write_case(folder, f"""
[geometry]
type = "msh"
file = "sphere.msh"
length_unit_m = 1e-6
[phases]
particle = "{phase_material}"
{material_block}
[orientation]
{orientation}
[[stages]]
type = "soc"
name = "charge"
soc_end = 1.0
increments = 2
""")


@pytest.fixture(scope="module")
def sphere_msh(tmp_path_factory):
    return write_sphere_msh(tmp_path_factory.mktemp("sphere") / "sphere.msh", radius=1.0, size=0.3)


@pytest.mark.parametrize("orientation", [
    'distribution = "aligned"\nc_axis = [0, 0, 1]',
    'distribution = "aligned"\nc_axis = [1, 2, 3]',
    'distribution = "random"\nseed = 7',
], ids=["c-along-z", "c-along-123", "random"])
def test_free_anisotropic_crystal_is_stress_free(tmp_path, sphere_msh, orientation):
    folder = _sphere_case(tmp_path / "c", orientation, CRYSTAL, "crystal")
    (folder / "sphere.msh").write_bytes(sphere_msh.read_bytes())
    run_cli("run", folder, check=True)
    p = read_summary(folder)["steps"][-1]["phases"]["particle"]
    bound = 1e-6 * 150e9 * 0.02
    assert p["max_von_mises_Pa"] < bound and abs(p["max_principal_Pa"]) < bound, p


def test_free_isotropic_chemical_strain_is_stress_free(tmp_path, sphere_msh):
    folder = _sphere_case(tmp_path / "i", 'distribution = "random"', "", "NCM111")
    # NCM111 library table is anisotropic; make it isotropic through a volume-change table:
    text = (folder / "case.toml").read_text().replace('particle = "NCM111"', 'particle = "iso"') + """
[materials.iso]
base = "NCM111"
chemical_strain = { x = [1.0, 0.35], volume_change = [0.0, -0.012], x_soc1 = 0.35 }
"""
    (folder / "case.toml").write_text(text)
    (folder / "sphere.msh").write_bytes(sphere_msh.read_bytes())
    run_cli("run", folder, check=True)
    p = read_summary(folder)["steps"][-1]["phases"]["particle"]
    bound = 1e-6 * LIBRARY["NCM111"].youngs_modulus_Pa * 0.004
    assert p["max_von_mises_Pa"] < bound and abs(p["max_principal_Pa"]) < bound, p


def test_constrained_crystal_rotates_strain_and_stiffness_consistently(tmp_path):
    n = np.array([1.0, 2.0, 3.0]) / np.sqrt(14.0)
    folder = write_case(tmp_path / "cube", f"""
[geometry]
type = "msh"
file = "cube.msh"
[phases]
bottom = "crystal"
top = "crystal"
{CRYSTAL}
[orientation]
distribution = "aligned"
c_axis = [1, 2, 3]
[[stages]]
type = "soc"
soc_end = 1.0
increments = 1
[[boundary_conditions]]
type = "fixed"
surfaces = ["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]
""")
    write_strip_msh(folder / "cube.msh", length=1e-6, width=1e-6, h1=0.5e-6, h2=0.5e-6, size=0.5e-6)
    run_cli("run", folder, check=True)
    sigma = np.array(read_summary(folder)["steps"][-1]["phases"]["top"]["mean_stress_Pa"])
    # expected: crystal frame sigma_c = -C : eps0 with eps0 = diag(ea, ea, ec), rotated to the sample frame
    ea, ec = -0.02, -0.012
    C = transversely_isotropic_voigt(250e9, 80e9, 60e9, 160e9, 50e9)
    s_voigt = -C @ np.array([ea, ea, ec, 0, 0, 0])
    s_crys = np.diag(s_voigt[:3])
    R = frame_from_axis(n[None, :])[0]
    expected = R @ s_crys @ R.T
    # and the same through the rotated stiffness and strain
    eps0 = ea * np.eye(3) + (ec - ea) * np.outer(n, n)
    Cr = rotate_voigt(C, R[None])[0]
    e_v = np.array([eps0[0, 0], eps0[1, 1], eps0[2, 2], 2 * eps0[1, 2], 2 * eps0[0, 2], 2 * eps0[0, 1]])
    s2 = -Cr @ e_v
    via_rotation = np.array([[s2[0], s2[5], s2[4]], [s2[5], s2[1], s2[3]], [s2[4], s2[3], s2[2]]])
    assert np.allclose(via_rotation, expected, rtol=1e-10, atol=1e-3)
    assert np.allclose(sigma, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max()), (sigma, expected)


SHELL_CASE = """
[geometry]
type = "msh"
file = "octant.msh"
length_unit_m = 1e-6
[phases]
particle = "shrinking"
matrix = "LLZO"
[materials.shrinking]
base = "NMC811"
chemical_strain = { x = [1.0, 0.127], volume_change = [0.0, -0.051], x_soc1 = 0.127 }
[[stages]]
type = "soc"
name = "charge"
soc_end = 1.0
increments = 2
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[solver]
element_degree = 1  # as measured when these checks were written (P2 is the default since issue 12)
"""


@pytest.fixture(scope="module")
def chemical_shell(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("chemshell"), SHELL_CASE)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.2, interface_size=0.05)
    run_cli("run", folder, check=True)
    return folder


def test_concentric_spheres_chemical_lame(chemical_shell):
    p, m = LIBRARY["NMC811"], LIBRARY["LLZO"]
    e = (1.0 - 0.051) ** (1.0 / 3.0) - 1.0  # particle linear chemical strain; matrix none
    P = interface_pressure(e, p.youngs_modulus_Pa, p.poisson_ratio, m.youngs_modulus_Pa, m.poisson_ratio, 1 / 27)
    sigma_h = read_summary(chemical_shell)["steps"][-1]["phases"]["particle"]["mean_hydrostatic_Pa"]
    assert P < 0  # the particle shrinks: it is pulled, hydrostatic tension -P > 0
    assert abs(sigma_h - (-P)) / abs(P) < 0.02, (sigma_h, -P)


@pytest.mark.mpi
def test_chemical_serial_equals_mpi(chemical_shell, tmp_path):
    folder = write_case(tmp_path / "mpi", SHELL_CASE)
    (folder / "octant.msh").write_bytes((chemical_shell / "octant.msh").read_bytes())
    run_cli("run", folder, np=2, check=True)
    s, p = read_summary(chemical_shell), read_summary(folder)
    for a, b in zip(s["steps"], p["steps"]):
        for phase in a["phases"]:
            for key in ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "p99_von_mises_Pa"):
                assert b["phases"][phase][key] == pytest.approx(a["phases"][phase][key], rel=1e-6)


DIS_CASE = """
[geometry]
type = "msh"
file = "sphere.msh"
length_unit_m = 5e-6
[phases]
particle = "vegard"
[materials.vegard]
youngs_modulus_Pa = 100e9
poisson_ratio = 0.3
cte_per_K = 0.0
diffusivity_m2_per_s = 1e-14
max_concentration_mol_per_m3 = 5e4
partial_molar_volume_m3_per_mol = 3.5e-6
[[stages]]
type = "galvanostatic"
direction = "discharge"
c_rate_per_h = 1.0
duration_s = 1500
increments = 20
flux_surfaces = ["outer"]
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[output]
fields_every_increment = false
[solver]
element_degree = 1  # as measured when these checks were written (P2 is the default since issue 12)
"""


def _spherical_stress(folder, R: float):
    """(r/R, sigma_rr, sigma_thetatheta) per cell of the written fields, and the surface hoop stress
    from a linear fit in (r/R)^2 (cell centroids lie inside the surface)."""
    g = read_fields(folder / "results")
    c = np.asarray(g.cell_centers().points)
    s = np.asarray(g.cell_data["stress_Pa"]).reshape(-1, 3, 3)
    r = np.linalg.norm(c, axis=1)
    er = c / r[:, None]
    s_rr = np.einsum("ni,nij,nj->n", er, s, er)
    s_tt = 0.5 * (np.trace(s, axis1=1, axis2=2) - s_rr)
    rho = r / R
    return rho, s_rr, s_tt, np.polyval(np.polyfit(rho**2, s_tt, 1), 1.0)


def test_diffusion_induced_stress_sphere(tmp_path):
    R, E, nu, omega, D, cmax = 5e-6, 100e9, 0.3, 3.5e-6, 1e-14, 5e4
    folder = write_case(tmp_path / "dis", DIS_CASE)
    write_octant_msh(folder / "sphere.msh", a=1.0, b=1.0, size=0.08, interface_size=0.05)
    run_cli("run", folder, check=True)
    # influx J (mol/m2/s): mean Li content rises by c_max per hour at 1C; V/A = R/3 for a sphere
    J = cmax * (R / 3.0) / 3600.0
    K0 = omega * E * J * R / (15.0 * (1.0 - nu) * D)
    assert 1500.0 > 0.5 * R**2 / D  # past the transient
    rho, s_rr, s_tt, hoop_R = _spherical_stress(folder, R)
    assert abs(hoop_R - (-K0)) / K0 < 0.03, (hoop_R, -K0)
    for lo, hi in ((0.0, 0.3), (0.3, 0.6), (0.6, 0.8), (0.8, 1.0)):
        sel = (rho >= lo) & (rho < hi)
        assert abs(np.mean(s_rr[sel] - K0 * (1 - rho[sel] ** 2))) < 0.03 * K0, (lo, hi)
        assert abs(np.mean(s_tt[sel] - K0 * (1 - 2 * rho[sel] ** 2))) < 0.03 * K0, (lo, hi)


def test_load_path_cycles_and_history(tmp_path, sphere_msh):
    folder = _sphere_case(tmp_path / "cyc", 'distribution = "aligned"', CRYSTAL, "crystal")
    text = (folder / "case.toml").read_text() + """
[[stages]]
type = "cycles"
name = "cycle"
count = 2
increments = 2
"""
    (folder / "case.toml").write_text(text)
    (folder / "sphere.msh").write_bytes(sphere_msh.read_bytes())
    run_cli("run", folder, check=True)
    steps = read_summary(folder)["steps"]
    assert [s["name"] for s in steps] == ["charge", "cycle1-charge", "cycle1-discharge", "cycle2-charge",
                                          "cycle2-discharge"]
    assert [s["soc"] for s in steps] == pytest.approx([1.0, 1.0, 0.0, 1.0, 0.0])
    for s in steps:
        assert set(s["phases"]["particle"]) >= {"volume_m3", "mean_stress_Pa", "mean_hydrostatic_Pa",
                                                "mean_von_mises_Pa", "max_von_mises_Pa", "p99_von_mises_Pa",
                                                "max_principal_Pa"}
    rows = (folder / "results" / "history.csv").read_text().strip().splitlines()
    header = rows[0].split(",")
    assert header[:5] == ["stage", "increment", "temperature_K", "soc", "time_s"]
    assert len(rows) - 1 == 2 + 4 * 2  # one row per increment
    from stressfem.output.read import field_times

    assert len(field_times(folder / "results")) == len(steps)  # a field time entry per step


def test_stress_coupled_diffusion_lowers_the_gradient(tmp_path):
    """C7 Two-way coupling: with mu = mu0 + RT ln(...) - Omega sigma_h, the linearised theory gives an
    effective diffusivity D (1 + theta), theta = 2 Omega^2 E c / (9 R T (1 - nu)) (Zhang, Shyy, Sastry 2007),
    so the surface hoop stress is -Omega E J R / (15 (1 - nu) D (1 + theta)). Tolerance 4 %: theta is
    evaluated at the end-of-stage concentration (it grows 8 % over the stage) and sigma_h is lagged by
    one increment. Measured: 2.7 %."""
    R, E, nu, omega, D, cmax, rate = 5e-6, 100e9, 0.3, 1e-6, 1e-14, 5e4, 0.2
    text = (DIS_CASE.replace("partial_molar_volume_m3_per_mol = 3.5e-6", f"partial_molar_volume_m3_per_mol = {omega}")
            .replace("c_rate_per_h = 1.0", f"c_rate_per_h = {rate}")
            .replace('flux_surfaces = ["outer"]', 'flux_surfaces = ["outer"]\nstress_coupling = true'))
    folder = write_case(tmp_path / "coupled", text)
    write_octant_msh(folder / "sphere.msh", a=1.0, b=1.0, size=0.1, interface_size=0.08)
    run_cli("run", folder, check=True)
    _, _, _, hoop_R = _spherical_stress(folder, R)
    J = rate * cmax * (R / 3.0) / 3600.0
    K0 = omega * E * J * R / (15.0 * (1.0 - nu) * D)
    x_end = 1.0 + rate * 1500.0 / 3600.0
    theta = 2 * omega**2 * E * cmax * x_end / (9 * 8.314462618 * 298.15 * (1 - nu))
    assert abs(hoop_R) < K0  # the coupling relaxes the gradient
    assert abs(hoop_R - (-K0 / (1 + theta))) / (K0 / (1 + theta)) < 0.04, (hoop_R, -K0 / (1 + theta))


KINETIC_CASE = """
[geometry]
type = "particles"
box_um = [10, 10, 10]
volume_fraction = 0.3
particle_phase = "NMC811"
matrix_phase = "LLZO"
size_distribution = { type = "fixed", diameter_um = 5.0 }
[mesh]
size_um = 2.0
interface_size_um = 1.0
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[[stages]]
type = "galvanostatic"
c_rate_per_h = 1.0
soc_end = 0.3
increments = 3
[solver]
element_degree = 1  # as measured when these checks were written (P2 is the default since issue 12)
"""


@pytest.fixture(scope="module")
def kinetic_composite(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("kinetic"), KINETIC_CASE)
    run_cli("run", folder, check=True)
    return folder


def test_galvanostatic_composite_conserves_lithium(kinetic_composite):
    """C8 Kinetic mode in a composite: the Li flux crosses the particle/electrolyte interfaces
    (interior facets) and the mean Li content follows the C-rate exactly (mass balance, 1e-6)."""
    step = read_summary(kinetic_composite)["steps"][-1]
    nmc = LIBRARY["NMC811"].chemical_strain
    assert step["time_s"] == pytest.approx(0.3 * 3600.0)
    assert step["mean_li_fraction"] == pytest.approx(1.0 - 0.3 * (nmc.x_soc0 - nmc.x_soc1), rel=1e-6)
    # the particles shrink on charge: they are pulled by the electrolyte (tension)
    assert step["phases"]["NMC811"]["mean_hydrostatic_Pa"] > 0


@pytest.mark.mpi
def test_galvanostatic_serial_equals_mpi(kinetic_composite, tmp_path):
    """C6 for the kinetic mode: the same generated mesh on 2 ranks gives the same summary (1e-6)."""
    import shutil

    folder = tmp_path / "kin2"
    shutil.copytree(kinetic_composite, folder, ignore=shutil.ignore_patterns("results*"))
    run_cli("run", folder, np=2, check=True)
    s, p = read_summary(kinetic_composite), read_summary(folder)
    assert p["mpi_ranks"] == 2
    assert p["steps"][-1]["mean_li_fraction"] == pytest.approx(s["steps"][-1]["mean_li_fraction"], rel=1e-9)
    for phase, a in s["steps"][-1]["phases"].items():
        for key in ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "p99_von_mises_Pa"):
            assert p["steps"][-1]["phases"][phase][key] == pytest.approx(a[key], rel=1e-6), (phase, key)
