"""PETSc option defaults for the elasticity solve, merged with the user's [solver] table."""

from __future__ import annotations

__all__ = ["ELASTICITY_DEFAULTS", "petsc_options"]

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


def petsc_options(solver_spec) -> dict[str, str | int | float | bool]:
    """Defaults, then rtol/max_iterations, then the user's raw PETSc options (which win)."""
    opts = dict(ELASTICITY_DEFAULTS)
    opts["ksp_rtol"] = solver_spec.rtol
    opts["ksp_max_it"] = solver_spec.max_iterations
    opts.update(solver_spec.petsc_options)
    return opts
