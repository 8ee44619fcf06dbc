"""The persisted-query store and allow-list manifests, without HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ldp_graph.config import SettingsError, load_settings
from ldp_graph.persisted_queries import ManifestError, PersistedQueries, Refused, load_manifest

CALENDAR = "query Calendar { calendar { daysUntilDue } }"
ME = "query Me { me { role } }"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def extension(document: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}


def test_the_apq_store_forgets_the_least_recently_used_document_past_its_size() -> None:
    store = PersistedQueries("apq", cache_bytes=len(CALENDAR) + len(ME))
    third = "query T { __typename }"  # no longer than ME, so one eviction makes room
    store.remember(sha256(CALENDAR), CALENDAR)
    store.remember(sha256(ME), ME)
    store.resolve(None, extension(CALENDAR))  # CALENDAR is now the most recently used

    store.remember(sha256(third), third)

    assert store.resolve(None, extension(CALENDAR)) == (CALENDAR, None)
    assert store.resolve(None, extension(third)) == (third, None)
    with pytest.raises(Refused) as refused:
        store.resolve(None, extension(ME))
    assert refused.value.code == "PERSISTED_QUERY_NOT_FOUND"


def test_a_document_larger_than_the_store_runs_but_is_not_kept() -> None:
    store = PersistedQueries("apq", cache_bytes=10)

    resolved = store.resolve(CALENDAR, extension(CALENDAR))
    store.remember(sha256(CALENDAR), CALENDAR)

    assert resolved == (CALENDAR, sha256(CALENDAR))
    with pytest.raises(Refused):
        store.resolve(None, extension(CALENDAR))


def test_hashes_are_matched_whatever_their_letter_case() -> None:
    store = PersistedQueries("allowlist", {sha256(ME): ME})
    upper = {"persistedQuery": {"version": 1, "sha256Hash": sha256(ME).upper()}}

    assert store.resolve(None, upper) == (ME, None)


def test_a_codegen_manifest_is_read_as_hash_to_document(tmp_path: Path) -> None:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256(ME): ME, sha256(CALENDAR): CALENDAR}))

    assert load_manifest(path) == {sha256(ME): ME, sha256(CALENDAR): CALENDAR}


def test_an_apollo_manifest_is_read_by_operation_id(tmp_path: Path) -> None:
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha256(ME), "name": "Me", "type": "query", "body": ME}],
            }
        )
    )

    assert load_manifest(path) == {sha256(ME): ME}


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (json.dumps({hashlib.sha1(ME.encode()).hexdigest(): ME}), "is not the sha256 hash"),  # noqa: S324 - the mistake under test
        (json.dumps({}), "lists no operations"),
        (json.dumps([ME]), "expected an object"),
        (json.dumps({sha256(ME): 1}), "string id and document"),
        ("{", "is not JSON"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 2}), "version 1"),
    ],
)
def test_a_wrong_manifest_is_refused_with_the_reason(
    tmp_path: Path, content: str, complaint: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)

    with pytest.raises(ManifestError, match=complaint):
        load_manifest(path)


def test_allowlist_mode_without_a_manifest_stops_start_up_naming_the_setting() -> None:
    with pytest.raises(
        SettingsError, match=r"^invalid setting LDP_OPERATION_ALLOWLIST: .*manifest"
    ):
        load_settings(persisted_queries="allowlist")


def test_a_missing_manifest_stops_start_up_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^invalid setting LDP_OPERATION_ALLOWLIST: .*read"):
        load_settings(
            persisted_queries="allowlist", operation_allowlist=str(tmp_path / "absent.json")
        )
