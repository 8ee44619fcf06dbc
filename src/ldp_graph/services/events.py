"""Submission events: the audited state changes that requesters and councils follow live.

Every state change writes an audit event in its transaction (services/audit.py); the ones
named in EVENT_KINDS are also announced, and reach subscribers only once that transaction has
committed. Payloads carry ids and states, never record data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db import notifications
from ldp_graph.db.engine import Database
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.submissions import SubmissionState
from ldp_graph.errors import NotPermitted

# The one mapping of audit operations to the event kinds subscribers see, with the submission
# state each leaves behind (None: not fixed by the operation, so not announced).
# Services record these operation names; the audit detail keys read here are `submission_id`,
# `version` and, for `submission.submit`, `state` (the submission's state after storing).
# `collection.publish` is not broadcast: the `submission.publish` of each submission it
# publishes is, with its council, so every council hears about its own.
# Not events at all: reads (records.read, records.diff, export.create), tokens, grants,
# organisations, collection.create.
_SUBMISSION_STATE_FROM_DETAIL = "from_detail"
EVENT_KINDS: dict[str, tuple[str, str | None]] = {
    "submission.submit": ("submitted", _SUBMISSION_STATE_FROM_DETAIL),
    "dataquery.raise": ("queried", SubmissionState.CHANGES_REQUESTED.value),
    "dataquery.follow_up": ("queried", None),
    "dataquery.answer": ("answered", None),
    "dataquery.resolve": ("query_resolved", None),
    "issue.explain": ("explained", None),
    # Its detail's `state` is the explanation's (accepted/rejected), not the submission's.
    "explanation.review": ("explanation_reviewed", None),
    "submission.validate": ("validated", SubmissionState.VALIDATED.value),
    "submission.write_back": ("written_back", SubmissionState.VALIDATED.value),
    "submission.publish": ("published", SubmissionState.PUBLISHED.value),
}


@dataclass(frozen=True, slots=True)
class SubmissionEvent:
    kind: str
    collection_id: str
    council_code: str | None
    submission_id: str | None
    version: int | None
    state: str | None
    actor_code: str | None
    occurred_at: dt.datetime

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> SubmissionEvent:
        return cls(
            kind=payload["kind"],
            collection_id=payload["collection_id"],
            council_code=payload.get("council_code"),
            submission_id=payload.get("submission_id"),
            version=payload.get("version"),
            state=payload.get("state"),
            actor_code=payload.get("actor_code"),
            occurred_at=dt.datetime.fromisoformat(payload["occurred_at"]),
        )


async def announce(
    session: AsyncSession,
    principal: Principal,
    operation: str,
    *,
    collection_id: str | None,
    council_code: str | None,
    detail: dict[str, Any],
) -> None:
    if operation not in EVENT_KINDS or collection_id is None:
        return
    kind, state = EVENT_KINDS[operation]
    if state == _SUBMISSION_STATE_FROM_DETAIL:
        state = detail.get("state")
    database: Database = session.info["database"]
    payload = {
        "kind": kind,
        "collection_id": collection_id,
        "council_code": council_code,
        "submission_id": detail.get("submission_id"),
        "version": detail.get("version"),
        "state": state,
        "actor_code": principal.organisation_code,
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    await notifications.announce(session, database.bus, database.is_sqlite, payload)


def follow(
    database: Database, principal: Principal, collection: Collection
) -> AsyncIterator[SubmissionEvent]:
    """The collection's events this principal may see, as they are committed, until closed.

    Refuses at once (not at the first event) when the principal may not follow them.
    """
    if not policy.may_subscribe(principal, collection):
        raise NotPermitted(
            "Only the collection's owner and the councils it asks may follow its events."
        )
    return _stream(database, principal, collection)


async def _stream(
    database: Database, principal: Principal, collection: Collection
) -> AsyncIterator[SubmissionEvent]:
    async with database.bus.subscribe() as queue:
        while True:
            payload = await queue.get()
            if payload.get("collection_id") != collection.id:
                continue
            if policy.may_see_event(principal, collection, payload.get("council_code")):
                yield SubmissionEvent.from_payload(payload)
