"""A small, clean CLAS return to mutate in tests: it raises no rule at all."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

TODAY = dt.date(2026, 11, 25)

_CLEAN: dict[str, list[dict[str, Any]]] = {
    "child": [
        {
            "child_id": "C1",
            "council": "S12000033",
            "scn": "123456789",
            "date_of_birth": "2012-03-04",
            "sex": "F",
            "ethnicity": "WS",
            "disability": "N",
        }
    ],
    "episode": [
        {
            "episode_id": "E1",
            "child_id": "C1",
            "start_date": "2025-09-01",
            "end_date": "2026-03-01",
            "care_plan": "Y",
            "destination": "HOME",
        }
    ],
    "placement": [
        {
            "placement_id": "P1",
            "episode_id": "E1",
            "start_date": "2025-09-01",
            "end_date": "2026-01-10",
            "placement_type": "FOSTER_LA",
            "foster_type": "LONG",
        },
        {
            "placement_id": "P2",
            "episode_id": "E1",
            "start_date": "2026-01-10",
            "end_date": "2026-03-01",
            "placement_type": "KIN",
        },
    ],
    "legal_reason": [
        {
            "legal_reason_id": "L1",
            "episode_id": "E1",
            "legal_reason": "CSO_AWAY",
            "start_date": "2025-09-01",
            "end_date": "2026-03-01",
        }
    ],
    "permanence": [
        {
            "permanence_id": "M1",
            "child_id": "C1",
            "decision": "REC_AWAY",
            "decision_date": "2026-02-01",
        }
    ],
}


def clean_return() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(_CLEAN)
