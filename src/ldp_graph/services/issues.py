"""An issue's life across versions: new, still open or fixed, and the council's explanations.

A problem keeps its id from version to version (a hash of rule, entity, record keys and
fields), so an explanation given once applies to every later version that still has the
problem, instead of being lost on each re-upload.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ldp_graph.auth import policy
from ldp_graph.auth.principal import Principal
from ldp_graph.db.engine import Database
from ldp_graph.db.repositories import records as records_repository
from ldp_graph.db.repositories import review as repository
from ldp_graph.db.repositories import submissions as submissions_repository
from ldp_graph.domain.ids import new_id
from ldp_graph.domain.review import Explanation, ExplanationState
from ldp_graph.errors import InvalidInput, InvalidTransition, NotFound
from ldp_graph.services import audit
from ldp_graph.services.review import hide_unless_party, load_for_change, required_text
from ldp_graph.specs.model import Severity
from ldp_graph.validation.report import Issue


async def explain_issue(
    database: Database,
    principal: Principal,
    *,
    submission_id: str,
    problem_id: str,
    explanation: str,
) -> Explanation:
    """The council says why a value a query-severity rule flags is right, instead of changing it."""
    given = required_text(explanation, "explanation")
    now = dt.datetime.now(dt.UTC)
    async with database.transaction() as session:
        submission, collection = await load_for_change(session, submission_id)
        hide_unless_party(principal, collection, submission)
        policy.require_submitter(principal, collection, submission.council_code, "explain issues")
        version = await submissions_repository.get_version(
            session, submission.id, submission.current_version
        )
        assert version is not None
        issues = (await records_repository.list_issues(session, [version.id]))[version.id]
        matching = [i for i in issues if i.problem_id == problem_id]
        if not matching:
            raise NotFound(
                f"Version {version.number} has no issue {problem_id}.", field="problemId"
            )
        if matching[0].severity != Severity.QUERY:
            raise InvalidInput(
                "Only query-severity issues can be explained; errors must be fixed.",
                field="problemId",
            )
        found = Explanation(
            id=new_id("ex"),
            submission_id=submission.id,
            problem_id=problem_id,
            rule_id=matching[0].rule_id,
            version_number=version.number,
            explanation=given,
            state=ExplanationState.PROPOSED,
            author_code=principal.organisation_code or "",
            created_at=now,
            reviewed_by_code=None,
            reviewed_at=None,
        )
        await repository.insert_explanation(session, found)
        await audit.record(
            session,
            principal,
            "issue.explain",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            submission_id=submission.id,
            problem_id=problem_id,
        )
    return found


async def review_explanation(
    database: Database, principal: Principal, *, explanation_id: str, accept: bool
) -> Explanation:
    now = dt.datetime.now(dt.UTC)
    state = ExplanationState.ACCEPTED if accept else ExplanationState.REJECTED
    async with database.transaction() as session:
        found = await repository.get_explanation(session, explanation_id, for_update=True)
        if found is None:
            raise NotFound(f"No explanation {explanation_id}.", field="explanationId")
        submission, collection = await load_for_change(session, found.submission_id)
        if not policy.may_see_review(principal, collection, submission.council_code):
            raise NotFound(f"No explanation {explanation_id}.", field="explanationId")
        policy.require_owner(principal, collection, "review explanations")
        if found.state != ExplanationState.PROPOSED:
            raise InvalidTransition(
                f"The explanation is already {found.state.value}.", field="explanationId"
            )
        reviewer = principal.organisation_code or ""
        await repository.review_explanation(session, found.id, state, reviewer, now)
        await audit.record(
            session,
            principal,
            "explanation.review",
            subject_organisation_code=submission.council_code,
            collection_id=collection.id,
            submission_id=submission.id,
            explanation_id=found.id,
            state=state.value,
        )
    return dataclasses.replace(found, state=state, reviewed_by_code=reviewer, reviewed_at=now)


# --- reading ---------------------------------------------------------------------------------


async def explanations_of(
    database: Database, submission_ids: Sequence[str]
) -> list[list[Explanation]]:
    async with database.read() as session:
        found = await repository.explanations_of(session, submission_ids)
    return [found[s] for s in submission_ids]


def current_explanations(
    explanations: Sequence[Explanation], up_to_version: int | None = None
) -> dict[str, Explanation]:
    """Per problem, the newest explanation: a rejected one can be followed by a better one.

    With `up_to_version`, only explanations given by then: a version's issues show what was
    said about them at that point, not what a later version's review added.
    """
    latest: dict[str, Explanation] = {}
    for explanation in explanations:
        if up_to_version is None or explanation.version_number <= up_to_version:
            latest[explanation.problem_id] = explanation
    return latest


@dataclass(frozen=True, slots=True)
class IssueChanges:
    """How a version's problems relate to the previous version's, matched by problem id."""

    new: list[Issue]
    still_open: list[Issue]
    fixed: list[Issue]


def issue_changes(previous: Sequence[Issue], current: Sequence[Issue]) -> IssueChanges:
    """One issue per problem (its first row); a first version's problems are all new."""
    before = _first_per_problem(previous)
    now = _first_per_problem(current)
    return IssueChanges(
        new=[i for p, i in now.items() if p not in before],
        still_open=[i for p, i in now.items() if p in before],
        fixed=[i for p, i in before.items() if p not in now],
    )


def _first_per_problem(issues: Sequence[Issue]) -> dict[str, Issue]:
    found: dict[str, Issue] = {}
    for issue in issues:
        found.setdefault(issue.problem_id, issue)
    return found
