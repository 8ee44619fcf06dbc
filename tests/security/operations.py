"""The operations of the permission matrix: each runs one GraphQL request as one actor on one
target of the shared world, and names what came back as one of the outcomes below.

An outcome is what the caller can observe, nothing more: a payload error's type, a null, an
empty list, records with fields withheld.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.api import flow
from tests.conftest import Api
from tests.security import world as w

ALLOW = "allow"
NOT_FOUND = "not_found"  # null, or a NotFound error: what a missing id gets, nothing more
NOT_PERMITTED = "not_permitted"  # the caller may know the object, not do this to it
REFUSED = "refused"  # a GraphQL error on a query (no payload to carry a typed error)
EMPTY = "empty"  # the object is readable, the rows in it are not
HIDDEN = "hidden"  # the object is readable, this part of it is withheld
FIELDS_HIDDEN = "fields_hidden"  # rows readable, only the granted fields in them
INVALID_TRANSITION = "invalid_transition"  # permitted, but the object's state refuses it
SCOPED = "scoped"  # audit: only events concerning the caller
EVERYTHING = "everything"  # audit: every event

OUTCOMES = (
    ALLOW,
    NOT_FOUND,
    NOT_PERMITTED,
    REFUSED,
    EMPTY,
    HIDDEN,
    FIELDS_HIDDEN,
    INVALID_TRANSITION,
    SCOPED,
    EVERYTHING,
)

_PAYLOAD_ERRORS = {
    "NotFound": NOT_FOUND,
    "NotPermitted": NOT_PERMITTED,
    "InvalidTransition": INVALID_TRANSITION,
}

# What each actor speaks for: its organisation code.
ACTOR_ORGANISATIONS = {
    "council_A": w.COUNCIL_A,
    "council_B": w.COUNCIL_B,
    "council_C": w.COUNCIL_C,
    "requester_1": w.REQUESTER_1,
    "requester_2": w.REQUESTER_2,
    "records_grantee": w.RECORDS_GRANTEE,
    "aggregates_grantee": w.AGGREGATES_GRANTEE,
    "admin": w.PLATFORM,
    "end_user": w.END_USER_ORG,
    "anonymous": None,
}


@dataclass(frozen=True)
class Observed:
    outcome: str
    # For reads of rows: the councils whose data came back (checked where a row names them).
    councils: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Call:
    api: Api
    world: w.World
    actor: str
    target: str

    @property
    def token(self) -> str | None:
        return self.world.token(self.actor)

    @property
    def id(self) -> str:
        return self.world.id(self.target)

    @property
    def target_council(self) -> str:
        # Targets are named after the council whose submission they are ("B_in_main").
        return w.COUNCIL_B if self.target.startswith("B_") else w.COUNCIL_A


Operation = Callable[[Call], Awaitable[Observed]]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(run: Operation) -> Operation:
        OPERATIONS[name] = run
        return run

    return register


async def _data(call: Call, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    return await call.api.graphql(document, variables, call.token)


def _payload_outcome(payload: dict[str, Any]) -> str:
    if not payload["errors"]:
        return ALLOW
    kind = payload["errors"][0]["__typename"]
    return _PAYLOAD_ERRORS.get(kind, f"unexpected {kind}: {payload['errors'][0]['message']}")


async def _mutation(call: Call, document: str, input_: dict[str, Any]) -> Observed:
    data = await _data(call, document, {"input": input_})
    return Observed(_payload_outcome(next(iter(data.values()))))


def _refusal(body: dict[str, Any]) -> str | None:
    if "errors" not in body:
        return None
    return REFUSED


# --- reading submissions ---------------------------------------------------------------------

SUBMISSION = "query ($id: ID!) { submission(id: $id) { id state council { code } } }"


@operation("submission")
async def read_submission(call: Call) -> Observed:
    found = (await _data(call, SUBMISSION, {"id": call.id}))["submission"]
    return Observed(ALLOW if found else NOT_FOUND)


ENTITIES = """
query ($r: [_Any!]!) { _entities(representations: $r) { ... on Submission { id } } }
"""


@operation("_entities")
async def resolve_reference(call: Call) -> Observed:
    variables = {"r": [{"__typename": "Submission", "id": call.id}]}
    found = (await _data(call, ENTITIES, variables))["_entities"]
    return Observed(ALLOW if found[0] else NOT_FOUND)


VERSIONS = (
    "query ($id: ID!) { submission(id: $id) { versions { number } version(number: 1) { number } } }"
)


@operation("submission.versions")
async def read_versions(call: Call) -> Observed:
    """Every version for the parties; the version its access reaches for anyone else."""
    found = (await _data(call, VERSIONS, {"id": call.id}))["submission"]
    if found is None:
        return Observed(NOT_FOUND)
    numbers = [v["number"] for v in found["versions"]]
    first_listed = found["version"] is not None
    if numbers == sorted(numbers) and first_listed and numbers[0] == 1:
        return Observed(ALLOW)
    return Observed(HIDDEN)


REPORT = """
query ($id: ID!) {
  submission(id: $id) {
    currentVersion { report { errorCount queryCount issues { entity fields key value } } }
  }
}
"""


@operation("submission.report")
async def read_report(call: Call) -> Observed:
    found = (await _data(call, REPORT, {"id": call.id}))["submission"]
    if found is None:
        return Observed(NOT_FOUND)
    report = found["currentVersion"]["report"]
    listed = len(report["issues"])
    counted = report["errorCount"] + report["queryCount"]
    return Observed(ALLOW if listed == counted else FIELDS_HIDDEN)


REVIEW = "query ($id: ID!) { submission(id: $id) { dataQueries { id } explanations { id } } }"


@operation("submission.review")
async def read_review(call: Call) -> Observed:
    found = (await _data(call, REVIEW, {"id": call.id}))["submission"]
    if found is None:
        return Observed(NOT_FOUND)
    return Observed(ALLOW if found["dataQueries"] or found["explanations"] else EMPTY)


CHILD_SELECTION = """
totalCount
nodes { childId sex { code } dateOfBirth meta { raw council { code } } }
"""

VERSION_RECORDS = f"""
query ($id: ID!, $number: Int!) {{
  submission(id: $id) {{
    version(number: $number) {{ clas {{ child(first: 1000) {{ {CHILD_SELECTION} }} }} }}
  }}
}}
"""


def _rows_outcome(call: Call, connection: dict[str, Any] | None) -> Observed:
    if connection is None or connection["totalCount"] == 0:
        return Observed(EMPTY, ())
    nodes = connection["nodes"]
    councils = tuple(sorted({n["meta"]["council"]["code"] for n in nodes}))
    raw_fields = [{f"child.{name}" for name in n["meta"]["raw"]} for n in nodes]
    if all("child.date_of_birth" in fields for fields in raw_fields):
        return Observed(ALLOW, councils)
    # Withheld fields must be withheld everywhere, the raw record included.
    granted = set(w.GRANTED_FIELDS)
    if all(f <= granted for f in raw_fields) and all(n["dateOfBirth"] is None for n in nodes):
        return Observed(FIELDS_HIDDEN, councils)
    return Observed(f"partly hidden: {sorted(set().union(*raw_fields))}", councils)


async def _version_records(call: Call, number: int | None) -> Observed:
    if number is None:
        current = await _data(
            call,
            "query ($id: ID!) { submission(id: $id) { currentVersionNumber } }",
            {"id": call.id},
        )
        if current["submission"] is None:
            return Observed(NOT_FOUND)
        number = current["submission"]["currentVersionNumber"]
    found = (await _data(call, VERSION_RECORDS, {"id": call.id, "number": number}))["submission"]
    if found is None:
        return Observed(NOT_FOUND)
    if found["version"] is None:
        return Observed(HIDDEN)
    return _rows_outcome(call, (found["version"]["clas"] or {}).get("child"))


@operation("version.records")
async def read_current_version_records(call: Call) -> Observed:
    return await _version_records(call, None)


@operation("first_version.records")
async def read_first_version_records(call: Call) -> Observed:
    """The first version of a submission validated on its second: review material only."""
    return await _version_records(call, 1)


DIFF = """
query ($id: ID!) {
  versionDiff(submissionId: $id, from: 1, to: 2) { changedCount changed { changes { field } } }
}
"""


@operation("versionDiff")
async def read_diff(call: Call) -> Observed:
    response = await call.api.post(DIFF, {"id": call.id}, call.token)
    body = response.json()
    if "errors" in body:
        message = body["errors"][0]["message"]
        return Observed(NOT_FOUND if message.startswith("No submission") else message)
    return Observed(ALLOW)


# --- reading collections ---------------------------------------------------------------------

COLLECTION_RECORDS = f"""
query ($id: ID!) {{
  collection(id: $id) {{ clas {{ child(first: 1000) {{ {CHILD_SELECTION} }} }} }}
}}
"""


@operation("collection.records")
async def read_collection_records(call: Call) -> Observed:
    found = (await _data(call, COLLECTION_RECORDS, {"id": call.id}))["collection"]
    return _rows_outcome(call, (found["clas"] or {}).get("child"))


SORTED_BY_HIDDEN_FIELD = """
query ($id: ID!) {
  collection(id: $id) {
    clas { child(orderBy: [{field: DATE_OF_BIRTH}]) { totalCount } }
  }
}
"""


@operation("collection.records.sorted_by_date_of_birth")
async def sort_by_hidden_field(call: Call) -> Observed:
    """Sorting or filtering on a field would reveal it: only readers of the field may."""
    body = (await call.api.post(SORTED_BY_HIDDEN_FIELD, {"id": call.id}, call.token)).json()
    if _refusal(body):
        return Observed(REFUSED)
    total = body["data"]["collection"]["clas"]["child"]["totalCount"]
    return Observed(ALLOW if total else EMPTY)


COLLECTION_SUBMISSIONS = (
    "query ($id: ID!) { collection(id: $id) { submissions { council { code } state } } }"
)


@operation("collection.submissions")
async def read_collection_submissions(call: Call) -> Observed:
    found = (await _data(call, COLLECTION_SUBMISSIONS, {"id": call.id}))["collection"]
    councils = tuple(sorted(s["council"]["code"] for s in found["submissions"]))
    return Observed(ALLOW if councils else EMPTY, councils)


async def _aggregate(call: Call, by: list[str]) -> Observed:
    body = (await flow.aggregate(call.api, call.token, call.id, by)).json()
    if _refusal(body):
        return Observed(REFUSED)
    cells = body["data"]["collection"]["aggregate"]["cells"]
    councils = {
        v["code"]
        for c in cells
        if not c["isTotal"]
        for v in c["values"]
        if v["dimension"] == "council"
    }
    return Observed(ALLOW, tuple(sorted(councils)))


@operation("aggregate")
async def count_by_council(call: Call) -> Observed:
    return await _aggregate(call, ["council"])


@operation("aggregate.by_ethnicity")
async def count_by_ungranted_field(call: Call) -> Observed:
    """Counting by a field is reading it in bulk: a field-level grant limits the dimensions."""
    return await _aggregate(call, ["ethnicity"])


CALENDAR = """
query ($council: String!) {
  calendar(council: $council) { collection { id } submissionState statusVisible }
}
"""


@operation("calendar.submission_state")
async def calendar_state(call: Call) -> Observed:
    """Whether and when a council has submitted, as the calendar shows it to the caller."""
    entries = (await _data(call, CALENDAR, {"council": call.target_council}))["calendar"]
    main = [e for e in entries if e["collection"]["id"] == call.world.id("main_collection")]
    assert len(main) == 1, entries
    entry = main[0]
    if entry["statusVisible"] and entry["submissionState"] is not None:
        return Observed(ALLOW)
    if not entry["statusVisible"] and entry["submissionState"] is None:
        return Observed(HIDDEN)
    return Observed(f"inconsistent: {entry}")


AUDIT = """
query {
  auditEvents(first: 100) {
    totalCount nodes { operation collectionId actor { code } subject { code } }
  }
}
"""


@operation("auditEvents")
async def read_audit(call: Call) -> Observed:
    body = (await call.api.post(AUDIT, None, call.token)).json()
    if _refusal(body):
        return Observed(REFUSED)
    events = body["data"]["auditEvents"]["nodes"]
    own = ACTOR_ORGANISATIONS[call.actor]
    owned = {
        call.world.id(name)
        for name, owner in (
            ("main_collection", w.REQUESTER_1),
            ("published_collection", w.REQUESTER_1),
            ("not_yet_open_collection", w.REQUESTER_1),
            ("events_collection", w.REQUESTER_1),
            ("other_requesters_collection", w.REQUESTER_2),
            ("collection_to_publish", w.REQUESTER_2),
        )
        if owner == own
    }

    def concerns_caller(event: dict[str, Any]) -> bool:
        parties = {(event["actor"] or {}).get("code"), (event["subject"] or {}).get("code")}
        return own in parties or event["collectionId"] in owned

    if not all(concerns_caller(e) for e in events):
        return Observed(EVERYTHING)
    if own in (w.COUNCIL_A, w.COUNCIL_B):
        # A council must see who read its data, not only what it did itself.
        read_by_others = [
            e
            for e in events
            if e["operation"] == "records.read"
            and (e["subject"] or {}).get("code") == own
            and (e["actor"] or {}).get("code") != own
        ]
        if not read_by_others:
            return Observed("scoped, but without reads of its data by others")
    return Observed(SCOPED if events else EMPTY)


# --- mutations -------------------------------------------------------------------------------

SUBMIT = """
mutation ($input: SubmitReturnInput!) {
  submitReturn(input: $input) { errors { __typename message } }
}
"""


@operation("submitReturn")
async def submit_return(call: Call) -> Observed:
    council = ACTOR_ORGANISATIONS[call.actor] or w.COUNCIL_A
    records = flow.children(2, council if council.startswith("S12") else w.COUNCIL_A)
    return await _mutation(call, SUBMIT, {"collectionId": call.id, "records": records})


@operation("raiseDataQuery")
async def raise_data_query(call: Call) -> Observed:
    return await _mutation(
        call, flow.RAISE_DATA_QUERY, {"submissionId": call.id, "question": "Is C2 right?"}
    )


@operation("answerDataQuery")
async def answer(call: Call) -> Observed:
    return await _mutation(
        call, flow.ANSWER_DATA_QUERY, {"dataQueryId": call.id, "message": "Yes."}
    )


@operation("followUpDataQuery")
async def follow_up(call: Call) -> Observed:
    return await _mutation(
        call, flow.FOLLOW_UP_DATA_QUERY, {"dataQueryId": call.id, "message": "Sure?"}
    )


@operation("resolveDataQuery")
async def resolve(call: Call) -> Observed:
    return await _mutation(
        call, flow.RESOLVE_DATA_QUERY, {"dataQueryId": call.id, "message": "Thanks."}
    )


@operation("explainIssue")
async def explain(call: Call) -> Observed:
    values = {
        "submissionId": call.id,
        "problemId": call.world.id("problem_to_explain"),
        "explanation": "Home-schooled: no candidate number.",
    }
    return await _mutation(call, w.EXPLAIN, values)


REVIEW_EXPLANATION = """
mutation ($input: ReviewExplanationInput!) {
  reviewExplanation(input: $input) { errors { __typename message } }
}
"""


@operation("reviewExplanation")
async def review_explanation(call: Call) -> Observed:
    return await _mutation(call, REVIEW_EXPLANATION, {"explanationId": call.id, "accept": True})


@operation("markValidated")
async def mark_validated(call: Call) -> Observed:
    return await _mutation(call, flow.MARK_VALIDATED, {"submissionId": call.id, "version": 1})


@operation("writeBack")
async def write_back(call: Call) -> Observed:
    values = {
        "submissionId": call.id,
        "records": flow.children(4, call.target_council),
        "basedOnVersion": 1,
        "note": "Corrected after review.",
    }
    return await _mutation(call, flow.WRITE_BACK, values)


@operation("publishCollection")
async def publish(call: Call) -> Observed:
    return await _mutation(call, flow.PUBLISH, {"collectionId": call.id})


@operation("createGrant")
async def create_grant(call: Call) -> Observed:
    values = {"collectionId": call.id, "grantee": w.AGGREGATES_GRANTEE, "level": "AGGREGATES"}
    return await _mutation(call, flow.CREATE_GRANT, values)


@operation("revokeGrant")
async def revoke_grant(call: Call) -> Observed:
    return await _mutation(call, flow.REVOKE_GRANT, {"grantId": call.id})


EXPORT = """
mutation ($input: ExportRecordsInput!) {
  exportRecords(input: $input) { url errors { __typename message } }
}
"""


async def _export(call: Call, fields: list[str] | None) -> Observed:
    values = {"collectionId": call.id, "entity": "child", "fields": fields}
    payload = (await _data(call, EXPORT, {"input": values}))["exportRecords"]
    if payload["errors"]:
        return Observed(_payload_outcome(payload))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=call.api.app), base_url="http://testserver"
    ) as client:
        response = await client.get(payload["url"].removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    councils = (
        tuple(sorted({r["council"] for r in rows})) if rows and "council" in rows[0] else None
    )
    return Observed(ALLOW if rows else EMPTY, councils)


@operation("exportRecords.granted_fields")
async def export_granted_fields(call: Call) -> Observed:
    return await _export(call, [f.removeprefix("child.") for f in w.GRANTED_FIELDS])


@operation("exportRecords.all_fields")
async def export_all_fields(call: Call) -> Observed:
    return await _export(call, None)


@operation("createCollection")
async def create_collection(call: Call) -> Observed:
    values = flow.collection_input(councilCodes=[w.COUNCIL_A], title=f"By {call.actor}")
    return await _mutation(call, flow.CREATE_COLLECTION, values)


CREATE_ORGANISATION = """
mutation ($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { errors { __typename message } }
}
"""


@operation("createOrganisation")
async def create_organisation(call: Call) -> Observed:
    code = f"NEW-{call.actor.upper().replace('_', '-')}"
    values = {"code": code, "name": f"Made by {call.actor}", "kind": "OTHER"}
    return await _mutation(call, CREATE_ORGANISATION, values)


VALIDATE = """
mutation ($input: ValidateSubmissionInput!) {
  validateSubmission(input: $input) { report { valid } errors { __typename message } }
}
"""


@operation("validateSubmission")
async def dry_run(call: Call) -> Observed:
    return await _mutation(call, VALIDATE, {"specId": "clas", "records": flow.clean_return()})


@operation("validateSubmission.collection")
async def dry_run_against_collection(call: Call) -> Observed:
    return await _mutation(
        call, VALIDATE, {"collectionId": call.id, "records": flow.clean_return()}
    )
