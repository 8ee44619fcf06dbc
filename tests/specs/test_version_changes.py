"""A spec version's added, changed and removed rule ids are checked against its previous
version when the specs load: a wrong list is one load error naming the file and the path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from ldp_graph.specs.registry import SpecError, SpecRegistry, default_specs_directory

RETURNS = default_specs_directory()
OLD_TEXT = (RETURNS / "clas-2024-25.yaml").read_text(encoding="utf-8")
NEW_TEXT = (RETURNS / "clas.yaml").read_text(encoding="utf-8")

Change = Callable[[dict], None]


def _write(directory: Path, name: str, text: str, change: Change | None = None) -> None:
    if change is not None:
        data = yaml.safe_load(text)
        change(data)
        text = yaml.safe_dump(data, sort_keys=False)
    (directory / name).write_text(text, encoding="utf-8")


def _load(tmp_path: Path, new: Change | None = None, old: Change | None = None) -> SpecRegistry:
    _write(tmp_path, "clas-2024-25.yaml", OLD_TEXT, old)
    _write(tmp_path, "clas.yaml", NEW_TEXT, new)
    return SpecRegistry.from_directory(tmp_path)


def _rule(data: dict, rule_id: str) -> dict:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def test_shipped_versions_load_with_lists_that_are_the_actual_difference() -> None:
    registry = SpecRegistry.from_directory(RETURNS)
    new = registry.get("clas", "2025-26")

    assert new is not None
    assert (new.changes.added, new.changes.changed, new.changes.removed) == (
        ["CLAS-013Q", "CLAS-015"],
        ["CLAS-011"],
        ["CLAS-030"],
    )


def test_a_correct_list_for_a_new_change_loads(tmp_path: Path) -> None:
    def change(d: dict) -> None:
        _rule(d, "CLAS-001")["message"] = "Child {child_id} appears more than once."
        d["changes"]["changed"].append("CLAS-001")

    registry = _load(tmp_path, change)

    assert registry.get("clas").changes.changed == ["CLAS-011", "CLAS-001"]  # type: ignore[union-attr]


def _changes(**lists: list[str]) -> Change:
    return lambda d: d.setdefault("changes", {}).update(lists)


def _and(*changes: Change) -> Change:
    def both(d: dict) -> None:
        for change in changes:
            change(d)

    return both


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        pytest.param(
            _changes(added=["CLAS-013Q"]),
            "changes.added",
            "CLAS-015 is new in version 2025-26 (not in 2024-25) but not listed",
            id="missing-added",
        ),
        pytest.param(
            _changes(added=["CLAS-013Q", "CLAS-015", "CLAS-001"]),
            "changes.added",
            "CLAS-001 is not new in version 2025-26 (it is in 2024-25)",
            id="added-not-new",
        ),
        pytest.param(
            _changes(changed=["CLAS-011", "CLAS-001"]),
            "changes.changed",
            "CLAS-001 is the same in version 2025-26 as in 2024-25",
            id="changed-unchanged",
        ),
        pytest.param(
            _changes(changed=[]),
            "changes.changed",
            "CLAS-011 differs from version 2024-25 (message, when) but is not listed",
            id="missing-changed",
        ),
        pytest.param(
            _changes(added=["CLAS-013Q"], changed=["CLAS-011", "CLAS-015"]),
            "changes.changed",
            "CLAS-015 is not in version 2024-25, so it is not changed: list it as added",
            id="changed-but-new",
        ),
        pytest.param(
            _changes(removed=["CLAS-030", "CLAS-001"]),
            "changes.removed",
            "CLAS-001 is still a rule of this version",
            id="removed-still-present",
        ),
        pytest.param(
            _changes(removed=[]),
            "changes.removed",
            "CLAS-030 of version 2024-25 is gone from 2025-26 but not listed",
            id="missing-removed",
        ),
        pytest.param(
            _changes(removed=["CLAS-030", "CLAS-099"]),
            "changes.removed",
            "CLAS-099 is not a rule of version 2024-25",
            id="removed-never-there",
        ),
        pytest.param(
            _changes(changed=["CLAS-011", "CLAS-011"]),
            "changes.changed",
            "CLAS-011 is listed twice",
            id="listed-twice",
        ),
        pytest.param(
            lambda d: _rule(d, "CLAS-001").update(description="Any part of a rule counts."),
            "changes.changed",
            "CLAS-001 differs from version 2024-25 (description) but is not listed",
            id="description-only-change",
        ),
        pytest.param(
            lambda d: _rule(d, "CLAS-001").update(severity="query"),
            "changes.changed",
            "CLAS-001 differs from version 2024-25 (severity) but is not listed",
            id="severity-only-change",
        ),
        pytest.param(
            lambda d: d["implied_checks"]["code"].update(message="'{value}' is not a code."),
            "changes.changed",
            "CLAS-102 differs from version 2024-25 (message) but is not listed",
            id="implied-check-change",
        ),
        pytest.param(
            _and(
                lambda d: d["implied_checks"]["code"].update(id="CLAS-103"),
                _changes(added=["CLAS-013Q", "CLAS-015", "CLAS-103"]),
            ),
            "changes.removed",
            "CLAS-102 of version 2024-25 is gone from 2025-26 but not listed",
            id="implied-check-renamed",
        ),
        pytest.param(
            lambda d: d.update(previous_version="2023-24"),
            "previous_version",
            "is 2023-24, but the version of clas before 2025-26 is 2024-25",
            id="wrong-previous-version",
        ),
    ],
)
def test_a_wrong_change_list_is_one_load_error_naming_file_and_path(
    tmp_path: Path, change: Change, path: str, problem: str
) -> None:
    with pytest.raises(SpecError) as raised:
        _load(tmp_path, change)

    assert str(raised.value) == f"clas.yaml: {path}: {problem}"


def test_a_version_leaving_out_previous_version_is_checked_against_the_one_before(
    tmp_path: Path,
) -> None:
    loaded = _load(tmp_path, lambda d: d.pop("previous_version")).get("clas")
    assert loaded is not None
    assert loaded.previous_version == "2024-25"

    with pytest.raises(SpecError) as raised:
        _load(tmp_path, _and(lambda d: d.pop("previous_version"), _changes(removed=[])))

    assert str(raised.value) == (
        "clas.yaml: changes.removed: "
        "CLAS-030 of version 2024-25 is gone from 2025-26 but not listed"
    )


def test_a_first_version_lists_no_changes(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as raised:
        _load(tmp_path, old=_changes(added=["CLAS-001"]))

    assert str(raised.value) == (
        "clas-2024-25.yaml: changes.added: version 2024-25 is the first version of clas: "
        "it has no previous version to change against, so it lists no changes"
    )


def test_a_version_whose_previous_version_is_not_loaded_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "clas.yaml", NEW_TEXT)

    with pytest.raises(SpecError) as raised:
        SpecRegistry.from_directory(tmp_path)

    assert str(raised.value).startswith(
        "clas.yaml: previous_version: version 2024-25 of clas is not loaded"
    )


def test_a_first_version_alone_loads_without_lists(tmp_path: Path) -> None:
    _write(tmp_path, "clas-2024-25.yaml", OLD_TEXT)

    spec = SpecRegistry.from_directory(tmp_path).get("clas")

    assert spec is not None
    assert (spec.previous_version, spec.changes.added, spec.changes.removed) == (None, [], [])


def test_a_third_version_is_checked_against_the_latest_before_it(tmp_path: Path) -> None:
    def third(d: dict) -> None:
        d.update(version="2026-27", previous_version="2025-26")
        _rule(d, "CLAS-001")["severity"] = "query"
        d["changes"] = {"changed": ["CLAS-001"]}

    _write(tmp_path, "clas-2026-27.yaml", NEW_TEXT, third)
    assert _load(tmp_path).get("clas").version == "2026-27"  # type: ignore[union-attr]

    _write(tmp_path, "clas-2026-27.yaml", NEW_TEXT, _and(third, _changes(added=["CLAS-015"])))
    with pytest.raises(SpecError) as raised:
        _load(tmp_path)

    assert str(raised.value) == (
        "clas-2026-27.yaml: changes.added: "
        "CLAS-015 is not new in version 2026-27 (it is in 2025-26)"
    )
