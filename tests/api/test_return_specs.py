"""Councils read return specifications in GraphQL, and dry-run validation stores nothing."""

from __future__ import annotations

import sqlalchemy as sa

from ldp_graph.db.tables import metadata
from tests.conftest import Api
from tests.validation.clas_records import clean_return

SPEC = """
query($id: String!, $version: String) {
  returnSpec(id: $id, version: $version) {
    id version previousVersion periodStart periodEnd changes { added changed removed }
    entities { name key parent fields { name type required codeList } }
    codeLists { name codes { code label } }
    rules { id kind severity }
  }
}
"""
VALIDATE = """
mutation($input: ValidateSubmissionInput!) {
  validateSubmission(input: $input) {
    report {
      valid errorCount queryCount issuesTruncated
      recordsChecked { entity records }
      counts { ruleId severity problems rows }
      issues { problemId ruleId severity entity line key fields value message }
    }
    errors { __typename message field }
  }
}
"""


async def test_return_specs_lists_every_version(api: Api) -> None:
    data = await api.graphql("{ returnSpecs { id version } }")

    assert {"id": "clas", "version": "2025-26"} in data["returnSpecs"]
    assert {"id": "clas", "version": "2024-25"} in data["returnSpecs"]
    assert {"id": "cswq", "version": "2026-Q3"} in data["returnSpecs"]


async def test_return_spec_exposes_entities_fields_code_lists_rules_and_changes(api: Api) -> None:
    spec = (await api.graphql(SPEC, {"id": "clas"}))["returnSpec"]

    assert (spec["version"], spec["periodStart"], spec["periodEnd"]) == (
        "2025-26",
        "2025-08-01",
        "2026-07-31",
    )
    assert spec["changes"] == {
        "added": ["CLAS-013Q", "CLAS-015"],
        "changed": ["CLAS-011"],
        "removed": ["CLAS-030"],
    }
    episode = next(e for e in spec["entities"] if e["name"] == "episode")
    assert (episode["key"], episode["parent"]) == (["episode_id"], "child")
    assert {
        "name": "destination",
        "type": "code",
        "required": False,
        "codeList": "destination",
    } in (episode["fields"])
    sex = next(c for c in spec["codeLists"] if c["name"] == "sex")
    assert {"code": "F", "label": "Female"} in sex["codes"]
    assert {"id": "CLAS-013Q", "kind": "required_when", "severity": "query"} in spec["rules"]


async def test_return_spec_first_version_has_no_previous_version_and_no_changes(
    api: Api,
) -> None:
    spec = (await api.graphql(SPEC, {"id": "clas", "version": "2024-25"}))["returnSpec"]
    latest = (await api.graphql(SPEC, {"id": "clas"}))["returnSpec"]

    assert spec["previousVersion"] is None
    assert spec["changes"] == {"added": [], "changed": [], "removed": []}
    assert latest["previousVersion"] == "2024-25"


async def test_return_spec_for_unknown_version_is_null(api: Api) -> None:
    assert (await api.graphql(SPEC, {"id": "clas", "version": "1999-00"}))["returnSpec"] is None


async def test_validate_submission_returns_the_report_and_stores_nothing(api: Api) -> None:
    records = clean_return()
    records["child"][0]["sex"] = "Q"
    records["placement"][0]["start_date"] = "2025-08-20"
    before = await _row_counts(api)

    payload = (await api.graphql(VALIDATE, {"input": {"specId": "clas", "records": records}}))[
        "validateSubmission"
    ]

    report = payload["report"]
    assert payload["errors"] == []
    assert (report["valid"], report["errorCount"]) == (False, 2)
    assert {c["ruleId"] for c in report["counts"]} == {"CLAS-102", "CLAS-006"}
    outside = [i for i in report["issues"] if i["ruleId"] == "CLAS-006"]
    assert len(outside) == 2
    assert len({i["problemId"] for i in outside}) == 1
    assert await _row_counts(api) == before


async def test_validate_submission_of_a_clean_return_is_valid(api: Api) -> None:
    payload = (
        await api.graphql(VALIDATE, {"input": {"specId": "clas", "records": clean_return()}})
    )["validateSubmission"]

    assert payload["report"]["valid"] is True
    assert payload["report"]["issues"] == []


async def test_validate_submission_with_bad_input_returns_typed_errors(api: Api) -> None:
    cases = [
        ({"specId": "nope", "records": {}}, "NotFound"),
        ({"specId": "clas", "records": {"pets": [{"name": "Rex"}]}}, "InvalidInput"),
        ({"specId": "clas", "records": [1, 2]}, "InvalidInput"),
        ({"specId": "clas", "records": {"child": "rows"}}, "InvalidInput"),
        ({"specId": "clas", "records": {}, "maxIssues": 0}, "InvalidInput"),
        ({"specId": "clas", "records": {}, "periodStart": "2025-01-01"}, "InvalidInput"),
    ]
    for given, error_type in cases:
        payload = (await api.graphql(VALIDATE, {"input": given}))["validateSubmission"]

        assert payload["report"] is None, given
        assert payload["errors"][0]["__typename"] == error_type, given


async def _row_counts(api: Api) -> dict[str, int]:
    async with api.database.read() as session:
        return {
            t.name: (await session.execute(sa.select(sa.func.count()).select_from(t))).scalar_one()
            for t in metadata.sorted_tables
        }
