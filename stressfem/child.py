"""How stressfem starts its own child processes (batch runs, figures, SLURM tasks).

``python -P`` (Python >= 3.11): the working directory is NOT put on the import path, so a
``helper_module.py`` or a ``stressfem/`` folder lying next to the cases cannot be imported in
place of the installed package (issue 16).
"""

from __future__ import annotations

import sys

__all__ = ["python_module_command"]


def python_module_command(module: str, python: str | None = None) -> list[str]:
    """The argv that runs ``python -m module`` without the working directory on ``sys.path``."""
    return [python or sys.executable, "-P", "-m", module]
