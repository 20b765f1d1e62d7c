"""Materials library and case overrides.

Requirements: every shipped number has a citation; a case can override any property of a
library material or define a new one inline; a CTE table integrates exactly.
"""

from __future__ import annotations

import math

import pytest

from conftest import write_case
from stressfem.case import load_case
from stressfem.errors import CaseError
from stressfem.materials import LIBRARY, Material, resolve_materials

REQUIRED = ["LLZO", "NMC811", "NCM111", "NCM85", "LCO", "Li6PS5Cl", "LiPON", "ZrO2"]


@pytest.mark.parametrize("name", REQUIRED)
def test_library_has_cited_numbers(name):
    m = LIBRARY[name]
    for prop in ("youngs_modulus_Pa", "poisson_ratio", "cte_per_K", "density_kg_per_m3"):
        assert getattr(m, prop) is not None
        assert len(m.sources.get(prop, "")) > 10, (name, prop)
    assert 1e9 < m.youngs_modulus_Pa < 1e12
    assert 0.0 < m.poisson_ratio < 0.5
    assert 1e-6 < m.cte_per_K < 1e-4
    assert 1000 < m.density_kg_per_m3 < 8000


def test_llzo_from_swapped_table2_moduli():
    # [PERSP] Table 2 swapped back: G = 65 GPa, K = 112 GPa
    G, K = 65e9, 112e9
    m = LIBRARY["LLZO"]
    assert m.youngs_modulus_Pa == pytest.approx(9 * K * G / (3 * K + G), rel=0.01)
    assert m.poisson_ratio == pytest.approx((3 * K - 2 * G) / (2 * (3 * K + G)), rel=0.01)


def test_cte_table_integral_is_exact():
    # alpha(T) linear from 1e-5 at 300 K to 2e-5 at 1300 K: strain = integral
    m = Material("x", 1e9, 0.3, cte_table=((300.0, 1300.0), (1e-5, 2e-5)))
    exact = lambda T: 1e-5 * (T - 300) + 0.5e-8 * (T - 300) ** 2  # noqa: E731
    for T in (300.0, 500.0, 1000.0, 1300.0):
        assert m.thermal_strain(T, 1300.0) == pytest.approx(exact(T) - exact(1300.0), rel=1e-12, abs=1e-15)
    # constant extrapolation beyond the table
    assert m.thermal_strain(1400.0, 1300.0) == pytest.approx(2e-5 * 100.0)


CASE = """
[geometry]
type = "particles"
box_um = [10, 10, 10]
volume_fraction = 0.3
size_distribution = {{ type = "fixed", diameter_um = 4.0 }}
[phases]
particles = "NMC811"
electrolyte = "{matrix}"
{materials}
[[stages]]
type = "cooling"
stress_free_temperature_C = 1000
final_temperature_C = 25
"""


def test_override_and_inline_material(tmp_path):
    mats = """
[materials.NMC811]
youngs_modulus_Pa = 120e9
source = "Barai et al., Chem. Mater. 33 (2021) 5527"
[materials.soft_LLZO]
base = "LLZO"
youngs_modulus_Pa = 15e9
[materials.glass]
youngs_modulus_Pa = 60e9
poisson_ratio = 0.22
cte_table = { temperature_K = [300, 900], cte_per_K = [8e-6, 1.2e-5] }
"""
    folder = write_case(tmp_path / "c", CASE.format(matrix="soft_LLZO", materials=mats).replace(
        'particles = "NMC811"', 'particles = "NMC811"\n'))
    with pytest.raises(CaseError, match="glass"):  # defined but unused
        load_case(folder)
    folder = write_case(tmp_path / "d", CASE.format(matrix="soft_LLZO", materials=mats.split("[materials.glass]")[0]))
    mats_by_phase = resolve_materials(load_case(folder))
    assert mats_by_phase["particles"].youngs_modulus_Pa == 120e9
    assert mats_by_phase["particles"].cte_per_K == LIBRARY["NMC811"].cte_per_K
    assert "Barai" in mats_by_phase["particles"].sources["youngs_modulus_Pa"]
    assert mats_by_phase["electrolyte"].youngs_modulus_Pa == 15e9
    assert mats_by_phase["electrolyte"].poisson_ratio == LIBRARY["LLZO"].poisson_ratio


def test_new_material_needs_cte(tmp_path):
    mats = "[materials.glass]\nyoungs_modulus_Pa = 60e9\npoisson_ratio = 0.22\n"
    folder = write_case(tmp_path / "e", CASE.format(matrix="glass", materials=mats))
    with pytest.raises(CaseError, match=r"materials\.glass\.cte_per_K"):
        load_case(folder)


def test_lame_constants():
    m = LIBRARY["LLZO"]
    E, nu = m.youngs_modulus_Pa, m.poisson_ratio
    assert m.bulk_modulus_Pa == pytest.approx(m.lame_lambda_Pa + 2 * m.shear_modulus_Pa / 3)
    assert math.isclose(m.shear_modulus_Pa, E / (2 * (1 + nu)))
