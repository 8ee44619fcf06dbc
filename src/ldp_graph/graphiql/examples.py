"""The example operations GraphiQL opens with: one tab per task, for each role.

Each is a real operation of this schema (a test validates every one against it), named so
the tab says what it does. Tabs for a signed-in role carry an `Authorization` header whose
placeholder says which token to paste; the first tab needs no token, so the page can load
the schema and run something at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

COLLECTION_ID = "col_... (an id from the PublicCouncilsAndCalendar tab)"


@dataclass(frozen=True)
class Example:
    """One preloaded GraphiQL tab."""

    role: str
    query: str
    variables: dict[str, Any] | None = None
    signed_in_as: str | None = None  # the role whose bearer token the tab's header asks for

    def tab(self) -> dict[str, str]:
        """The tab as GraphiQL's `defaultTabs` entry (variables and headers are JSON text)."""
        tab = {"query": self.query}
        if self.variables is not None:
            tab["variables"] = json.dumps(self.variables, indent=2)
        if self.signed_in_as is not None:
            header = {"Authorization": f"Bearer <paste a {self.signed_in_as} token here>"}
            tab["headers"] = json.dumps(header, indent=2)
        return tab


_PUBLIC = """\
# ldp-graph: each tab is an example for one role.
# Run it with the ▶ button (or Ctrl-Enter).
#
# Without a token you are anonymous and see public
# facts: the councils and the calendar of asks.
# To act as a role, send your token in Headers below:
#   {"Authorization": "Bearer <token>"}
# (`scripts/serve` prints a demo token for each role.)
query PublicCouncilsAndCalendar {
  organisations(kind: COUNCIL) {
    code
    name
  }
  calendar {
    collection {
      id
      title
      dueOn
      publishedAt
    }
    daysUntilDue
  }
}
"""

_PUBLISHED_COUNTS = """\
# End users and anonymous callers read published
# collections as counts. Cells below the return's
# threshold are hidden, and so is whatever would let
# them be worked out; each hidden cell says why.
# Put a published collection's id (from the calendar)
# in Variables.
query EndUserPublishedCounts($collectionId: ID!) {
  collection(id: $collectionId) {
    title
    publishedAt
    aggregate(entity: "child", by: ["council", "sex"]) {
      threshold
      submissionsCounted
      cells {
        values {
          dimension
          label
        }
        isTotal
        count
        suppressed
        reason
      }
    }
  }
}
"""

_COUNCIL_RETURNS = """\
# A council submitter sees the asks sent to its
# council, where its submission stands, and each
# version's validation report. Paste your token in
# Headers and a collection id in Variables.
query CouncilAsksAndReports($collectionId: ID!) {
  me {
    role
    organisation {
      code
      name
    }
  }
  calendar {
    collection {
      id
      title
      dueOn
    }
    submissionState
    daysUntilDue
  }
  collection(id: $collectionId) {
    submissions {
      id
      state
      currentVersion {
        number
        valid
        errorCount
        queryCount
        report(maxIssues: 20) {
          issues {
            ruleId
            severity
            entity
            line
            fields
            message
          }
        }
      }
    }
  }
}
"""

_COUNCIL_DRY_RUN = """\
# For councils: a dry run. Validate records against a
# return's rules and get the report; nothing is stored
# and no token is needed. With your token, give
# {collectionId: "...", records: ...} instead of specId
# to check them exactly as a submission to that
# collection would be (its version and period).
# (Upload real exports with submitReturn or
# `ldp-graph submit`.)
mutation CouncilDryRunValidation($records: JSON!) {
  validateSubmission(input: {specId: "clas", records: $records}) {
    report {
      valid
      errorCount
      queryCount
      issues {
        ruleId
        severity
        entity
        line
        fields
        value
        message
      }
    }
    errors {
      __typename
      message
      field
    }
  }
}
"""

_DRY_RUN_RECORDS = {
    "child": [
        {
            "child_id": "C1",
            "council": "S12000036",
            "scn": "123456789",
            "date_of_birth": "2012-03-04",
            "sex": "X",
            "ethnicity": "WS",
            "disability": "N",
        }
    ],
}

_REQUESTER_PROGRESS = """\
# A requester reads every council's submission to its
# collections from the moment it arrives: its state,
# its validation, and the typed records themselves.
query RequesterProgressAndRecords($collectionId: ID!) {
  collection(id: $collectionId) {
    title
    dueOn
    submissions {
      council {
        name
      }
      state
      currentVersionNumber
      currentVersion {
        valid
        errorCount
        queryCount
      }
    }
    clas {
      child(first: 10, orderBy: [{field: DATE_OF_BIRTH, direction: DESC}]) {
        totalCount
        nodes {
          childId
          dateOfBirth
          sex {
            code
            label
          }
          meta {
            line
            council {
              name
            }
          }
        }
      }
    }
  }
}
"""

_REQUESTER_EVENTS = """\
# Submission events as they happen, over WebSocket
# (graphql-transport-ws). The Headers below travel in
# the connection's init payload.
subscription RequesterSubmissionEvents($collectionId: ID!) {
  submissionEvents(collectionId: $collectionId) {
    kind
    council {
      code
      name
    }
    version
    state
    occurredAt
  }
}
"""

EXAMPLES: tuple[Example, ...] = (
    Example(role="anyone", query=_PUBLIC),
    Example(
        role="end user or anonymous",
        query=_PUBLISHED_COUNTS,
        variables={"collectionId": COLLECTION_ID},
    ),
    Example(
        role="council submitter",
        query=_COUNCIL_RETURNS,
        variables={"collectionId": COLLECTION_ID},
        signed_in_as="council submitter",
    ),
    Example(
        role="council submitter",
        query=_COUNCIL_DRY_RUN,
        variables={"records": _DRY_RUN_RECORDS},
    ),
    Example(
        role="requester",
        query=_REQUESTER_PROGRESS,
        variables={"collectionId": COLLECTION_ID},
        signed_in_as="requester",
    ),
    Example(
        role="requester",
        query=_REQUESTER_EVENTS,
        variables={"collectionId": COLLECTION_ID},
        signed_in_as="requester",
    ),
)
