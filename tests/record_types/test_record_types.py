"""Typed record types are generated from any valid specification, with no code per return."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import strawberry
from hypothesis import given
from hypothesis import strategies as st

from ldp_graph.domain.collections import Collection
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.domain.submissions import StoredRecord
from ldp_graph.graphql.organisations import shared_organisation
from ldp_graph.graphql.record_filters import field_filters, sort_keys
from ldp_graph.graphql.record_types import entity_node, record_class
from ldp_graph.graphql.record_values import CodeValue, date_value, typed_value
from ldp_graph.graphql.records import record_set_types
from ldp_graph.services.records import RecordScope, VersionRef
from ldp_graph.specs.model import FieldSpec, FieldType, ReturnSpec
from ldp_graph.specs.registry import SpecRegistry, parse_spec

COUNCIL = shared_organisation(
    Organisation("S12000036", "Harbour Council", OrganisationKind.COUNCIL)
)

# A return that exists nowhere but here: if it becomes types, any valid spec does.
HARBOUR = """
id: harbour_log
version: "{version}"
title: Harbour log
description: Vessels in the harbour.
period: {{start: 2026-01-01, end: 2026-12-31}}
implied_checks:
  required: {{id: HB-100, message: "{{label}} is missing."}}
  type: {{id: HB-101, message: "'{{value}}' is not valid for {{label}}."}}
  code: {{id: HB-102, message: "'{{value}}' is not an allowed {{label}}."}}
code_lists:
  hull:
    codes:
      - {{code: S, label: Steel}}
      - {{code: W, label: Wood}}
entities:
  vessel:
    description: One vessel berthed during the year.
    key: [name]
    fields:
      name: {{type: string, label: Name, description: The vessel's registered name.}}
      launched_on: {{type: date, label: Launched, description: The day it was launched.}}
      crew: {{type: integer, label: Crew, description: People aboard.}}
      tonnage: {{type: number, label: Tonnage, description: Gross tonnage.}}
      insured: {{type: boolean, label: Insured, description: Whether it is insured.}}
      hull: {{type: code, code_list: hull, label: Hull, description: What the hull is made of.}}
{extra}
"""

OLD_ONLY = """
      flag: {type: string, label: Flag, description: The flag state (dropped in 2027).}
  voyage:
    description: One voyage (recorded until 2026).
    key: [voyage_id]
    fields:
      voyage_id: {type: string, label: Voyage, description: The voyage's number.}
"""


def _spec(version: str = "2026", extra: str = "") -> ReturnSpec:
    return parse_spec(HARBOUR.format(version=version, extra=extra), "harbour.yaml")


def _sdl(*specs: ReturnSpec) -> str:
    (record_set,) = record_set_types(SpecRegistry(specs)).values()

    def records() -> Any:
        return None

    records.__annotations__ = {"return": record_set | None}
    return str(strawberry.federation.Schema(query=_query(harbour=records)))


def _query(**resolvers: Any) -> type:
    """A Query type with one field per resolver (whose return annotation is generated)."""
    namespace = {name: strawberry.field(resolver=r) for name, r in resolvers.items()}
    return strawberry.type(type("Query", (), namespace))


def _scope(spec: ReturnSpec, fields: frozenset[str] | None = None) -> RecordScope:
    day = dt.date(2026, 1, 1)
    collection = Collection(
        "col_1", spec.id, spec.version, "Harbour", day, day, "SG-CSWS", day, day, "p", "l",
        ("S12000036",), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None,
    )  # fmt: skip
    version = VersionRef("ver_1", 1, "sub_1", "S12000036", fields)
    return RecordScope(spec, collection, (version,))


def _execute(spec: ReturnSpec, data: dict[str, Any], query: str, **scope: Any) -> Any:
    node = entity_node("HarbourLog", "vessel", [spec])
    found = _scope(spec, **scope)
    record = StoredRecord(1, "ver_1", "vessel", data.get("name"), 7, data)

    def vessel() -> Any:
        [root] = node.nodes([record], {"ver_1": found.versions[0]}, found, {"S12000036": COUNCIL})
        return root

    vessel.__annotations__ = {"return": node.type}
    result = strawberry.federation.Schema(query=_query(vessel=vessel)).execute_sync(query)
    assert result.errors is None, result.errors
    return result.data["vessel"]  # type: ignore[index]


def test_a_spec_written_anywhere_becomes_typed_record_types() -> None:
    sdl = _sdl(_spec())

    assert '"""One vessel berthed during the year."""\ntype HarbourLogVessel {' in sdl
    for line in (
        "name: String",
        "launchedOn: Date",
        "crew: Int",
        "tonnage: Float",
        "insured: Boolean",
        "hull: CodeValue",
        "meta: RecordMeta!",
        '"""Gross tonnage."""',
        "type HarbourLogRecords {",
        "  vessel(\n",
        "where: HarbourLogVesselWhere = null",
        "orderBy: [HarbourLogVesselOrder!] = null",
        "): HarbourLogVesselConnection!",
        "launchedOn: DateFilter = null",
        "tonnage: NumberFilter = null",
        "hull: CodeFilter = null",
        "insured: BooleanFilter = null",
        "LAUNCHED_ON",
    ):
        assert line in sdl, line


def test_versions_of_one_spec_share_one_type_per_entity_with_every_field() -> None:
    sdl = _sdl(_spec("2026", OLD_ONLY), _spec("2027"))

    assert sdl.count("type HarbourLogVessel {") == 1
    assert "flag: String" in sdl  # only in 2026: still readable in 2026 versions
    assert "type HarbourLogVoyage {" in sdl
    assert "): HarbourLogVoyageConnection!" in sdl


def test_a_field_named_like_the_record_metadata_is_refused() -> None:
    spec = _spec(extra="      meta: {type: string, description: Clashes.}")

    with pytest.raises(ValueError, match="reserved"):
        entity_node("HarbourLog", "vessel", [spec])


@pytest.mark.parametrize(
    ("field_type", "text", "expected"),
    [
        (FieldType.BOOLEAN, "Y", True),
        (FieldType.BOOLEAN, "no", False),
        (FieldType.BOOLEAN, "TRUE", True),
        (FieldType.BOOLEAN, "0", False),
        (FieldType.BOOLEAN, "maybe", None),
        (FieldType.DATE, "2026-02-28", dt.date(2026, 2, 28)),
        (FieldType.DATE, "2026-02-30", None),
        (FieldType.DATE, "28/02/2026", None),
        (FieldType.INTEGER, "-12", -12),
        (FieldType.INTEGER, "12.5", None),
        (FieldType.INTEGER, "3000000000", None),  # beyond GraphQL's 32-bit Int
        (FieldType.NUMBER, "1.5e3", 1500.0),
        (FieldType.NUMBER, "1e999", None),  # infinity: not a GraphQL Float
        (FieldType.NUMBER, "twelve", None),
        (FieldType.STRING, "anything", "anything"),
        (FieldType.STRING, None, None),
    ],
)
def test_typed_values_follow_the_validation_engines_coercion(
    field_type: FieldType, text: str | None, expected: Any
) -> None:
    field = FieldSpec(type=field_type, description="d")

    assert typed_value(text, field, {}) == expected


_DATE_LIKE = st.text(alphabet="0123456789-+ T:/\u0661\uff10Wa", min_size=0, max_size=12)


@given(
    st.one_of(
        _DATE_LIKE,
        st.dates().map(dt.date.isoformat),
        st.builds(
            "{}-{:02}-{:02}".format, st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)
        ),
        st.text(max_size=12),
    )
)
def test_the_fast_date_reading_agrees_with_the_validation_engines_coercion(text: str) -> None:
    field = FieldSpec(type=FieldType.DATE, description="d")

    assert date_value(text) == typed_value(text, field, {})


def test_a_code_carries_its_label_and_a_code_outside_the_list_none() -> None:
    field = FieldSpec(type=FieldType.CODE, code_list="hull", description="d")

    assert typed_value("S", field, {"S": "Steel"}) == CodeValue(code="S", label="Steel")
    assert typed_value("Q", field, {"S": "Steel"}) == CodeValue(code="Q", label=None)


def test_a_record_resolves_typed_and_keeps_what_did_not_parse_in_raw() -> None:
    data = {"name": "Ross", "launched_on": "1/5/1999", "crew": 4, "insured": "y", "hull": "W"}

    found = _execute(
        _spec(),
        data,
        "{ vessel { name launchedOn crew insured hull { code label }"
        " meta { key line raw council { code name kind } } } }",
    )

    assert found == {
        "name": "Ross",
        "launchedOn": None,
        "crew": 4,
        "insured": True,
        "hull": {"code": "W", "label": "Wood"},
        "meta": {
            "key": "Ross",
            "line": 7,
            "raw": data,
            "council": {"code": "S12000036", "name": "Harbour Council", "kind": "COUNCIL"},
        },
    }


def test_fields_outside_the_grant_resolve_to_null_and_stay_out_of_raw() -> None:
    data = {"name": "Ross", "crew": 4}

    found = _execute(
        _spec(), data, "{ vessel { name crew meta { raw } } }", fields=frozenset({"vessel.name"})
    )

    assert found == {"name": "Ross", "crew": None, "meta": {"raw": {"name": "Ross"}}}


class _Where:
    def __init__(self, **conditions: Any) -> None:
        self.__dict__.update(conditions)


class _Code:
    def __init__(self, **given: Any) -> None:
        self.eq = self.in_ = self.label = self.label_in = self.is_null = None
        self.__dict__.update(given)


@pytest.mark.parametrize(
    ("condition", "codes"),
    [
        (_Code(label="steel"), ("S",)),
        (_Code(label_in=["Wood", "STEEL"]), ("S", "W")),
        (_Code(label_in=["Wood", "Steel"], in_=["S"]), ("S",)),
        (_Code(label="Plastic"), ()),  # no such label: nothing matches
        (_Code(in_=["Q"]), ("Q",)),
    ],
)
def test_code_conditions_by_label_become_the_codes_so_labelled(
    condition: _Code, codes: tuple[str, ...]
) -> None:
    fields = entity_node("HarbourLog", "vessel", [_spec()]).fields

    (found,) = field_filters(_Where(hull=condition), fields)

    assert (found.field, found.type, sorted(found.in_ or ())) == ("hull", FieldType.CODE, [*codes])


def test_sort_keys_carry_each_fields_type_so_numbers_sort_as_numbers() -> None:
    fields = entity_node("HarbourLog", "vessel", [_spec()]).fields
    order = [_Where(field=_Where(value="tonnage"), direction=None)]

    (key,) = sort_keys(order, fields)

    assert (key.field, key.type, key.descending) == ("tonnage", FieldType.NUMBER, False)


@pytest.mark.parametrize("readable", [None, frozenset()])  # granted, not granted
@pytest.mark.parametrize("name", ["version", "data", "record", "scope", "council"])
def test_fields_named_like_record_internals_still_build_records(
    name: str, readable: frozenset[str] | None
) -> None:
    record = StoredRecord(1, "ver_1", "vessel", "k", 2, {name: "x"})
    node_class = record_class("HarbourVessel", {name: lambda n: n._data.get(name)}, readable)

    version = VersionRef("ver_1", 1, "sub_1", "S12000036", None)
    node = node_class(record, version, None, COUNCIL)  # type: ignore[arg-type]

    assert getattr(node, name) == ("x" if readable is None else None)


def test_a_council_not_found_fails_only_where_meta_council_is_selected() -> None:
    spec = _spec()
    node = entity_node("HarbourLog", "vessel", [spec])
    found = _scope(spec)
    record = StoredRecord(1, "ver_1", "vessel", "Ross", 7, {"name": "Ross"})

    def vessel() -> Any:
        [root] = node.nodes([record], {"ver_1": found.versions[0]}, found, {"S12000036": None})
        return root

    vessel.__annotations__ = {"return": node.type}
    schema = strawberry.federation.Schema(query=_query(vessel=vessel))

    plain = schema.execute_sync("{ vessel { name meta { line } } }")
    council = schema.execute_sync("{ vessel { name meta { council { code } } } }")

    assert plain.errors is None
    assert plain.data == {"vessel": {"name": "Ross", "meta": {"line": 7}}}
    assert council.errors
    assert council.errors[0].path == ["vessel", "meta", "council"]
