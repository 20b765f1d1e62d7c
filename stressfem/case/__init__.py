"""case.toml -> validated, typed case objects; clear errors naming file, key and what is allowed.

Units are SI (Pa, m, K, s) unless the key name says otherwise (``_um``, ``_C``).
Every key is documented in docs/case-format.md. One module per table:

- ``common``: the strict base ``Table`` and constrained value types;
- ``geometry`` (with ``particles``: packed-particle fields shared by ``particles`` and
  ``composite`` layers), ``mesh``, ``materials``, ``stages``, ``orientation``, ``boundary``,
  ``solver``, ``output``, ``interfaces`` (cohesive laws and their solver), ``periodic``
  (periodic boundary conditions, macroscopic loading);
- ``root``: the whole file (``Case``); ``checks``: checks that span tables;
- ``loader``: ``load_case`` -> ``LoadedCase``, error locations.
"""

from __future__ import annotations

from . import (boundary, common, geometry, interfaces, loader, materials, mesh, orientation, output, particles,
               periodic, root, solver, stages)
from .boundary import *  # noqa: F401,F403
from .common import *  # noqa: F401,F403
from .geometry import *  # noqa: F401,F403
from .interfaces import *  # noqa: F401,F403
from .loader import *  # noqa: F401,F403
from .materials import *  # noqa: F401,F403
from .mesh import *  # noqa: F401,F403
from .orientation import *  # noqa: F401,F403
from .output import *  # noqa: F401,F403
from .particles import *  # noqa: F401,F403
from .periodic import *  # noqa: F401,F403
from .root import *  # noqa: F401,F403
from .solver import *  # noqa: F401,F403
from .stages import *  # noqa: F401,F403

__all__ = [  # every public name of the table modules, as before the split into a package
    *root.__all__, *loader.__all__, *common.__all__, *materials.__all__, *particles.__all__, *geometry.__all__,
    *mesh.__all__, *stages.__all__, *orientation.__all__, *boundary.__all__, *solver.__all__, *output.__all__,
    *interfaces.__all__, *periodic.__all__,
]
