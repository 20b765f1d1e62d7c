"""Interface fields of the cohesive model for ParaView: one ``interface_<name>.pvd`` per interface."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..._dolfinx import fem, io
from ...physics.elasticity import cell_dofs
from .state import facet_means

__all__ = ["InterfaceFieldWriter"]


class InterfaceFieldWriter:
    """DG0 damage, openings (m) and tractions (Pa) of each interface, one value per facet (the weighted
    mean over its integration points, state.py; for P1 the centroid value); one time entry per ``write()``."""

    _FIELDS = (("damage", 1), ("normal_opening_m", 2), ("normal_traction_Pa", 5))

    def __init__(self, model, folder):
        """``model``: a CohesiveModel (its ``interface_state``); ``folder``: the results folder."""
        self.model, self.files, self.funcs = model, [], []
        for g in model.interface_state:
            S = fem.functionspace(g["mesh"], ("DG", 0))
            V3 = fem.functionspace(g["mesh"], ("DG", 0, (3,)))
            fs = {k: fem.Function(S, name=k) for k, _ in self._FIELDS}
            fs["tangential_opening_m"] = fem.Function(S, name="tangential_opening_m")
            fs["tangential_traction_Pa"] = fem.Function(S, name="tangential_traction_Pa")
            fs["traction_Pa"] = fem.Function(V3, name="traction_Pa")
            safe = re.sub(r"[^A-Za-z0-9_.+-]", "-", g["name"])  # 'A/B' -> 'A-B', 'NMC811#gb' -> 'NMC811-gb'
            self.files.append(io.VTKFile(model.comm, str(Path(folder) / f"interface_{safe}.pvd"), "w"))
            self.funcs.append(fs)
        self._t = 0

    def write(self) -> None:
        self._t += 1
        for g, fs, f in zip(self.model.interface_state, self.funcs, self.files):
            v = facet_means(g, g["values"])[1] if g["npts"] > 1 else g["values"]
            dofs = cell_dofs(fs["damage"].function_space)[: g["n_owned"]]
            for k, col in self._FIELDS:
                fs[k].x.array[dofs] = v[:, col]
            fs["tangential_opening_m"].x.array[dofs] = np.hypot(v[:, 3], v[:, 4])
            fs["tangential_traction_Pa"].x.array[dofs] = np.hypot(v[:, 6], v[:, 7])
            fs["traction_Pa"].x.array.reshape(-1, 3)[dofs] = v[:, 8:11]
            for fn in fs.values():
                fn.x.scatter_forward()
            f.write_function(list(fs.values()), float(self._t))

    def close(self) -> None:
        for f in self.files:
            f.close()
