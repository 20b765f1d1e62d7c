"""Open-circuit voltage (V vs Li/Li+) of the layered-oxide cathodes versus Li content x of LixMO2.

Each table is a published fit evaluated at the listed x, linear in between; the fit functions are
those of the parameter sets named below (read in PyBaMM's parameter library; the papers are cited):
  [CHEN2020]   Chen, Brosa Planella, O'Regan, Gastol, Widanage, Kendrick, J. Electrochem. Soc. 167 (2020)
               080534: NMC811 (LG M50) open-circuit potential fit U(x) = -0.8090 x + 4.4875
               - 0.0428 tanh(18.5138 (x - 0.5542)) - 17.7326 tanh(15.7890 (x - 0.3117))
               + 17.5842 tanh(15.9308 (x - 0.3120)); measured for about 0.27 <= x <= 0.91, the
               table points outside that range extrapolate the fit.
  [MOHTAT2020] Mohtat, Lee, Sulzer, Siegel, Stefanopoulou, J. Electrochem. Soc. 167 (2020) 110561: NMC532 fit
               U(x) = 4.3452 - 1.6518 x + 1.6225 x^2 - 2.0843 x^3 + 3.5146 x^4 - 2.2166 x^5
               - 0.5623e-4 exp(109.451 x - 100.006).
  [RAMADASS2004] Ramadass, Haran, Gomadam, White, Popov, J. Electrochem. Soc. 151 (2004) A196: LiyCoO2
               fit U(y) = (-4.656 + 88.669 y^2 - 401.119 y^4 + 342.909 y^6 - 462.471 y^8 + 433.434 y^10)
               / (-1 + 18.933 y^2 - 79.532 y^4 + 37.311 y^6 - 73.083 y^8 + 95.96 y^10), valid for
               0.5 <= y <= 1 (PyBaMM multiplies y by a cell-specific 1.13; not applied here).
The state of charge of a phase maps to x through its chemical strain table (chemical.py); the
fits and the chemical strain tables come from different cells, so soc 1 (the 4.3 V of [KONDRAKOV]
for NMC811) need not sit at 4.3 V on these curves (docs/materials.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OcvTable", "OCV"]


@dataclass(frozen=True)
class OcvTable:
    """Open-circuit voltage (V) at Li content points x (-), linear in between.

    The voltage must fall strictly as x rises (delithiation raises the voltage), so that a voltage
    maps to exactly one Li content.
    """

    x: tuple[float, ...]
    voltage_V: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        x, v = np.asarray(self.x, dtype=float), np.asarray(self.voltage_V, dtype=float)
        if len(x) < 2 or len(x) != len(v):
            raise ValueError("OCV table: x and voltage_V need the same length (>= 2)")
        if not np.all(np.diff(x) > 0):
            raise ValueError("OCV table: x must increase strictly")
        if not np.all(np.diff(v) < 0):
            raise ValueError("OCV table: voltage_V must fall strictly as x rises")

    @property
    def voltage_range_V(self) -> tuple[float, float]:
        """(lowest, highest) voltage of the table (V)."""
        return float(self.voltage_V[-1]), float(self.voltage_V[0])

    def voltage(self, x: float | np.ndarray) -> float | np.ndarray:
        """Open-circuit voltage (V) at Li content x; constant beyond the table ends."""
        return np.interp(x, self.x, self.voltage_V)

    def li_content(self, voltage_V: float) -> float:
        """Li content x (-) at which the table gives voltage_V; ValueError outside the table's range."""
        lo, hi = self.voltage_range_V
        if not lo <= voltage_V <= hi:
            raise ValueError(f"{voltage_V} V is outside the OCV table's range {lo:.4f}-{hi:.4f} V")
        return float(np.interp(voltage_V, self.voltage_V[::-1], self.x[::-1]))

    def as_dict(self) -> dict:
        return {"x": list(self.x), "voltage_V": list(self.voltage_V), "source": self.source}


def _table(fn, xs: np.ndarray, source: str) -> OcvTable:
    return OcvTable(tuple(float(x) for x in xs), tuple(round(float(v), 4) for v in fn(xs)), source)


def _chen2020(x: np.ndarray) -> np.ndarray:
    return (-0.8090 * x + 4.4875 - 0.0428 * np.tanh(18.5138 * (x - 0.5542))
            - 17.7326 * np.tanh(15.7890 * (x - 0.3117)) + 17.5842 * np.tanh(15.9308 * (x - 0.3120)))


def _mohtat2020(x: np.ndarray) -> np.ndarray:
    return (4.3452 - 1.6518 * x + 1.6225 * x**2 - 2.0843 * x**3 + 3.5146 * x**4 - 2.2166 * x**5
            - 0.5623e-4 * np.exp(109.451 * x - 100.006))


def _ramadass2004(y: np.ndarray) -> np.ndarray:
    num = -4.656 + 88.669 * y**2 - 401.119 * y**4 + 342.909 * y**6 - 462.471 * y**8 + 433.434 * y**10
    den = -1 + 18.933 * y**2 - 79.532 * y**4 + 37.311 * y**6 - 73.083 * y**8 + 95.96 * y**10
    return num / den


_X_NI_RICH = np.round(np.arange(0.10, 1.0001, 0.05), 2)  # covers soc 0-1 (x 1 -> 0.127) of chemical.py
_NMC811 = _table(_chen2020, _X_NI_RICH, "[CHEN2020] NMC811 fit at x = 0.10, 0.15, ..., 1.00 (x < 0.27 and "
                 "x > 0.91 extrapolate the fit: estimate)")

OCV: dict[str, OcvTable] = {
    "NMC811": _NMC811,
    "NCM85": OcvTable(_NMC811.x, _NMC811.voltage_V, "estimate: the NMC811 curve of [CHEN2020] (Ni-rich, no "
                      "NCM85 curve in our sources)"),
    "NCM111": _table(_mohtat2020, np.round(np.arange(0.30, 1.0001, 0.05), 2),
                     "estimate: the NMC532 fit of [MOHTAT2020] at x = 0.30, 0.35, ..., 1.00 (no NCM111 curve "
                     "in our sources)"),
    "LCO": _table(_ramadass2004, np.round(np.arange(0.50, 1.0001, 0.05), 2),
                  "[RAMADASS2004] LiyCoO2 fit at y = 0.50, 0.55, ..., 1.00"),
}
