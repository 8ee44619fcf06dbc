"""A return added as YAML only is collected, validated and queried with its own typed records."""

from __future__ import annotations

from tests.api import flow
from tests.conftest import Api
from tests.validation.test_cswq_rules import clean

TEAMS = """
query ($id: ID!) {
  submission(id: $id) { currentVersion { clas { child { totalCount } } cswq {
    team(where: {teamType: {label: "Duty and assessment"}}) {
      nodes { teamId staffFte openCases teamType { code label } meta { council { code } } }
    }
  } } }
}
"""


async def test_quarterly_return_is_collected_and_read_with_numeric_types(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(
        api, owner, specId="cswq", title="Teams 2026 Q3", councilCodes=["S12000036"]
    )
    council = await flow.council_token(api, "S12000036")

    submitted = await flow.submit(api, council, collection["id"], clean())
    data = await api.graphql(TEAMS, {"id": submitted["submission"]["id"]}, council)

    assert collection["specVersion"] == "2026-Q3"
    assert (collection["periodStart"], collection["periodEnd"]) == ("2026-07-01", "2026-09-30")
    assert submitted["submission"]["state"] == "PREVALIDATED"
    version = data["submission"]["currentVersion"]
    assert version["clas"] is None  # not a CLAS return
    assert version["cswq"]["team"]["nodes"] == [
        {
            "teamId": "T1",
            "staffFte": 12.5,
            "openCases": 180,
            "teamType": {"code": "DUTY", "label": "Duty and assessment"},
            "meta": {"council": {"code": "S12000036"}},
        }
    ]


async def test_quarterly_return_with_a_bad_number_is_kept_with_its_report(api: Api) -> None:
    owner = await flow.requester_token(api)
    collection = await flow.create_collection(
        api, owner, specId="cswq", title="Teams 2026 Q3", councilCodes=["S12000036"]
    )
    council = await flow.council_token(api, "S12000036")
    records = clean()
    records["team"][0]["staff_fte"] = "-3"

    submitted = await flow.submit(api, council, collection["id"], records)

    assert submitted["submission"]["state"] == "PREVALIDATION_FAILED"
    assert [c["ruleId"] for c in submitted["report"]["counts"]] == ["CSWQ-007"]
