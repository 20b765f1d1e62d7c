"""Interface terms of one (plus block, minus block) pair, and the off-diagonal Jacobian blocks built per pair.

Compile cost (docs/cohesive.md, Limitations): the block residuals and Jacobian blocks of the cohesive
model are UFL forms extracted from one residual (``ufl.extract_blocks``). An off-diagonal block J_ij
(i != j) holds only the interface terms of the pairs between blocks i and j, but extracted that way it
carries the pair's dS subdomain id and its coefficient positions in the whole residual, so FFCx compiles
one module per block pair although the kernels are the same code. Built per pair instead, with a
measure of its own (subdomain id 1), fresh test and trial functions and only the pair's coefficients,
the off-diagonal forms of all pairs of one interface law and one block order (plus block lower or
higher than the minus block) have the same UFL signature, and FFCx compiles them once. The facet
quantities of each interface (state.py) are assembled per pair in the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..._dolfinx import ufl
from ...physics.cohesive import UflOps

__all__ = ["pair_measure", "pair_traction", "shared_offdiagonal_blocks"]


def pair_measure(msh, entities, degree: int = 1):
    """The interior-facet measure of one pair's integration entities, subdomain id 1, rule of ``degree``
    (state.interface_quadrature_degree); the same id for every pair keeps the pair forms' signatures equal."""
    return ufl.Measure("dS", domain=msh, subdomain_data=[(1, entities)], metadata={"quadrature_degree": degree})(1)


def pair_traction(law, u_plus, u_minus, h_old, frame, dt) -> tuple:
    """(jump, (jn, js1, js2), (tn, ts1, ts2), h, T) of a pair: the jump u_minus("-") - u_plus("+") (m),
    its local components, the local traction (Pa), the updated history and the global traction T (Pa)."""
    jump = u_minus("-") - u_plus("+")
    jn, j1, j2 = frame.to_local(jump)
    tn, t1, t2, h = law.traction(jn, j1, j2, h_old("+"), UflOps(), dt)
    return jump, (jn, j1, j2), (tn, t1, t2), h, frame.to_global(tn, t1, t2)


def shared_offdiagonal_blocks(jac: list[list], interfaces: Sequence[dict], entities: dict, msh, frame, dt) -> int:
    """Replace each off-diagonal block of ``jac`` that holds the terms of exactly one pair by that pair's
    own form (shared signature, see the module docstring); returns the number of blocks replaced.

    ``interfaces``: the model's interface records (``law``, history ``h``, ``groups`` of (tag, plus block,
    minus block)); ``entities``: dS tag -> integration entities; ``frame``: the local frame of n("+").
    """
    pairs = defaultdict(list)
    for g in interfaces:
        for tag, up, um in g["groups"]:
            pairs[frozenset((up.index, um.index))].append((g, tag, up, um))
    replaced = 0
    for items in pairs.values():
        if len(items) != 1:  # two interfaces between the same blocks: keep the extracted (summed) block
            continue
        g, tag, up, um = items[0]
        dS = pair_measure(msh, entities[tag], g["qdeg"])
        T = pair_traction(g["law"], up.u, um.u, g["h"], frame, dt)[-1]
        F_plus = -ufl.inner(T, ufl.TestFunction(up.V)("+")) * dS
        F_minus = ufl.inner(T, ufl.TestFunction(um.V)("-")) * dS
        jac[up.index][um.index] = ufl.derivative(F_plus, um.u, ufl.TrialFunction(um.V))
        jac[um.index][up.index] = ufl.derivative(F_minus, up.u, ufl.TrialFunction(up.V))
        replaced += 2
    return replaced
