"""The mission as one story: three councils through a CLAS collection, to published counts.

A requester asks three councils. Aberdeen City submits a clean return. Edinburgh's first
upload fails pre-validation and is fixed by resubmission. Angus's return draws a data query
that the council answers, and the requester writes back the corrected final state. The
requester validates and publishes; an anonymous reader gets suppressed counts, never rows; and
each council can see who read its data.
"""

from __future__ import annotations

from pathlib import Path

from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from tests.api import flow
from tests.api.test_uploads import upload
from tests.conftest import Api

ABERDEEN, EDINBURGH, ANGUS = "S12000033", "S12000036", "S12000041"

CURRENT = """
query ($id: ID!) {
  submission(id: $id) {
    state currentVersionNumber validatedVersionNumber
    currentVersion { valid sourceFormat issueChanges { newCount fixedCount stillOpenCount } }
  }
}
"""

OWNER_VIEW = """
query ($id: ID!) {
  collection(id: $id) {
    submissions { council { code } state }
    clas { child(first: 200) { totalCount } }
  }
}
"""

AUDIT = '{ auditEvents(operation: "records.read") { nodes { actor { code } recordCount } } }'


async def test_three_councils_from_ask_to_published_suppressed_counts(
    api: Api, tmp_path: Path
) -> None:
    spec = load_registry().get("clas", "2025-26")
    assert spec is not None
    owner = await flow.requester_token(api)
    tokens = {code: await flow.council_token(api, code) for code in (ABERDEEN, EDINBURGH, ANGUS)}
    collection = (
        await flow.create_collection(api, owner, councilCodes=[ABERDEEN, EDINBURGH, ANGUS])
    )["id"]
    returns = {
        r.council: r
        for r in generate(
            spec,
            councils=[ABERDEEN, EDINBURGH, ANGUS],
            children_per_council=40,
            error_rate=0.0,
            seed=11,
        )
    }

    # 1. Aberdeen: a clean return, usable at once.
    aberdeen = await flow.submit(api, tokens[ABERDEEN], collection, returns[ABERDEEN].records)
    assert aberdeen["submission"]["state"] == "PREVALIDATED"

    # 2. Edinburgh: its CSV export has errors; the report says so; a second upload fixes it.
    (broken,) = generate(
        spec, councils=[EDINBURGH], children_per_council=40, error_rate=0.2, seed=11
    )
    files = [(p.name, p.read_bytes()) for p in write_csv(broken, spec, tmp_path / "v1")]
    failed = (await upload(api, tokens[EDINBURGH], collection, files)).json()["data"]
    assert failed["submitReturn"]["submission"]["state"] == "PREVALIDATION_FAILED"
    assert failed["submitReturn"]["report"]["errorCount"] > 0
    files = [(p.name, p.read_bytes()) for p in write_csv(returns[EDINBURGH], spec, tmp_path / "v2")]
    fixed = (await upload(api, tokens[EDINBURGH], collection, files)).json()["data"]
    edinburgh = fixed["submitReturn"]["submission"]["id"]
    changes = (await api.graphql(CURRENT, {"id": edinburgh}, tokens[EDINBURGH]))["submission"]
    assert changes["state"] == "PREVALIDATED"
    assert changes["currentVersion"]["issueChanges"]["fixedCount"] > 0
    assert changes["currentVersion"]["issueChanges"]["newCount"] == 0

    # 3. Angus: the requester queries a record, the council answers, the requester writes back.
    angus = (await flow.submit(api, tokens[ANGUS], collection, returns[ANGUS].records))[
        "submission"
    ]["id"]
    first_child = returns[ANGUS].records["child"][0]["child_id"]
    query = (
        await flow.raise_query(
            api,
            owner,
            angus,
            "Is the ethnicity right?",
            entity="child",
            recordKey=first_child,
            field="ethnicity",
        )
    )["dataQuery"]
    await flow.on_query(
        api, flow.ANSWER_DATA_QUERY, tokens[ANGUS], query["id"], "No: it should be WB."
    )
    await flow.on_query(api, flow.RESOLVE_DATA_QUERY, owner, query["id"])
    corrected = returns[ANGUS].records
    corrected["child"][0]["ethnicity"] = "WB"
    written = await flow.write_back(api, owner, angus, corrected, based_on=1)
    assert written["errors"] == []
    assert written["version"]["basedOnVersion"] == 1

    # 4. The requester reads every council's records at once, validates and publishes.
    view = await api.graphql(OWNER_VIEW, {"id": collection}, owner)
    assert view["collection"]["clas"]["child"]["totalCount"] == 120
    for submission in (aberdeen["submission"]["id"], edinburgh):
        assert (await flow.mark_validated(api, owner, submission))["errors"] == []
    published = await flow.publish(api, owner, collection)
    assert published["publishedSubmissions"] == 3

    # 5. An anonymous reader: suppressed counts of published data, never rows.
    variables = {"id": collection, "entity": "child", "by": ["council", "sex"]}
    table = (await api.graphql(flow.AGGREGATE, variables))["collection"]["aggregate"]
    grand = next(c for c in table["cells"] if all(v["code"] is None for v in c["values"]))
    assert grand["count"] == 120
    assert all(
        c["count"] is None or c["count"] == 0 or c["count"] >= table["threshold"]
        for c in table["cells"]
    )
    rows = await api.graphql(OWNER_VIEW, {"id": collection})
    assert rows["collection"]["clas"]["child"]["totalCount"] == 0

    # 6. Each council sees who read its data.
    events = (await api.graphql(AUDIT, token=tokens[ABERDEEN]))["auditEvents"]["nodes"]
    assert {"actor": {"code": flow.REQUESTER}, "recordCount": 40} in events
