"""Per-request DataLoaders, one per relation, each batch in its own short session."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.domain.collections import Collection
from ldp_graph.domain.grants import Grant
from ldp_graph.domain.organisations import Organisation
from ldp_graph.domain.review import DataQuery, DataQueryMessage, Explanation
from ldp_graph.domain.submissions import Submission, SubmissionVersion
from ldp_graph.services import collections, grants, issues, organisations, review, submissions
from ldp_graph.validation.report import Issue


class OrganisationByCodeLoader(DataLoader[str, Organisation | None]):
    def __init__(self, database: Database, principal: Principal) -> None:
        async def load(codes: Sequence[str]) -> list[Organisation | None]:
            return await organisations.get_many(database, principal, codes)

        super().__init__(load_fn=load)


class CollectionByIdLoader(DataLoader[str, Collection | None]):
    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[Collection | None]:
            return await collections.get_many(database, ids)

        super().__init__(load_fn=load)


class VersionsBySubmissionLoader(DataLoader[str, list[SubmissionVersion]]):
    """Versions of submissions whose readability the caller has already established."""

    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[list[SubmissionVersion]]:
            return await submissions.versions_of(database, ids)

        super().__init__(load_fn=load)


class IssuesByVersionLoader(DataLoader[str, list[Issue]]):
    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[list[Issue]]:
            return await submissions.issues_of(database, ids)

        super().__init__(load_fn=load)


class DataQueriesBySubmissionLoader(DataLoader[str, list[DataQuery]]):
    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[list[DataQuery]]:
            return await review.queries_of(database, ids)

        super().__init__(load_fn=load)


class MessagesByDataQueryLoader(DataLoader[str, list[DataQueryMessage]]):
    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[list[DataQueryMessage]]:
            return await review.messages_of(database, ids)

        super().__init__(load_fn=load)


class ExplanationsBySubmissionLoader(DataLoader[str, list[Explanation]]):
    def __init__(self, database: Database) -> None:
        async def load(ids: Sequence[str]) -> list[list[Explanation]]:
            return await issues.explanations_of(database, ids)

        super().__init__(load_fn=load)


class RecordPresenceByKeyLoader(DataLoader[tuple[str, str, str], bool]):
    """Keyed by (version id, entity, record key): does that version hold the record?"""

    def __init__(self, database: Database) -> None:
        async def load(keys: Sequence[tuple[str, str, str]]) -> list[bool]:
            return await review.records_present(database, keys)

        super().__init__(load_fn=load)


class ReviewAccessBySubmissionLoader(DataLoader[str, bool]):
    """May the caller see a submission's review: its data queries and explanations?"""

    def __init__(self, database: Database, principal: Principal) -> None:
        async def load(ids: Sequence[str]) -> list[bool]:
            return await review.review_access(database, principal, ids)

        super().__init__(load_fn=load)


class IssueListsVisibleLoader(DataLoader[str, bool]):
    """May the caller read a submission's issue lists (a reader through a grant may not)?"""

    def __init__(self, database: Database, principal: Principal) -> None:
        async def load(ids: Sequence[str]) -> list[bool]:
            return await submissions.issue_lists_visible(database, principal, ids)

        super().__init__(load_fn=load)


class VisibleSubmissionsLoader(DataLoader[submissions.SubmissionsOf, list[Submission]]):
    """The submissions of collections whose records the caller may read."""

    def __init__(self, database: Database, principal: Principal) -> None:
        async def load(asked: Sequence[submissions.SubmissionsOf]) -> list[list[Submission]]:
            return await submissions.visible_submissions_of(database, principal, asked)

        super().__init__(load_fn=load)


class GrantsByCollectionLoader(DataLoader[str, list[Grant]]):
    """The grants on collections the caller may see; `of(collection)` is how to ask."""

    def __init__(self, database: Database, principal: Principal) -> None:
        self._collections: dict[str, Collection] = {}

        async def load(ids: Sequence[str]) -> list[list[Grant]]:
            asked = [self._collections[i] for i in ids]
            return await grants.visible_grants(database, principal, asked)

        super().__init__(load_fn=load)

    async def of(self, collection: Collection) -> list[Grant]:
        self._collections[collection.id] = collection
        return await self.load(collection.id)


class Loaders:
    """Built per operation (an HTTP request, one operation on a socket, one event of a
    subscription): a loader at module scope would cache across users, one kept longer would
    keep authorisation decisions after a grant or token changed."""

    def __init__(self, database: Database, principal: Principal) -> None:
        self.organisation_by_code = OrganisationByCodeLoader(database, principal)
        self.collection_by_id = CollectionByIdLoader(database)
        self.versions_by_submission = VersionsBySubmissionLoader(database)
        self.issues_by_version = IssuesByVersionLoader(database)
        self.data_queries_by_submission = DataQueriesBySubmissionLoader(database)
        self.messages_by_data_query = MessagesByDataQueryLoader(database)
        self.explanations_by_submission = ExplanationsBySubmissionLoader(database)
        self.record_presence_by_key = RecordPresenceByKeyLoader(database)
        self.review_access_by_submission = ReviewAccessBySubmissionLoader(database, principal)
        self.issue_lists_visible = IssueListsVisibleLoader(database, principal)
        self.visible_submissions = VisibleSubmissionsLoader(database, principal)
        self.grants_by_collection = GrantsByCollectionLoader(database, principal)
