"""Verification of the tensile statistics and Weibull failure probability of whole runs (CLI).

Requirements and tolerances:
* W1 Uniform tensile bar (two stacked 2 um cubes, LLZO and NMC811 with the LLZO elastic constants so
  that sigma_zz = 250 MPa is uniform, P1): per phase the mean and p50/p90/p99 of the maximum principal
  stress equal 250 MPa to 1e-6 relative (CG to rtol 1e-10); the volume fraction above the strength
  (100 / 200 MPa) and above 249 MPa is 1, above 251 MPa is 0; the Weibull risk equals
  (V/V0)(T/sigma_0)^m of the library parameters to 1e-6 relative and P_f = 1 - exp(-risk).
  The bonded run warns (log and summary.json fracture.warnings) that both phases are above their strength.
  About 2 s.
* W2 Lame shell (NMC811 sphere octant in LLZO, cooled 1050 -> 25 C; P2 elements, 7.6k cells): in the
  particle (uniform compression) P_f and the volume above strength are exactly 0; in the shell the
  mean maximum principal stress (the hoop stress) is within 0.5 % of the closed form, the volume
  fractions above 60 and 100 MPa within 3 % relative, and the Weibull risk (m = 10) within 15 %.
  Why 15 %: the risk goes as sigma^10, so it multiplies the stress discretisation error by about m,
  and the hoop stress falls as 1/r^3 from the (faceted) interface. Measured: -12.1 % at this mesh
  (size 0.3, 0.1 at the interface), -3.5 % at 38k P2 cells (0.2/0.05); with P1 elements the cell
  values of the degenerate hoop eigenvalue scatter and bias the risk upwards (+107 % at 38k P1
  cells, +34 % at 285k): use P2 (or a fine mesh) when the Weibull risk matters (docs/materials.md).
  The mean (+0.09 %) and fractions (-0.9 %, -1.0 %) are far inside their tolerances. About 4 s.
"""

from __future__ import annotations

import math

import pytest

from conftest import OCTANT_CASE, UNIFORM_BAR_CASE, read_summary, run_cli, write_case
from stressfem.materials import LIBRARY
from stressfem.verification.bimetal import write_strip_msh
from stressfem.verification.concentric_spheres import interface_pressure, write_octant_msh
from stressfem.verification.weibull import (lame_shell_fraction_above, lame_shell_mean_hoop, lame_shell_risk,
                                            uniform_risk)


LAME = OCTANT_CASE.replace("increments = 2", "increments = 1") + """
[solver]
element_degree = 2
[output]
fields = false
tensile_thresholds_MPa = [60, 100]
"""


def test_uniform_bar(tmp_path):
    folder = write_case(tmp_path / "bar", UNIFORM_BAR_CASE)
    write_strip_msh(folder / "bar.msh", 2e-6, 2e-6, 2e-6, 2e-6, 1e-6)
    run_cli("run", folder, check=True)
    s = read_summary(folder)
    T = 250e6
    for phase, material in (("bottom", "LLZO"), ("top", "NMC811")):
        d = s["steps"][-1]["phases"][phase]
        for k in ("mean_max_principal_Pa", "p50_max_principal_Pa", "p90_max_principal_Pa", "p99_max_principal_Pa"):
            assert d[k] == pytest.approx(T, rel=1e-6), (phase, k)
        assert d["volume_fraction_above_strength"] == 1.0
        assert d["volume_fraction_above_249MPa"] == 1.0 and d["volume_fraction_above_251MPa"] == 0.0
        m = LIBRARY[material]
        risk = uniform_risk(T, d["volume_m3"], m.weibull_modulus, m.weibull_scale_Pa, m.weibull_volume_m3)
        assert d["weibull_risk"] == pytest.approx(risk, rel=1e-6)
        assert d["failure_probability"] == pytest.approx(-math.expm1(-risk), rel=1e-6)
    assert d["volume_m3"] == pytest.approx(8e-18, rel=1e-9)
    warnings = s["fracture"]["warnings"]
    assert len(warnings) == 2 and all("bonded" in w for w in warnings)
    assert "all interfaces are bonded" in (folder / "results" / "run.log").read_text()
    assert s["fracture"]["phases"]["bottom"]["tensile_strength_Pa"] == 100e6
    header = (folder / "results" / "history.csv").read_text().splitlines()[0].split(",")
    assert {"bottom.p99_max_principal_Pa", "top.failure_probability", "top.volume_fraction_above_251MPa"} <= set(header)


def test_lame_shell(tmp_path):
    folder = write_case(tmp_path / "lame", LAME)
    write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.3, interface_size=0.1)
    run_cli("run", folder, check=True)
    phases = read_summary(folder)["steps"][-1]["phases"]
    p, m = LIBRARY["NMC811"], LIBRARY["LLZO"]
    P = interface_pressure((p.cte_per_K - m.cte_per_K) * (298.15 - 1323.15), p.youngs_modulus_Pa, p.poisson_ratio,
                           m.youngs_modulus_Pa, m.poisson_ratio, f=1.0 / 27.0)
    a, b = 1e-6, 3e-6
    assert phases["particle"]["failure_probability"] == 0.0
    assert phases["particle"]["volume_fraction_above_strength"] == 0.0
    shell = phases["matrix"]
    assert shell["mean_max_principal_Pa"] == pytest.approx(lame_shell_mean_hoop(P, a, b), rel=5e-3)
    for t in (60, 100):
        assert shell[f"volume_fraction_above_{t}MPa"] == pytest.approx(lame_shell_fraction_above(P, a, b, t * 1e6),
                                                                        rel=0.03)
    risk = lame_shell_risk(P, a, b, int(m.weibull_modulus), m.weibull_scale_Pa, m.weibull_volume_m3, fraction=1 / 8)
    assert shell["weibull_risk"] == pytest.approx(risk, rel=0.15)
