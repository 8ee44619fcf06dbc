"""Settings come from LDP_* variables; a bad one stops start-up with one line naming it."""

from __future__ import annotations

import pytest

from ldp_graph.cli import main
from ldp_graph.config import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_default_database_is_embedded_sqlite_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LDP_DATABASE_URL", raising=False)

    assert (
        load_settings().database_url
        == DEFAULT_DATABASE_URL
        == ("sqlite+aiosqlite:///var/ldp.sqlite3")
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_plain_database_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert load_settings(database_url=given).database_url == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LDP_MAX_QUERY_DEPTH", "deep"),
        ("LDP_MAX_PAGE_SIZE", "0"),
        ("LDP_DATABASE_URL", "mysql://x/y"),
        ("LDP_ENVIRONMENT", "staging"),
        ("LDP_RATE_LIMIT_STORAGE", "memcached://cache:11211"),
    ],
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=f"^invalid setting {variable}: "):
        load_settings()


def test_cli_with_bad_setting_prints_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LDP_PORT", "99999")

    assert main(["db", "current"]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ldp-graph: invalid setting LDP_PORT")
