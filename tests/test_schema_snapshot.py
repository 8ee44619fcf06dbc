"""schema/schema.graphql is a reviewed artefact: it must match what the code exports."""

from __future__ import annotations

from pathlib import Path

from ldp_graph.config import Settings
from ldp_graph.graphql.schema import export_sdl

BUILT_IN_SCALARS = {"String", "Boolean", "Int", "Float", "ID"}


def test_committed_schema_matches_the_code(repo_root: Path, settings: Settings) -> None:
    committed = (repo_root / "schema" / "schema.graphql").read_text(encoding="utf-8")

    assert export_sdl(settings) == committed, (
        "schema/schema.graphql is out of date: run `ldp-graph schema export` and commit it"
    )


def test_every_type_field_argument_and_enum_value_has_a_description(settings: Settings) -> None:
    from ldp_graph.graphql.schema import build_schema

    schema = build_schema(settings)._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        # Introspection's types and the built-in scalars are described by the GraphQL spec;
        # federation's (`_Any`, `_Service`, `link__*`...) are part of what clients read.
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not graphql_type.description:
            missing.append(name)
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for argument_name, argument in getattr(field, "args", {}).items():
                if not argument.description:
                    missing.append(f"{name}.{field_name}({argument_name})")
        for value_name, value in getattr(graphql_type, "values", {}).items():
            if not value.description:
                missing.append(f"{name}.{value_name}")

    assert missing == []
