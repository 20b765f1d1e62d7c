"""Cohesive-law parameters are declared once, in the law class, and the case.toml table follows them.

Requirement: for every law of ``LAWS``, the keys of its case.toml table are the law's declared
parameters (plus ``type``), with the same defaults, bounds and descriptions (with a unit in
parentheses); a value the schema accepts builds the law, and the schema and the law refuse the same
out-of-bound values. Exact comparisons (no tolerance). Run time: under 1 s.
"""

from __future__ import annotations

import pydantic
import pytest

from stressfem.case import BilinearLawSpec, ExponentialLawSpec, SpringLawSpec
from stressfem.physics.cohesive import LAWS, make_law
from stressfem.physics.cohesive.params import parameters

TABLES = {"bilinear": BilinearLawSpec, "exponential": ExponentialLawSpec, "spring": SpringLawSpec}
VALUES = dict(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
              GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0)
SPRING = dict(normal_stiffness_Pa_per_m=5e19, shear_stiffness_Pa_per_m=3e19)  # the spring law's keys


@pytest.mark.parametrize("kind", sorted(LAWS))
def test_table_is_derived_from_the_law(kind):
    table, params = TABLES[kind], parameters(LAWS[kind])
    assert list(table.model_fields) == ["type"] + [p.name for p in params]
    for p in params:
        field = table.model_fields[p.name]
        assert field.is_required() == p.required
        if not p.required:
            assert field.default == p.default
        assert field.description == p.description and p.description.rstrip().endswith(")")


@pytest.mark.parametrize("kind", sorted(LAWS))
def test_defaults_agree(kind):
    given = {p.name: (VALUES | SPRING)[p.name] for p in parameters(LAWS[kind]) if p.required}
    spec = TABLES[kind](type=kind, **given)
    assert make_law(spec.model_dump()) == LAWS[kind](**given)


def test_bk_exponent_default_is_two():
    """The documented default (docs/case-format.md) in the law and in the table."""
    assert BilinearLawSpec.model_fields["bk_exponent"].default == 2.0
    assert LAWS["bilinear"](**VALUES).bk_exponent == 2.0


@pytest.mark.parametrize("kind", sorted(LAWS))
@pytest.mark.parametrize("key,bad", [("normal_strength_Pa", 0.0), ("viscosity_s", -1.0)])
def test_schema_and_law_refuse_the_same_values(kind, key, bad):
    if kind == "spring" and key == "normal_strength_Pa":
        key = "normal_stiffness_Pa_per_m"  # the spring law has no strength
    given = {p.name: (VALUES | SPRING)[p.name] for p in parameters(LAWS[kind]) if p.required} | {key: bad}
    with pytest.raises(pydantic.ValidationError):
        TABLES[kind](type=kind, **given)
    with pytest.raises(ValueError, match=key):
        LAWS[kind](**given)
