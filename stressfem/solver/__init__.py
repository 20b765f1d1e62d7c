"""Solvers: boundary conditions, PETSc options, the linear thermoelastic solve and the driver."""
