"""The reference (stress-free) state of a load path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..physics.eigenstrain import LoadState
from .base import StageType

__all__ = ["ReferenceState", "ROOM_TEMPERATURE_K"]

ROOM_TEMPERATURE_K = 298.15


@dataclass(frozen=True)
class ReferenceState:
    """The state in which every eigenstrain and every stage-driven load vanishes.

    Attributes:
        temperature_K: stress-free temperature (K): that of the first stage defining one (a
            cooling stage's ``stress_free_temperature``), else room temperature.
        soc: state of charge (-) of zero chemical strain: 0 (Li content x_soc0 of each table,
            or x = 1 for isotropic Vegard strain).
        source: where the temperature comes from (for the log).
    """

    temperature_K: float
    soc: float = 0.0
    source: str = "room temperature (no cooling stage)"

    @classmethod
    def of(cls, stages: Sequence[StageType]) -> "ReferenceState":
        """The reference state of a stage list."""
        for s in stages:
            T = s.stress_free_temperature_K()
            if T is not None:
                return cls(T, 0.0, f"stress-free temperature of stage {s.name!r}")
        return cls(ROOM_TEMPERATURE_K)

    def load_state(self) -> LoadState:
        """The load state the path starts from."""
        return LoadState(temperature_K=self.temperature_K, soc=self.soc)
