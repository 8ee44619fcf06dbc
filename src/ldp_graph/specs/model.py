"""The shape of a return specification. Unknown keys are errors, so a typo never passes.

A spec declares entities (child, episode, ...) with typed fields, the code lists they use,
and rules with stable ids. Per-field rules use cerberus's vocabulary; cross-record rules use
the small vocabulary of `kind`s below. `schema/returns/README.md` documents this for authors.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[A-Z][A-Z0-9]*-[0-9A-Z]+$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldType(enum.StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    CODE = "code"


class Severity(enum.StrEnum):
    ERROR = "error"  # must be fixed
    QUERY = "query"  # unusual: amend it or explain it


class Code(Strict):
    code: str
    label: str
    description: str = ""


class CodeList(Strict):
    description: str = ""
    codes: list[Code] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> CodeList:
        seen = [c.code for c in self.codes]
        duplicates = sorted({c for c in seen if seen.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate codes {duplicates}")
        return self


class FieldSpec(Strict):
    type: FieldType
    description: str
    label: str = ""
    required: bool = False
    code_list: str | None = None

    @model_validator(mode="after")
    def _code_list_iff_code(self) -> FieldSpec:
        if (self.type == FieldType.CODE) != (self.code_list is not None):
            raise ValueError("a field has a code_list exactly when its type is code")
        return self


class ParentLink(Strict):
    entity: str = Field(pattern=IDENTIFIER)
    field: str = Field(pattern=IDENTIFIER, description="this entity's field naming the parent")


class EntitySpec(Strict):
    description: str
    key: list[str] = Field(min_length=1)
    parent: ParentLink | None = None
    # Identifiers: they become GraphQL field names, and record types rely on them starting
    # with a letter.
    fields: dict[Annotated[str, Field(pattern=IDENTIFIER)], FieldSpec] = Field(min_length=1)


# A date bound: an ISO date, or one of the dates known when a return is validated.
DateRef = Literal["period_start", "period_end", "today"] | dt.date


class FieldConstraints(Strict):
    """The cerberus vocabulary a `field` rule may use (dates bounded by min/max too)."""

    regex: str | None = None
    min: float | DateRef | None = None
    max: float | DateRef | None = None
    minlength: int | None = Field(None, ge=0)
    maxlength: int | None = Field(None, ge=0)
    allowed: list[str] | None = None
    forbidden: list[str] | None = None

    @model_validator(mode="after")
    def _valid(self) -> FieldConstraints:
        if self.regex is not None:
            try:
                re.compile(self.regex)  # cerberus, the oracle, runs Python's re
                pl.Series([""]).str.contains(self.regex)  # the engine runs polars' (Rust) regex
            except (re.error, pl.exceptions.ComputeError) as exc:
                raise ValueError(f"regex does not compile: {exc}") from None
        if not self.model_fields_set:
            raise ValueError("a field rule needs at least one constraint")
        return self


class Condition(Strict):
    """When a conditional rule applies. All given parts must hold."""

    field: str | None = None
    present: bool | None = None
    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    age_from: str | None = Field(
        None, description="birth-date field, `entity.field` for an ancestor's field"
    )
    age_at: str | None = Field(None, description="a field of the record, or period_start/end")
    age_min: int | None = None
    age_below: int | None = None

    @model_validator(mode="after")
    def _complete(self) -> Condition:
        field_parts = (self.present, self.in_, self.not_in)
        if any(p is not None for p in field_parts) and self.field is None:
            raise ValueError("present/in/not_in need `field`")
        if self.field is not None and all(p is None for p in field_parts):
            raise ValueError("`field` needs one of present, in, not_in")
        age_parts = (self.age_from, self.age_at)
        if any(p is not None for p in age_parts) and not all(p is not None for p in age_parts):
            raise ValueError("an age condition needs both age_from and age_at")
        if self.age_from is not None and self.age_min is None and self.age_below is None:
            raise ValueError("an age condition needs age_min or age_below")
        if self.age_from is None and (self.age_min is not None or self.age_below is not None):
            raise ValueError("age_min/age_below need an age test: age_from and age_at")
        if self.field is None and self.age_from is None:
            raise ValueError("a condition needs `field` or an age test")
        return self


class RuleBase(Strict):
    id: str = Field(pattern=RULE_ID)
    severity: Severity
    entity: str = Field(pattern=IDENTIFIER)
    message: str = Field(min_length=1, description="for council staff; {placeholders} allowed")
    description: str = ""


class FieldRule(RuleBase):
    kind: Literal["field"]
    field: str
    check: FieldConstraints


class UniqueRule(RuleBase):
    kind: Literal["unique"]
    fields: list[str] = Field(min_length=1)


class ReferenceRule(RuleBase):
    """Every record's parent reference names an existing parent record."""

    kind: Literal["reference"]


class HasChildrenRule(RuleBase):
    """Every record of `entity` has at least one record of `child_entity`."""

    kind: Literal["has_children"]
    child_entity: str


class HasChildWhenRule(RuleBase):
    """Where `when` holds for a record, one of its `child_entity` records meets `child_when`.

    `child_entity` is a child of `entity` or a further descendant along the parent links.
    With `child_latest_by` (a date or number field of `child_entity`), only the record's
    latest such child counts. E.g. CLAS-015: an episode ending in continuing care for a young
    person of 16 or over ends from an eligible (kinship, foster or residential) placement.
    """

    kind: Literal["has_child_when"]
    child_entity: str
    when: Condition
    child_when: Condition
    child_latest_by: str | None = Field(
        None, description="only the child with the greatest value of this field counts"
    )


class DateOrderRule(RuleBase):
    kind: Literal["date_order"]
    start: str
    end: str


class WithinParentRule(RuleBase):
    """The record's [start, end] lies inside its parent's [parent_start, parent_end]."""

    kind: Literal["within_parent"]
    start: str
    end: str
    parent_start: str
    parent_end: str


class NoOverlapRule(RuleBase):
    """Records sharing `group_by` do not overlap in time."""

    kind: Literal["no_overlap"]
    group_by: list[str] = Field(min_length=1)
    start: str
    end: str


class OverlapsPeriodRule(RuleBase):
    kind: Literal["overlaps_period"]
    start: str
    end: str


class RequiredWhenRule(RuleBase):
    kind: Literal["required_when"]
    field: str
    when: Condition


class EmptyWhenRule(RuleBase):
    kind: Literal["empty_when"]
    field: str
    when: Condition


class AgeLimitRule(RuleBase):
    """The age at `at` (a field of the record) computed from `birth` is below `below`."""

    kind: Literal["age_limit"]
    birth: str
    at: str
    below: int = Field(gt=0)


Rule = Annotated[
    FieldRule
    | UniqueRule
    | ReferenceRule
    | HasChildrenRule
    | HasChildWhenRule
    | DateOrderRule
    | WithinParentRule
    | NoOverlapRule
    | OverlapsPeriodRule
    | RequiredWhenRule
    | EmptyWhenRule
    | AgeLimitRule,
    Field(discriminator="kind"),
]


class ImpliedCheck(Strict):
    """The id and message of a check every field definition implies."""

    id: str = Field(pattern=RULE_ID)
    message: str = Field(min_length=1)


class ImpliedChecks(Strict):
    required: ImpliedCheck
    type: ImpliedCheck
    code: ImpliedCheck


class Period(Strict):
    start: dt.date
    end: dt.date


class Changes(Strict):
    """What this version changed in the rules against `previous_version`.

    The loader checks these lists against the loaded previous version: a rule (or implied
    check) is added when its id is new, removed when its id is gone, and changed when any
    part of its definition differs (its check, severity, message, description...).
    """

    added: list[str] = []
    changed: list[str] = []
    removed: list[str] = []


class ReturnSpec(Strict):
    id: str = Field(pattern=IDENTIFIER)
    version: str = Field(min_length=1)
    title: str
    description: str
    owner: str = ""
    previous_version: str | None = None
    period: Period
    suppression_threshold: int = Field(5, ge=1)
    changes: Changes = Changes()
    implied_checks: ImpliedChecks
    code_lists: dict[str, CodeList] = {}
    entities: dict[str, EntitySpec] = Field(min_length=1)
    rules: list[Rule] = []

    def rule(self, rule_id: str) -> RuleBase | ImpliedCheck | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        for check in (self.implied_checks.required, self.implied_checks.type):
            if check.id == rule_id:
                return check
        return self.implied_checks.code if self.implied_checks.code.id == rule_id else None

    def rule_definitions(self) -> dict[str, dict[str, object]]:
        """Every rule id of this version, the implied checks' too, with its whole definition.

        Two versions define a rule alike when these are equal; an implied check's definition
        includes which check it is, so moving an id from `required` to `type` is a change.
        """
        definitions: dict[str, dict[str, object]] = {
            rule.id: rule.model_dump(mode="json", by_alias=True) for rule in self.rules
        }
        for name in ("required", "type", "code"):
            check: ImpliedCheck = getattr(self.implied_checks, name)
            definitions[check.id] = {"implied": name, **check.model_dump(mode="json")}
        return definitions

    def children_of(self, entity: str) -> list[str]:
        return [n for n, e in self.entities.items() if e.parent and e.parent.entity == entity]

    def ancestors_of(self, entity: str) -> list[str]:
        chain, current = [], self.entities[entity].parent
        while current is not None:
            chain.append(current.entity)
            current = self.entities[current.entity].parent
        return chain
