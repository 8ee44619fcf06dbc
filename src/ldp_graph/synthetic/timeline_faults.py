"""Seeded errors in dates that relate records: order, overlaps, containment, age at start."""

from __future__ import annotations

from random import Random

from ldp_graph.synthetic import calendar
from ldp_graph.synthetic.calendar import iso, ordinal
from ldp_graph.synthetic.frequencies import pick
from ldp_graph.synthetic.records import ChildRecords, Fault, Outcome, Row, touch
from ldp_graph.synthetic.rulebook import Rulebook

MAX_SLIP_DAYS = 30


def episode_ends_before_start(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    """An episode end keyed before its start. Nothing can lie inside such an episode, so each
    of its placements and legal reasons is outside it too: those rules fire as well."""
    first = book.period_start.toordinal()
    options = [
        (i, episode)
        for i, episode in records.ended_episodes()
        if ordinal(episode["start_date"] or "") > first
    ]
    chosen = pick(rng, options)
    if book.episode_order is None or chosen is None:
        return None
    i, episode = chosen
    start = ordinal(episode["start_date"] or "")
    # Still on or after 1 August, so the episode keeps overlapping the year (CLAS-004).
    episode["end_date"] = iso(start - rng.randint(1, min(MAX_SLIP_DAYS, start - first)))
    touches = [touch("episode", episode, "end_date", book.episode_order)]
    for entity, rows, rule in (
        ("placement", records.placements[i], book.placement_within),
        ("legal_reason", records.legal_reasons[i], book.legal_within),
    ):
        if rule is not None:
            for row in rows:
                touches += [touch(entity, row, None, rule), touch("episode", episode, None, rule)]
    return touches


def overlapping_episodes(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    """A second episode starting before the first ended. Moving its start earlier keeps its
    own placements and legal reasons inside it and lowers the age at its start."""
    if book.episode_overlap is None or len(records.episodes) < 2:
        return None
    earlier, later = records.episodes[0], records.episodes[1]
    start, end = ordinal(earlier["start_date"] or ""), earlier["end_date"]
    if end is None or ordinal(end) <= start:
        return None
    finish = ordinal(end)
    later["start_date"] = iso(rng.randint(max(start, finish - 60), finish - 1))
    return [
        touch("episode", earlier, None, book.episode_overlap),
        touch("episode", later, "start_date", book.episode_overlap),
    ]


def _outside_episode(
    records: ChildRecords, rng: Random, entity: str, per_episode: list[list[Row]], rule: str | None
) -> Outcome:
    """The first row of an episode starting before it, or the last row of an ended episode
    running past its end or left open. Neighbouring rows are never reached."""
    if rule is None:
        return None
    i = rng.randrange(len(records.episodes))
    episode, rows = records.episodes[i], per_episode[i]
    if not rows or episode["start_date"] is None:
        return None
    end = episode["end_date"]
    if end is not None and rng.random() < 0.5:
        row, field = rows[-1], "end_date"
        late = iso(ordinal(end) + rng.randint(1, MAX_SLIP_DAYS))
        row[field] = None if rng.random() < 0.5 else late  # left open counts as running on
    else:
        row, field = rows[0], "start_date"
        row[field] = iso(ordinal(episode["start_date"]) - rng.randint(1, MAX_SLIP_DAYS))
    return [touch(entity, row, field, rule), touch("episode", episode, None, rule)]


def placement_outside_episode(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    return _outside_episode(records, rng, "placement", records.placements, book.placement_within)


def legal_reason_outside_episode(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    return _outside_episode(records, rng, "legal_reason", records.legal_reasons, book.legal_within)


def overlapping_placements(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    """A placement starting before the previous one ended (not on its last day: a shared
    day is a borderline case this kind avoids)."""
    options = [
        (rows[k], rows[k + 1])
        for rows in records.placements
        for k in range(len(rows) - 1)
        if ordinal(rows[k]["end_date"] or "") - ordinal(rows[k]["start_date"] or "") >= 2
    ]
    chosen = pick(rng, options)
    if book.placement_overlap is None or chosen is None:
        return None
    earlier, later = chosen
    start, end = ordinal(earlier["start_date"] or ""), ordinal(earlier["end_date"] or "")
    later["start_date"] = iso(rng.randint(start + 1, end - 1))
    return [
        touch("placement", earlier, None, book.placement_overlap),
        touch("placement", later, "start_date", book.placement_overlap),
    ]


def episode_after_adulthood(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    """A date of birth that makes the child an adult when care began. Every later episode
    starts after 18 too, and every ended one then needs its pathway items, which are filled."""
    if book.episode_age is None or records.child["date_of_birth"] is None:
        return None
    first_start = ordinal(records.episodes[0]["start_date"] or "")
    dob = calendar.shift_years(first_start, -book.adult_age) - rng.randint(0, 300)
    while calendar.age(dob, first_start) < book.adult_age:  # 29 February shifts to 1 March
        dob -= 1
    records.child["date_of_birth"] = iso(dob)
    for episode in records.episodes:
        end = episode["end_date"]
        if end is not None and calendar.age(dob, ordinal(end)) >= book.pathway_age:
            episode["pathway_plan"] = episode["pathway_plan"] or "Y"
            episode["pathway_coordinator"] = episode["pathway_coordinator"] or "Y"
    rule = book.episode_age
    return [touch("episode", episode, "start_date", rule) for episode in records.episodes]


FAULTS: dict[str, Fault] = {
    "episode_ends_before_start": episode_ends_before_start,
    "overlapping_episodes": overlapping_episodes,
    "placement_outside_episode": placement_outside_episode,
    "legal_reason_outside_episode": legal_reason_outside_episode,
    "overlapping_placements": overlapping_placements,
    "episode_after_adulthood": episode_after_adulthood,
}
