#!/usr/bin/env python3
"""A BI tool's pull: every council's CLAS children of a collection, the fields it needs, as CSV.

Uses the `gql` library, as a council's or requester's analysts would, and pages through the
typed records with cursors. Run against a server (for example `scripts/serve`):

    LDP_TOKEN=... python examples/python_bi/pull_children.py http://127.0.0.1:8000 COLLECTION_ID
"""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport

CHILDREN = """
    query Children($collection: ID!, $after: String) {
      collection(id: $collection) {
        clas {
          child(first: 1000, after: $after, orderBy: [{field: CHILD_ID}]) {
            pageInfo { hasNextPage endCursor }
            nodes {
              childId
              dateOfBirth
              sex { label }
              ethnicity { label }
              meta { council { code } }
            }
          }
        }
      }
    }
    """


async def pull_children(
    url: str, token: str, collection_id: str, **transport_options: Any
) -> list[dict[str, Any]]:
    """Every child record the token may read in the collection, flattened for a table."""
    transport = HTTPXAsyncTransport(
        url=f"{url.rstrip('/')}/graphql",
        headers={"Authorization": f"Bearer {token}"},
        **transport_options,
    )
    rows: list[dict[str, Any]] = []
    async with Client(transport=transport) as session:
        after = None
        while True:
            request = GraphQLRequest(
                CHILDREN, variable_values={"collection": collection_id, "after": after}
            )
            result = await session.execute(request)
            page = result["collection"]["clas"]["child"]
            rows += [
                {
                    "council": node["meta"]["council"]["code"],
                    "child_id": node["childId"],
                    "date_of_birth": node["dateOfBirth"],
                    "sex": (node["sex"] or {}).get("label"),
                    "ethnicity": (node["ethnicity"] or {}).get("label"),
                }
                for node in page["nodes"]
            ]
            if not page["pageInfo"]["hasNextPage"]:
                return rows
            after = page["pageInfo"]["endCursor"]


def main() -> int:
    if len(sys.argv) != 3 or "LDP_TOKEN" not in os.environ:
        print(__doc__, file=sys.stderr)
        return 2
    rows = asyncio.run(pull_children(sys.argv[1], os.environ["LDP_TOKEN"], sys.argv[2]))
    writer = csv.DictWriter(
        sys.stdout, ["council", "child_id", "date_of_birth", "sex", "ethnicity"]
    )
    writer.writeheader()
    writer.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
