"""Return specifications as GraphQL types, so councils can read a spec in GraphiQL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

import strawberry

from ldp_graph.graphql.context import Info
from ldp_graph.services import specs as service
from ldp_graph.specs import model


@strawberry.type(description="One code of a code list.")
class Code:
    code: str = strawberry.field(description="The value submitted.")
    label: str = strawberry.field(description="What it means.")
    description: str = strawberry.field(description="More detail, where given.")


@strawberry.type(description="A list of allowed codes, shared by fields.")
class CodeList:
    name: str = strawberry.field(description="The code list's name in the spec.")
    description: str = strawberry.field(description="What the codes classify.")
    codes: list[Code] = strawberry.field(description="The allowed codes.")


@strawberry.type(description="A field of an entity.")
class ReturnField:
    name: str = strawberry.field(description="The column or JSON key.")
    label: str = strawberry.field(description="The name council staff know it by.")
    type: str = strawberry.field(description="string, integer, number, boolean, date or code.")
    required: bool = strawberry.field(description="Whether every record needs a value.")
    code_list: str | None = strawberry.field(description="The code list of a code field.")
    description: str = strawberry.field(description="What to record.")


@strawberry.type(description="A kind of record in a return (child, episode, ...).")
class ReturnEntity:
    name: str = strawberry.field(description="The entity's name; one CSV file per entity.")
    description: str = strawberry.field(description="What one record stands for.")
    key: list[str] = strawberry.field(description="The fields that identify a record.")
    parent: str | None = strawberry.field(description="The entity this one belongs to.")
    parent_field: str | None = strawberry.field(description="The field naming the parent.")
    fields: list[ReturnField] = strawberry.field(description="Its fields, in file order.")


@strawberry.type(description="A validation rule with a stable id.")
class ReturnRule:
    id: str = strawberry.field(description="Stable rule id, e.g. CLAS-014.")
    kind: str = strawberry.field(description="What sort of check it is (see the spec format).")
    entity: str = strawberry.field(description="The entity it checks.")
    severity: str = strawberry.field(description="error (must fix) or query (amend or explain).")
    message: str = strawberry.field(description="The message template council staff see.")


@strawberry.type(
    description=(
        "What a spec version changed in its rules (implied checks included) against its "
        "previous version. The server checks these lists when it loads the specs: they are "
        "exactly the difference, and empty for the first version of a return."
    )
)
class RuleChanges:
    added: list[str] = strawberry.field(
        description="Rule ids new in this version (not in the previous version)."
    )
    changed: list[str] = strawberry.field(
        description=(
            "Rule ids in both versions whose definition differs in any part: check, "
            "severity, message, description..."
        )
    )
    removed: list[str] = strawberry.field(
        description="Rule ids of the previous version that this version no longer has."
    )


@strawberry.type(description="One version of a return specification.")
class ReturnSpec:
    id: str = strawberry.field(description="The return's id, e.g. clas.")
    version: str = strawberry.field(description="The version, e.g. 2025-26.")
    title: str = strawberry.field(description="The return's title.")
    description: str = strawberry.field(description="What the return collects and why.")
    owner: str = strawberry.field(description="Who asks for it.")
    previous_version: str | None = strawberry.field(
        description="The version it follows and its changes are against; null for the first."
    )
    period_start: dt.date = strawberry.field(description="First day of the coverage period.")
    period_end: dt.date = strawberry.field(description="Last day of the coverage period.")
    suppression_threshold: int = strawberry.field(
        description="Published counts below this are suppressed."
    )
    changes: RuleChanges = strawberry.field(
        description="Rule changes against previousVersion, checked at load."
    )
    entities: list[ReturnEntity] = strawberry.field(description="Its kinds of record.")
    code_lists: list[CodeList] = strawberry.field(description="Its code lists.")
    rules: list[ReturnRule] = strawberry.field(description="Its cross-record and field rules.")

    @classmethod
    def from_model(cls, spec: model.ReturnSpec) -> Self:
        return cls(
            id=spec.id,
            version=spec.version,
            title=spec.title,
            description=spec.description,
            owner=spec.owner,
            previous_version=spec.previous_version,
            period_start=spec.period.start,
            period_end=spec.period.end,
            suppression_threshold=spec.suppression_threshold,
            changes=RuleChanges(
                added=spec.changes.added,
                changed=spec.changes.changed,
                removed=spec.changes.removed,
            ),
            entities=[
                ReturnEntity(
                    name=name,
                    description=entity.description,
                    key=entity.key,
                    parent=entity.parent.entity if entity.parent else None,
                    parent_field=entity.parent.field if entity.parent else None,
                    fields=[
                        ReturnField(
                            name=field_name,
                            label=field.label or field_name,
                            type=field.type.value,
                            required=field.required,
                            code_list=field.code_list,
                            description=field.description,
                        )
                        for field_name, field in entity.fields.items()
                    ],
                )
                for name, entity in spec.entities.items()
            ],
            code_lists=[
                CodeList(
                    name=name,
                    description=codes.description,
                    codes=[
                        Code(code=c.code, label=c.label, description=c.description)
                        for c in codes.codes
                    ],
                )
                for name, codes in spec.code_lists.items()
            ],
            rules=[
                ReturnRule(
                    id=rule.id,
                    kind=rule.kind,
                    entity=rule.entity,
                    severity=rule.severity.value,
                    message=rule.message,
                )
                for rule in spec.rules
            ],
        )


@strawberry.type
class SpecQueries:
    @strawberry.field(description="Every return specification version this server knows.")
    def return_specs(self, info: Info) -> list[ReturnSpec]:
        return [ReturnSpec.from_model(s) for s in service.list_specs(info.context.specs)]

    @strawberry.field(description="One return specification; the latest version if none given.")
    def return_spec(
        self,
        info: Info,
        id: Annotated[str, strawberry.argument(description="The return's id, e.g. clas.")],
        version: Annotated[
            str | None, strawberry.argument(description="The version; latest if omitted.")
        ] = None,
    ) -> ReturnSpec | None:
        found = service.find_spec(info.context.specs, id, version)
        return ReturnSpec.from_model(found) if found else None
