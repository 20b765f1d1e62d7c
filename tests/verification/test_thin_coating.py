"""Thin coatings as spring-layer interfaces (issue 15): the spring law against the closed form.

A particle (radius a) in a concentric shell (b = 3a) with a spring interface of normal stiffness k
carries the uniform pressure P = e / (C + 1/(k a)) (e = (alpha_p - alpha_m) dT, C the Lame
compliance; stressfem/verification/layered_spheres.py, derived there from the n-layer solution).
A coating of thickness t below coating.min_meshed_thickness_um listed under [phases] becomes such a
spring with k_n = M_c / t, k_t = G_c / t (physics/cohesive/spring.py).

Requirements and tolerances:
* T1 The n-layer solution with one spring reproduces the closed form P (1e-10 relative) and the radial
  displacement jump equals sigma_rr / k (1e-10 relative).
* T2 FE (P1, Lame octant, spring law under [[interfaces]], k = 1e17 Pa/m, which halves the bonded pressure):
  particle mean hydrostatic stress within 2 % of -P (measured -0.61 %), and the area-weighted mean normal
  traction of the interface within 2 % of -P; the interface is bonded and closed everywhere.
* T5 Serial and `mpiexec -n 2` give the same phase means (1e-6 relative) and interface statistics (1e-6
  relative; tractions to 1e-6 of the mean normal traction).
* T3 Thin-coating limit (closed form): for a ZrO2 coating (library values) on NMC811 in LLZO, the spring
  model with k_n = M/t and the exact three-layer (core/coating/matrix) solution converge to each other
  as t -> 0: |P_spring - P_3layer| <= (t / a) |P_bonded| for t/a from 1e-1 to 1e-3.
* T4 A generated case with a 5 nm ZrO2 coating listed under [phases] runs with a spring interface
  NMC811/LLZO (k_n and k_t from the library ZrO2 in the log and in summary.json interface_laws, 1e-12),
  its summary holds the interface statistics,
  and the particles' mean hydrostatic stress differs from the uncoated (bonded, same P1 mesh) run by less
  than 1 % (closed form for a 1.75 um particle: 5 nm ZrO2 changes the pressure by 0.28 % exactly, by 0.14 % as a spring).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import OCTANT_NMC_LLZO, SMALL_BOX_NMC_LLZO, read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.physics.cohesive import thin_layer_stiffness
from stressfem.verification.concentric_spheres import write_octant_msh
from stressfem.verification.layered_spheres import Layer, layered_sphere, spring_interface_pressure

A, B = 1.0e-6, 3.0e-6
DT = -1025.0  # 1050 C -> 25 C
K_SPRING = 1e17


def _moduli(name: str) -> tuple[float, float, float]:
    m = LIBRARY[name]
    E, nu = m.youngs_modulus_Pa, m.poisson_ratio
    return E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu)), m.cte_per_K


def _layer(name: str, r: float) -> Layer:
    K, G, alpha = _moduli(name)
    return Layer(r, K, G, alpha * DT)


def _pressure(k: float) -> float:
    p, m = LIBRARY["NMC811"], LIBRARY["LLZO"]
    return spring_interface_pressure((p.cte_per_K - m.cte_per_K) * DT, p.youngs_modulus_Pa, p.poisson_ratio,
                                     m.youngs_modulus_Pa, m.poisson_ratio, A, B, k)


def test_layered_solution_matches_the_spring_closed_form():
    sol = layered_sphere([_layer("NMC811", A), _layer("LLZO", B)], [K_SPRING])
    P = _pressure(K_SPRING)
    assert sol.radial_stress(A, layer=0) == pytest.approx(-P, rel=1e-10)
    assert sol.radial_stress(A, layer=1) == pytest.approx(-P, rel=1e-10)
    jump = sol.displacement(A, 1) - sol.displacement(A, 0)
    assert jump == pytest.approx(-P / K_SPRING, rel=1e-10)
    assert abs(sol.radial_stress(B)) < 1e-6 * P
    bonded = layered_sphere([_layer("NMC811", A), _layer("LLZO", B)], [math.inf])
    assert bonded.radial_stress(A) == pytest.approx(-_pressure(math.inf), rel=1e-10)
    assert 0.3 < P / _pressure(math.inf) < 0.7  # k = 1e17 Pa/m matters: it about halves the pressure


SPRING_CASE = OCTANT_NMC_LLZO + f"""[[stages]]
type = "cooling"
stress_free_temperature_C = 1050
final_temperature_C = 25
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["x0", "y0", "z0"]
[[interfaces]]
name = "particle/matrix"
law = {{ type = "spring", normal_stiffness_Pa_per_m = {K_SPRING:g}, shear_stiffness_Pa_per_m = 4e16 }}
[output]
fields = false
"""


@pytest.fixture(scope="module")
def spring_octant(tmp_path_factory):
    folder = write_case(tmp_path_factory.mktemp("spring"), SPRING_CASE)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.4, interface_size=0.1)
    run_cli("run", folder, check=True)
    return folder


def test_spring_interface_fe_matches_closed_form(spring_octant):
    step = read_summary(spring_octant)["steps"][-1]
    P = _pressure(K_SPRING)
    sh = step["phases"]["particle"]["mean_hydrostatic_Pa"]
    assert sh == pytest.approx(-P, rel=0.02), (sh, -P)
    st = step["interfaces"]["particle/matrix"]
    assert st["damaged_fraction"] == 0.0 and st["bonded_fraction"] == 1.0
    assert st["contact_fraction"] == pytest.approx(1.0)  # the particle is pressed: jn = -P/k < 0 everywhere
    assert st["mean_normal_traction_Pa"] == pytest.approx(-P, rel=0.02), (st["mean_normal_traction_Pa"], -P)


@pytest.mark.mpi
def test_spring_serial_equals_mpi(spring_octant, tmp_path):
    folder = write_case(tmp_path / "mpi", SPRING_CASE)
    (folder / "octant.msh").write_bytes((spring_octant / "octant.msh").read_bytes())
    run_cli("run", folder, np=2, check=True)
    a, b = read_summary(spring_octant)["steps"][-1], read_summary(folder)["steps"][-1]
    for phase in ("particle", "matrix"):
        assert b["phases"][phase]["mean_hydrostatic_Pa"] == pytest.approx(a["phases"][phase]["mean_hydrostatic_Pa"],
                                                                          rel=1e-6)
    scale = abs(a["interfaces"]["particle/matrix"]["mean_normal_traction_Pa"])
    for key, v in a["interfaces"]["particle/matrix"].items():
        tol = 1e-6 * scale if key.endswith("traction_Pa") else 1e-6 * abs(v) + 1e-20
        assert b["interfaces"]["particle/matrix"][key] == pytest.approx(v, abs=tol), key


@pytest.mark.parametrize("t_over_a", [1e-1, 1e-2, 1e-3])
def test_spring_layer_approaches_the_three_layer_solution(t_over_a):
    a, t = 1.75e-6, t_over_a * 1.75e-6
    core, coat, matrix = _layer("NMC811", a), _layer("ZrO2", a + t), _layer("LLZO", 3 * a)
    three = layered_sphere([core, coat, matrix], [math.inf, math.inf]).radial_stress(a, layer=0)
    z = LIBRARY["ZrO2"]
    kn, _ = thin_layer_stiffness(z.youngs_modulus_Pa, z.poisson_ratio, t)
    spring = layered_sphere([core, matrix], [kn]).radial_stress(a, layer=0)
    bonded = layered_sphere([core, matrix], [math.inf]).radial_stress(a, layer=0)
    assert abs(spring - three) <= t_over_a * abs(bonded), (spring, three, bonded)


def test_thin_coating_case_runs_as_a_spring_layer(tmp_path):
    base = SMALL_BOX_NMC_LLZO + """[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[solver]
element_degree = 1
[[stages]]
type = "cooling"
stress_free_temperature_C = 1050
final_temperature_C = 25
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[output]
fields = false
"""
    coated = base.replace('matrix_phase = "LLZO"', 'matrix_phase = "LLZO"\ncoating = { phase = "ZrO2", thickness_um = 0.005 }',
                          1).replace('LLZO = "LLZO"\n', 'LLZO = "LLZO"\nZrO2 = "ZrO2"\n', 1)
    plain, thin = write_case(tmp_path / "plain", base), write_case(tmp_path / "thin", coated)
    run_cli("run", plain, check=True)
    proc = run_cli("run", thin, check=True)
    z = LIBRARY["ZrO2"]
    kn, kt = thin_layer_stiffness(z.youngs_modulus_Pa, z.poisson_ratio, 0.005e-6)
    log = (thin / "results" / "run.log").read_text() + proc.stderr + proc.stdout
    assert f"k_n = M/t = {kn:.4g} Pa/m, k_t = G/t = {kt:.4g} Pa/m" in log
    step_thin, step_plain = read_summary(thin)["steps"][-1], read_summary(plain)["steps"][-1]
    st = step_thin["interfaces"]["NMC811/LLZO"]
    assert st["damaged_fraction"] == 0.0 and st["area_m2"] > 0
    h_thin = step_thin["phases"]["NMC811"]["mean_hydrostatic_Pa"]
    h_plain = step_plain["phases"]["NMC811"]["mean_hydrostatic_Pa"]
    assert np.isclose(h_thin, h_plain, rtol=0.01), (h_thin, h_plain)
    assert "ZrO2" not in step_thin["phases"]
    law = read_summary(thin)["interface_laws"]["NMC811/LLZO"]
    assert law["type"] == "spring" and law["source"].startswith("thin coating ZrO2 (0.005 um)")
    assert law["normal_stiffness_Pa_per_m"] == pytest.approx(kn, rel=1e-12)
    assert law["shear_stiffness_Pa_per_m"] == pytest.approx(kt, rel=1e-12)
