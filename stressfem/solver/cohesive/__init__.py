"""Cohesive interfaces: block submeshes, Newton with adaptive stepping, interface fields.

* model.py    -- CohesiveModel (the driver's Model contract, solver/model.py)
* bodies.py   -- bodies, clusters and blocks; interface facets per block pair
* bcs.py      -- the neutral boundary description applied to block spaces
* linear.py   -- the linear solver inside Newton (MUMPS LU or GAMG, kept across iterations)
* newton.py   -- stall detection
* stepping.py -- adaptive load stepping, blocks, load-state interpolation
* fields.py   -- interface fields for ParaView
* build.py    -- the model of a case with [[interfaces]]
"""

from .build import build_cohesive_model, newton_options
from .model import DEBONDED, DEFAULT_NEWTON_OPTIONS, CohesiveInterface, CohesiveModel
from .stepping import Block, StepControl

__all__ = ["CohesiveModel", "CohesiveInterface", "StepControl", "Block", "DEFAULT_NEWTON_OPTIONS", "DEBONDED",
           "build_cohesive_model", "newton_options"]
