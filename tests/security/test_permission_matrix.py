"""The permission matrix of DESIGN.md §5, cell by cell, through real GraphQL requests.

Each row of MATRIX is one cell: an actor, an operation, the target it acts on (named for the
actor's relationship to it) and the outcome the caller must observe. tests/auth/test_policy.py
holds policy.py to the same table in memory; this file checks that every resolver and service
asks policy.py and carries its answer out, on SQLite and on PostgreSQL alike (the suite runs
on whichever LDP_TEST_DATABASE_URL names).

Actors (tests/security/world.py builds them): council_A and council_B are asked by the main
collection (A validated on its second version, B only submitted and under review); council_C
is asked only by requester_2's collection; requester_1 owns the main and the published
collection; records_grantee holds a records grant of child.child_id and child.sex on the main
collection; aggregates_grantee a counts-only grant on it; admin holds a field-level grant on
the published collection and none on the main one; end_user and anonymous hold nothing.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from starlette.testclient import TestClient

from ldp_graph.app import create_app
from ldp_graph.config import load_settings
from ldp_graph.db.engine import Database
from ldp_graph.graphql.schema import build_schema
from ldp_graph.services import organisations
from tests.api import flow
from tests.conftest import Api, empty_tables
from tests.security import world as w
from tests.security.operations import (
    ALLOW,
    EMPTY,
    EVERYTHING,
    FIELDS_HIDDEN,
    HIDDEN,
    INVALID_TRANSITION,
    NOT_FOUND,
    NOT_PERMITTED,
    OPERATIONS,
    OUTCOMES,
    REFUSED,
    SCOPED,
    Call,
)

A, B, C = w.COUNCIL_A, w.COUNCIL_B, w.COUNCIL_C


@dataclass(frozen=True)
class Cell:
    actor: str
    operation: str
    target: str
    expected: str
    # For reads of rows: exactly the councils whose data the actor gets.
    councils: tuple[str, ...] | None = None

    @property
    def id(self) -> str:
        return f"{self.actor}-{self.operation}-{self.target}-{self.expected}"


def cells(
    operation: str, target: str, expected: dict[str, str], **councils: tuple[str, ...]
) -> list[Cell]:
    return [
        Cell(actor, operation, target, outcome, _sorted(councils.get(actor)))
        for actor, outcome in expected.items()
    ]


def _sorted(codes: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return tuple(sorted(codes)) if codes is not None else None


EVERY_ACTOR = (
    "council_A",
    "council_B",
    "council_C",
    "requester_1",
    "requester_2",
    "records_grantee",
    "aggregates_grantee",
    "admin",
    "end_user",
    "anonymous",
)


def everyone(outcome: str, **exceptions: str) -> dict[str, str]:
    return {actor: exceptions.get(actor, outcome) for actor in EVERY_ACTOR}


MATRIX: list[Cell] = [
    # --- a submission and what hangs off it ---------------------------------------------------
    # Its council and the collection's owner read it from arrival; a grantee once validated;
    # everyone else gets what a missing id gets.
    *cells(
        "submission",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, records_grantee=ALLOW),
    ),
    *cells("submission", "B_in_main", everyone(NOT_FOUND, council_B=ALLOW, requester_1=ALLOW)),
    *cells(
        "submission",
        "A_in_published",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, admin=ALLOW),
    ),
    *cells("submission", "B_in_other", everyone(NOT_FOUND, council_B=ALLOW, requester_2=ALLOW)),
    *cells("submission", "missing_submission", everyone(NOT_FOUND)),
    # A gateway resolving a Submission reference asks the same question.
    *cells(
        "_entities",
        "B_in_main",
        everyone(NOT_FOUND, council_B=ALLOW, requester_1=ALLOW),
    ),
    # Parties see every version; a grantee only the version its grant reaches.
    *cells(
        "submission.versions",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, records_grantee=HIDDEN),
    ),
    *cells(
        "submission.report",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, records_grantee=FIELDS_HIDDEN),
    ),
    *cells(
        "submission.report",
        "A_in_published",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, admin=FIELDS_HIDDEN),
    ),
    # Data queries and explanations are between the owner and the council only.
    *cells(
        "submission.review",
        "B_in_main",
        everyone(NOT_FOUND, council_B=ALLOW, requester_1=ALLOW),
    ),
    *cells(
        "submission.review",
        "A_in_main",
        everyone(NOT_FOUND, council_A=EMPTY, requester_1=EMPTY, records_grantee=EMPTY),
    ),
    *cells(
        "version.records",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, records_grantee=FIELDS_HIDDEN),
        council_A=(A,),
        requester_1=(A,),
        records_grantee=(A,),
    ),
    *cells(
        "version.records",
        "B_in_main",
        everyone(NOT_FOUND, council_B=ALLOW, requester_1=ALLOW),
        council_B=(B,),
        requester_1=(B,),
    ),
    *cells(
        "version.records",
        "A_in_published",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, admin=FIELDS_HIDDEN),
        admin=(A,),
    ),
    # The unvalidated first version is review material: a grantee never reads it.
    *cells(
        "first_version.records",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW, records_grantee=HIDDEN),
    ),
    *cells(
        "versionDiff",
        "A_in_main",
        everyone(NOT_FOUND, council_A=ALLOW, requester_1=ALLOW),
    ),
    # --- a collection's records ---------------------------------------------------------------
    *cells(
        "collection.records",
        "main_collection",
        everyone(
            EMPTY,
            council_A=ALLOW,
            council_B=ALLOW,
            requester_1=ALLOW,
            records_grantee=FIELDS_HIDDEN,
        ),
        council_A=(A,),
        council_B=(B,),
        requester_1=(A, B),
        records_grantee=(A,),  # B is not validated yet
    ),
    *cells(
        "collection.records",
        "published_collection",
        everyone(EMPTY, council_A=ALLOW, council_B=ALLOW, requester_1=ALLOW, admin=FIELDS_HIDDEN),
        council_A=(A,),
        council_B=(B,),
        requester_1=(A, B),
        admin=(A, B),
    ),
    *cells(
        "collection.records",
        "other_requesters_collection",
        everyone(EMPTY, council_A=ALLOW, council_B=ALLOW, requester_2=ALLOW),
        council_A=(A,),
        council_B=(B,),
    ),
    *cells(
        "collection.records.sorted_by_date_of_birth",
        "main_collection",
        everyone(
            EMPTY, council_A=ALLOW, council_B=ALLOW, requester_1=ALLOW, records_grantee=REFUSED
        ),
    ),
    *cells(
        "collection.submissions",
        "main_collection",
        everyone(EMPTY, council_A=ALLOW, council_B=ALLOW, requester_1=ALLOW, records_grantee=ALLOW),
        council_A=(A,),
        council_B=(B,),
        requester_1=(A, B),
        records_grantee=(A,),
    ),
    # --- counts ---------------------------------------------------------------------------------
    # Before publication only the parties and grantees count, each what it may read.
    *cells(
        "aggregate",
        "main_collection",
        everyone(
            REFUSED,
            council_A=ALLOW,
            council_B=ALLOW,
            requester_1=ALLOW,
            records_grantee=ALLOW,
            aggregates_grantee=ALLOW,
        ),
        council_A=(A,),
        council_B=(B,),
        requester_1=(A, B),
        records_grantee=(A,),
        aggregates_grantee=(A,),
    ),
    *cells(
        "aggregate",
        "published_collection",
        everyone(ALLOW),
        anonymous=(A, B),
        end_user=(A, B),
        admin=(A, B),
        requester_2=(A, B),
    ),
    *cells(
        "aggregate.by_ethnicity",
        "main_collection",
        everyone(
            REFUSED, council_A=ALLOW, council_B=ALLOW, requester_1=ALLOW, aggregates_grantee=ALLOW
        ),
    ),
    # --- the calendar: whether council B has submitted to the main collection ------------------
    *cells(
        "calendar.submission_state",
        "B_in_main",
        everyone(
            HIDDEN,
            council_B=ALLOW,
            requester_1=ALLOW,
            records_grantee=ALLOW,
            aggregates_grantee=ALLOW,
            admin=ALLOW,
        ),
    ),
    # --- audit ----------------------------------------------------------------------------------
    *cells(
        "auditEvents",
        "everything",
        everyone(SCOPED, admin=EVERYTHING, end_user=REFUSED, anonymous=REFUSED),
    ),
    # --- mutations ------------------------------------------------------------------------------
    # submitReturn: a council into a collection that asks it; the not-open collection refuses
    # by state only once the permission holds.
    *cells(
        "submitReturn",
        "main_collection",
        everyone(NOT_PERMITTED),
    )[2:3],  # council_C, not asked by the main collection
    *cells(
        "submitReturn",
        "other_requesters_collection",
        everyone(NOT_PERMITTED, council_C=ALLOW),
    )[2:],
    *cells("submitReturn", "not_yet_open_collection", {"council_A": INVALID_TRANSITION}),
    *cells("submitReturn", "missing_collection", {"council_A": NOT_FOUND}),
    *cells(
        "raiseDataQuery",
        "B_in_main",
        everyone(NOT_FOUND, council_B=NOT_PERMITTED, requester_1=ALLOW),
    ),
    *cells("raiseDataQuery", "missing_submission", {"requester_1": NOT_FOUND}),
    *cells(
        "answerDataQuery",
        "query_to_answer",
        everyone(NOT_FOUND, council_B=ALLOW, requester_1=NOT_PERMITTED),
    ),
    *cells(
        "followUpDataQuery",
        "query_to_follow_up",
        everyone(NOT_FOUND, council_B=NOT_PERMITTED, requester_1=ALLOW),
    ),
    *cells(
        "resolveDataQuery",
        "query_to_resolve",
        everyone(NOT_FOUND, council_B=NOT_PERMITTED, requester_1=ALLOW),
    ),
    *cells(
        "explainIssue",
        "B_in_main",
        everyone(NOT_FOUND, council_B=ALLOW, requester_1=NOT_PERMITTED),
    ),
    *cells(
        "reviewExplanation",
        "explanation_to_review",
        everyone(NOT_FOUND, council_B=NOT_PERMITTED, requester_1=ALLOW),
    ),
    *cells(
        "markValidated",
        "A_in_other",
        everyone(NOT_FOUND, council_A=NOT_PERMITTED, requester_2=ALLOW),
    ),
    # A grantee reads the submission but is no party to its review.
    *cells("markValidated", "A_in_main", {"records_grantee": NOT_FOUND, "admin": NOT_FOUND}),
    *cells(
        "writeBack",
        "B_in_other",
        everyone(NOT_FOUND, council_B=NOT_PERMITTED, requester_2=ALLOW),
    ),
    *cells(
        "publishCollection",
        "collection_to_publish",
        everyone(NOT_PERMITTED, requester_2=ALLOW),
    ),
    *cells("publishCollection", "missing_collection", {"requester_1": NOT_FOUND}),
    *cells(
        "createGrant",
        "other_requesters_collection",
        everyone(NOT_PERMITTED, requester_2=ALLOW),
    ),
    # Revoking: anyone but the owner is told the grant does not exist.
    *cells(
        "revokeGrant",
        "other_collections_grant",
        everyone(NOT_FOUND, requester_2=ALLOW),
    ),
    *cells("revokeGrant", "records_grant", {"records_grantee": NOT_FOUND}),
    *cells(
        "exportRecords.granted_fields",
        "main_collection",
        everyone(
            EMPTY,
            council_A=ALLOW,
            council_B=ALLOW,
            requester_1=ALLOW,
            records_grantee=ALLOW,
            anonymous=NOT_PERMITTED,
        ),
    ),
    *cells(
        "exportRecords.all_fields",
        "main_collection",
        everyone(
            EMPTY,
            council_A=ALLOW,
            council_B=ALLOW,
            requester_1=ALLOW,
            records_grantee=NOT_PERMITTED,
            anonymous=NOT_PERMITTED,
        ),
        council_A=(A,),
        council_B=(B,),
        requester_1=(A, B),
    ),
    *cells(
        "exportRecords.all_fields",
        "published_collection",
        {"admin": NOT_PERMITTED, "end_user": EMPTY, "requester_1": ALLOW},
    ),
    *cells(
        "exportRecords.granted_fields",
        "published_collection",
        {"admin": ALLOW, "end_user": EMPTY},
    ),
    # Any requester body may ask; nobody else may.
    *cells(
        "createCollection",
        "new",
        everyone(
            NOT_PERMITTED,
            requester_1=ALLOW,
            requester_2=ALLOW,
            records_grantee=ALLOW,
            aggregates_grantee=ALLOW,
        ),
    ),
    *cells("createOrganisation", "new", everyone(NOT_PERMITTED, admin=ALLOW)),
    # A dry run stores nothing and reads nobody's data: open to all.
    *cells("validateSubmission", "nothing", everyone(ALLOW)),
    # Against a collection: for the councils it asks, its owner and admins, published or not
    # (a late return is published when validated); a not yet open one refuses it.
    *cells(
        "validateSubmission.collection",
        "main_collection",
        everyone(NOT_PERMITTED, council_A=ALLOW, council_B=ALLOW, requester_1=ALLOW, admin=ALLOW),
    ),
    *cells(
        "validateSubmission.collection",
        "other_requesters_collection",
        everyone(
            NOT_PERMITTED,
            council_A=ALLOW,
            council_B=ALLOW,
            council_C=ALLOW,
            requester_2=ALLOW,
            admin=ALLOW,
        ),
    ),
    *cells(
        "validateSubmission.collection",
        "published_collection",
        everyone(
            NOT_PERMITTED,
            council_A=ALLOW,
            council_B=ALLOW,
            requester_1=ALLOW,
            admin=ALLOW,
        ),
    ),
    *cells(
        "validateSubmission.collection",
        "not_yet_open_collection",
        {"council_A": INVALID_TRANSITION, "requester_1": INVALID_TRANSITION},
    ),
    *cells("validateSubmission.collection", "missing_collection", everyone(NOT_FOUND)),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world_api(migrated_url: str) -> AsyncIterator[tuple[Api, w.World]]:
    database = Database(migrated_url)
    await empty_tables(database)
    await organisations.ensure_reference_organisations(database)
    app = create_app(load_settings(database_url=migrated_url))
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            api = Api(client=client, database=database, app=app)
            yield api, await w.build(api)
    finally:
        await database.dispose()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("cell", MATRIX, ids=[c.id for c in MATRIX])
async def test_permission_cell(world_api: tuple[Api, w.World], cell: Cell) -> None:
    api, world = world_api

    observed = await OPERATIONS[cell.operation](Call(api, world, cell.actor, cell.target))

    assert observed.outcome == cell.expected
    if cell.councils is not None:
        assert observed.councils == cell.councils


# Denials that must not tell another party's object from one that does not exist: the answer
# for the real id and for a made-up one are the same bytes once the id the caller sent (which
# messages echo) is replaced by a placeholder.
NO_EXISTENCE_ORACLE = [
    ("council_A", "submission", "B_in_main", "missing_submission"),
    ("requester_2", "submission", "B_in_main", "missing_submission"),
    ("anonymous", "submission", "B_in_main", "missing_submission"),
    ("council_A", "versionDiff", "B_in_main", "missing_submission"),
    ("requester_2", "versionDiff", "B_in_main", "missing_submission"),
    ("council_A", "raiseDataQuery", "B_in_main", "missing_submission"),
    ("requester_2", "raiseDataQuery", "B_in_main", "missing_submission"),
    ("council_A", "explainIssue", "B_in_main", "missing_submission"),
    ("council_A", "markValidated", "B_in_main", "missing_submission"),
    ("requester_2", "markValidated", "B_in_main", "missing_submission"),
    ("council_A", "writeBack", "B_in_main", "missing_submission"),
    ("requester_2", "writeBack", "B_in_main", "missing_submission"),
    ("council_A", "answerDataQuery", "query_to_answer", "dq_does_not_exist"),
    ("requester_2", "resolveDataQuery", "query_to_resolve", "dq_does_not_exist"),
    ("council_A", "reviewExplanation", "explanation_to_review", "ex_does_not_exist"),
    ("requester_2", "revokeGrant", "records_grant", "gr_does_not_exist"),
    ("records_grantee", "revokeGrant", "records_grant", "gr_does_not_exist"),
]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("actor", "operation", "existing", "missing"),
    NO_EXISTENCE_ORACLE,
    ids=[f"{a}-{o}-{e}" for a, o, e, _ in NO_EXISTENCE_ORACLE],
)
async def test_denial_is_byte_identical_to_the_answer_for_a_missing_id(
    world_api: tuple[Api, w.World], actor: str, operation: str, existing: str, missing: str
) -> None:
    api, world = world_api
    answers = []
    for target in (existing, missing):
        with capture_bodies(api) as bodies:
            await OPERATIONS[operation](Call(api, world, actor, target))
        answers.append([b.replace(world.id(target).encode(), b"<id>") for b in bodies])

    assert answers[0] == answers[1]
    assert len(answers[0]) >= 1


@contextmanager
def capture_bodies(api: Api) -> Iterator[list[bytes]]:
    """The raw bytes of every response the app sends inside the block."""
    bodies: list[bytes] = []

    async def keep(response: httpx.Response) -> None:
        bodies.append(await response.aread())

    api.client.event_hooks["response"].append(keep)
    try:
        yield bodies
    finally:
        api.client.event_hooks["response"].remove(keep)


# --- every operation of the schema has cells ---------------------------------------------------

# Root query fields that read no council's data, so have no cells: each says why.
PUBLIC_QUERY_FIELDS = {
    "_service": "the subgraph's SDL, for the gateway",
    "me": "the caller itself",
    "organisations": "the directory of organisations is public",
    "organisation": "the directory of organisations is public",
    "returnSpecs": "return specifications are published documents",
    "returnSpec": "return specifications are published documents",
}


def _root_fields(type_name: str) -> set[str]:
    schema = build_schema(load_settings())
    root = schema._schema.get_type(type_name)
    assert root is not None
    return set(root.fields)


def _covered() -> set[str]:
    return {cell.operation.split(".")[0] for cell in MATRIX} | {
        cell.operation for cell in SUBSCRIPTIONS
    }


@pytest.mark.parametrize("root", ["Mutation", "Query", "Subscription"])
def test_every_root_field_of_the_schema_has_cells_in_the_matrix(root: str) -> None:
    exempt = set(PUBLIC_QUERY_FIELDS) if root == "Query" else set()

    missing = _root_fields(root) - _covered() - exempt

    assert not missing, f"add rows to MATRIX for {sorted(missing)}"
    assert {c for c in exempt if c not in _root_fields(root)} == set()


def test_matrix_cells_are_unique_and_use_known_outcomes() -> None:
    ids = [c.id for c in MATRIX]

    assert len(ids) == len(set(ids))
    assert {c.expected for c in MATRIX} <= set(OUTCOMES)
    assert {c.operation for c in MATRIX} <= set(OPERATIONS)


# --- live events: who may follow a collection ------------------------------------------------

SUBSCRIPTIONS = cells(
    "submissionEvents",
    "events_collection",
    everyone(REFUSED, council_A=ALLOW, requester_1=ALLOW),
)

SUBSCRIBE = """
subscription ($id: ID!) { submissionEvents(collectionId: $id) { kind council { code } } }
"""


def _follow(settings_url: str, world: w.World, actor: str, answer: list[str]) -> None:
    """Subscribe as `actor`, then let council A submit: the first message says who may hear."""
    collection = world.id("events_collection")
    with (
        TestClient(create_app(load_settings(database_url=settings_url))) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        token = world.token(actor)
        ws.send_json(
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {token}"} if token else {},
            }
        )
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"id": collection}},
            }
        )
        variables = {"input": {"collectionId": collection, "records": flow.children(2, A)}}
        submitted = client.post(
            "/graphql",
            json={"query": flow.SUBMIT_RETURN, "variables": variables},
            headers={"Authorization": f"Bearer {world.token('council_A')}"},
        )
        assert submitted.json()["data"]["submitReturn"]["errors"] == []
        message = ws.receive_json()
        answer.append(
            ALLOW
            if message["type"] == "next"
            else REFUSED
            if message["type"] == "error"
            else str(message)
        )


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("cell", SUBSCRIPTIONS, ids=[c.id for c in SUBSCRIPTIONS])
async def test_subscription_cell(
    world_api: tuple[Api, w.World], migrated_url: str, cell: Cell
) -> None:
    _, world = world_api
    answer: list[str] = []
    # A daemon thread with a deadline: a subscriber that is let in but never hears the event
    # would otherwise block the run instead of failing the cell.
    follower = threading.Thread(
        target=_follow, args=(migrated_url, world, cell.actor, answer), daemon=True
    )
    follower.start()
    follower.join(timeout=20)

    assert answer == [cell.expected]
