"""Descriptions for the parts of the schema Apollo Federation adds.

strawberry adds federation's own types and fields (`_entities`, `_service`, `_Any`...) without
descriptions; clients and code generators read every part of the schema, these included.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema

FEDERATION_DESCRIPTIONS = {
    "_Any": "A reference to an entity: its __typename and its key fields (federation).",
    "_Entity": "Every type a federation gateway may resolve by its key.",
    "_Service": "This subgraph, as a federation gateway composes it.",
    "_Service.sdl": "This subgraph's schema, with its federation directives.",
    "_FieldSet": "The fields of an entity's key (federation).",
    "link__Import": "An element imported from a linked specification (federation).",
    "link__Purpose": "Why a specification is linked (federation).",
    "link__Purpose.SECURITY": "It controls access to parts of the schema.",
    "link__Purpose.EXECUTION": "It changes how operations are executed.",
    "Query._entities": "Entities by their keys, for a federation gateway (at most "
    "LDP_MAX_ENTITY_REPRESENTATIONS per request).",
    "Query._entities(representations)": "The entities' references: __typename and key fields.",
    "Query._service": "This subgraph's schema, for a federation gateway.",
}


def describe_federation(schema: GraphQLSchema) -> None:
    """Give the federation parts strawberry adds a description where they have none."""
    for path, description in FEDERATION_DESCRIPTIONS.items():
        type_name, _, member = path.partition(".")
        described: Any = schema.type_map.get(type_name)
        if described is None:
            continue
        if member:
            field_name, _, argument = member.rstrip(")").partition("(")
            members = getattr(described, "fields", None) or getattr(described, "values", {})
            described = members.get(field_name)
            if described is not None and argument:
                described = described.args.get(argument)
        if described is not None and not described.description:
            described.description = description
