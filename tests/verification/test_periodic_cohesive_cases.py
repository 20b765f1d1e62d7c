"""Cohesive interfaces inside periodic volumes through the CLI (case files, summary.json).

Requirements and tolerances:
* PCC1 Strong interface = bonded: a periodic sphere cell (10 vol %, r = 0.29 um, E 150 / 100 GPa,
  CTE 10 / 15e-6 1/K, cooled by 1000 K) with a cohesive sphere/matrix interface whose strengths are
  far above the stresses equals the bonded periodic P1 run up to the penalty compliance: the
  interface adds an opening t_n / K to a bulk displacement of order sigma R / E, so the mean phase
  stresses and the macroscopic strain differ by O(E / (K R)). Checked: with K = 1e21 Pa/m the
  difference is below 2 E_max / (K R) = 1.0e-3 (relative to the largest mean stress component / the
  macroscopic strain), and it falls with 1/K (K = 1e22: 10x smaller, within 20 %).
* PCC2 A small periodic NMC811/LLZO particle box with cohesive interfaces (the shipped debonding
  law) runs a cool-down and a charge: summary.json has the macroscopic strain and stress tensors
  per step (free expansion: |Sigma| < 1e-6 of the phase stresses), the interface statistics and
  part of the interface debonds. No damage concentrates at the box faces: the damaged (after the
  cool-down) and the debonded (after the charge) fraction of the interface within 1 um (one interface
  element) of the box faces minus that of the rest, compared with the same difference for the faces
  translated periodically over 64 positions (a 4 x 4 x 4 grid of shifts): with periodic conditions
  no position is special, so the box's own value is one draw of that distribution and lies below
  its mean + 3 standard deviations (measured: z = -1.1 and -1.7; the same box with rollers on three
  faces and three free faces: z = +3.3 after the cool-down, 33 % of the interface near the faces
  damaged against 1.8 % inside, the artefact of issue 14).
* PCC3 Refusals (exit 2, naming the key): method = "secant", a fixed z face of a laterally periodic volume with interfaces, and a laminate whose A/B interface
  would lie on the periodic z faces (a displacement block cannot be paired with itself across them).
* PCC4 Laterally periodic bilayer (directions = "xy": layers A, B of the laminate cell with a cohesive
  A/B interface, E 150 / 75 GPa, nu 0.3 / 0.15, roller on zmin, 50 MPa traction on zmax, in-plane
  macroscopic stresses zero): interface traction = 50 MPa and opening = t / K, layer stresses
  uniaxial, E_xx = E_yy = -nu_A t / E_A, all to 1e-8; serial = `mpiexec -n 2` (1e-6).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np

from conftest import read_summary, run_cli, write_case
from stressfem.output.schema import DEBONDED
from stressfem.verification.periodic_cells import write_laminate_msh, write_sphere_cell_msh

SPHERE_CASE = """
[geometry]
type = "msh"
file = "cell.msh"
[phases]
sphere = "hard"
matrix = "soft"
[materials.hard]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.25
cte_per_K = 10e-6
[materials.soft]
youngs_modulus_Pa = 100e9
poisson_ratio = 0.3
cte_per_K = 15e-6
[solver]
element_degree = 1
[periodic]
[[stages]]
type = "cooling"
stress_free_temperature_C = 1000
final_temperature_C = 0
increments = 2
"""


def _strong(K: float) -> str:
    return ('[[interfaces]]\nname = "sphere/matrix"\nlaw = { type = "bilinear", penalty_stiffness_Pa_per_m = '
            f'{K:g}, normal_strength_Pa = 1e11, shear_strength_Pa = 1e11, GIc_J_per_m2 = 1e6, GIIc_J_per_m2 = 1e6, '
            'bk_exponent = 2.0 }\n')


def _macro_and_means(summary: dict) -> tuple[np.ndarray, np.ndarray]:
    step = summary["steps"][-1]
    means = np.array([step["phases"][p]["mean_stress_Pa"] for p in ("sphere", "matrix")])
    return np.array(step["macroscopic"]["strain"]), means


def test_strong_interface_equals_bonded(tmp_path):
    msh = write_sphere_cell_msh(tmp_path / "cell.msh", 0.1, size=0.2)
    runs = {}
    for name, extra in (("bonded", ""), ("k21", _strong(1e21)), ("k22", _strong(1e22))):
        folder = write_case(tmp_path / name, SPHERE_CASE + extra)
        shutil.copy(msh, folder / "cell.msh")
        run_cli("run", folder, check=True)
        runs[name] = _macro_and_means(read_summary(folder))
    E0, S0 = runs["bonded"]
    radius = (3 * 0.1 / (4 * np.pi)) ** (1 / 3) * 1e-6
    diffs = {}
    for name, K in (("k21", 1e21), ("k22", 1e22)):
        E, S = runs[name]
        diffs[name] = (np.abs(E - E0).max() / np.abs(E0).max(), np.abs(S - S0).max() / np.abs(S0).max())
        assert max(diffs[name]) < 2 * 150e9 / (K * radius), (name, diffs[name])
    for k in range(2):
        assert abs(diffs["k21"][k] / diffs["k22"][k] / 10 - 1) < 0.2, diffs


BOX_CASE = """
[geometry]
type = "particles"
box_um = [10.0, 10.0, 10.0]
volume_fraction = 0.30
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 3
size_distribution = { type = "lognormal", d50_um = 4.0, sigma_ln = 0.15 }
[mesh]
size_um = 2.0
interface_size_um = 1.0
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[periodic]
[[stages]]
type = "cooling"
name = "cooldown"
stress_free_temperature_C = 1050.0
final_temperature_C = 25.0
increments = 1
[[stages]]
type = "soc"
name = "charge"
soc_end = 1.0
increments = 4
[[interfaces]]
name = "NMC811/LLZO"
# the law of cases/nmc811-llzo-debonding (sources there)
law = { type = "bilinear", penalty_stiffness_Pa_per_m = 1.0e18, normal_strength_Pa = 100e6, shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.4, GIIc_J_per_m2 = 2.4, bk_exponent = 2.0, viscosity_s = 0.05 }
[cohesive_solver]
max_newton_iterations = 12
[output]
fields_every_increment = false
"""


def _array(text: str, name: str | None) -> np.ndarray:
    tag = r'<DataArray[^>]*Name="%s"[^>]*>(.*?)</DataArray>' % name if name else \
        r"<Points>\s*<DataArray[^>]*>(.*?)</DataArray>"
    return np.array(re.search(tag, text, re.S).group(1).split(), dtype=float)


def interface_facets(results: Path, number: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centroids (m), areas (m2) and damage of the interface facets of output ``number`` (serial vtu)."""
    text = (results / f"interface_NMC811-LLZO_p0_{number:06d}.vtu").read_text()
    x = _array(text, None).reshape(-1, 3)
    p = x[_array(text, "connectivity").astype(int).reshape(-1, 3)]
    area = 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
    return p.mean(axis=1), area, _array(text, "damage")


def face_layer_z(centroid, area, indicator, box: float, width: float) -> float:
    """How special the box faces are: (fraction of interface area with ``indicator`` within ``width`` of the
    faces) - (fraction in the rest), as a z-score among the same difference for the faces translated
    periodically over a 4 x 4 x 4 grid of shifts (the first shift is the box itself)."""
    def layer_minus_rest(shift):
        r = (centroid - np.asarray(shift)) % box
        near = np.minimum(r, box - r).min(axis=1) < width
        return area[near] @ indicator[near] / area[near].sum() - area[~near] @ indicator[~near] / area[~near].sum()

    d = np.array([layer_minus_rest((i * box / 4, j * box / 4, k * box / 4))
                  for i in range(4) for j in range(4) for k in range(4)])
    return float((d[0] - d.mean()) / d.std()) if d.std() > 0 else 0.0


def test_particle_box_cooldown_and_charge(tmp_path):
    folder = write_case(tmp_path / "box", BOX_CASE)
    run_cli("run", folder, check=True)
    s = read_summary(folder)
    assert s["periodic"]["reduced_dofs"] > 0 and s["interface_laws"]["NMC811/LLZO"]["type"] == "bilinear"
    for step in s["steps"]:
        macro = np.array(step["macroscopic"]["stress_Pa"])
        scale = max(abs(p["mean_hydrostatic_Pa"]) for p in step["phases"].values())
        assert np.abs(macro).max() < 1e-6 * scale, macro  # free expansion
        assert np.array(step["macroscopic"]["strain"]).shape == (3, 3)
        assert {"damaged_fraction", "debonded_fraction", "dissipated_energy_J"} <= set(
            step["interfaces"]["NMC811/LLZO"])
    cool, charged = s["steps"][0], s["steps"][-1]
    assert cool["interfaces"]["NMC811/LLZO"]["debonded_fraction"] == 0.0  # compression after sintering
    assert 0.0 < charged["interfaces"]["NMC811/LLZO"]["debonded_fraction"] < 1.0
    assert np.trace(np.array(cool["macroscopic"]["strain"])) < 0.0  # the composite contracts on cooling
    box = 10e-6
    c, a, d = interface_facets(folder / "results", 0)  # after the cool-down
    assert face_layer_z(c, a, (d > 0.0).astype(float), box, 1e-6) < 3.0
    c, a, d = interface_facets(folder / "results", 1)  # after the charge
    assert face_layer_z(c, a, (d >= DEBONDED).astype(float), box, 1e-6) < 3.0


def test_refusals(tmp_path):
    laminate = write_laminate_msh(tmp_path / "laminate.msh", fraction=0.5, size=0.5)
    base = ('[geometry]\ntype = "msh"\nfile = "laminate.msh"\n[phases]\nA = "LLZO"\nB = "NMC811"\n'
            '[[stages]]\ntype = "cooling"\nstress_free_temperature_C = 1000\nfinal_temperature_C = 0\nincrements = 1\n'
            '[[interfaces]]\nname = "A/B"\nlaw = { type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, '
            'normal_strength_Pa = 1e8, shear_strength_Pa = 1e8, GIc_J_per_m2 = 1.0, GIIc_J_per_m2 = 1.0 }\n')
    cases = {"secant": ("[periodic]\n[cohesive_solver]\nmethod = \"secant\"\n", "cohesive_solver.method"),
             "fixed": ("[periodic]\ndirections = \"xy\"\n[[boundary_conditions]]\ntype = \"fixed\"\n"
                       "surfaces = [\"zmin\"]\n", "boundary_conditions[0].type"),
             "face": ("[periodic]\n", "periodic")}
    for name, (extra, key) in cases.items():
        folder = write_case(tmp_path / name, base + extra)
        shutil.copy(laminate, folder / "laminate.msh")
        proc = run_cli("run", folder)
        assert proc.returncode == 2, (name, proc.stderr[-2000:])
        assert key in proc.stderr, (name, proc.stderr[-2000:])
    assert "another body cluster" in proc.stderr or "matching nodes" in proc.stderr


BILAYER = """
[geometry]
type = "msh"
file = "laminate.msh"
[phases]
A = "a"
B = "b"
[materials.a]
youngs_modulus_Pa = 150e9
poisson_ratio = 0.3
cte_per_K = 0.0
[materials.b]
youngs_modulus_Pa = 75e9
poisson_ratio = 0.15
cte_per_K = 0.0
[periodic]
directions = "xy"
[[boundary_conditions]]
type = "traction"
surfaces = ["zmax"]
traction_Pa = [0.0, 0.0, 50e6]
[[stages]]
type = "cooling"
stress_free_temperature_C = 25
final_temperature_C = 20
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["zmin"]
[[interfaces]]
name = "A/B"
law = { type = "bilinear", penalty_stiffness_Pa_per_m = 1e17, normal_strength_Pa = 1e8, shear_strength_Pa = 1e8, GIc_J_per_m2 = 1.0, GIIc_J_per_m2 = 1.0 }
"""


def test_laterally_periodic_bilayer(tmp_path):
    t, K = 50e6, 1e17
    laminate = write_laminate_msh(tmp_path / "laminate.msh", fraction=0.5, size=0.34)
    steps = []
    for np_ in (1, 2):
        folder = write_case(tmp_path / f"np{np_}", BILAYER)
        shutil.copy(laminate, folder / "laminate.msh")
        run_cli("run", folder, np=np_, check=True)
        steps.append(read_summary(folder)["steps"][-1])
    step = steps[0]
    iface = step["interfaces"]["A/B"]
    assert abs(iface["mean_normal_traction_Pa"] - t) < 1e-8 * t and abs(iface["max_opening_m"] - t / K) < 1e-8 * t / K
    for phase in ("A", "B"):
        assert np.abs(np.array(step["phases"][phase]["mean_stress_Pa"]) - np.diag([0, 0, t])).max() < 1e-8 * t
    E = step["macroscopic"]["strain"]
    assert abs(E[0][0] + 0.3 * t / 150e9) < 1e-8 * t / 150e9 and abs(E[1][1] - E[0][0]) < 1e-8 * t / 150e9
    assert E[2][2] is None  # z is not macroscopic
    for key in ("mean_normal_traction_Pa", "max_opening_m"):
        assert abs(steps[1]["interfaces"]["A/B"][key] / iface[key] - 1) < 1e-6
    assert abs(steps[1]["macroscopic"]["strain"][0][0] / E[0][0] - 1) < 1e-6
