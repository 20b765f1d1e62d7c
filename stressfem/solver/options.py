"""PETSc option defaults for the elasticity solve, merged with the user's [solver] table."""

from __future__ import annotations

__all__ = ["ELASTICITY_DEFAULTS", "P_MULTIGRID_DEFAULTS", "petsc_options"]

# CG + smoothed-aggregation AMG with the rigid-body near-nullspace: the FEniCS performance-test
# settings for elasticity (Chebyshev/Jacobi smoothing). This PETSc has no hypre.
ELASTICITY_DEFAULTS: dict[str, str | int | float | bool] = {
    "ksp_type": "cg",
    "pc_type": "gamg",
    "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "ksp_norm_type": "unpreconditioned",
}


# P2 (quadratic) displacement: CG + two-level p-multigrid (solver/pmultigrid.py), the P2 level
# smoothed by Chebyshev/Jacobi, the Galerkin P1 operator solved by one GAMG V-cycle with the
# settings above. At 539k P2 dofs: 20 CG iterations instead of 39 with GAMG on the P2 operator,
# and a quarter of its set-up (docs/performance.md section 9).
P_MULTIGRID_DEFAULTS: dict[str, str | int | float | bool] = {
    "ksp_type": "cg",
    "pc_type": "mg",
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "mg_coarse_ksp_type": "preonly",
    "mg_coarse_pc_type": "gamg",
    "mg_coarse_pc_gamg_coarse_eq_limit": 1000,
    "mg_coarse_mg_levels_ksp_type": "chebyshev",
    "mg_coarse_mg_levels_pc_type": "jacobi",
    "ksp_norm_type": "unpreconditioned",
}


def petsc_options(solver_spec, *, p_multigrid: bool = False) -> dict[str, str | int | float | bool]:
    """Defaults, then rtol/max_iterations, then the user's raw PETSc options (which win).

    ``p_multigrid``: the operator has a coarser Lagrange degree (P2 and the thermoelastic model);
    its defaults are the p-multigrid ones unless the user chooses another ``pc_type``.
    """
    own_pc = solver_spec.petsc_options.get("pc_type", P_MULTIGRID_DEFAULTS["pc_type"])
    pmg = p_multigrid and own_pc == P_MULTIGRID_DEFAULTS["pc_type"]
    opts = dict(P_MULTIGRID_DEFAULTS if pmg else ELASTICITY_DEFAULTS)
    opts["ksp_rtol"] = solver_spec.rtol
    opts["ksp_max_it"] = solver_spec.max_iterations
    opts.update(solver_spec.petsc_options)
    return opts
