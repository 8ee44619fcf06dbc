"""Return specifications load as data, and a broken one fails with the file and path named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ldp_graph.specs.registry import SpecError, SpecRegistry, default_specs_directory, parse_spec

CLAS_TEXT = (default_specs_directory() / "clas.yaml").read_text(encoding="utf-8")


def _broken(change) -> str:
    data = yaml.safe_load(CLAS_TEXT)
    change(data)
    return yaml.safe_dump(data)


def test_clas_loads_with_its_entities_code_lists_and_rules() -> None:
    spec = SpecRegistry.from_directory(default_specs_directory()).get("clas")

    assert spec is not None
    assert spec.version == "2025-26"
    assert list(spec.entities) == ["child", "episode", "placement", "legal_reason", "permanence"]
    assert {"placement_type", "legal_reason", "destination", "sex"} <= set(spec.code_lists)
    assert len(spec.rules) >= 25


def test_registry_keeps_every_version_and_defaults_to_the_latest() -> None:
    registry = SpecRegistry.from_directory(default_specs_directory())

    assert registry.get("clas", "2024-25") is not None
    assert registry.get("clas").version == "2025-26"  # type: ignore[union-attr]
    assert registry.get("clas", "1999-00") is None


def test_a_version_lists_the_rules_it_changed_against_its_predecessor() -> None:
    registry = SpecRegistry.from_directory(default_specs_directory())
    new, old = registry.get("clas", "2025-26"), registry.get("clas", "2024-25")
    assert new is not None
    assert old is not None

    new_ids, old_ids = {r.id for r in new.rules}, {r.id for r in old.rules}

    assert set(new.changes.added) == new_ids - old_ids
    assert set(new.changes.removed) == old_ids - new_ids
    changed = {r.id for r in new.rules if r.id in old_ids and r != old.rule(r.id)}
    assert set(new.changes.changed) == changed


def _rule(data: dict, rule_id: str) -> dict:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def _index(rule_id: str) -> int:
    return next(i for i, r in enumerate(yaml.safe_load(CLAS_TEXT)["rules"]) if r["id"] == rule_id)


CLAS_015 = _index("CLAS-015")


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda d: d.update(colour="red"), "colour", "Extra inputs"),
        (
            lambda d: _rule(d, "CLAS-015").update(child_entity="legal"),
            f"rules[{CLAS_015}] (CLAS-015).child_entity",
            "names missing entity 'legal'",
        ),
        (
            lambda d: _rule(d, "CLAS-015").update(child_entity="child"),
            f"rules[{CLAS_015}] (CLAS-015).child_entity",
            "'child' is not a child entity of episode, nor a descendant",
        ),
        (
            lambda d: _rule(d, "CLAS-015").update(child_entity="permanence"),
            f"rules[{CLAS_015}] (CLAS-015).child_entity",
            "'permanence' is not a child entity of episode",
        ),
        (
            lambda d: _rule(d, "CLAS-015")["child_when"].update(field="kind_of_home"),
            f"rules[{CLAS_015}] (CLAS-015).child_when.field",
            "missing field 'kind_of_home' of placement",
        ),
        (
            lambda d: _rule(d, "CLAS-015")["when"].update(field="leaving_to"),
            f"rules[{CLAS_015}] (CLAS-015).when.field",
            "missing field 'leaving_to' of episode",
        ),
        (
            lambda d: _rule(d, "CLAS-015").update(child_latest_by="begun"),
            f"rules[{CLAS_015}] (CLAS-015).child_latest_by",
            "names missing field 'begun' of placement",
        ),
        (
            lambda d: _rule(d, "CLAS-015").update(child_latest_by="placement_type"),
            f"rules[{CLAS_015}] (CLAS-015).child_latest_by",
            "needs a date, integer or number field, not code",
        ),
        (
            lambda d: _rule(d, "CLAS-015")["child_when"]["in"].append("KINSHIP"),
            f"rules[{CLAS_015}] (CLAS-015).child_when.in",
            "KINSHIP not in code list 'placement_type'",
        ),
        (
            lambda d: _rule(d, "CLAS-015")["when"].update({"in": ["CONTINUING"]}),
            f"rules[{CLAS_015}] (CLAS-015).when.in",
            "CONTINUING not in code list 'destination'",
        ),
        (
            lambda d: _rule(d, "CLAS-010B")["when"].update(not_in=["FOSTER"]),
            f"rules[{_index('CLAS-010B')}] (CLAS-010B).when.not_in",
            "FOSTER not in code list 'placement_type'",
        ),
        (
            lambda d: _rule(d, "CLAS-015").pop("child_when"),
            f"rules[{CLAS_015}].child_when",
            "Field required",
        ),
        (
            lambda d: _rule(d, "CLAS-015")["child_when"].update(age_min=16),
            f"rules[{CLAS_015}].child_when",
            "age_from and age_at",
        ),
        (
            lambda d: d["entities"]["child"]["fields"]["sex"].update(code_list="gender"),
            "entities.child.fields.sex.code_list",
            "missing code list 'gender'",
        ),
        (
            lambda d: d["rules"][2].update(start="begin_date"),
            "rules[2] (CLAS-003).start",
            "missing field 'begin_date'",
        ),
        (
            lambda d: d["rules"][1]["check"].update(max="yesterday"),
            "rules[1].check.max",
            "",
        ),
        (
            lambda d: d["rules"][15]["check"].update(regex="[0-9"),
            "rules[15].check",
            "regex does not compile",
        ),
        (
            lambda d: d["rules"][15]["check"].update(regex="^(?=[0-9])[0-9]{9}$"),
            "rules[15].check",
            "regex does not compile",
        ),
        (
            lambda d: d["rules"][3].update(id="CLAS-001"),
            "rules[3] (CLAS-001).id",
            "used twice",
        ),
        (
            lambda d: d["rules"][0].update(message="Child {child_name} twice"),
            "rules[0] (CLAS-001).message",
            "placeholder {child_name}",
        ),
        (
            lambda d: d["rules"][0].update(kind="unique_ish"),
            "rules[0]",
            "",
        ),
        (
            lambda d: d["changes"].update(added=["CLAS-999"]),
            "changes.added",
            "CLAS-999 is not a rule",
        ),
        (
            lambda d: d["entities"]["child"]["fields"].update(_record={"type": "string"}),
            "entities.child.fields._record",
            "should match pattern",
        ),
        (
            lambda d: d["entities"]["episode"]["parent"].update(entity="family"),
            "entities.episode.parent.entity",
            "missing entity 'family'",
        ),
    ],
)
def test_broken_spec_names_the_file_and_the_path_inside_it(change, path: str, problem: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(_broken(change), "clas.yaml")

    assert raised.value.file == "clas.yaml"
    assert raised.value.path == path
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"clas.yaml: {path}: ")


def test_spec_that_is_not_yaml_is_refused_clearly() -> None:
    with pytest.raises(SpecError, match=r"^bad\.yaml: is not valid YAML"):
        parse_spec("id: [unclosed", "bad.yaml")


def test_two_files_defining_the_same_version_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(CLAS_TEXT, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(CLAS_TEXT, encoding="utf-8")

    with pytest.raises(SpecError, match="2025-26 is defined twice"):
        SpecRegistry.from_directory(tmp_path)


def test_has_child_when_may_reach_a_grandchild_and_test_an_ancestor_field() -> None:
    def change(d: dict) -> None:
        d["rules"].append(
            {
                "id": "CLAS-090",
                "kind": "has_child_when",
                "entity": "child",
                "when": {"field": "disability", "in": ["Y"]},
                "child_entity": "placement",
                "child_when": {"field": "episode.care_plan", "present": True},
                "severity": "query",
                "message": "Child {child_id} has no placement in an episode with a care plan.",
            }
        )

    spec = parse_spec(_broken(change), "clas.yaml")

    assert spec.rule("CLAS-090") is not None


def test_quarterly_return_loads_from_its_yaml_with_a_quarter_as_period() -> None:
    spec = SpecRegistry.from_directory(default_specs_directory()).get("cswq")

    assert spec is not None
    assert (spec.version, spec.period.start.isoformat(), spec.period.end.isoformat()) == (
        "2026-Q3",
        "2026-07-01",
        "2026-09-30",
    )
    assert list(spec.entities) == ["quarter", "team"]
    team = spec.entities["team"]
    assert team.parent is not None
    assert (team.parent.entity, team.parent.field) == ("quarter", "council")
    types = {name: field.type.value for name, field in team.fields.items()}
    assert (types["staff_fte"], types["open_cases"], types["team_type"]) == (
        "number",
        "integer",
        "code",
    )
    assert {r.kind for r in spec.rules} <= {
        "field",
        "unique",
        "reference",
        "has_children",
        "required_when",
    }
    assert 5 <= len(spec.rules) <= 11
