"""Exceptions with the exit codes the command line returns."""

from __future__ import annotations

__all__ = ["StressfemError", "CaseError", "GeometryError", "SolverError", "OutputError"]


class StressfemError(Exception):
    """Base class of every error stressfem reports to the user."""

    exit_code = 1


class CaseError(StressfemError):
    """Invalid user input: names the file, the key and what is allowed (exit code 2)."""

    exit_code = 2

    def __init__(self, file: str, key: str, message: str):
        self.file, self.key, self.message = str(file), key, message
        where = f"{self.file}: key '{key}'" if key else self.file
        super().__init__(f"{where}: {message}")


class GeometryError(StressfemError):
    """Geometry or meshing failed; the message says which parameter to change (exit code 4)."""

    exit_code = 4


class SolverError(StressfemError):
    """A solve did not converge after step cut-backs; says where and why (exit code 3)."""

    exit_code = 3


class OutputError(StressfemError):
    """A result could not be written, e.g. an unwritable directory (exit code 5)."""

    exit_code = 5
