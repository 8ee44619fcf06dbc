"""Seeded errors in single values: blanks, bad dates, unknown codes, SCNs, conditional fields
(and continuing care from a placement that does not qualify for it)."""

from __future__ import annotations

from random import Random

from ldp_graph.synthetic import calendar
from ldp_graph.synthetic.frequencies import CHILD_DESTINATION, FOSTER_TYPE, pick
from ldp_graph.synthetic.records import ChildRecords, Fault, Outcome, touch
from ldp_graph.synthetic.rulebook import Rulebook

# Required fields that no other rule reads once blank: every cross-record and conditional
# rule skips a record whose date or code it needs is missing. Keys and parent links are left
# alone, since blanking them would also orphan or duplicate rows.
BLANKABLE: dict[str, tuple[str, ...]] = {
    "child": ("council", "date_of_birth", "sex", "ethnicity", "disability"),
    "episode": ("start_date", "care_plan"),
    "placement": ("start_date", "placement_type"),
    "legal_reason": ("legal_reason", "start_date"),
    "permanence": ("decision", "decision_date"),
}
# Dates whose bad text only the type check reports (rules skip a date they cannot read).
# An open episode's end stays blank: text there would read as "ended" to CLAS-009.
GARBLEABLE: dict[str, tuple[str, ...]] = {
    "child": ("date_of_birth",),
    "episode": ("start_date", "end_date"),
    "placement": ("start_date", "end_date"),
    "legal_reason": ("start_date", "end_date"),
    "permanence": ("decision_date",),
}
# Plausible slips: labels for codes, codes from another list, truncated codes.
WRONG_CODES: dict[tuple[str, str], tuple[str, ...]] = {
    ("child", "sex"): ("Male", "X", "1"),
    ("child", "ethnicity"): ("White Scottish", "W1", "99"),
    ("child", "disability"): ("Yes", "D"),
    ("episode", "destination"): ("ADOPTION", "PARENTS", "Home"),
    ("placement", "placement_type"): ("KINSHIP", "FOSTER", "RESI"),
    ("placement", "foster_type"): ("LONGTERM", "P"),
    ("legal_reason", "legal_reason"): ("S83", "CSO", "SECTION 25"),
    ("permanence", "decision"): ("PO", "PERMANENCE"),
}


def missing_required(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    options = [
        (entity, row, field)
        for entity, row in records.rows()
        for field in BLANKABLE[entity]
        if (entity, field) in book.required_fields and row[field] is not None
    ]
    chosen = pick(rng, options)
    if chosen is None:
        return None
    entity, row, field = chosen
    row[field] = None
    return [touch(entity, row, field, book.required)]


def _garbled(text: str, rng: Random) -> str:
    year, month, day = text.split("-")
    options = [f"{day}/{month}/{year}", f"{year}-13-{day}", f"{year}-02-30", f"{year}{month}{day}"]
    if int(day) > 12:
        options.append(f"{year}-{day}-{month}")  # day and month swapped
    return options[rng.randrange(len(options))]


def unparseable_date(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    options = [
        (entity, row, field)
        for entity, row in records.rows()
        for field in GARBLEABLE[entity]
        if row[field] is not None
    ]
    chosen = pick(rng, options)
    if chosen is None:
        return None
    entity, row, field = chosen
    row[field] = _garbled(row[field] or "", rng)
    return [touch(entity, row, field, book.type)]


def unknown_code(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    options = [
        (entity, row, field)
        for entity, row in records.rows()
        for (owner, field) in WRONG_CODES
        if owner == entity
        and row[field] is not None
        # A non-code in a foster placement's type would make its foster_type look misplaced.
        and not (field == "placement_type" and row["foster_type"] is not None)
    ]
    chosen = pick(rng, options)
    if chosen is None:
        return None
    entity, row, field = chosen
    wrong = [c for c in WRONG_CODES[(entity, field)] if c not in book.codes[(entity, field)]]
    row[field] = wrong[rng.randrange(len(wrong))]
    return [touch(entity, row, field, book.code)]


def birth_in_future(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    # A century slip (2112 for 2012) stays in the future for decades, and an unborn child's
    # negative age meets no age condition: no pathway plan or SCN becomes required.
    if book.dob_not_future is None or records.child["date_of_birth"] is None:
        return None
    dob = calendar.ordinal(records.child["date_of_birth"])
    records.child["date_of_birth"] = calendar.iso(calendar.shift_years(dob, 100))
    return [touch("child", records.child, "date_of_birth", book.dob_not_future)]


def malformed_scn(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    if book.scn_format is None:
        return None
    digits = records.child["scn"] or f"{rng.randrange(10**9):09d}"
    options = (digits[:8], digits + "0", f"{digits[:4]} {digits[4:]}", f"SCN{digits[:6]}")
    records.child["scn"] = options[rng.randrange(len(options))]
    return [touch("child", records.child, "scn", book.scn_format)]


def missing_scn(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    child = records.child
    if book.scn_school_age is None or child["scn"] is None or child["date_of_birth"] is None:
        return None
    low, high = book.school_ages
    age = calendar.age(calendar.ordinal(child["date_of_birth"]), book.period_end.toordinal())
    if not low <= age < high:
        return None
    child["scn"] = None
    return [touch("child", child, "scn", book.scn_school_age)]


def destination_missing(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    chosen = pick(rng, records.ended_episodes())
    if book.destination_required is None or chosen is None:
        return None
    _, episode = chosen
    episode["destination"] = None
    return [touch("episode", episode, "destination", book.destination_required)]


def destination_while_open(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    chosen = pick(rng, records.open_episodes())
    if book.destination_empty is None or chosen is None:
        return None
    _, episode = chosen
    episode["destination"] = CHILD_DESTINATION.pick(rng)
    return [touch("episode", episode, "destination", book.destination_empty)]


def foster_type_missing(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    options = [p for rows in records.placements for p in rows if p["foster_type"] is not None]
    chosen = pick(rng, options)
    if book.foster_required is None or chosen is None:
        return None
    chosen["foster_type"] = None
    return [touch("placement", chosen, "foster_type", book.foster_required)]


def foster_type_not_foster(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    options = [
        p
        for rows in records.placements
        for p in rows
        if p["placement_type"] is not None and p["placement_type"] not in book.foster_codes
    ]
    chosen = pick(rng, options)
    if book.foster_empty is None or chosen is None:
        return None
    chosen["foster_type"] = FOSTER_TYPE.pick(rng)
    return [touch("placement", chosen, "foster_type", book.foster_empty)]


def pathway_plan_missing(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    dob = records.child["date_of_birth"]
    if book.pathway_plan is None or dob is None:
        return None
    birth = calendar.ordinal(dob)
    options = [
        episode
        for _, episode in records.ended_episodes()
        if episode["pathway_plan"] is not None
        and calendar.age(birth, calendar.ordinal(episode["end_date"] or "")) >= book.pathway_age
    ]
    chosen = pick(rng, options)
    if chosen is None:
        return None
    chosen["pathway_plan"] = None
    return [touch("episode", chosen, "pathway_plan", book.pathway_plan)]


def decision_after_period(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    chosen = pick(rng, records.permanence)
    if book.decision_in_period is None or chosen is None:
        return None
    chosen["decision_date"] = calendar.iso(book.period_end.toordinal() + rng.randint(1, 60))
    return [touch("permanence", chosen, "decision_date", book.decision_in_period)]


def continuing_care_ineligible(records: ChildRecords, rng: Random, book: Rulebook) -> Outcome:
    """A young person leaves for continuing care from a placement that does not qualify (at
    home, say): the last placement, or all of them when the rule looks at any placement."""
    rule, dob = book.continuing_care, records.child["date_of_birth"]
    if rule is None or dob is None:
        return None
    birth = calendar.ordinal(dob)
    options = [
        i
        for i, episode in records.ended_episodes()
        if records.placements[i]
        and calendar.age(birth, calendar.ordinal(episode["end_date"] or "")) >= rule.age_min
    ]
    ineligible = sorted(book.codes[("placement", "placement_type")] - rule.eligible)
    ineligible = [c for c in ineligible if c not in book.foster_codes]  # no foster_type needed
    chosen = pick(rng, options)
    if chosen is None or not ineligible:
        return None
    episode, placements = records.episodes[chosen], records.placements[chosen]
    destinations = sorted(rule.destinations)
    episode["destination"] = destinations[rng.randrange(len(destinations))]
    for placement in placements[-1:] if rule.last_only else placements:
        placement["placement_type"] = ineligible[rng.randrange(len(ineligible))]
        placement["foster_type"] = None
    return [touch("episode", episode, "destination", rule.rule_id)]


FAULTS: dict[str, Fault] = {
    "missing_required": missing_required,
    "unparseable_date": unparseable_date,
    "unknown_code": unknown_code,
    "birth_in_future": birth_in_future,
    "malformed_scn": malformed_scn,
    "missing_scn_school_age": missing_scn,
    "destination_missing": destination_missing,
    "destination_while_open": destination_while_open,
    "foster_type_missing": foster_type_missing,
    "foster_type_not_foster": foster_type_not_foster,
    "pathway_plan_missing": pathway_plan_missing,
    "decision_after_period": decision_after_period,
    "continuing_care_ineligible": continuing_care_ineligible,
}
