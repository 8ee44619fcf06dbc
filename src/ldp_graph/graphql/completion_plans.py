"""Completion plans: how to complete one selection on one object type, compiled to a function.

`FastCompletion` (execution.py) makes a plan once per selection and completes every object of
a list with it. A plan is compiled into straight-line Python, one function per selection: for
`{ childId sex { code } }` on a record it is, in effect,

    def complete(source):
        v0 = source.child_id
        if v0 is None: pass
        elif type(v0) is not str: v0 = coerce0(v0) ... (null or Undefined: _NotPlain)
        v1 = source.sex
        if v1 is None: pass
        else: ... v1 = plan1's completion of it, once per shared value
        return {"childId": v0, "sex": v1}

so a record's 20 values cost 20 attribute reads and a dict display, not a loop over entries
with their tuples unpacked and their kinds tested again for every record. The generated text
holds only identifiers and `repr`s of response keys and attribute names; every value it
needs (leaf types, inner plans, type names) is passed in its namespace.
"""

from __future__ import annotations

import functools
import keyword
from collections.abc import Callable
from types import CodeType
from typing import Any

from graphql import GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLString, Undefined


class NotPlain(Exception):
    """This object cannot be completed by the plan; graphql-core completes it instead."""


# Values of these Python types are their own output for these scalars (graphql-core's
# coerce_output_value returns them unchanged, an Int when it fits in 32 bits), so the plan
# passes them through.
AS_IS = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# Objects registered as shared and never changed (code-list values, say): the completion of
# one under one plan is reused wherever it appears again. They are kept alive here, so their
# ids stay theirs for the life of the process.
_SHARED: dict[int, object] = {}


def shared(value: object) -> object:
    """Register `value` as shared and immutable (see above); returns it."""
    _SHARED[id(value)] = value
    return value


# (response key, attribute or None for __typename, non-null?,
#  leaf type | Plan | the type name, the Python type a leaf passes through as is)
Entry = tuple[str, str | None, bool, Any, type | None]


class Plan:
    """One selection on one object type: `complete(source)` gives its response dict or raises
    (NotPlain, or whatever a value's own property or scalar raised)."""

    __slots__ = ("complete", "done", "entries")

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.done: dict[int, dict[str, Any]] = {}  # completions of shared objects, by id
        self.complete: Callable[[Any], dict[str, Any]] = compile_plan(self)


def _read(attribute: str) -> str:
    if attribute.isidentifier() and not keyword.iskeyword(attribute):
        return f"source.{attribute}"
    return f"_getattr(source, {attribute!r})"


def compile_plan(plan: Plan) -> Callable[[Any], dict[str, Any]]:
    """The function completing `plan`'s selection on one object (see the module's text)."""
    namespace: dict[str, Any] = {
        "NotPlain": NotPlain,
        "Undefined": Undefined,
        "_SHARED": _SHARED,
        "_getattr": getattr,
        "_id": id,
        "_type": type,
        "INT_MIN": INT_MIN,
        "INT_MAX": INT_MAX,
    }
    body: list[str] = []
    values: list[str] = []
    for i, (key, attribute, non_null, how, as_is) in enumerate(plan.entries):
        value = f"v{i}"
        values.append(f"{key!r}: {value}")
        if attribute is None:  # __typename: the type's name
            namespace[value] = how
            continue
        body.append(f"{value} = {_read(attribute)}")
        body.append(f"if {value} is None:")
        body.append("    raise NotPlain" if non_null else "    pass")
        if isinstance(how, Plan):
            namespace[f"complete{i}"] = how.complete
            namespace[f"done{i}"] = how.done
            body += [
                "else:",
                f"    d = done{i}.get(_id({value}))",
                "    if d is None:",
                f"        d = complete{i}({value})",
                f"        if _id({value}) in _SHARED:",
                f"            done{i}[_id({value})] = d",
                f"    {value} = d",
            ]
            continue
        namespace[f"coerce{i}"] = how.coerce_output_value
        if as_is is int:
            namespace[f"as_is{i}"] = as_is
            body.append(f"elif not (_type({value}) is as_is{i} and INT_MIN <= {value} <= INT_MAX):")
        elif as_is is not None:
            namespace[f"as_is{i}"] = as_is
            body.append(f"elif _type({value}) is not as_is{i}:")
        else:
            body.append("else:")
        body += [
            f"    {value} = coerce{i}({value})",
            f"    if {value} is None or {value} is Undefined:",
            "        raise NotPlain",
        ]
    lines = ["def complete(source):", *(f"    {line}" for line in body)]
    lines.append(f"    return {{{', '.join(values)}}}")
    exec(_code("\n".join(lines)), namespace)  # noqa: S102 - text made above from identifiers and reprs
    complete: Callable[[Any], dict[str, Any]] = namespace["complete"]
    return complete


@functools.lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """The compiled text of a plan. Plans are made per execution, but their text repeats
    with the selection (its values differ, in the namespace): compiling it took a quarter
    of a small query's CPU time."""
    return compile(source, "<completion plan>", "exec")
