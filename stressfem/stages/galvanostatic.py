"""`galvanostatic`: kinetic (de)lithiation, Fickian Li diffusion in the particles at constant current.

Not an equilibrium stage: the Li field comes from a diffusion solve, so each increment is solved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np

from ..errors import SolverError
from ..geometry.metrics import VOID
from ..physics.eigenstrain import LoadState
from .base import StageContext, StageType, Step

__all__ = ["GalvanostaticStageType", "diffusion_model"]

log = logging.getLogger(__name__)


def diffusion_model(ctx: StageContext):
    """The Li diffusion model of the case (built once, shared by all kinetic stages)."""
    if "diffusion" in ctx.resources:
        return ctx.resources["diffusion"]
    from ..solver.diffusion import DiffusionModel

    loaded, pm, materials, phase_names = ctx.loaded, ctx.pm, ctx.materials, ctx.phase_names
    stage_surfaces = [s.flux_surfaces for s in loaded.case.stages if getattr(s, "flux_surfaces", None)]
    diffusing = [p for p, m in zip(phase_names, materials) if m.diffuses]
    if not diffusing:
        raise loaded.error("stages", "a galvanostatic stage needs a phase with diffusivity_m2_per_s "
                           "(library: NMC811, NCM85, NCM111, LCO)")
    if stage_surfaces:
        names = stage_surfaces[0]
        unknown = sorted(set(names) - set(pm.surfaces))
        if unknown:
            raise loaded.error("stages.flux_surfaces", f"surfaces {unknown} are not in the mesh; allowed: "
                               f"{', '.join(sorted(pm.surfaces))}")
    else:
        # interfaces of a diffusing phase with another phase; free (pore) surfaces `<phase>/void` carry no flux
        names = [n for n in pm.surfaces if "/" in n and n.split("/")[0] in diffusing and n.split("/")[1] != VOID]
    x0 = np.array([m.chemical_strain.x_from_soc(0.0) if m.chemical_strain is not None else 1.0 for m in materials])
    log.info("Li diffusion in %s, flux through %s", diffusing, names)
    model = DiffusionModel(pm, ctx.phase_index, materials, [pm.surfaces[n] for n in names], x0)
    ctx.resources["diffusion"] = model
    return model


class GalvanostaticStageType(StageType):
    """Diffusion steps at constant current (C-rate), each followed by an equilibrium solve."""

    type = "galvanostatic"
    equilibrium = False

    def steps(self) -> list[Step]:
        s = self.spec
        end = s.soc_end if s.soc_end is not None else (1.0 if s.direction == "charge" else 0.0)
        return [Step(s.name, self.type, self, s.increments, {"soc_to": end})]

    def increments(self, step: Step, state: LoadState, ctx: StageContext) -> Iterator[LoadState]:
        stage = self.spec
        diffusion = diffusion_model(ctx)
        sign = 1.0 if stage.direction == "charge" else -1.0
        rate = stage.c_rate_per_h / 3600.0  # soc per second
        if stage.duration_s is not None:
            duration = stage.duration_s
        else:
            duration = abs(step.data["soc_to"] - state.soc) / rate
            if duration <= 0:
                raise SolverError(f"stage {step.name!r}: soc is already {state.soc:.3f}; nothing to "
                                  f"{stage.direction} (set soc_end or duration_s)")
        windows = [m.chemical_strain.x_soc0 - m.chemical_strain.x_soc1 for m in diffusion.materials
                   if m.diffuses and m.chemical_strain is not None] or [1.0]
        diffusion.set_rate(-sign * rate * windows[0])
        dt = duration / step.increments
        t, soc0 = 0.0, state.soc
        skip, ctx.resume_increments = ctx.resume_increments, 0  # restored from a checkpoint
        for k in range(1, step.increments + 1):
            if k <= skip:
                t += dt
                yield state
                continue
            if stage.stress_coupling and ctx.last_stress is not None:
                diffusion.set_stress_coupling(ctx.last_stress.hydrostatic, stage.temperature_K or state.temperature_K)
            diffusion.step(dt, where=f"stage {step.name!r}, increment {k}")
            t += dt
            yield LoadState(temperature_K=state.temperature_K, soc=soc0 + sign * rate * t, time_s=t,
                            cell_li_fraction=diffusion.cell_li_fraction(), surface_loads=state.surface_loads)

    def summary(self, step: Step, state: LoadState, ctx: StageContext) -> dict:
        return {"time_s": state.time_s, "mean_li_fraction": diffusion_model(ctx).mean_li_fraction()}
