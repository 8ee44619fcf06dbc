"""Per-request DataLoaders, one per relation, each batch in its own short session."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import Organisation
from ldp_graph.services import organisations


class OrganisationByCodeLoader(DataLoader[str, Organisation | None]):
    def __init__(self, database: Database, principal: Principal) -> None:
        async def load(codes: Sequence[str]) -> list[Organisation | None]:
            return await organisations.get_many(database, principal, codes)

        super().__init__(load_fn=load)


class Loaders:
    """Built per request: a loader at module scope would cache across users."""

    def __init__(self, database: Database, principal: Principal) -> None:
        self.organisation_by_code = OrganisationByCodeLoader(database, principal)
