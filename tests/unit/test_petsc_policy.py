"""PETSc options from a case are checked against an allowlist (issue 16, security).

Requirement: options that write files, load code or change viewers are refused naming the option;
unknown options are refused; solver-tuning options with valid values pass; bad values (wrong type,
unknown type name, non-finite numbers) are refused before PETSc sees them. Exact checks, no tolerance.
Run time: < 0.1 s.
"""

from __future__ import annotations

import pytest

from stressfem.petsc_policy import PetscOptionError, check_petsc_options
from stressfem.solver.options import ELASTICITY_DEFAULTS, P_MULTIGRID_DEFAULTS

ATTACKS = [
    {"ksp_view": "ascii:/tmp/x"},
    {"ksp_view_mat": "binary:big.bin"},
    {"mat_view": "ascii:out.txt"},
    {"pc_type": "python", "pc_python_type": "helper_module.PC"},
    {"pc_python_type": "helper_module.PC"},
    {"options_file": "other.rc"},
    {"ksp_monitor": "ascii:/tmp/monitor.txt"},
    {"ksp_converged_reason": "ascii:log.txt"},
    {"log_view": True},
    {"pc_type": "shell"},
    {"on_error_attach_debugger": True},
    {"snes_view": True},
    {"mg_levels_ksp_view": True},
    {"vec_view": "draw"},
]


@pytest.mark.parametrize("opts", ATTACKS, ids=lambda o: "+".join(o))
def test_attacks_are_refused_naming_the_option(opts):
    with pytest.raises(PetscOptionError) as info:
        check_petsc_options(opts, snes=True)
    assert info.value.option in opts
    assert info.value.option in str(info.value)


@pytest.mark.parametrize("opts", [
    {"ksp_type": "nonsense"}, {"ksp_rtol": "abc"}, {"ksp_rtol": float("nan")}, {"ksp_rtol": 2.0},
    {"ksp_max_it": 1.5}, {"ksp_max_it": True}, {"pc_type": "hypre_or_whatever"}, {"frobnicate": 1},
    {"ksp_type": "preonly", "pc_type": "none"}, {"ksp_type": "preonly"}, {"snes_rtol": 1e-9},
    {"mat_mumps_icntl_1": 6}, {"pc_gamg_sym_graph": "maybe"},
], ids=str)
def test_bad_values_and_unknown_options_are_refused(opts):
    with pytest.raises(PetscOptionError):
        check_petsc_options(opts, snes=False, defaults={"ksp_type": "cg", "pc_type": "gamg"})


@pytest.mark.parametrize("opts", [
    {"ksp_type": "gmres", "ksp_gmres_restart": 100, "ksp_rtol": "1e-8", "pc_type": "gamg"},
    {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps", "mat_mumps_icntl_14": 80},
    {"mg_levels_ksp_type": "richardson", "mg_levels_pc_type": "sor", "mg_levels_ksp_max_it": 3},
    {"pc_gamg_threshold": 0.02, "pc_gamg_agg_nsmooths": 1, "ksp_monitor": True, "ksp_converged_reason": True},
    {"mg_levels_ksp_chebyshev_esteig": "0,0.1,0,1.1", "ksp_norm_type": "unpreconditioned"},
    {"snes_rtol": 1e-9, "snes_linesearch_type": "bt", "snes_monitor": True},
    {"mg_coarse_mg_levels_ksp_max_it": 3, "mg_coarse_pc_gamg_threshold": 0.01, "pc_mg_galerkin": "both"},
    ELASTICITY_DEFAULTS, P_MULTIGRID_DEFAULTS,
], ids=str)
def test_tuning_options_pass(opts):
    check_petsc_options(opts, snes=True)


def test_nested_prefixes_do_not_open_the_allowlist():
    for opts in ({"mg_coarse_mg_levels_ksp_view": True}, {"mg_coarse_mg_levels_frobnicate": 1},
                 {"mg_coarse_pc_python_type": "m.PC"}):
        with pytest.raises(PetscOptionError):
            check_petsc_options(opts)
