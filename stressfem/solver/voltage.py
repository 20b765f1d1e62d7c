"""Open-circuit voltage of a case versus state of charge, and stages that end at a voltage.

The voltage is the open-circuit voltage (materials/ocv.py) of the cathode phase: the first phase,
in the order of summary.json ``phases``, whose material has both an OCV table and a chemical strain
table; its Li content at state of charge soc is x = x_soc0 + soc (x_soc1 - x_soc0) (chemical.py).
In a galvanostatic stage soc is the mean state of charge, so the voltage is the relaxed (open-circuit)
value at the mean Li content.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ..materials.material import Material

__all__ = ["VoltageScale", "resolve_voltage_ends"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoltageScale:
    """Voltage (V) versus state of charge (-) of one cathode phase."""

    phase: str
    material: Material

    @classmethod
    def of(cls, phase_names: Sequence[str], materials: Sequence[Material]) -> "VoltageScale | None":
        """The scale of the first phase with an OCV and a chemical strain table, or None."""
        for p, m in zip(phase_names, materials):
            if m.ocv is not None and m.chemical_strain is not None:
                return cls(p, m)
        return None

    def voltage(self, soc: float) -> float:
        """Open-circuit voltage (V) at state of charge soc."""
        return float(self.material.ocv.voltage(self.material.chemical_strain.x_from_soc(soc)))

    @property
    def range_V(self) -> tuple[float, float]:
        """Voltages (V) reachable with soc in [0, 1] and inside the OCV table."""
        lo_t, hi_t = self.material.ocv.voltage_range_V
        v0, v1 = sorted((self.voltage(0.0), self.voltage(1.0)))
        return max(lo_t, v0), min(hi_t, v1)

    def soc_at(self, voltage_V: float) -> float:
        """State of charge (-) at which the open-circuit voltage is voltage_V; ValueError outside range_V."""
        lo, hi = self.range_V
        if not lo <= voltage_V <= hi:
            raise ValueError(f"{voltage_V:g} V is outside the range {lo:.4f}-{hi:.4f} V reachable with soc 0-1 on "
                             f"the OCV table of phase {self.phase!r} ({self.material.name})")
        cs = self.material.chemical_strain
        x = self.material.ocv.li_content(voltage_V)
        return min(1.0, max(0.0, (x - cs.x_soc0) / (cs.x_soc1 - cs.x_soc0)))


def resolve_voltage_ends(loaded, scale: VoltageScale | None) -> list:
    """The case's stages with every ``voltage_end_V`` turned into the equivalent ``soc_end``.

    Raises the case's error (exit 2) naming ``stages[k].voltage_end_V`` when no phase has an OCV
    table or the voltage is outside the reachable range.
    """
    stages = []
    for k, stage in enumerate(loaded.case.stages):
        v = getattr(stage, "voltage_end_V", None)
        if v is not None:
            key = f"stages[{k}].voltage_end_V"
            if scale is None:
                raise loaded.error(key, "needs a phase whose material has an OCV table and a chemical strain "
                                   "(library: NMC811, NCM85, NCM111, LCO; or [materials.<name>] ocv_table)")
            try:
                soc = scale.soc_at(v)
            except ValueError as exc:
                raise loaded.error(key, str(exc)) from None
            log.info("stage %r ends at %.4g V open-circuit voltage of %s: soc_end = %.4f", stage.name, v,
                     scale.phase, soc)
            stage = stage.model_copy(update={"soc_end": soc})
        stages.append(stage)
    return stages
