"""The synthetic CLAS generator: realistic, deterministic, clean unless broken on purpose,
and broken in exactly the ways its manifest says."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ldp_graph.cli import main
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import SEEDED_KINDS, CouncilReturn, generate
from ldp_graph.synthetic.writer import MANIFEST, write_json, write_manifest, write_returns

SPEC = load_registry().get("clas")
assert SPEC is not None
CLAS_VERSIONS = [s for s in load_registry().all() if s.id == "clas"]
EDINBURGH, GLASGOW = "S12000036", "S12000049"


def _one(children: int, error_rate: float = 0.0, seed: int = 1, **kwargs: Any) -> CouncilReturn:
    return generate(
        SPEC,
        councils=[EDINBURGH],
        children_per_council=children,
        error_rate=error_rate,
        seed=seed,
        **kwargs,
    )[0]


def _issues(spec: ReturnSpec, records: dict[str, list[dict[str, str | None]]]) -> set[tuple]:
    # Imported here: the engine is developed alongside, and the other tests need not wait for it.
    from ldp_graph.validation.engine import validate

    report = validate(spec, records)
    assert not report.issues_truncated
    return {(i.entity, i.key, i.rule_id) for i in report.issues}


def test_generate_with_same_seed_returns_identical_returns() -> None:
    first = generate(
        SPEC, councils=[EDINBURGH, GLASGOW], children_per_council=300, error_rate=0.2, seed=9
    )
    again = generate(
        SPEC, councils=[EDINBURGH, GLASGOW], children_per_council=300, error_rate=0.2, seed=9
    )

    assert first == again


def test_generate_with_another_seed_returns_other_children() -> None:
    assert _one(50, seed=1).records != _one(50, seed=2).records


def test_generate_for_a_council_gives_it_the_same_return_whatever_councils_come_with_it() -> None:
    alone = generate(SPEC, councils=[GLASGOW], children_per_council=80, error_rate=0.1, seed=3)
    together = generate(
        SPEC, councils=[EDINBURGH, GLASGOW], children_per_council=80, error_rate=0.1, seed=3
    )

    assert together[1] == alone[0]


def test_generate_with_errors_changes_only_rows_of_the_seeded_children() -> None:
    clean, dirty = _one(600, error_rate=0.0), _one(600, error_rate=0.3)
    broken = {s.child_id for s in dirty.seeded}
    changed: set[str] = set()

    for entity, rows in clean.records.items():
        key = SPEC.entities[entity].key[0]
        assert [r[key] for r in rows] == [r[key] for r in dirty.records[entity]]
        for before, after in zip(rows, dirty.records[entity], strict=True):
            if before != after:
                changed.add(f"C{before[key][1:7]}")  # every id carries its child's number

    assert changed == broken
    assert len(broken) > 100


def test_generate_with_zero_error_rate_seeds_no_errors() -> None:
    assert _one(1000, error_rate=0.0).seeded == []


@pytest.mark.parametrize("children", [0, 1, 437])
def test_generate_gives_each_council_the_requested_number_of_children(children: int) -> None:
    returns = generate(
        SPEC, councils=[EDINBURGH, GLASGOW], children_per_council=children, error_rate=0.5, seed=4
    )

    for result, council in zip(returns, [EDINBURGH, GLASGOW], strict=True):
        rows = result.records["child"]
        assert result.council == council
        assert len({row["child_id"] for row in rows}) == len(rows) == children
        # a seeded missing-value error may blank the council column, never change it
        assert {row["council"] for row in rows if row["council"] is not None} <= {council}


def test_generate_rows_hold_every_spec_field_as_text_or_none() -> None:
    result = _one(200, error_rate=0.3)

    assert list(result.records) == list(SPEC.entities)
    for entity, rows in result.records.items():
        for row in rows:
            assert set(row) == set(SPEC.entities[entity].fields)
            assert all(
                value is None or (isinstance(value, str) and value) for value in row.values()
            )


def test_generate_gives_every_episode_placements_and_legal_reasons() -> None:
    records = _one(2000).records
    episodes = {row["episode_id"] for row in records["episode"]}

    assert episodes == {row["episode_id"] for row in records["placement"]}
    assert episodes == {row["episode_id"] for row in records["legal_reason"]}


def test_generate_makes_histories_with_the_published_mix() -> None:
    records = _one(3000).records
    children = len(records["child"])
    episodes = Counter(row["child_id"] for row in records["episode"])
    ended = sum(row["end_date"] is not None for row in records["episode"])

    assert 0.05 < sum(n == 2 for n in episodes.values()) / children < 0.2
    assert 0.2 < ended / len(records["episode"]) < 0.5  # 4,000-5,000 of ~17,000 leave a year
    assert 0.05 < len({row["child_id"] for row in records["permanence"]}) / children < 0.2


def test_generate_placement_types_follow_published_shares_within_two_points() -> None:
    placements = _one(5000).records["placement"]
    share = Counter(row["placement_type"] for row in placements)
    total = len(placements)
    residential = ("RES_LA", "RES_VOL", "RES_SCHOOL", "SECURE", "CRISIS", "RES_OTHER")
    published = {
        "kinship": (share["KIN"], 34),
        "foster": (share["FOSTER_LA"] + share["FOSTER_PURCH"], 32),
        "home": (share["HOME"], 20),
        "residential": (sum(share[c] for c in residential), 11),
        "adopters": (share["ADOPT"], 1),
        "other": (share["COMMUNITY"], 2),
    }

    for group, (count, percent) in published.items():
        assert abs(100 * count / total - percent) < 2, group
    assert sum(count for count, _ in published.values()) == total


def test_generate_seeds_errors_in_about_error_rate_of_children() -> None:
    result = _one(4000, error_rate=0.1)

    # Binomial(4000, 0.1): standard deviation 19, so 80 is over four of them.
    assert abs(result.injected - 400) < 80
    assert len({s.child_id for s in result.seeded}) == result.injected
    assert {s.kind for s in result.seeded} <= set(SEEDED_KINDS)


def test_generate_with_kinds_seeds_only_those_kinds() -> None:
    result = _one(200, error_rate=1.0, kinds=["malformed_scn"])

    assert result.injected == 200
    assert {(s.kind, s.rule_id) for s in result.seeded} == {("malformed_scn", "CLAS-013")}


def test_generate_continuing_care_kind_seeds_the_continuing_care_rule_on_episodes() -> None:
    result = _one(300, error_rate=1.0, kinds=["continuing_care_ineligible"])

    assert result.injected > 10
    assert {(s.kind, s.entity, s.rule_id) for s in result.seeded} == {
        ("continuing_care_ineligible", "episode", "CLAS-015")
    }
    assert _issues(SPEC, result.records) == {(s.entity, s.key, s.rule_id) for s in result.seeded}


def test_generate_continuing_care_kind_seeds_nothing_for_a_version_without_the_rule() -> None:
    older = load_registry().get("clas", "2024-25")
    assert older is not None

    (result,) = generate(
        older,
        councils=[EDINBURGH],
        children_per_council=100,
        error_rate=1.0,
        seed=1,
        kinds=["continuing_care_ineligible"],
    )

    assert result.seeded == []


def test_generate_refuses_a_return_whose_rows_it_cannot_write() -> None:
    quarterly = load_registry().get("cswq")
    assert quarterly is not None

    with pytest.raises(ValueError, match="writes CLAS rows; cswq 2026-Q3 has other entities"):
        generate(quarterly, councils=[EDINBURGH], children_per_council=1, error_rate=0, seed=1)


def test_generate_rejects_a_code_that_is_not_a_council() -> None:
    with pytest.raises(ValueError, match="GSS"):
        generate(SPEC, councils=["LDP"], children_per_council=1, error_rate=0.0, seed=1)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: v or None for k, v in row.items()} for row in reader]
        return list(reader.fieldnames or []), rows


def test_writer_csv_reads_back_as_the_generated_rows(tmp_path: Path) -> None:
    result = _one(300, error_rate=0.3)

    write_returns([result], SPEC, tmp_path, "csv")

    for entity, definition in SPEC.entities.items():
        header, rows = _read_csv(tmp_path / EDINBURGH / f"{entity}.csv")
        assert header == list(definition.fields)
        assert rows == result.records[entity]


def test_writer_json_reads_back_as_the_generated_rows(tmp_path: Path) -> None:
    result = _one(300, error_rate=0.3)

    path = write_json(result, tmp_path)

    assert path == tmp_path / f"{EDINBURGH}.json"
    assert json.loads(path.read_text("utf-8")) == {"council": EDINBURGH, "records": result.records}


def test_writer_manifest_lists_every_seeded_error_with_its_council(tmp_path: Path) -> None:
    returns = generate(
        SPEC, councils=[EDINBURGH, GLASGOW], children_per_council=200, error_rate=0.2, seed=5
    )

    header, rows = _read_csv(write_manifest(returns, tmp_path))

    assert header[:5] == ["council", "entity", "key", "field", "rule_id"]
    expected = [(r.council, s.entity, s.key, s.field, s.rule_id) for r in returns for s in r.seeded]
    assert [
        (m["council"], m["entity"], m["key"], m["field"], m["rule_id"]) for m in rows
    ] == expected
    assert len(expected) > 0


def test_cli_demo_synth_writes_csv_returns_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "synth", "--councils", "2", "--children", "40", "--output", str(tmp_path)])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in out[:2]] == ["S12000005", "S12000006"]
    assert "40 children" in out[0]
    for council in ("S12000005", "S12000006"):
        assert sorted(p.name for p in (tmp_path / council).iterdir()) == sorted(
            f"{entity}.csv" for entity in SPEC.entities
        )
    assert (tmp_path / MANIFEST).is_file()


def test_cli_demo_synth_with_chosen_council_writes_json(tmp_path: Path) -> None:
    args = ["--council", GLASGOW, "--format", "json", "--children", "30", "--seed", "7"]
    code = main(["demo", "synth", *args, "--output", str(tmp_path)])

    data = json.loads((tmp_path / f"{GLASGOW}.json").read_text("utf-8"))
    expected = generate(SPEC, councils=[GLASGOW], children_per_council=30, error_rate=0.05, seed=7)
    assert code == 0
    assert data == {"council": GLASGOW, "records": expected[0].records}


def test_cli_demo_synth_with_unknown_council_fails_without_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "synth", "--council", "S12999999", "--output", str(tmp_path)])

    assert code == 1
    assert "S12999999" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spec", CLAS_VERSIONS, ids=lambda s: s.version)
def test_clean_synthetic_data_raises_no_rule(spec: ReturnSpec) -> None:
    result = generate(spec, councils=[GLASGOW], children_per_council=3000, error_rate=0.0, seed=11)[
        0
    ]

    assert _issues(spec, result.records) == set()


@pytest.mark.parametrize("spec", CLAS_VERSIONS, ids=lambda s: s.version)
def test_seeded_errors_are_exactly_what_validation_finds(spec: ReturnSpec) -> None:
    result = generate(
        spec, councils=[EDINBURGH], children_per_council=400, error_rate=0.25, seed=12
    )[0]
    seeded = {(s.entity, s.key, s.rule_id) for s in result.seeded}

    assert result.injected > 50
    assert _issues(spec, result.records) == seeded


@pytest.mark.parametrize("kind", SEEDED_KINDS)
def test_each_seeded_kind_is_exactly_what_validation_finds(kind: str) -> None:
    result = _one(60, error_rate=1.0, seed=13, kinds=[kind])
    seeded = {(s.entity, s.key, s.rule_id) for s in result.seeded}

    assert result.injected > 0
    assert _issues(SPEC, result.records) == seeded
