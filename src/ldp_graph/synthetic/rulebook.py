"""The spec's rules the generator must keep (or break on purpose), found by shape, not by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ldp_graph.specs.model import (
    Condition,
    FieldRule,
    HasChildWhenRule,
    RequiredWhenRule,
    ReturnSpec,
    RuleBase,
)

# Looking rules up by what they check rather than by id lets one generator serve every CLAS
# version: 2024-25 asks for pathway plans from 15 and has no school-age SCN query, 2025-26
# asks from 16 and queries missing SCNs.
DEFAULT_PATHWAY_AGE = 16  # the guidance's school leaving age, when the spec does not say
DEFAULT_SCHOOL_AGES = (5, 16)
DEFAULT_ADULT_AGE = 18


@dataclass(frozen=True)
class ContinuingCare:
    """A has_child_when rule on episodes (CLAS-015): leaving for one of `destinations` at
    `age_min` or over needs a placement of an `eligible` type (the last one, if `last_only`)."""

    rule_id: str
    destinations: frozenset[str]
    age_min: int
    eligible: frozenset[str]
    last_only: bool

    def met_by(self, placements: list[dict[str, str | None]]) -> bool:
        counted = placements[-1:] if self.last_only else placements
        return any(p["placement_type"] in self.eligible for p in counted)


@dataclass(frozen=True)
class Rulebook:
    """Rule ids by the part they play (None when the spec has no such rule), with the ages,
    codes and required fields those rules use."""

    period_start: dt.date
    period_end: dt.date
    required: str  # implied checks
    type: str
    code: str
    required_fields: frozenset[tuple[str, str]]  # (entity, field)
    codes: dict[tuple[str, str], frozenset[str]]  # (entity, field) -> allowed codes
    dob_not_future: str | None
    episode_order: str | None
    episode_overlap: str | None
    placement_within: str | None
    placement_overlap: str | None
    legal_within: str | None
    destination_required: str | None
    destination_empty: str | None
    foster_required: str | None
    foster_empty: str | None
    foster_codes: frozenset[str]
    pathway_plan: str | None
    pathway_age: int
    scn_format: str | None
    scn_school_age: str | None
    school_ages: tuple[int, int]
    episode_age: str | None
    adult_age: int
    decision_in_period: str | None
    # Clean data keeps to it; the continuing_care_ineligible fault breaks it.
    continuing_care: ContinuingCare | None = None


def _find(
    spec: ReturnSpec, kind: str, entity: str, test: Callable[[RuleBase], bool]
) -> RuleBase | None:
    for rule in spec.rules:
        if rule.kind == kind and rule.entity == entity and test(rule):  # type: ignore[attr-defined]
            return rule
    return None


def _id(rule: RuleBase | None) -> str | None:
    return rule.id if rule is not None else None


def _field_is(name: str) -> Callable[[RuleBase], bool]:
    return lambda rule: getattr(rule, "field", None) == name


def _when(rule: RuleBase | None) -> Condition | None:
    return rule.when if isinstance(rule, RequiredWhenRule) else None


def rulebook(spec: ReturnSpec) -> Rulebook:
    """The rules of `spec` the generator knows, found by kind, entity and field."""

    def bounded(field: str, bound: str) -> Callable[[RuleBase], bool]:
        return lambda r: isinstance(r, FieldRule) and r.field == field and r.check.max == bound

    def regex(field: str) -> Callable[[RuleBase], bool]:
        return lambda r: isinstance(r, FieldRule) and r.field == field and r.check.regex is not None

    foster = _find(spec, "required_when", "placement", _field_is("foster_type"))
    pathway = _find(spec, "required_when", "episode", _field_is("pathway_plan"))
    scn = _find(spec, "required_when", "child", _field_is("scn"))
    age_limit = _find(spec, "age_limit", "episode", lambda _: True)
    foster_when, pathway_when, scn_when = _when(foster), _when(pathway), _when(scn)
    return Rulebook(
        period_start=spec.period.start,
        period_end=spec.period.end,
        required=spec.implied_checks.required.id,
        type=spec.implied_checks.type.id,
        code=spec.implied_checks.code.id,
        required_fields=frozenset(
            (name, field)
            for name, entity in spec.entities.items()
            for field, definition in entity.fields.items()
            if definition.required
        ),
        codes={
            (name, field): frozenset(c.code for c in spec.code_lists[definition.code_list].codes)
            for name, entity in spec.entities.items()
            for field, definition in entity.fields.items()
            if definition.code_list is not None
        },
        dob_not_future=_id(_find(spec, "field", "child", bounded("date_of_birth", "today"))),
        episode_order=_id(_find(spec, "date_order", "episode", lambda _: True)),
        episode_overlap=_id(_find(spec, "no_overlap", "episode", lambda _: True)),
        placement_within=_id(_find(spec, "within_parent", "placement", lambda _: True)),
        placement_overlap=_id(_find(spec, "no_overlap", "placement", lambda _: True)),
        legal_within=_id(_find(spec, "within_parent", "legal_reason", lambda _: True)),
        destination_required=_id(_find(spec, "required_when", "episode", _field_is("destination"))),
        destination_empty=_id(_find(spec, "empty_when", "episode", _field_is("destination"))),
        foster_required=_id(foster),
        foster_empty=_id(_find(spec, "empty_when", "placement", _field_is("foster_type"))),
        foster_codes=frozenset(
            foster_when.in_ if foster_when and foster_when.in_ else ("FOSTER_LA", "FOSTER_PURCH")
        ),
        pathway_plan=_id(pathway),
        pathway_age=(
            pathway_when.age_min
            if pathway_when and pathway_when.age_min is not None
            else DEFAULT_PATHWAY_AGE
        ),
        scn_format=_id(_find(spec, "field", "child", regex("scn"))),
        scn_school_age=_id(scn),
        school_ages=(
            (scn_when.age_min or 0, scn_when.age_below or 200) if scn_when else DEFAULT_SCHOOL_AGES
        ),
        episode_age=_id(age_limit),
        adult_age=getattr(age_limit, "below", DEFAULT_ADULT_AGE),
        decision_in_period=_id(
            _find(spec, "field", "permanence", bounded("decision_date", "period_end"))
        ),
        continuing_care=_continuing_care(spec),
    )


def _continuing_care(spec: ReturnSpec) -> ContinuingCare | None:
    rule = _find(spec, "has_child_when", "episode", lambda r: r.child_entity == "placement")  # type: ignore[attr-defined]
    if not isinstance(rule, HasChildWhenRule):
        return None
    when, child_when = rule.when, rule.child_when
    if when.field != "destination" or not when.in_ or child_when.field != "placement_type":
        return None
    return ContinuingCare(
        rule_id=rule.id,
        destinations=frozenset(when.in_),
        age_min=when.age_min or 0,
        eligible=frozenset(child_when.in_ or ()),
        last_only=rule.child_latest_by is not None,
    )
