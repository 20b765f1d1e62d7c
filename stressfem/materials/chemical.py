"""Chemical (delithiation) strain of layered oxides: lattice strain along a and c versus Li content.

Each table gives the linear lattice strains eps_a(x), eps_c(x) (-) relative to the fully
lithiated state at the Li content x of LixMO2, linear in between. State of charge maps to x
linearly: x = x_soc0 + soc (x_soc1 - x_soc0), with soc 0 at 3.0 V and soc 1 at the upper cut-off.
In a crystal whose c axis points along the unit vector n, the strain tensor is
eps = eps_a I + (eps_c - eps_a) n n^T (transversely isotropic about c).

Sources:
  [MARKER]    Maerker, Reeves, Xu, Griffith, Grey, Chem. Mater. 31 (2019) 2545, in situ XRD of NMC811 on
              first charge (a, c vs charge; data as reproduced in the PASCal repository, MJCliffe/PASCal,
              tests/data/sample_q/input.tsv); x = 1 - q / 275.5 mAh/g.
  [KONDRAKOV] Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286: unit-cell volume change 3.0-4.3 V of
              about -5.1 % (NCM811) and -1.2 % (NCM111).
  [JOUSSEAUME] Jousseaume et al., Energy Environ. Sci. 2024 (d3ee04115h): Ni-rich NMC lattices evolve with
              Li content independently of the Ni fraction.
  [BENYAHIA]  Ben Yahia, Shikano, Kobayashi, Chem. Mater. 2013 (LixCoO2, 0.25 <= x <= 1), abstract values;
  [TESHIMA]   Teshima et al., Cryst. Growth Des. 10 (2010) 4471 (LiCoO2 a = 2.816, c = 14.052 A).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ChemicalStrain", "CHEMICAL_STRAIN", "lattice_strains"]


@dataclass(frozen=True)
class ChemicalStrain:
    """Tabulated lattice strain versus Li content.

    Attributes:
        x: Li content points (-), any order.
        strain_a, strain_c: linear strain along crystal a and c (-) at those points.
        x_soc0, x_soc1: Li content at state of charge 0 and 1 (-).
        source: citation.
    """

    x: tuple[float, ...]
    strain_a: tuple[float, ...]
    strain_c: tuple[float, ...]
    x_soc0: float
    x_soc1: float
    source: str

    def __post_init__(self) -> None:
        if not (len(self.x) == len(self.strain_a) == len(self.strain_c) >= 2):
            raise ValueError("chemical strain: x, strain_a and strain_c need the same length (>= 2)")

    @property
    def isotropic(self) -> bool:
        return self.strain_a == self.strain_c

    def x_from_soc(self, soc: float | np.ndarray) -> float | np.ndarray:
        """Li content (-) at state of charge soc (-)."""
        return self.x_soc0 + np.asarray(soc) * (self.x_soc1 - self.x_soc0)

    def strains(self, x: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(eps_a, eps_c) (-) at Li content x, interpolated linearly, constant beyond the table."""
        order = np.argsort(self.x)
        xs = np.asarray(self.x)[order]
        return (np.interp(x, xs, np.asarray(self.strain_a)[order]),
                np.interp(x, xs, np.asarray(self.strain_c)[order]))

    def volume_change(self, x: float) -> float:
        """Relative unit-cell volume change (-) at Li content x."""
        ea, ec = self.strains(x)
        return float((1 + ea) ** 2 * (1 + ec) - 1)

    def as_dict(self) -> dict:
        return {"x": list(self.x), "strain_a": list(self.strain_a), "strain_c": list(self.strain_c),
                "x_soc0": self.x_soc0, "x_soc1": self.x_soc1, "source": self.source}


def lattice_strains(a: list[float], c: list[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Strains relative to the first lattice parameters (A)."""
    a0, c0 = a[0], c[0]
    return tuple(ai / a0 - 1 for ai in a), tuple(ci / c0 - 1 for ci in c)


# NMC811, [MARKER] first charge: x, a (A), c (A)
_NMC811_X = [1.000, 0.887, 0.774, 0.662, 0.549, 0.436, 0.357, 0.301, 0.244, 0.188, 0.154, 0.120]
_NMC811_A = [2.8704, 2.8650, 2.8543, 2.8464, 2.8355, 2.8248, 2.8188, 2.8161, 2.8150, 2.8130, 2.8122, 2.8117]
_NMC811_C = [14.1918, 14.2157, 14.2682, 14.3250, 14.4040, 14.4591, 14.4834, 14.4652, 14.4021, 14.2823,
             14.1469, 14.0078]
_nmc_a, _nmc_c = lattice_strains(_NMC811_A, _NMC811_C)
# x at 4.3 V chosen so that the volume change 3.0-4.3 V is [KONDRAKOV]'s -5.1 % on this table
_NMC811_X_43V = 0.127

# LCO: [TESHIMA] x = 1; [BENYAHIA] x = 0.75, 0.5 (monoclinic, converted to the hexagonal c), 0.25
_LCO_X = [1.0, 0.75, 0.5, 0.25]
_lco_a, _lco_c = lattice_strains([2.816, 2.8117, 2.809, 2.812], [14.052, 14.286, 14.388, 14.26])

CHEMICAL_STRAIN: dict[str, ChemicalStrain] = {
    "NMC811": ChemicalStrain(tuple(_NMC811_X), _nmc_a, _nmc_c, 1.0, _NMC811_X_43V,
                             "[MARKER] a, c vs x on first charge; soc 1 at x = 0.127 gives "
                             "[KONDRAKOV]'s -5.1 % volume at 4.3 V"),
    "NCM85": ChemicalStrain(tuple(_NMC811_X), _nmc_a, _nmc_c, 1.0, _NMC811_X_43V,
                            "estimate: the NMC811 table of [MARKER], since Ni-rich lattices follow Li content "
                            "regardless of Ni fraction [JOUSSEAUME]"),
    "NCM111": ChemicalStrain((1.0, 0.35), (0.0, -0.014), (0.0, 0.016), 1.0, 0.35,
                             "estimate: a -1.4 %, c +1.6 % at x = 0.35 (4.3 V), linear in x, chosen to give "
                             "[KONDRAKOV]'s -1.2 % volume; the a/c split is an estimate"),
    "LCO": ChemicalStrain(tuple(_LCO_X), _lco_a, _lco_c, 1.0, 0.5,
                          "[TESHIMA] x = 1, [BENYAHIA] x = 0.75-0.25 (abstract values); soc 1 = x 0.5 (4.2 V): "
                          "c expands about 2.4 %, a contracts slightly"),
}
