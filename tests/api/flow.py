"""Building blocks for tests of the data flow: operations and steps driven through the API."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import httpx

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.errors import Conflict
from ldp_graph.services import organisations
from tests.conftest import Api
from tests.validation.clas_records import clean_return

REQUESTER = "SG-CSWS"
COUNCILS = ("S12000033", "S12000036", "S12000049")

CREATE_COLLECTION = """
mutation Create($input: CreateCollectionInput!) {
  createCollection(input: $input) {
    collection { id specId specVersion title periodStart periodEnd opensOn dueOn
                 purpose legalBasis owner { code } councils { code } }
    errors { __typename message field }
  }
}
"""

SUBMIT_RETURN = """
mutation Submit($input: SubmitReturnInput!) {
  submitReturn(input: $input) {
    submission { id state currentVersionNumber council { code } }
    version { id number valid errorCount queryCount recordCount sourceFormat contentHash }
    report { valid errorCount queryCount counts { ruleId problems }
             issues { problemId ruleId entity key fields message } }
    replayed
    errors { __typename message field }
  }
}
"""


async def organisation(api: Api, code: str, kind: OrganisationKind) -> None:
    with contextlib.suppress(Conflict):  # already registered by an earlier step
        await organisations.create_organisation(
            api.database, OPERATOR, code=code, name=f"{code} (test)", kind=kind
        )


async def requester_token(api: Api, code: str = REQUESTER) -> str:
    await organisation(api, code, OrganisationKind.REQUESTER)
    return await api.token(code, Role.REQUESTER)


async def council_token(api: Api, code: str) -> str:
    return await api.token(code, Role.COUNCIL_SUBMITTER)


def collection_input(**overrides: Any) -> dict[str, Any]:
    today = dt.date.today()
    values: dict[str, Any] = {
        "specId": "clas",
        "title": "CLAS 2025-26",
        "councilCodes": list(COUNCILS),
        "opensOn": (today - dt.timedelta(days=10)).isoformat(),
        "dueOn": (today + dt.timedelta(days=60)).isoformat(),
        "purpose": "National statistics on children looked after.",
        "legalBasis": "Children (Scotland) Act 1995; Statistics and Registration Service Act 2007.",
    }
    values.update(overrides)
    return values


async def create_collection(api: Api, token: str, **overrides: Any) -> dict[str, Any]:
    data = await api.graphql(CREATE_COLLECTION, {"input": collection_input(**overrides)}, token)
    payload = data["createCollection"]
    assert payload["errors"] == [], payload["errors"]
    return payload["collection"]


async def submit(
    api: Api,
    token: str,
    collection_id: str,
    records: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Run submitReturn; return its payload (errors included, for the caller to check)."""
    variables = {
        "input": {
            "collectionId": collection_id,
            "records": records if records is not None else clean_return(),
            "idempotencyKey": idempotency_key,
        }
    }
    data = await api.graphql(SUBMIT_RETURN, variables, token)
    return data["submitReturn"]


RAISE_DATA_QUERY = """
mutation Raise($input: RaiseDataQueryInput!) {
  raiseDataQuery(input: $input) {
    dataQuery { id state versionNumber entity recordKey field ruleId question
                messages { kind body author { code } } }
    errors { __typename message field }
  }
}
"""

ANSWER_DATA_QUERY = """
mutation Answer($input: DataQueryMessageInput!) {
  answerDataQuery(input: $input) {
    dataQuery { id state messages { kind body } }
    errors { __typename message field }
  }
}
"""

FOLLOW_UP_DATA_QUERY = """
mutation FollowUp($input: DataQueryMessageInput!) {
  followUpDataQuery(input: $input) {
    dataQuery { id state messages { kind body } }
    errors { __typename message field }
  }
}
"""

RESOLVE_DATA_QUERY = """
mutation Resolve($input: DataQueryMessageInput!) {
  resolveDataQuery(input: $input) {
    dataQuery { id state }
    errors { __typename message field }
  }
}
"""

CURRENT_VERSION = "query ($id: ID!) { submission(id: $id) { currentVersionNumber } }"

MARK_VALIDATED = """
mutation Validate($input: MarkValidatedInput!) {
  markValidated(input: $input) {
    submission { id state validatedVersionNumber }
    errors { __typename message field }
  }
}
"""

WRITE_BACK = """
mutation WriteBack($input: WriteBackInput!) {
  writeBack(input: $input) {
    submission { id state currentVersionNumber validatedVersionNumber }
    version { number sourceFormat basedOnVersion note author { code } valid }
    errors { __typename message field ... on ValidationFailed { errorCount } }
  }
}
"""


async def raise_query(
    api: Api, token: str, submission_id: str, question: str = "Is this right?", **target: Any
) -> dict[str, Any]:
    variables = {"input": {"submissionId": submission_id, "question": question, **target}}
    return (await api.graphql(RAISE_DATA_QUERY, variables, token))["raiseDataQuery"]


async def on_query(
    api: Api, document: str, token: str, query_id: str, message: str = "Yes."
) -> dict[str, Any]:
    variables = {"input": {"dataQueryId": query_id, "message": message}}
    data = await api.graphql(document, variables, token)
    return next(iter(data.values()))


async def mark_validated(
    api: Api, token: str, submission_id: str, version: int | None = None
) -> dict[str, Any]:
    """markValidated on `version`; by default the current version as `token` sees it (1 when
    it sees no such submission)."""
    if version is None:
        found = await api.graphql(CURRENT_VERSION, {"id": submission_id}, token)
        version = found["submission"]["currentVersionNumber"] if found["submission"] else 1
    variables = {"input": {"submissionId": submission_id, "version": version}}
    return (await api.graphql(MARK_VALIDATED, variables, token))["markValidated"]


async def write_back(
    api: Api,
    token: str,
    submission_id: str,
    records: dict[str, Any],
    based_on: int,
    note: str = "Corrected after review.",
) -> dict[str, Any]:
    variables = {
        "input": {
            "submissionId": submission_id,
            "records": records,
            "basedOnVersion": based_on,
            "note": note,
        }
    }
    return (await api.graphql(WRITE_BACK, variables, token))["writeBack"]


CREATE_GRANT = """
mutation Grant($input: CreateGrantInput!) {
  createGrant(input: $input) {
    grant { id level fields minState grantee { code } revokedAt }
    errors { __typename message field }
  }
}
"""

REVOKE_GRANT = """
mutation Revoke($input: RevokeGrantInput!) {
  revokeGrant(input: $input) {
    grant { id revokedAt }
    errors { __typename message field }
  }
}
"""

PUBLISH = """
mutation Publish($input: PublishCollectionInput!) {
  publishCollection(input: $input) {
    collection { id publishedAt }
    publishedSubmissions
    errors { __typename message field }
  }
}
"""

AGGREGATE = """
query Aggregate($id: ID!, $entity: String!, $by: [String!]!, $councils: [String!]) {
  collection(id: $id) {
    aggregate(entity: $entity, by: $by, councils: $councils) {
      threshold submissionsCounted dimensions
      cells { values { dimension code label } isTotal count suppressed reason }
    }
  }
}
"""


async def publish(api: Api, token: str, collection_id: str) -> dict[str, Any]:
    variables = {"input": {"collectionId": collection_id}}
    return (await api.graphql(PUBLISH, variables, token))["publishCollection"]


async def grant(api: Api, token: str, collection_id: str, **values: Any) -> dict[str, Any]:
    variables = {"input": {"collectionId": collection_id, **values}}
    return (await api.graphql(CREATE_GRANT, variables, token))["createGrant"]


async def revoke_grant(api: Api, token: str, grant_id: str) -> dict[str, Any]:
    variables = {"input": {"grantId": grant_id}}
    return (await api.graphql(REVOKE_GRANT, variables, token))["revokeGrant"]


async def aggregate(
    api: Api,
    token: str | None,
    collection_id: str,
    by: list[str],
    entity: str = "child",
    councils: list[str] | None = None,
) -> httpx.Response:
    """The raw response: refusals of an aggregate are GraphQL errors, not payload errors."""
    variables = {"id": collection_id, "entity": entity, "by": by, "councils": councils}
    return await api.post(AGGREGATE, variables, token)


# Children per council and the sexes they cycle through: Aberdeen's large cells, Edinburgh's
# small F cell (3 of 12) that forces secondary suppression, and Glasgow left unvalidated.
PUBLICATION_PLANS = {
    "S12000033": (24, "FM"),
    "S12000036": (12, "MMFMMFMMFMMM"),
    "S12000049": (6, "F"),
}


async def two_of_three_validated(api: Api) -> dict[str, Any]:
    """Three councils submit clean returns per PUBLICATION_PLANS; the owner validates two."""
    owner = await requester_token(api)
    collection = await create_collection(api, owner)
    ids = {}
    for code, (count, pattern) in PUBLICATION_PLANS.items():
        payload = await submit(
            api, await council_token(api, code), collection["id"], children(count, code, pattern)
        )
        assert payload["errors"] == [], payload["errors"]
        ids[code] = payload["submission"]["id"]
    for code in ("S12000033", "S12000036"):
        assert (await mark_validated(api, owner, ids[code]))["errors"] == []
    return {"owner": owner, "collection": collection["id"], "ids": ids}


def children(count: int, council: str, sex_pattern: str = "FM") -> dict[str, Any]:
    """A clean return with `count` children, sexes cycling through `sex_pattern`."""
    records = clean_return()
    template = records["child"][0]
    records["child"] = [
        {
            **template,
            "child_id": f"C{i}",
            "council": council,
            "sex": sex_pattern[i % len(sex_pattern)],
        }
        for i in range(1, count + 1)
    ]
    return records


def children_by_birth_year(count: int, council: str = "S12000036") -> dict[str, Any]:
    """`children` C1, C2, ... (F, M, F, ...) born on 4 March 2011, 2012, ... in turn."""
    records = children(count, council, "MF")
    for i, child in enumerate(records["child"], start=1):
        child["date_of_birth"] = f"201{i % 10}-03-04"
    return records


async def every_council_submits(api: Api, count: int = 5) -> dict[str, Any]:
    """The owner asks every council in COUNCILS; each submits `children_by_birth_year`."""
    owner = await requester_token(api)
    collection = await create_collection(api, owner)
    tokens = {code: await council_token(api, code) for code in COUNCILS}
    ids = {}
    for code, token in tokens.items():
        payload = await submit(api, token, collection["id"], children_by_birth_year(count, code))
        ids[code] = payload["submission"]["id"]
    return {"owner": owner, "collection": collection, "tokens": tokens, "subs": ids}
