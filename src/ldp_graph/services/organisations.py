"""Organisations: the directory of councils, requester bodies and the platform."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from weakref import WeakKeyDictionary

from ldp_graph.auth import policy
from ldp_graph.auth.policy import Action
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import organisations as repository
from ldp_graph.domain.organisations import Organisation, OrganisationKind
from ldp_graph.errors import Conflict, InvalidInput
from ldp_graph.services import audit

PLATFORM = Organisation("LDP", "Local Data Platform", OrganisationKind.PLATFORM)
_CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


@cache
def scottish_councils() -> tuple[Organisation, ...]:
    """The 32 Scottish councils with their GSS codes, shipped with the package."""
    text = resources.files("ldp_graph.data").joinpath("scottish-councils.csv").read_text("utf-8")
    return tuple(
        Organisation(row["code"], row["name"], OrganisationKind.COUNCIL)
        for row in csv.DictReader(text.splitlines())
    )


def reference_organisations() -> tuple[Organisation, ...]:
    return (*scottish_councils(), PLATFORM)


async def ensure_reference_organisations(database: Database) -> int:
    """Store the councils and the platform if missing; return how many were added."""
    async with database.transaction() as session:
        return await repository.insert_missing(session, reference_organisations())


async def list_organisations(
    database: Database, principal: Principal, kind: OrganisationKind | None = None
) -> list[Organisation]:
    policy.require(principal, Action.READ_ORGANISATIONS)
    async with database.read() as session:
        return await repository.list_all(session, kind)


# Organisations are only ever added, never renamed or removed, so a row once read is that
# organisation for good: each database handle keeps the ones it has read, and only codes it
# has not seen cost a statement (most requests name councils already seen). A code not found
# is not kept: it may be created later.
_known: WeakKeyDictionary[Database, dict[str, Organisation]] = WeakKeyDictionary()


def known(database: Database, principal: Principal, code: str) -> Organisation | None:
    """The organisation if this database handle has read it already; None when a statement
    must say (get_many). Synchronous, so a resolver that finds it awaits nothing."""
    policy.require(principal, Action.READ_ORGANISATIONS)
    known_here = _known.get(database)
    return known_here.get(code) if known_here is not None else None


async def get_many(
    database: Database, principal: Principal, codes: Sequence[str]
) -> list[Organisation | None]:
    policy.require(principal, Action.READ_ORGANISATIONS)
    known = _known.setdefault(database, {})
    unseen = [c for c in codes if c not in known]
    if unseen:
        async with database.shared_read() as session:
            found = await repository.get_many(session, unseen)
        known.update((o.code, o) for o in found if o is not None)
    return [known.get(c) for c in codes]


async def create_organisation(
    database: Database, principal: Principal, *, code: str, name: str, kind: OrganisationKind
) -> Organisation:
    """Register a new organisation (a requester body, say). Councils come with the platform."""
    policy.require(principal, Action.MANAGE_ORGANISATIONS)
    code = code.strip().upper()
    name = name.strip()
    if not _CODE_PATTERN.match(code):
        raise InvalidInput(
            "An organisation code is 2-32 capital letters, digits or hyphens, e.g. SG-CSWS.",
            field="code",
        )
    if not name:
        raise InvalidInput("An organisation needs a name.", field="name")
    if kind in (OrganisationKind.COUNCIL, OrganisationKind.PLATFORM):
        raise InvalidInput(
            f"Organisations of kind {kind.value} are built in; create requesters or others.",
            field="kind",
        )
    organisation = Organisation(code, name, kind)
    async with database.transaction() as session:
        if await repository.exists(session, code):
            raise Conflict(f"An organisation with code {code} already exists.", field="code")
        await repository.insert(session, organisation)
        await audit.record(
            session, principal, "organisation.create", subject_organisation_code=code, kind=kind
        )
    return organisation
