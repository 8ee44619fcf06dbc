"""Parsed and validated documents, kept by their text, so a repeated query skips both steps.

Clients send the same few documents again and again (an application's queries are fixed; only
their variables change), and parsing and validating a document cost more than resolving a
small query. So each schema keeps the documents that parsed, by their text, each marked once
it has passed every validation rule that depends on the document alone; a later request with
the same text reuses the parsed document and skips those rules. Rules whose answer depends on
the request still run every time: a rule class with a `request_errors(schema, document)`
attribute (made by `per_request_rule`: the cost, operation-limit and operation-selection rules,
since page sizes are often variables) is asked on each request.

Only successes are kept, so no error is ever shared between requests, and the cache is bounded:
at most `max_entries` documents of at most `max_text` characters each (a longer text is
parsed and validated every time), the least recently used dropped first. A cache belongs to
one schema, whose validation rules and parse options (the token limit) the settings fix;
a cached document is reused only under the very rules it passed (compared by name).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, GraphQLSchema, ValidationContext, ValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_ENTRIES = 256
MAX_TEXT = 20_000

RequestErrors = Callable[[GraphQLSchema, DocumentNode], list[GraphQLError]]


def per_request_rule(name: str, request_errors: RequestErrors) -> type[ValidationRule]:
    """A validation rule reporting `request_errors`, which depend on the request (its
    variables, its operationName) as well as the document: it carries them as its
    `request_errors` attribute, so the cache asks them on every request."""

    class PerRequestRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in request_errors(context.schema, context.document):
                self.report_error(error)

    PerRequestRule.__name__ = PerRequestRule.__qualname__ = name
    PerRequestRule.request_errors = staticmethod(request_errors)  # type: ignore[attr-defined]
    return PerRequestRule


@dataclass(slots=True)
class _Entry:
    document: DocumentNode
    passed: tuple[str, ...] | None = None  # the document-only rules it passed, by name


class DocumentCache:
    """Parsed documents by text, least recently used dropped first (one per schema)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_text: int = MAX_TEXT) -> None:
        self.max_entries = max_entries
        self.max_text = max_text
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> _Entry | None:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
        return entry

    def put(self, text: str, document: DocumentNode) -> _Entry | None:
        if len(text) > self.max_text or self.max_entries <= 0:
            return None
        entry = self._entries[text] = _Entry(document)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return entry


class CachedDocuments(SchemaExtension):
    """Reuses a cached parse and validation of the request's document text (see above)."""

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache
        self.entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        if text is None or context.graphql_document is not None:
            yield
            return
        self.entry = self.cache.get(text)
        if self.entry is not None:
            context.graphql_document = self.entry.document  # strawberry then skips parsing
            yield
            return
        yield
        if context.graphql_document is not None and not context.pre_execution_errors:
            self.entry = self.cache.put(text, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self.entry
        rules = context.validation_rules
        if entry is None or not rules or context.pre_execution_errors is not None:
            yield  # strawberry validates as it would without this extension
            return
        schema = context.schema._schema
        per_request = [rule for rule in rules if hasattr(rule, "request_errors")]
        document_only = tuple(rule for rule in rules if not hasattr(rule, "request_errors"))
        names = tuple(rule.__qualname__ for rule in document_only)
        # Per-request errors first, as one validation pass reports them (at the rules' start).
        errors: list[GraphQLError] = [
            error
            for rule in per_request
            for error in rule.request_errors(schema, entry.document)  # type: ignore[attr-defined]
        ]
        if entry.passed != names:
            found = validate_document(schema, entry.document, document_only)
            if not found:
                entry.passed = names
            errors += found
        context.pre_execution_errors = errors
        yield
