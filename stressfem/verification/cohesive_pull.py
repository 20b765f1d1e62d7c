"""Two bonded blocks pulled apart across a cohesive interface (mode I, II or mixed).

Block A (x < x_i) is clamped on x = 0; block B's outer face x = x_max gets a prescribed
displacement. With blocks much stiffer than the interface (E >> K L), the interface opens
uniformly and the force-opening curve is the traction-separation law times the area, so
the peak force is strength x area and the external work up to separation is G_c x area.
Used by tests/verification/test_cohesive_pull.py and benchmarks/.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._dolfinx import MPI, fem, mesh
from ..geometry.msh import PhaseMesh
from ..materials import Material

__all__ = ["PullState", "two_block_mesh", "run_pull", "coated_law", "COATING_KN", "COATING_KT"]

# a (thick, compliant) coating spring of the order of the penalty, so that it matters: K_eff = K / 2 normal
COATING_KN, COATING_KT = 1e17, 0.4e17  # Pa/m


@dataclass(frozen=True)
class PullState:
    """Load state of the pull test: prescribed displacement of the far face (m)."""

    displacement_m: float


def two_block_mesh(comm, length_a: float, length_b: float, width: float, cells_per_width: int,
                   volumes: tuple[str, str] = ("A", "B")) -> PhaseMesh:
    """A box [0, la + lb] x [0, w]^2 of tetrahedra, volumes (tags 1, 2) split at x = la (m)."""
    h = width / cells_per_width
    nx = int(round((length_a + length_b) / h))
    msh = mesh.create_box(comm, [np.zeros(3), np.array([length_a + length_b, width, width])],
                          [nx, cells_per_width, cells_per_width], ghost_mode=mesh.GhostMode.shared_facet)
    imap = msh.topology.index_map(3)
    n = imap.size_local + imap.num_ghosts
    mid = mesh.compute_midpoints(msh, 3, np.arange(n, dtype=np.int32))
    tags = np.where(mid[:, 0] < length_a, 1, 2).astype(np.int32)
    ct = mesh.meshtags(msh, 3, np.arange(n, dtype=np.int32), tags)
    msh.topology.create_connectivity(2, 3)
    xmin = mesh.locate_entities_boundary(msh, 2, lambda x: np.isclose(x[0], 0.0))
    xmax = mesh.locate_entities_boundary(msh, 2, lambda x: np.isclose(x[0], length_a + length_b))
    f = np.concatenate([xmin, xmax]).astype(np.int32)
    order = np.argsort(f)
    vals = np.concatenate([np.full(len(xmin), 1), np.full(len(xmax), 2)]).astype(np.int32)
    ft = mesh.meshtags(msh, 2, f[order], vals[order])
    from pathlib import Path

    return PhaseMesh(msh, ct, ft, {volumes[0]: 1, volumes[1]: 2}, {"xmin": 1, "xmax": 2}, Path("two-blocks"))


def run_pull(law, direction, targets, *, comm=MPI.COMM_WORLD, length=1e-6, width=1e-6, cells_per_width=3,
             youngs_modulus_Pa=None, options=None, length_b=None, grains: bool = False, **model_kwargs) -> dict:
    """Pull block B along `direction` through the prescribed displacements `targets` (m).

    ``grains``: the two blocks are two volumes ``G#1``, ``G#2`` of one phase ``G`` (a two-grain bar) and
    the interface is the grain boundary ``G#gb`` (plus side: ``G#1``, in block 0); otherwise phases
    ``A`` and ``B`` with the interface ``A/B``.

    Returns per target: the displacement, the interface force resultant (N) along `direction`,
    the interface statistics and the Newton iterations; plus the interface area (m2).
    """
    from ..solver.bulk import build_bulk
    from ..solver.cohesive import CohesiveInterface, CohesiveModel
    from ..solver.cohesive.bcs import face_dirichlet

    direction = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    length_b = length if length_b is None else length_b
    volumes = ("G#1", "G#2") if grains else ("A", "B")
    pm = two_block_mesh(comm, length, length_b, width, cells_per_width, volumes)
    K = getattr(law, "penalty_stiffness_Pa_per_m", None) or law.normal_penalty_Pa_per_m  # SeriesBilinear: K_n
    E = youngs_modulus_Pa or 1e3 * K * (length + length_b)
    stiff = Material(name="stiff", youngs_modulus_Pa=E, poisson_ratio=0.0, cte_per_K=0.0)
    value = fem.Constant(pm.mesh, np.zeros(3))

    def make_bcs(blocks):
        return face_dirichlet(pm, blocks, {"xmin": np.zeros(3), "xmax": value})

    def drive(state: PullState):
        value.value[:] = state.displacement_m * direction

    if grains:
        phases, iface = ["G"], CohesiveInterface("G#gb", "G", "G", law)
    else:
        phases, iface = ["A", "B"], CohesiveInterface("A/B", "A", "B", law)
    bulk = build_bulk(pm, phases, [stiff] * len(phases), 300.0, eigenstrains=False)
    model = CohesiveModel(pm, bulk, make_bcs, [iface], initial_state=PullState(0.0), on_state=[drive],
                          options=options, **model_kwargs)
    rows = []
    for k, t in enumerate(targets):
        its = model.solve(PullState(float(t)), where=f"pull step {k}")
        force = float(model.traction_resultant(iface.name) @ direction)
        rows.append({"displacement_m": float(t), "force_N": force, "iterations": its,
                     **model.interface_statistics()[iface.name]})
    g = model.interface_state[0]
    facets = comm.allgather(int(g["n_owned"]))
    # owned interface facets whose other cell is a ghost (the partition cuts through the interface)
    parent = g["emap"].sub_topology_to_topology(np.arange(g["n_owned"], dtype=np.int32), inverse=False)
    f2c = pm.mesh.topology.connectivity(2, 3)
    n_cells = pm.mesh.topology.index_map(3).size_local
    cells = np.column_stack([f2c.array[f2c.offsets[parent]], f2c.array[f2c.offsets[parent] + 1]]) if len(parent) \
        else np.zeros((0, 2), dtype=np.int32)
    shared = comm.allgather(int(np.any(cells >= n_cells, axis=1).sum()))
    return {"rows": rows, "area_m2": rows[-1]["area_m2"] if rows else 0.0, "model": model,
            "interface_facets_per_rank": facets, "cut_interface_facets_per_rank": shared}


def mode_targets(law, mode: str) -> np.ndarray:
    """Prescribed displacements that resolve the peak finely and run to full separation (m)."""
    from ..physics.cohesive import BilinearMixedMode, SeriesBilinear

    if isinstance(law, (BilinearMixedMode, SeriesBilinear)):
        K = (law.penalty_stiffness_Pa_per_m if isinstance(law, BilinearMixedMode)
             else law.normal_penalty_Pa_per_m if mode == "I" else law.shear_penalty_Pa_per_m)
        strength, gc = ((law.normal_strength_Pa, law.GIc_J_per_m2) if mode == "I"
                        else (law.shear_strength_Pa, law.GIIc_J_per_m2))
        d0, df = strength / K, 2.0 * gc / strength
        return np.concatenate([[0.5 * d0], np.linspace(0.99 * d0, 1.01 * d0, 5), np.linspace(1.05 * d0, 1.05 * df, 25)])
    dc = law.dn if mode == "I" else law.dt
    return np.concatenate([np.linspace(0.1 * dc, 0.9 * dc, 3), np.linspace(0.95 * dc, 1.05 * dc, 5),
                           np.geomspace(1.1 * dc, 22.0 * dc, 40)])


def coated_law(law, other=None):
    """``law`` on one side of a thin coating (COATING_KN, COATING_KT), ``other`` (elastic) or nothing on the
    other side: the series law (physics/cohesive/series.py)."""
    from ..physics.cohesive.series import series_law

    return series_law(law, other, COATING_KN, COATING_KT)


def _main() -> None:
    """`python -m stressfem.verification.cohesive_pull [--cut] [--grains] [--coated] [--p2]`: mode I bilinear pull,
    JSON on rank 0 (``--p2``: quadratic elements).

    ``--grains``: the two blocks are the grains G#1, G#2 of one phase with the grain boundary G#gb.
    ``--coated``: the law in series with a thin coating (coated_law).
    """
    import json
    import sys

    from ..physics.cohesive import BilinearMixedMode

    law = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                            GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
    grains, degree = "--grains" in sys.argv, 2 if "--p2" in sys.argv else 1
    if "--coated" in sys.argv:
        law = coated_law(law)
    if "--cut" in sys.argv:  # equal blocks: on 2 ranks the partition cuts through the interface
        out = run_pull(law, (1.0, 0.0, 0.0), mode_targets(law, "I"), length=2e-6, width=0.5e-6, cells_per_width=2,
                       grains=grains, degree=degree)
    else:  # a long block A and a thin block B: on 2 ranks one rank holds no interface facet
        out = run_pull(law, (1.0, 0.0, 0.0), mode_targets(law, "I"), length=3.5e-6, length_b=0.5e-6, cells_per_width=2,
                       grains=grains, degree=degree)
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps({"rows": out["rows"], "interface_facets_per_rank": out["interface_facets_per_rank"],
                          "cut_interface_facets_per_rank": out["cut_interface_facets_per_rank"]}))


if __name__ == "__main__":
    _main()
