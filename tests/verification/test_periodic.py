"""Verification of periodic boundary conditions, macroscopic loading and homogenisation.

Requirements and tolerances:
* R1 Homogeneous periodic body (LLZO, library values), cooled by dT: free expansion gives
  E = alpha dT I and zero stress; mixed loading E_xx = E_yy = 0, Sigma_zz = -p (layer on a stiff
  substrate under stack pressure) gives sigma_xx = sigma_yy = (nu sigma_zz - E alpha dT) / (1 - nu)
  and E_zz = alpha dT + (sigma_zz - 2 nu sigma_xx) / E. Exact for P1: relative error < 1e-8,
  stresses that must vanish below 1e-6 E alpha |dT|.
* R1c Homogeneous body with an anisotropic chemical strain (c axes aligned with z) through a soc
  stage and a charge/discharge cycle: E = diag(eps_a, eps_a, eps_c) when charged, 0 when
  discharged, stress below 1e-6 E |eps_c| (exact; relative error < 1e-8).
* R2 Laminate along z (two isotropic layers, interface a mesh plane): the 6x6 effective stiffness
  and the free thermal strain equal the exact laminate formulas (verification/periodic_cells.py)
  to 1e-8 relative (piecewise-uniform exact fields, reproduced by P1).
* R3 Dilute simple-cubic array of stiff spheres (f = 0.1, E ratio 10): the effective bulk
  modulus lies within 2 % of the Maxwell estimate (= the Hashin-Shtrikman lower bound) and
  inside the HS bounds; the effective volumetric CTE lies within 2 % of Levin's formula with the
  HS lower bulk modulus; and, with the computed compliance, Levin's exact two-phase relation
  holds to 1e-8 (it holds for the discrete problem: a uniform strain is in the P1 space).
* R4 A generated periodic particle box: serial and `mpiexec -n 2` runs (each meshing its own
  copy) give the same macroscopic strain, stress and phase statistics to 1e-6 relative.
* R5 Refusals (exit 2 naming the key): [periodic] with a mesh whose faces do not match,
  with [[boundary_conditions]], and on an image volume without accept_nonperiodic_image.
* R5b With accept_nonperiodic_image = true the voxel (hexahedral) volume runs with a logged warning
  (one material: E = alpha dT I to 1e-8).
* R6 `stressfem homogenize` writes strict JSON with the exact laminate stiffness (1e-8), the
  volumetric CTE inside its Levin/HS bounds; `[periodic] homogenize = true` writes the same into
  summary.json (1e-8).
* R7 Laterally periodic stack (`directions = "xy"`, dense layers 2 + 1 um, roller on zmin, 5 MPa on
  zmax, Sigma_xx = Sigma_yy = 0): uniform in-plane strain E = sum f E' (alpha dT + nu p / E') /
  sum f E' (E' = E / (1 - nu)), layer stresses E' (E - alpha dT) - nu p / (1 - nu) and sigma_zz = -p,
  to 1e-8 (exact for P1), serial = 2 ranks to 1e-6.
* R8 Generated particle geometries mesh periodic: a stack with a composite layer laterally (x, y) and
  a coated particle box in x, y and z; they run, and the free macroscopic stresses vanish (1e-6 of
  the phase stresses).
Measured run times on the 2-core build machine (shared with other jobs): R1 2 x 3-5 s, R1c 3-5 s,
R2 1.4 s, R3 4.5 s, R4 25-34 s, R5 + R5b 16 s, R6 10-14 s,
R7 6-14 s, R8 9-21 s (stack) and 11-36 s (coated box, marked slow); quiet machine:
R4 11 s.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.verification.periodic_cells import write_laminate_msh, write_sphere_cell_msh

DT = -1000.0
TAIL = """
[[stages]]
type = "cooling"
stress_free_temperature_C = 1000
final_temperature_C = 0
increments = 2
"""


def _msh_case(folder, msh: str, phases: str, extra: str = "") -> str:
    return f'[geometry]\ntype = "msh"\nfile = "{msh}"\n[phases]\n{phases}\n{extra}\n{TAIL}'


@pytest.fixture(scope="module")
def laminate_msh(tmp_path_factory):
    return write_laminate_msh(tmp_path_factory.mktemp("laminate-msh") / "laminate.msh", fraction=0.5, size=0.25)


def _homogeneous_run(tmp_path, laminate_msh, periodic: str) -> dict:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "laminate.msh").write_bytes(laminate_msh.read_bytes())
    write_case(folder, _msh_case(folder, "laminate.msh", 'A = "LLZO"\nB = "LLZO"', periodic))
    run_cli("run", folder, check=True)
    return read_summary(folder)


def test_homogeneous_free_expansion(tmp_path, laminate_msh):
    m = LIBRARY["LLZO"]
    step = _homogeneous_run(tmp_path, laminate_msh, "[periodic]")["steps"][-1]
    E = np.array(step["macroscopic"]["strain"])
    exact = m.cte_per_K * DT
    assert np.abs(E - exact * np.eye(3)).max() < 1e-8 * abs(exact), E
    scale = m.youngs_modulus_Pa * m.cte_per_K * abs(DT)
    assert np.abs(step["macroscopic"]["stress_Pa"]).max() < 1e-6 * scale
    for phase in ("A", "B"):
        assert step["phases"][phase]["max_von_mises_Pa"] < 1e-6 * scale


def test_homogeneous_substrate_and_stack_pressure(tmp_path, laminate_msh):
    m = LIBRARY["LLZO"]
    p = 5e6
    periodic = f"[periodic]\nmacro_strain = {{ xx = 0.0, yy = 0.0 }}\nmacro_stress_Pa = {{ zz = {-p} }}"
    step = _homogeneous_run(tmp_path, laminate_msh, periodic)["steps"][-1]
    Y, nu, e0 = m.youngs_modulus_Pa, m.poisson_ratio, m.cte_per_K * DT
    s_in = (nu * -p - Y * e0) / (1 - nu)
    ezz = e0 + (-p - 2 * nu * s_in) / Y
    S, E = np.array(step["macroscopic"]["stress_Pa"]), np.array(step["macroscopic"]["strain"])
    assert abs(S[0, 0] - s_in) < 1e-8 * abs(s_in) and abs(S[1, 1] - s_in) < 1e-8 * abs(s_in)
    assert abs(S[2, 2] + p) < 1e-8 * abs(s_in)
    assert abs(E[2, 2] - ezz) < 1e-8 * abs(ezz) and abs(E[0, 0]) == 0.0 and abs(E[1, 1]) == 0.0
    assert abs(step["phases"]["A"]["mean_stress_Pa"][0][0] - s_in) < 1e-8 * abs(s_in)


CHEMICAL = """
[materials.host]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.25
cte_per_K = 10e-6
chemical_strain = { x = [0.0, 1.0], strain_a = [-0.01, 0.0], strain_c = [0.02, 0.0], x_soc0 = 1.0, x_soc1 = 0.0 }
[orientation]
distribution = "aligned"
[periodic]
[[stages]]
type = "soc"
soc_end = 1.0
increments = 2
[[stages]]
type = "cycles"
count = 1
increments = 2
"""


def test_homogeneous_chemical_expansion_soc_and_cycles(tmp_path, laminate_msh):
    folder = tmp_path / "case"
    write_case(folder, f'[geometry]\ntype = "msh"\nfile = "laminate.msh"\n[phases]\nA = "host"\nB = "host"\n{CHEMICAL}')
    (folder / "laminate.msh").write_bytes(laminate_msh.read_bytes())
    run_cli("run", folder, check=True)
    steps = read_summary(folder)["steps"]
    charged = np.array(steps[0]["macroscopic"]["strain"])
    assert np.abs(charged - np.diag([-0.01, -0.01, 0.02])).max() < 1e-8 * 0.02, charged
    assert np.abs(steps[-1]["macroscopic"]["strain"]).max() < 1e-8 * 0.02  # discharged again
    for step in steps:
        assert max(p["max_von_mises_Pa"] for p in step["phases"].values()) < 1e-6 * 150e9 * 0.02


def _homogenizer(folder, msh_path, phases: str, materials: str):
    from mpi4py import MPI

    from stressfem.case import load_case
    from stressfem.homogenize.command import homogenizer_for_case

    write_case(folder, _msh_case(folder, msh_path.name, phases, materials + "\n[periodic]"))
    (folder / msh_path.name).write_bytes(msh_path.read_bytes())
    return homogenizer_for_case(load_case(folder), MPI.COMM_SELF)


def _materials(**props: tuple[float, float, float]) -> str:
    """[materials.NAME] tables from NAME=(Young's modulus Pa, Poisson ratio, CTE 1/K) (test values)."""
    return "".join(f"[materials.{k}]\nyoungs_modulus_Pa = {E}\npoisson_ratio = {nu}\ncte_per_K = {a}\n"
                   for k, (E, nu, a) in props.items())


LAMINATE_MATERIALS = _materials(stiff=(150e9, 0.25, 15.5e-6), soft=(40e9, 0.35, 5e-6))


def test_laminate_stiffness_and_thermal_expansion(tmp_path, laminate_msh):
    from stressfem.physics.eigenstrain import LoadState
    from stressfem.solver.macro import to_voigt
    from stressfem.verification.periodic_cells import isotropic_voigt, laminate_effective

    h = _homogenizer(tmp_path, laminate_msh, 'A = "stiff"\nB = "soft"', LAMINATE_MATERIALS)
    C = [isotropic_voigt(m.youngs_modulus_Pa, m.poisson_ratio) for m in h.materials]
    b = [Ck @ np.r_[1.0, 1.0, 1.0, 0, 0, 0] * m.cte_per_K * DT for Ck, m in zip(C, h.materials)]
    C_exact, b_exact = laminate_effective(C, b, list(h.fractions))
    assert np.allclose(h.fractions, 0.5, rtol=1e-12)
    assert np.abs(h.C - C_exact).max() < 1e-8 * np.abs(C_exact).max()
    E_exact = np.linalg.solve(C_exact, b_exact)
    E_exact[3:] *= 0.5  # engineering -> tensor shear
    E = to_voigt(h.free_strain(LoadState(temperature_K=h.T0 + DT)))
    assert np.abs(E - E_exact).max() < 1e-8 * np.abs(E_exact).max()
    assert abs(E_exact[0] - E_exact[2]) > 0.1 * abs(E_exact[2])  # the laminate is really anisotropic
    cte = h.thermal([h.T0 + DT])
    inst, sec = np.array(cte["instantaneous_per_K"][0]), np.array(cte["secant_per_K"][0])
    assert np.abs(inst - sec).max() < 1e-6 * np.abs(sec).max()  # constant CTEs: one and the same


SPHERE_MATERIALS = _materials(inclusion=(400e9, 0.2, 4e-6), host=(40e9, 0.3, 15e-6))


def test_dilute_spheres_maxwell_hashin_shtrikman(tmp_path):
    from stressfem.homogenize.bounds import levin_cte
    from stressfem.homogenize.effective import isotropic_moduli

    msh = write_sphere_cell_msh(tmp_path / "cell.msh", fraction=0.1, size=0.1, sphere_size=0.05)
    folder = tmp_path / "case"
    h = _homogenizer(folder, msh, 'sphere = "inclusion"\nmatrix = "host"', SPHERE_MATERIALS)
    K_ph = [m.bulk_modulus_Pa for m in h.materials]
    hs = h.bounds()
    K = isotropic_moduli(h.C)["K_from_compliance_Pa"]  # = 1 / S_iijj, exact bulk modulus of a cubic cell
    assert hs["K_lower"] <= K <= hs["K_upper"]
    assert abs(K - hs["K_lower"]) < 0.02 * hs["K_lower"], (K, hs)
    assert K - min(K_ph) > 0.05 * min(K_ph)  # the spheres stiffen the host measurably
    cte = h.thermal([h.T0 + DT])
    alpha = cte["secant_volumetric_mean_per_K"][0]
    alphas = [m.cte_per_K for m in h.materials]
    assert abs(alpha - levin_cte(hs["K_lower"], K_ph, alphas)) < 0.02 * abs(alpha)
    assert abs(alpha - levin_cte(K, K_ph, alphas)) < 1e-8 * abs(alpha)
    lo, hi = cte["levin_hashin_shtrikman_bounds_secant_per_K"][0]
    assert lo <= alpha <= hi


def _box_geometry(box_um: float, seed: int, diameter_um: float, extra: str = "") -> str:
    """[geometry] of a cubic particle box, 30 vol % of equal spheres (lengths in um)."""
    return (f'[geometry]\ntype = "particles"\nbox_um = [{box_um}, {box_um}, {box_um}]\nvolume_fraction = 0.3\n'
            f'seed = {seed}\nsize_distribution = {{ type = "fixed", diameter_um = {diameter_um} }}\n{extra}')


PARTICLE_BOX = _box_geometry(10.0, 3, 4.0) + """[mesh]
size_um = 1.5
interface_size_um = 0.75
threads = 1
[phases]
particles = "NMC811"
electrolyte = "LLZO"
[periodic]
macro_strain = { xx = 0.0 }
[output]
fields = false
""" + TAIL


def _flat(step: dict) -> np.ndarray:
    strain = np.nan_to_num(np.array(step["macroscopic"]["strain"], dtype=float))  # null (not macroscopic) -> 0
    vals = [np.ravel(strain), np.ravel(step["macroscopic"]["stress_Pa"])]
    for p in sorted(step["phases"]):
        s = step["phases"][p]
        vals.append(np.r_[np.ravel(s["mean_stress_Pa"]), s["mean_von_mises_Pa"], s["volume_m3"]])
    return np.concatenate(vals)


@pytest.mark.mpi
def test_serial_equals_two_ranks(tmp_path):
    runs = {}
    for np_ in (1, 2):
        folder = write_case(tmp_path / f"np{np_}", PARTICLE_BOX)
        run_cli("run", folder, np=np_, check=True)
        runs[np_] = read_summary(folder)
    a, b = _flat(runs[1]["steps"][-1]), _flat(runs[2]["steps"][-1])
    scale = np.maximum(np.abs(a), 1e-12 * np.abs(a).max())
    assert runs[2]["mpi_ranks"] == 2 and runs[1]["periodic"]["reduced_dofs"] == runs[2]["periodic"]["reduced_dofs"]
    assert np.abs(a - b).max() / np.abs(a).max() < 1e-6, np.abs(a - b) / scale
    E = np.array(runs[1]["steps"][-1]["macroscopic"]["strain"])
    assert E[0, 0] == 0.0 and E[1, 1] < 0.0  # E_xx prescribed, the others free (Sigma = 0)


def test_refusals(tmp_path):
    msh = write_sphere_cell_msh(tmp_path / "plain.msh", fraction=0.1, size=0.25, periodic=False)
    folder = tmp_path / "nonperiodic"
    folder.mkdir()
    (folder / "plain.msh").write_bytes(msh.read_bytes())
    write_case(folder, _msh_case(folder, "plain.msh", 'sphere = "NMC811"\nmatrix = "LLZO"', "[periodic]"))
    proc = run_cli("run", folder)
    assert proc.returncode == 2 and "key 'periodic'" in proc.stderr and "matching nodes" in proc.stderr
    bcs = '[periodic]\n[[boundary_conditions]]\ntype = "roller"\nsurfaces = ["xmin"]'
    write_case(folder, _msh_case(folder, "plain.msh", 'sphere = "NMC811"\nmatrix = "LLZO"', bcs))
    proc = run_cli("check", folder)
    assert proc.returncode == 2 and "boundary_conditions" in proc.stderr
    image = tmp_path / "image"
    image.mkdir()
    labels = np.zeros((6, 6, 6), dtype=np.uint8)
    labels[1:4, 1:4, 1:4] = 1
    np.save(image / "labels.npy", labels)
    write_case(image, '[geometry]\ntype = "image"\nfile = "labels.npy"\nvoxel_size_m = 1e-6\n'
               'labels = { 0 = "LLZO", 1 = "NMC811" }\n[phases]\nLLZO = "LLZO"\nNMC811 = "NMC811"\n[periodic]\n' + TAIL)
    proc = run_cli("check", image)
    assert proc.returncode == 2 and "periodic.accept_nonperiodic_image" in proc.stderr
    # R5b with the explicit option the (hexahedral) image runs, with a warning; one material: exact free expansion
    text = (image / "case.toml").read_text().replace("[periodic]\n", "[periodic]\naccept_nonperiodic_image = true\n")
    (image / "case.toml").write_text(text.replace('NMC811 = "NMC811"', 'NMC811 = "LLZO"'))
    proc = run_cli("run", image, check=True)
    assert "not periodic" in proc.stdout + proc.stderr
    E = np.array(read_summary(image)["steps"][-1]["macroscopic"]["strain"])
    exact = LIBRARY["LLZO"].cte_per_K * DT
    assert np.abs(E - exact * np.eye(3)).max() < 1e-8 * abs(exact)
    # design maps superpose load patterns, which a periodic model does not have: refused naming [periodic]
    proc = run_cli("map", image, "--x", "stress_free_temperature_C=800:1000:2", "--y", "temperature_C=25,100",
                   "--quantity", "LLZO.max_principal_Pa")
    assert proc.returncode == 2 and "key 'periodic'" in proc.stderr and "stressfem sweep" in proc.stderr, proc.stderr


def test_homogenize_command_and_run_option(tmp_path, laminate_msh):
    """R6 `stressfem homogenize` writes strict JSON with the exact laminate stiffness; a run with
    periodic.homogenize = true puts the same effective properties into summary.json (1e-8)."""
    import json

    from stressfem.verification.periodic_cells import isotropic_voigt, laminate_effective

    folder = tmp_path / "case"
    write_case(folder, _msh_case(folder, "laminate.msh", 'A = "stiff"\nB = "soft"',
                                 LAMINATE_MATERIALS + "\n[periodic]\nhomogenize = true"))
    (folder / "laminate.msh").write_bytes(laminate_msh.read_bytes())
    proc = run_cli("homogenize", folder, "--points", "3", check=True)
    assert "Hashin-Shtrikman" in proc.stdout
    report = json.loads((folder / "results" / "effective_properties.json").read_text(),
                        parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    C_exact, _ = laminate_effective([isotropic_voigt(150e9, 0.25), isotropic_voigt(40e9, 0.35)],
                                    [np.zeros(6), np.zeros(6)], [0.5, 0.5])
    assert np.abs(np.array(report["stiffness_voigt_Pa"]) - C_exact).max() < 1e-8 * np.abs(C_exact).max()
    th = report["thermal_expansion"]
    assert len(th["temperature_K"]) == 3
    for a, (lo, hi) in zip(th["secant_volumetric_mean_per_K"], th["levin_hashin_shtrikman_bounds_secant_per_K"]):
        assert lo <= a <= hi
    hs = report["hashin_shtrikman_Pa"]
    assert hs["K_lower"] <= report["isotropic_moduli"]["K_from_compliance_Pa"] <= hs["K_upper"]
    run_cli("run", folder, check=True)
    log = (folder / "results" / "run.log").read_text()  # the extra solves are announced, then timed
    assert "effective properties ([periodic] homogenize = true)" in log and "effective properties: " in log
    in_run = read_summary(folder)["effective_properties"]
    assert np.abs(np.array(in_run["stiffness_voigt_Pa"]) - C_exact).max() < 1e-8 * np.abs(C_exact).max()
    run_th = in_run["thermal_expansion"]  # 5 temperatures (the run's default) against 3: same ends
    for k in (0, -1):
        assert run_th["temperature_K"][k] == th["temperature_K"][k]
        assert np.allclose(run_th["secant_per_K"][k], th["secant_per_K"][k], rtol=1e-8, atol=1e-14)


LATERAL = """
[geometry]
type = "layered"
lateral_um = [4.0, 3.0]
layers = [{ type = "dense", name = "bottom", phase = "A", thickness_um = 2.0 },
          { type = "dense", name = "top", phase = "B", thickness_um = 1.0 }]
[mesh]
size_um = 0.6
threads = 1
[phases]
A = "stiff"
B = "soft"
[[boundary_conditions]]
type = "roller"
surfaces = ["zmin"]
[[boundary_conditions]]
type = "pressure"
surfaces = ["zmax"]
pressure_Pa = 5e6
[periodic]
directions = "xy"
[output]
fields = false
""" + LAMINATE_MATERIALS + TAIL


@pytest.mark.mpi
def test_laterally_periodic_stack(tmp_path):
    """R7 (docstring above)."""
    f, p = np.array([2.0, 1.0]) / 3.0, 5e6
    Y, nu, alpha = np.array([150e9, 40e9]), np.array([0.25, 0.35]), np.array([15.5e-6, 5e-6])
    plane = Y / (1 - nu)  # biaxial modulus
    E = np.sum(f * (plane * alpha * DT + nu / (1 - nu) * p)) / np.sum(f * plane)
    s_in = plane * (E - alpha * DT) - nu / (1 - nu) * p
    runs = []
    for np_ in (1, 2):
        folder = write_case(tmp_path / f"np{np_}", LATERAL)
        run_cli("run", folder, np=np_, check=True)
        runs.append(read_summary(folder)["steps"][-1])
    for step in runs:
        macro = step["macroscopic"]
        assert abs(macro["strain"][0][0] - E) < 1e-8 * abs(E) and abs(macro["strain"][1][1] - E) < 1e-8 * abs(E)
        assert macro["strain"][2] == [None, None, None]  # z is not periodic: no macroscopic out-of-plane strain
        for phase, s in zip(("A", "B"), s_in):
            m = np.array(step["phases"][phase]["mean_stress_Pa"])
            assert abs(m[0, 0] - s) < 1e-8 * abs(s) and abs(m[1, 1] - s) < 1e-8 * abs(s)
            assert abs(m[2, 2] + p) < 1e-8 * abs(s)
    a, b = _flat(runs[0]), _flat(runs[1])
    assert np.abs(a - b).max() < 1e-6 * np.abs(a).max()


COMPOSITE_STACK = """
[geometry]
type = "layered"
lateral_um = [10.0, 10.0]
layers = [{ type = "dense", name = "separator", phase = "LLZO", thickness_um = 3.0 },
""" + ('          { type = "composite", name = "cathode", thickness_um = 8.0, volume_fraction = 0.35, '
       'particle_phase = "NMC811", matrix_phase = "LLZO", size_distribution = { type = "fixed", diameter_um = 4.0 } }]')\
    + """
[[boundary_conditions]]
type = "roller"
surfaces = ["zmin"]
[periodic]
directions = "xy"
"""

COATED_BOX = _box_geometry(8.0, 2, 3.0, 'coating = { phase = "ZrO2", thickness_um = 0.3 }\n') + "[periodic]\n"


@pytest.mark.parametrize("geometry, phases, axes", [
    (COMPOSITE_STACK, 'NMC811 = "NMC811"\nLLZO = "LLZO"', "xy"),
    pytest.param(COATED_BOX, 'particles = "NMC811"\nelectrolyte = "LLZO"\nZrO2 = "LLZO"', "xyz",
                 marks=pytest.mark.slow),  # 11 s on a quiet machine, 36 s when loaded (fine coating shells)
], ids=["composite-stack-xy", "coated-box-xyz"])
def test_generated_particle_geometries_mesh_periodic(tmp_path, geometry, phases, axes):
    """R8 (docstring above)."""
    # linear elements: the test is about the periodic mesh and the macroscopic stress balance, which
    # hold at any degree (P2, the default, took 149 s for the coated box against 11 s at P1)
    toml = geometry + ("[mesh]\nsize_um = 1.2\ninterface_size_um = 0.4\nthreads = 1\n[output]\nfields = false\n"
                       "[solver]\nelement_degree = 1\n")
    folder = write_case(tmp_path / "case", toml + f"[phases]\n{phases}\n" + TAIL)
    run_cli("run", folder, check=True)
    s = read_summary(folder)
    assert sorted(s["mesh"]["periodic_surface_pairs"]) == sorted(axes)
    assert s["periodic"]["reduced_dofs"] < s["dofs"]
    S = np.array(s["steps"][-1]["macroscopic"]["stress_Pa"])
    scale = max(abs(p["mean_hydrostatic_Pa"]) for p in s["steps"][-1]["phases"].values())
    free = [0, 1] if axes == "xy" else [0, 1, 2]
    assert np.abs(S[free, free]).max() < 1e-6 * scale  # the free macroscopic components carry no mean stress
