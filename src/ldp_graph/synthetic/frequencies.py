"""How often each code occurs: weighted tables drawn from the published CLAS statistics."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

from ldp_graph.specs.model import ReturnSpec

T = TypeVar("T")


RESOLUTION = 10_000  # slots in a lookup table: weights are kept to 0.01%


class Weighted(Generic[T]):
    """A weighted choice by table lookup; several times faster than `Random.choices` for
    one draw at a time, which is how the generator draws."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.values: list[T] = list(weights)
        cumulative = list(accumulate(weights.values()))
        total = cumulative[-1]
        self._table = [
            self.values[bisect_right(cumulative, (slot + 0.5) * total / RESOLUTION)]
            for slot in range(RESOLUTION)
        ]

    def pick(self, rng: Random) -> T:
        return self._table[int(rng.random() * RESOLUTION)]


def pick(rng: Random, options: Sequence[T]) -> T | None:
    """One of `options` with equal chances; None when there are none."""
    return options[rng.randrange(len(options))] if options else None


# Placements at 31 July 2023 (clas-facts.md): kinship 34%, foster 32%, at home 20%,
# residential 11%, prospective adopters 1%; the remaining 2% in other community settings.
PLACEMENT_TYPE = Weighted(
    {
        "KIN": 34.0,
        "FOSTER_LA": 21.0,
        "FOSTER_PURCH": 11.0,
        "HOME": 20.0,
        "RES_LA": 5.5,
        "RES_VOL": 2.5,
        "RES_SCHOOL": 1.5,
        "SECURE": 0.5,
        "CRISIS": 0.5,
        "RES_OTHER": 0.5,
        "ADOPT": 1.0,
        "COMMUNITY": 2.0,
    }
)
FOSTER_TYPE = Weighted(
    {"LONG": 35.0, "INTERIM": 25.0, "PERM": 20.0, "EMERG": 12.0, "SHORT_BREAK": 8.0}
)
SEX = Weighted({"M": 52.0, "F": 47.0, "U": 1.0})
ETHNICITY = Weighted(
    {
        "WS": 79.0,
        "WB": 5.0,
        "WI": 0.5,
        "WG": 0.5,
        "WP": 1.0,
        "WO": 2.0,
        "MX": 2.0,
        "AP": 1.0,
        "AI": 0.3,
        "AB": 0.1,
        "AC": 0.2,
        "AO": 0.4,
        "AF": 1.5,
        "CB": 0.3,
        "AR": 0.2,
        "OT": 0.5,
        "NK": 4.5,
        "ND": 1.0,
    }
)
DISABILITY = Weighted({"N": 78.0, "Y": 13.0, "U": 9.0})
YES_NO = Weighted({"Y": 85.0, "N": 15.0})
CARE_PLAN = Weighted({"Y": 95.0, "N": 5.0})
# A legal basis usually starts as voluntary or interim and firms up into an order.
FIRST_LEGAL_REASON = Weighted(
    {"S25": 30.0, "ICSO": 25.0, "CSO_AWAY": 20.0, "CSO_HOME": 15.0, "CPO": 10.0}
)
LATER_LEGAL_REASON = Weighted(
    {"CSO_AWAY": 45.0, "CSO_HOME": 20.0, "PO": 20.0, "S25": 10.0, "OTHER": 5.0}
)
# Leavers under 16 mostly go home or to kin; older ones also to continuing care or a tenancy.
CHILD_DESTINATION = Weighted(
    {
        "HOME": 50.0,
        "KINSHIP": 15.0,
        "KCO": 12.0,
        "ADOPTED": 8.0,
        "RESIDENTIAL": 3.0,
        "OTHER": 7.0,
        "NK": 5.0,
    }
)
LEAVER_DESTINATION = Weighted(
    {
        "HOME": 25.0,
        "KINSHIP": 8.0,
        "CONT_CARE": 20.0,
        "FORMER_FOSTER": 5.0,
        "SUPPORTED": 25.0,
        "RESIDENTIAL": 3.0,
        "HOMELESS": 3.0,
        "CUSTODY": 2.0,
        "OTHER": 5.0,
        "NK": 4.0,
    }
)
PERMANENCE_ROUTE = ("REC_AWAY", "PO_APPLIED", "PO_GRANTED")
ADOPTION_ROUTE = ("REC_AWAY", "ADOPT_APPLIED", "ADOPT_GRANTED")

# Age in whole years on entering care: infants and teenagers are the largest groups.
ENTRY_AGE = Weighted(
    {0: 15.0, 1: 6.0, 2: 5.0, 3: 5.0, 4: 5.0, 5: 4.5, 6: 4.5, 7: 4.5, 8: 4.5, 9: 4.5}
    | {10: 4.5, 11: 4.5, 12: 6.0, 13: 7.0, 14: 7.0, 15: 6.0, 16: 4.0, 17: 3.0}
)
PLACEMENT_COUNT = Weighted({1: 55.0, 2: 25.0, 3: 12.0, 4: 5.0, 5: 3.0})
LEGAL_REASON_COUNT = Weighted({1: 60.0, 2: 30.0, 3: 10.0})
PERMANENCE_COUNT = Weighted({1: 50.0, 2: 35.0, 3: 15.0})

# Each table of codes, with the spec code list its codes must come from.
CODE_TABLES: dict[str, tuple[Weighted[str], ...]] = {
    "placement_type": (PLACEMENT_TYPE,),
    "foster_type": (FOSTER_TYPE,),
    "sex": (SEX,),
    "ethnicity": (ETHNICITY,),
    "yes_no_not_known": (DISABILITY,),
    "legal_reason": (FIRST_LEGAL_REASON, LATER_LEGAL_REASON),
    "destination": (CHILD_DESTINATION, LEAVER_DESTINATION),
}


def unknown_codes(spec: ReturnSpec) -> list[str]:
    """Codes the tables use that the spec's code lists lack (empty when the spec fits)."""
    problems = []
    for name, tables in CODE_TABLES.items():
        code_list = spec.code_lists.get(name)
        allowed = {c.code for c in code_list.codes} if code_list else set()
        for table in tables:
            problems.extend(f"{name}.{code}" for code in table.values if code not in allowed)
    decisions = spec.code_lists.get("permanence_decision")
    allowed = {c.code for c in decisions.codes} if decisions else set()
    problems.extend(
        f"permanence_decision.{code}"
        for code in sorted({*PERMANENCE_ROUTE, *ADOPTION_ROUTE})
        if code not in allowed
    )
    return problems
