"""Cross-reference checks a spec must pass beyond its shape: every name it uses must exist."""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence

from ldp_graph.specs.model import (
    AgeLimitRule,
    Condition,
    DateOrderRule,
    EmptyWhenRule,
    FieldRule,
    FieldSpec,
    HasChildrenRule,
    HasChildWhenRule,
    NoOverlapRule,
    OverlapsPeriodRule,
    ReferenceRule,
    RequiredWhenRule,
    ReturnSpec,
    UniqueRule,
    WithinParentRule,
)

PERIOD_DATES = ("period_start", "period_end")
ORDERED_TYPES = ("date", "integer", "number")
# Placeholders every message may use besides the entity's own field names.
CHANGE_LISTS = ("added", "changed", "removed")
COMMON_PLACEHOLDERS = {"value", "key", "field", "label", "entity", "period_start", "period_end"}

Problem = tuple[str, str]  # (path inside the file, what is wrong)


def problems(spec: ReturnSpec) -> Iterator[Problem]:
    yield from _entity_problems(spec)
    yield from _rule_problems(spec)
    yield from _change_problems(spec)


def _entity_problems(spec: ReturnSpec) -> Iterator[Problem]:
    for name, entity in spec.entities.items():
        base = f"entities.{name}"
        for field_name, field in entity.fields.items():
            if field.code_list is not None and field.code_list not in spec.code_lists:
                yield (
                    f"{base}.fields.{field_name}.code_list",
                    f"names missing code list {field.code_list!r}",
                )
        for key_field in entity.key:
            if key_field not in entity.fields:
                yield f"{base}.key", f"names missing field {key_field!r}"
        if entity.parent is not None:
            parent = spec.entities.get(entity.parent.entity)
            if parent is None:
                yield f"{base}.parent.entity", f"names missing entity {entity.parent.entity!r}"
            elif len(parent.key) != 1:
                yield f"{base}.parent.entity", "a parent must have a one-field key"
            if entity.parent.field not in entity.fields:
                yield f"{base}.parent.field", f"names missing field {entity.parent.field!r}"
    for name in spec.entities:
        seen, current = {name}, spec.entities[name].parent
        while current is not None and current.entity in spec.entities:
            if current.entity in seen:
                yield f"entities.{name}.parent", "parents form a cycle"
                break
            seen.add(current.entity)
            current = spec.entities[current.entity].parent


def _rule_problems(spec: ReturnSpec) -> Iterator[Problem]:
    implied = spec.implied_checks
    seen = {implied.required.id, implied.type.id, implied.code.id}
    if len(seen) < 3:
        yield "implied_checks", "the implied checks need three different ids"
    for index, rule in enumerate(spec.rules):
        path = f"rules[{index}] ({rule.id})"
        if rule.id in seen:
            yield f"{path}.id", f"rule id {rule.id} is used twice"
        seen.add(rule.id)
        entity = spec.entities.get(rule.entity)
        if entity is None:
            yield f"{path}.entity", f"names missing entity {rule.entity!r}"
            continue
        for where, name in _fields_named(spec, rule):
            if not _field_exists(spec, rule.entity, name):
                yield f"{path}.{where}", f"names missing field {name!r} of {rule.entity}"
        yield from ((f"{path}.{w}", m) for w, m in _structure_problems(spec, rule))
        if isinstance(rule, RequiredWhenRule | EmptyWhenRule | HasChildWhenRule):
            yield from ((f"{path}.{w}", m) for w, m in _code_problems(spec, rule.entity, rule.when))
        yield from ((f"{path}.message", m) for m in _placeholder_problems(spec, rule))


def _fields_named(spec: ReturnSpec, rule: object) -> Iterator[tuple[str, str]]:
    match rule:
        case FieldRule(field=f) | RequiredWhenRule(field=f) | EmptyWhenRule(field=f):
            yield "field", f
        case UniqueRule(fields=fs):
            yield from (("fields", f) for f in fs)
        case NoOverlapRule(group_by=gs, start=s, end=e):
            yield from (("group_by", g) for g in gs)
            yield from (("start", s), ("end", e))
        case DateOrderRule(start=s, end=e) | OverlapsPeriodRule(start=s, end=e):
            yield from (("start", s), ("end", e))
        case WithinParentRule(start=s, end=e):
            yield from (("start", s), ("end", e))
        case AgeLimitRule(birth=b, at=a):
            yield from (("birth", b), ("at", a))
    if isinstance(rule, RequiredWhenRule | EmptyWhenRule | HasChildWhenRule):
        yield from _condition_fields(rule.when)


def _condition_fields(condition: Condition) -> Iterator[tuple[str, str]]:
    if condition.field is not None:
        yield "when.field", condition.field
    if condition.age_from is not None:
        yield "when.age_from", condition.age_from
    if condition.age_at is not None and condition.age_at not in PERIOD_DATES:
        yield "when.age_at", condition.age_at


def _field_exists(spec: ReturnSpec, entity: str, name: str) -> bool:
    """`name` is a field of `entity`, or `ancestor.field` of one of its ancestors."""
    owner, _, field = name.rpartition(".")
    if owner:
        return owner in spec.ancestors_of(entity) and field in spec.entities[owner].fields
    return name in spec.entities[entity].fields


def _structure_problems(spec: ReturnSpec, rule: object) -> Iterator[Problem]:
    match rule:
        case ReferenceRule(entity=e) | WithinParentRule(entity=e) if (
            spec.entities[e].parent is None
        ):
            yield "kind", f"entity {e} has no parent to refer to"
        case HasChildrenRule(entity=e, child_entity=c) if c not in spec.children_of(e):
            yield "child_entity", f"{c!r} is not a child entity of {e}"
        case HasChildWhenRule():
            yield from _descendant_problems(spec, rule)
        case WithinParentRule(entity=e, parent_start=ps, parent_end=pe):
            parent = spec.entities[spec.entities[e].parent.entity]  # type: ignore[union-attr]
            for where, name in (("parent_start", ps), ("parent_end", pe)):
                if name not in parent.fields:
                    yield where, f"names missing field {name!r} of the parent entity"
        case FieldRule(entity=e, field=f, check=check) if f in spec.entities[e].fields:
            field_type = spec.entities[e].fields[f].type.value
            if (check.min is not None or check.max is not None) and field_type not in ORDERED_TYPES:
                yield "check", f"min/max need an integer, number or date field, not {field_type}"
            if field_type == "date" and any(
                isinstance(b, float | int) for b in (check.min, check.max) if b is not None
            ):
                yield "check", "a date field is bounded by a date or period_start/period_end/today"


def _descendant_problems(spec: ReturnSpec, rule: HasChildWhenRule) -> Iterator[Problem]:
    entity, child = rule.entity, rule.child_entity
    if child not in spec.entities:
        yield "child_entity", f"names missing entity {child!r}"
        return
    if entity not in spec.ancestors_of(child):
        yield "child_entity", f"{child!r} is not a child entity of {entity}, nor a descendant"
        return
    for where, name in _condition_fields(rule.child_when):
        if not _field_exists(spec, child, name):
            yield f"child_{where}", f"names missing field {name!r} of {child}"
    yield from ((f"child_{w}", m) for w, m in _code_problems(spec, child, rule.child_when))
    latest = rule.child_latest_by
    if latest is not None:
        definition = spec.entities[child].fields.get(latest)
        if definition is None:
            yield "child_latest_by", f"names missing field {latest!r} of {child}"
        elif definition.type.value not in ORDERED_TYPES:
            yield "child_latest_by", f"needs a date, integer or number field, not {definition.type}"


def _code_problems(spec: ReturnSpec, entity: str, condition: Condition) -> Iterator[Problem]:
    """Codes a condition tests that its code field's list lacks (a typo would never match)."""
    definition = _field_definition(spec, entity, condition.field)
    if definition is None or definition.code_list is None:
        return
    codes = {c.code for c in spec.code_lists[definition.code_list].codes}
    for where, listed in (("in", condition.in_), ("not_in", condition.not_in)):
        unknown = sorted(set(listed or ()) - codes)
        if unknown:
            yield (
                f"when.{where}",
                f"{', '.join(unknown)} not in code list {definition.code_list!r}",
            )


def _field_definition(spec: ReturnSpec, entity: str, name: str | None) -> FieldSpec | None:
    if name is None or not _field_exists(spec, entity, name):
        return None
    owner, _, field = name.rpartition(".")
    return spec.entities[owner or entity].fields[field]


def _placeholder_problems(spec: ReturnSpec, rule: object) -> Iterator[str]:
    known = COMMON_PLACEHOLDERS | set(spec.entities[rule.entity].fields)  # type: ignore[attr-defined]
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(rule.message) if name}  # type: ignore[attr-defined]
    except ValueError as exc:
        yield f"the message template does not parse: {exc}"
        return
    entity = rule.entity  # type: ignore[attr-defined]
    for name in sorted(names - known):
        yield (
            f"placeholder {{{name}}} is not a field of {entity} "
            f"nor one of {sorted(COMMON_PLACEHOLDERS)}"
        )


def _change_problems(spec: ReturnSpec) -> Iterator[Problem]:
    """What one file can show alone; `version_problems` checks the lists against the
    previous version once every file is loaded."""
    ids = set(spec.rule_definitions())
    listed: set[str] = set()
    for where in CHANGE_LISTS:
        for rule_id in getattr(spec.changes, where):
            if rule_id in listed:
                yield f"changes.{where}", f"{rule_id} is listed twice"
            listed.add(rule_id)
    for where in ("added", "changed"):
        for rule_id in getattr(spec.changes, where):
            if rule_id not in ids:
                yield f"changes.{where}", f"{rule_id} is not a rule of this version"
    for rule_id in spec.changes.removed:
        if rule_id in ids:
            yield "changes.removed", f"{rule_id} is still a rule of this version"


def version_problems(spec: ReturnSpec, earlier: Sequence[ReturnSpec]) -> Iterator[Problem]:
    """`previous_version` and the change lists, against the versions of the same return
    loaded before this one (`earlier`, any order).

    The previous version is the greatest earlier one. A first version (none earlier) names
    no previous version and lists no changes, since there is nothing to change against; a
    later one's lists must be exactly the difference from its previous version, which it
    names or leaves out (the registry fills it in), never names wrongly.
    """
    previous = max(earlier, key=lambda s: s.version) if earlier else None
    if previous is None:
        if spec.previous_version is not None:
            yield (
                "previous_version",
                f"version {spec.previous_version} of {spec.id} is not loaded, so the changes "
                "cannot be checked against it; add its file, or make this the first version",
            )
        for where in CHANGE_LISTS:
            if getattr(spec.changes, where):
                yield (
                    f"changes.{where}",
                    f"version {spec.version} is the first version of {spec.id}: "
                    "it has no previous version to change against, so it lists no changes",
                )
        return
    if spec.previous_version is not None and spec.previous_version != previous.version:
        yield (
            "previous_version",
            f"is {spec.previous_version}, but the version of {spec.id} before {spec.version} "
            f"is {previous.version}",
        )
        return
    yield from _difference_problems(spec, previous)


def _difference_problems(spec: ReturnSpec, previous: ReturnSpec) -> Iterator[Problem]:
    new, old = spec.rule_definitions(), previous.rule_definitions()
    v, pv = spec.version, previous.version
    added, changed, removed = (set(getattr(spec.changes, w)) for w in CHANGE_LISTS)
    for rule_id in spec.changes.added:
        if rule_id in old:
            yield "changes.added", f"{rule_id} is not new in version {v} (it is in {pv})"
    for rule_id in spec.changes.changed:
        if rule_id not in old:
            yield (
                "changes.changed",
                f"{rule_id} is not in version {pv}, so it is not changed: list it as added",
            )
        elif rule_id in new and new[rule_id] == old[rule_id]:
            yield "changes.changed", f"{rule_id} is the same in version {v} as in {pv}"
    for rule_id in spec.changes.removed:
        if rule_id not in old:
            yield "changes.removed", f"{rule_id} is not a rule of version {pv}"
    for rule_id in sorted(new.keys() - old.keys() - added):
        yield "changes.added", f"{rule_id} is new in version {v} (not in {pv}) but not listed"
    for rule_id in sorted(new.keys() & old.keys()):
        differs = _differing_keys(new[rule_id], old[rule_id])
        if differs and rule_id not in changed:
            yield (
                "changes.changed",
                f"{rule_id} differs from version {pv} ({', '.join(differs)}) but is not listed",
            )
    for rule_id in sorted(old.keys() - new.keys() - removed):
        yield "changes.removed", f"{rule_id} of version {pv} is gone from {v} but not listed"


def _differing_keys(new: dict[str, object], old: dict[str, object]) -> list[str]:
    return sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
