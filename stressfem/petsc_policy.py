"""Which PETSc options a case file may set: an allowlist of solver-tuning options.

A case is data. PETSc options can write files (``ksp_view = "ascii:/path"``,
``*_view_mat = "binary:..."``), load code (``pc_type = "python"`` + ``pc_python_type``,
``options_file``, dynamic libraries) or start debuggers; none of that may come from a case.
Allowed are the tolerances, types and sizes of KSP, PC (incl. MG/GAMG and LU/Cholesky factors),
MUMPS and SNES, and monitors that print to the log (value ``true`` only, never a viewer).
Every value is checked here too, so ``ksp_type = "nonsense"`` or ``ksp_rtol = "abc"`` is refused
at ``stressfem check`` (exit 2) instead of failing inside PETSc. No PETSc import: pure data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

__all__ = ["check_petsc_options", "KSP_TYPES", "PC_TYPES"]

Value = bool | int | float | str

KSP_TYPES = frozenset({
    "cg", "pipecg", "fcg", "cr", "gmres", "fgmres", "lgmres", "dgmres", "pgmres", "gcr", "bcgs", "bcgsl",
    "ibcgs", "fbcgs", "tfqmr", "cgs", "minres", "symmlq", "richardson", "chebyshev", "preonly", "bicg",
})
PC_TYPES = frozenset({
    "none", "jacobi", "pbjacobi", "vpbjacobi", "bjacobi", "asm", "gasm", "sor", "eisenstat", "icc", "ilu",
    "lu", "cholesky", "gamg", "mg", "kaczmarz",
})
DIRECT_PC = frozenset({"lu", "cholesky"})
_CHOICES: dict[str, frozenset[str]] = {
    "ksp_type": KSP_TYPES,
    "pc_type": PC_TYPES,
    "ksp_norm_type": frozenset({"none", "preconditioned", "unpreconditioned", "natural"}),
    "ksp_pc_side": frozenset({"left", "right", "symmetric"}),
    "ksp_gmres_cgs_refinement_type": frozenset({"refine_never", "refine_ifneeded", "refine_always"}),
    "pc_factor_mat_solver_type": frozenset({"mumps", "petsc", "superlu_dist"}),
    "pc_factor_mat_ordering_type": frozenset({"natural", "nd", "1wd", "rcm", "qmd", "amd"}),
    "pc_factor_shift_type": frozenset({"none", "nonzero", "positive_definite", "inblocks"}),
    "pc_gamg_type": frozenset({"agg", "classical"}),
    "pc_mg_type": frozenset({"multiplicative", "additive", "full", "kaskade"}),
    "pc_mg_cycle_type": frozenset({"v", "w"}),
    "pc_mg_galerkin": frozenset({"both", "pmat", "mat", "none"}),
    "pc_jacobi_type": frozenset({"diagonal", "rowmax", "rowsum", "rowl1"}),
    "pc_asm_type": frozenset({"basic", "restrict", "interpolate", "none"}),
    "snes_type": frozenset({"newtonls", "newtontr", "ksponly", "nrichardson", "ngmres", "qn"}),
    "snes_linesearch_type": frozenset({"basic", "bt", "l2", "cp", "nleqerr", "none"}),
}
_FLOATS = {  # name -> (lower, upper, inclusive lower)
    "ksp_rtol": (0.0, 1.0, False), "ksp_atol": (0.0, math.inf, True), "ksp_divtol": (1.0, math.inf, False),
    "pc_gamg_threshold": (-1.0, 1.0, True), "pc_gamg_threshold_scale": (0.0, 1.0, True),
    "pc_factor_shift_amount": (0.0, math.inf, True), "pc_factor_fill": (1.0, math.inf, True),
    "pc_sor_omega": (0.0, 2.0, False), "pc_factor_pivoting": (0.0, 1.0, True),
    "snes_rtol": (0.0, 1.0, False), "snes_atol": (0.0, math.inf, True), "snes_stol": (0.0, 1.0, True),
    "snes_linesearch_damping": (0.0, 10.0, False), "snes_linesearch_maxstep": (0.0, math.inf, False),
    "snes_divergence_tolerance": (-1.0, math.inf, True),
}
_INTS = {  # name -> (lower, upper)
    "ksp_max_it": (1, 10**8), "ksp_gmres_restart": (1, 10**5), "ksp_lgmres_augment": (1, 100),
    "ksp_chebyshev_esteig_steps": (1, 1000), "ksp_bcgsl_ell": (1, 20),
    "pc_gamg_coarse_eq_limit": (1, 10**8), "pc_gamg_process_eq_limit": (1, 10**8),
    "pc_gamg_agg_nsmooths": (0, 10), "pc_gamg_square_graph": (0, 100), "pc_gamg_aggressive_coarsening": (0, 100),
    "pc_gamg_levels": (1, 50), "pc_mg_levels": (1, 50), "pc_mg_smoothup": (0, 100), "pc_mg_smoothdown": (0, 100),
    "pc_factor_levels": (0, 50), "pc_asm_overlap": (0, 20), "pc_bjacobi_blocks": (1, 10**7),
    "pc_sor_its": (1, 1000), "pc_sor_lits": (1, 1000),
    "snes_max_it": (1, 10**5), "snes_max_funcs": (1, 10**8), "snes_max_fail": (0, 10**5),
    "snes_max_linear_solve_fail": (0, 10**5), "snes_lag_jacobian": (-2, 10**5),
    "snes_lag_preconditioner": (-2, 10**5), "snes_linesearch_order": (1, 3), "snes_linesearch_max_it": (1, 100),
}
_BOOLS = {
    "ksp_initial_guess_nonzero", "ksp_gmres_modifiedgramschmidt", "ksp_chebyshev_esteig_noisy",
    "pc_gamg_sym_graph", "pc_gamg_repartition", "pc_gamg_reuse_interpolation", "pc_gamg_use_parallel_coarse_grid_solver",
    "pc_gamg_cpu_pin_coarse_grids", "pc_factor_nonzeros_along_diagonal", "pc_factor_in_place",
    "pc_mg_galerkin_both", "pc_asm_local_type_additive", "snes_linesearch_keeplambda", "snes_ksp_ew",
}
# printed to standard output (the log), never to a file: the value must be true
_MONITORS = {
    "ksp_monitor", "ksp_monitor_true_residual", "ksp_converged_reason", "ksp_monitor_singular_value",
    "snes_monitor", "snes_converged_reason", "snes_linesearch_monitor", "pc_gamg_verbose",
}
_CHEB_ESTEIG = re.compile(r"^\s*[0-9.eE+-]+(\s*,\s*[0-9.eE+-]+){3}\s*$")
# MUMPS integer (ICNTL) and real (CNTL) controls, by number; ICNTL(1-4) only set output streams
_MUMPS_ICNTL = re.compile(r"^mat_mumps_icntl_(\d+)$")
_MUMPS_CNTL = re.compile(r"^mat_mumps_cntl_(\d+)$")
_MUMPS_ICNTL_ALLOWED = set(range(6, 41)) - {30}
_MUMPS_CNTL_ALLOWED = set(range(1, 8))
# smoother/coarse/sub-solver prefixes under which the KSP/PC options apply again; nested for the
# GAMG coarse solve of the P2 p-multigrid (mg_coarse_mg_levels_ksp_type, solver/options.py)
_INNER = re.compile(r"^(mg_levels_(\d+_)?|mg_coarse_|sub_|pc_gamg_esteig_|mg_levels_(\d+_)?esteig_)+(?=ksp_|pc_)")

_DANGER = (  # (pattern, why) for options refused outright with a reason
    (re.compile(r"(^|_)view|_draw|^draw|viewer"), "it writes or draws PETSc objects (files, sockets, X windows)"),
    (re.compile(r"python|^dll|dylib|^dynamic"), "it loads code"),
    (re.compile(r"options_|^options|^prefix_push|^prefix_pop"), "it reads further options from a file or "
                                                                "changes how options are read"),
    (re.compile(r"debugger|^on_error|^malloc|^log|^history|^memory|^objects|^info|^trace|^check_pointer"),
     "it controls debugging, logging or memory tracing output"),
    (re.compile(r"save|load|^vec_|^mat_(?!mumps_)|^dm_|^da_|^is_|^ts_|^tao_"),
     "it is not a solver-tuning option (I/O or object set-up)"),
)
_FAMILIES = ("ksp_* (types, tolerances, restart, norm type), pc_* (types incl. gamg/mg/lu/cholesky, factor "
             "and GAMG/MG controls), mg_levels_/mg_coarse_/sub_ prefixed (also nested) ksp_/pc_ options, mat_mumps_icntl_N / "
             "mat_mumps_cntl_N, snes_* ([cohesive_solver] only), monitors (value true)")


class PetscOptionError(ValueError):
    """A refused PETSc option; ``option`` is its name."""

    def __init__(self, option: str, message: str):
        self.option = option
        super().__init__(f"PETSc option {option!r}: {message}")


def _as_float(name: str, value: Value) -> float:
    if isinstance(value, bool):
        raise PetscOptionError(name, f"must be a number, not {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise PetscOptionError(name, f"must be a number, not {value!r}") from None
    if not math.isfinite(x):
        raise PetscOptionError(name, f"must be a finite number, not {value!r}")
    return x


def _as_int(name: str, value: Value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    raise PetscOptionError(name, f"must be an integer, not {value!r}")


def _check_value(name: str, base: str, value: Value) -> None:
    """Check one option whose name without inner prefix is ``base``."""
    if base in _CHOICES:
        if not isinstance(value, str) or value not in _CHOICES[base]:
            raise PetscOptionError(name, f"{value!r} is not allowed; allowed: {', '.join(sorted(_CHOICES[base]))}")
    elif base in _FLOATS:
        lo, hi, incl = _FLOATS[base]
        x = _as_float(name, value)
        if not ((lo <= x if incl else lo < x) and x <= hi):
            raise PetscOptionError(name, f"{value!r} is out of range ({'[' if incl else '('}{lo:g}, {hi:g}])")
    elif base in _INTS:
        lo, hi = _INTS[base]
        n = _as_int(name, value)
        if not lo <= n <= hi:
            raise PetscOptionError(name, f"{value!r} is out of range [{lo}, {hi}]")
    elif base in _BOOLS:
        if not (isinstance(value, bool) or value in ("true", "false")):
            raise PetscOptionError(name, f"must be true or false, not {value!r}")
    elif base in _MONITORS:
        if value is not True and value != "":
            raise PetscOptionError(name, f"monitors print to the log only; give true (a value such as {value!r} "
                                   "would redirect the output to a file or viewer)")
    elif base == "ksp_chebyshev_eigenvalues" or base == "ksp_chebyshev_esteig":
        if not isinstance(value, str) or not _CHEB_ESTEIG.match(value):
            raise PetscOptionError(name, f"must be four comma-separated numbers, not {value!r}")
        for part in value.split(","):
            _as_float(name, part)
    else:
        raise PetscOptionError(name, f"not a supported solver-tuning option; allowed families: {_FAMILIES}")


def _check_one(name: str, value: Value, *, snes: bool) -> None:
    for pattern, why in _DANGER:
        if pattern.search(name):
            raise PetscOptionError(name, f"refused: {why}; a case may only tune the solver ({_FAMILIES})")
    if isinstance(value, str) and (":" in value or "/" in value) and not _CHEB_ESTEIG.match(value):
        raise PetscOptionError(name, f"value {value!r} looks like a viewer or file name; refused")
    if name.startswith("snes_") and not snes:
        raise PetscOptionError(name, "SNES (Newton) options apply to [cohesive_solver].petsc_options only")
    m_i, m_c = _MUMPS_ICNTL.match(name), _MUMPS_CNTL.match(name)
    if m_i:
        if int(m_i.group(1)) not in _MUMPS_ICNTL_ALLOWED:
            raise PetscOptionError(name, f"MUMPS ICNTL({m_i.group(1)}) is not a tuning control; allowed: "
                                   "ICNTL(6..40) except 30")
        _as_int(name, value)
        return
    if m_c:
        if int(m_c.group(1)) not in _MUMPS_CNTL_ALLOWED:
            raise PetscOptionError(name, "allowed: mat_mumps_cntl_1 .. mat_mumps_cntl_7")
        _as_float(name, value)
        return
    inner = _INNER.match(name)
    _check_value(name, name[inner.end():] if inner else name, value)


def check_petsc_options(options: Mapping[str, Value], *, snes: bool = False,
                        defaults: Mapping[str, Value] | None = None) -> None:
    """Raise PetscOptionError for the first option a case may not set, or set to that value.

    ``snes``: SNES options are allowed (the cohesive Newton solver). ``defaults``: the options the
    solver uses before the user's, for the cross-option checks (``preonly`` needs a direct PC).
    """
    for name, value in options.items():
        _check_one(name, value, snes=snes)
    merged = {**(defaults or {}), **options}
    if merged.get("ksp_type") == "preonly" and merged.get("pc_type") not in DIRECT_PC:
        raise PetscOptionError("ksp_type", f"'preonly' applies the preconditioner once, which is a solve only "
                               f"for a direct pc_type ({', '.join(sorted(DIRECT_PC))}); pc_type is "
                               f"{merged.get('pc_type')!r}")
