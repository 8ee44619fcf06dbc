"""One child's care history: birth, episodes of care, placements, legal reasons, permanence."""

from __future__ import annotations

from random import Random

from ldp_graph.synthetic import calendar
from ldp_graph.synthetic.calendar import ISO
from ldp_graph.synthetic.frequencies import (
    ADOPTION_ROUTE,
    CARE_PLAN,
    CHILD_DESTINATION,
    DISABILITY,
    ENTRY_AGE,
    ETHNICITY,
    FIRST_LEGAL_REASON,
    FOSTER_TYPE,
    LATER_LEGAL_REASON,
    LEAVER_DESTINATION,
    LEGAL_REASON_COUNT,
    PERMANENCE_COUNT,
    PERMANENCE_ROUTE,
    PLACEMENT_COUNT,
    PLACEMENT_TYPE,
    SEX,
    YES_NO,
)
from ldp_graph.synthetic.records import ChildRecords, Row
from ldp_graph.synthetic.rulebook import Rulebook

DAYS_PER_YEAR = 365.2425
# About 12,000 children are looked after on 31 July and 5,000 start each year, so most of
# a year's return was already looked after when the year began.
STARTED_BEFORE_PERIOD = 0.7
MEAN_DAYS_IN_CARE_BEFORE = 700
MAX_DAYS_IN_CARE_BEFORE = 12 * 365
# 4,000-5,000 of roughly 17,000 children cease to be looked after during a year.
FIRST_EPISODE_ENDS = 0.25
SECOND_EPISODE = 0.12
SECOND_EPISODE_ENDS = 0.3
MEAN_DAYS_OUT_OF_CARE = 120
LEAVES_ON_EVE_OF_ADULTHOOD = 0.6
# A child must still be a child a while into the year to be looked after in it at all.
MIN_DAYS_AS_CHILD_IN_PERIOD = 30
LEAVER_AGE = 16  # from 16, leavers also go to continuing care or their own tenancy
PLACEMENT_GAP = 0.05  # most placements follow on the next day; a few leave a short gap
MAX_GAP_DAYS = 14
PERMANENCE = 0.15  # of children ever placed away from home
ADOPTION_UNDER_5 = 0.4
SCN_AFTER_SCHOOL_AGE = 0.75  # SCNs are issued at school: under-5s have none yet


class HistoryMaker:
    """Makes children for one council from one random stream, keeping every rule of the spec."""

    def __init__(self, book: Rulebook, council: str, rng: Random) -> None:
        self.book = book
        self.council = council
        self.rng = rng
        self.first = book.period_start.toordinal()
        self.last = book.period_end.toordinal()

    def child(self, index: int) -> ChildRecords:
        dob, adult, first_start = self._birth_and_entry()
        spans = self._episode_spans(first_start, adult)
        child_id = f"C{index:06d}"
        episodes, placements, legal_reasons = [], [], []
        for n, (start, end) in enumerate(spans, 1):
            episode_id = f"E{index:06d}-{n}"
            episode = self._episode(episode_id, child_id, dob, start, end)
            episode_placements = self._placements(episode_id, start, end)
            self._keep_continuing_care_eligible(episode, episode_placements, dob, end)
            episodes.append(episode)
            placements.append(episode_placements)
            legal_reasons.append(self._legal_reasons(episode_id, start, end))
        records = ChildRecords(self._child_row(child_id, dob), episodes, placements, legal_reasons)
        records.permanence = self._permanence(index, child_id, dob, spans, placements)
        return records

    def _birth_and_entry(self) -> tuple[int, int, int]:
        """(date of birth, first day of adulthood, first episode start), as ordinals."""
        rng, adult_age = self.rng, self.book.adult_age
        while True:
            if rng.random() < STARTED_BEFORE_PERIOD:
                before = int(rng.expovariate(1 / MEAN_DAYS_IN_CARE_BEFORE))
                start = self.first - 1 - min(before, MAX_DAYS_IN_CARE_BEFORE)
            else:
                start = self.first + int(rng.random() * (self.last - self.first + 1))
            dob = start - int((ENTRY_AGE.pick(rng) + rng.random()) * DAYS_PER_YEAR)
            while calendar.age(dob, start) >= adult_age:  # leap days can round up to 18
                dob += 1
            adult = calendar.shift_years(dob, adult_age)
            if adult > self.first + MIN_DAYS_AS_CHILD_IN_PERIOD:
                return dob, adult, start

    def _episode_spans(self, first_start: int, adult: int) -> list[tuple[int, int | None]]:
        rng = self.rng
        last_day = min(self.last, adult - 1)  # looked after children leave by their 18th birthday
        earliest_end = max(first_start, self.first)  # every episode reaches into the year
        ages_out = adult - 1 <= self.last
        if rng.random() < SECOND_EPISODE and earliest_end < last_day:
            end = earliest_end + int(rng.random() * (last_day - earliest_end))
            gap = min(int(rng.expovariate(1 / MEAN_DAYS_OUT_OF_CARE)), last_day - end - 1)
            second = end + 1 + gap
            second_end = self._end(second, last_day, ages_out, SECOND_EPISODE_ENDS)
            return [(first_start, end), (second, second_end)]
        return [(first_start, self._end(earliest_end, last_day, ages_out, FIRST_EPISODE_ENDS))]

    def _end(self, earliest: int, last_day: int, ages_out: bool, ends: float) -> int | None:
        rng = self.rng
        if ages_out:
            if rng.random() < LEAVES_ON_EVE_OF_ADULTHOOD:
                return last_day
            return earliest + int(rng.random() * (last_day - earliest + 1))
        if rng.random() < ends:
            return earliest + int(rng.random() * (last_day - earliest + 1))
        return None

    def _episode(
        self, episode_id: str, child_id: str, dob: int, start: int, end: int | None
    ) -> Row:
        rng = self.rng
        destination = plan = coordinator = None
        if end is not None:
            age_at_end = calendar.age(dob, end)
            leaver = age_at_end >= LEAVER_AGE
            destination = (LEAVER_DESTINATION if leaver else CHILD_DESTINATION).pick(rng)
            if age_at_end >= self.book.pathway_age:
                plan, coordinator = YES_NO.pick(rng), YES_NO.pick(rng)
        return {
            "episode_id": episode_id,
            "child_id": child_id,
            "start_date": ISO[start],
            "end_date": ISO[end] if end is not None else None,
            "care_plan": CARE_PLAN.pick(rng),
            "destination": destination,
            "pathway_plan": plan,
            "pathway_coordinator": coordinator,
        }

    def _keep_continuing_care_eligible(
        self, episode: Row, placements: list[Row], dob: int, end: int | None
    ) -> None:
        """Clean data never leaves for continuing care without an eligible placement."""
        rule = self.book.continuing_care
        if rule is None or end is None or episode["destination"] not in rule.destinations:
            return
        if calendar.age(dob, end) < rule.age_min or rule.met_by(placements):
            return
        while episode["destination"] in rule.destinations:
            episode["destination"] = LEAVER_DESTINATION.pick(self.rng)

    def _segments(
        self, start: int, end: int | None, count: int, gaps: bool
    ) -> list[tuple[int, int | None]]:
        """Up to `count` consecutive periods filling [start, end]; open when `end` is None."""
        rng = self.rng
        stop = end if end is not None else self.last
        count = min(count, stop - start + 1)
        if count == 1:
            cuts = []
        elif count == 2:  # the common case, without sample()'s overhead
            cuts = [start + int(rng.random() * (stop - start))]
        else:
            cuts = sorted(rng.sample(range(start, stop), count - 1))
        spans: list[tuple[int, int | None]] = []
        begin = start
        for cut in cuts:
            finish = cut
            if gaps and cut > begin and rng.random() < PLACEMENT_GAP:
                finish = max(begin, cut - rng.randint(1, MAX_GAP_DAYS))
            spans.append((begin, finish))
            begin = cut + 1  # the day after: a shared day would count as an overlap
        spans.append((begin, end))
        return spans

    def _placements(self, episode_id: str, start: int, end: int | None) -> list[Row]:
        rng, foster_codes = self.rng, self.book.foster_codes
        spans = self._segments(start, end, PLACEMENT_COUNT.pick(rng), gaps=True)
        rows = []
        for k, (begin, finish) in enumerate(spans, 1):
            placement_type = PLACEMENT_TYPE.pick(rng)
            foster_type = FOSTER_TYPE.pick(rng) if placement_type in foster_codes else None
            rows.append(
                {
                    "placement_id": f"P{episode_id[1:]}-{k}",
                    "episode_id": episode_id,
                    "start_date": ISO[begin],
                    "end_date": ISO[finish] if finish is not None else None,
                    "placement_type": placement_type,
                    "foster_type": foster_type,
                }
            )
        return rows

    def _legal_reasons(self, episode_id: str, start: int, end: int | None) -> list[Row]:
        rng = self.rng
        spans = self._segments(start, end, LEGAL_REASON_COUNT.pick(rng), gaps=False)
        rows: list[Row] = []
        reason = None
        for k, (begin, finish) in enumerate(spans, 1):
            table = FIRST_LEGAL_REASON if k == 1 else LATER_LEGAL_REASON
            previous, reason = reason, table.pick(rng)
            while reason == previous:  # a new legal reason period means the basis changed
                reason = LATER_LEGAL_REASON.pick(rng)
            rows.append(
                {
                    "legal_reason_id": f"L{episode_id[1:]}-{k}",
                    "episode_id": episode_id,
                    "legal_reason": reason,
                    "start_date": ISO[begin],
                    "end_date": ISO[finish] if finish is not None else None,
                }
            )
        return rows

    def _permanence(
        self,
        index: int,
        child_id: str,
        dob: int,
        spans: list[tuple[int, int | None]],
        placements: list[list[Row]],
    ) -> list[Row]:
        rng = self.rng
        away = any(p["placement_type"] != "HOME" for rows in placements for p in rows)
        if not away or rng.random() >= PERMANENCE:
            return []
        first_start = spans[0][0]
        stop = spans[-1][1] or self.last
        young = calendar.age(dob, first_start) < 5
        route = ADOPTION_ROUTE if young and rng.random() < ADOPTION_UNDER_5 else PERMANENCE_ROUTE
        count = min(PERMANENCE_COUNT.pick(rng), stop - first_start + 1)
        days = sorted(rng.sample(range(first_start, stop + 1), count))
        return [
            {
                "permanence_id": f"D{index:06d}-{k}",
                "child_id": child_id,
                "decision": route[k - 1],
                "decision_date": ISO[day],
            }
            for k, day in enumerate(days, 1)
        ]

    def _child_row(self, child_id: str, dob: int) -> Row:
        rng = self.rng
        low, high = self.book.school_ages
        age = calendar.age(dob, self.last)
        scn = None
        if low <= age < high or (age >= high and rng.random() < SCN_AFTER_SCHOOL_AGE):
            scn = f"{int(rng.random() * 1e9):09d}"
        return {
            "child_id": child_id,
            "council": self.council,
            "scn": scn,
            "date_of_birth": ISO[dob],
            "sex": SEX.pick(rng),
            "ethnicity": ETHNICITY.pick(rng),
            "disability": DISABILITY.pick(rng),
        }
