"""The `ldp-graph` command line: organisations, tokens, demo data and schema export."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ldp_graph.cli import main
from ldp_graph.config import Settings
from ldp_graph.graphql.schema import export_sdl
from tests.conftest import Api

ME = "{ me { role organisation { code } } }"


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, migrated_url: str, capsys: pytest.CaptureFixture[str]):
    """Run the CLI against the test database (in a thread: it runs its own event loop)."""
    monkeypatch.setenv("LDP_DATABASE_URL", migrated_url)

    async def run(*argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


async def test_token_create_prints_a_working_token_on_its_last_line(api: Api, run_cli) -> None:
    code, out, _ = await run_cli(
        "token",
        "create",
        "--org",
        "S12000033",
        "--role",
        "council_submitter",
        "--expires-in",
        "7",
    )
    token = out.strip().splitlines()[-1]

    assert code == 0
    data = await api.graphql(ME, token=token)
    assert data["me"] == {"role": "COUNCIL_SUBMITTER", "organisation": {"code": "S12000033"}}


async def test_token_revoke_by_id_makes_the_token_fail(api: Api, run_cli) -> None:
    _, out, _ = await run_cli("token", "create", "--org", "LDP", "--role", "admin")
    token = out.strip().splitlines()[-1]
    token_id = token.split("_")[1]

    code, out, _ = await run_cli("token", "revoke", "--id", token_id)

    assert (code, out.strip()) == (0, "revoked 1 token(s)")
    assert (await api.post(ME, token=token)).status_code == 401


async def test_token_for_role_that_does_not_fit_the_organisation_is_refused(
    api: Api, run_cli
) -> None:
    code, out, err = await run_cli("token", "create", "--org", "S12000033", "--role", "admin")

    assert code == 1
    assert "Role admin needs an organisation of kind platform" in err
    assert out == ""


async def test_token_for_unknown_organisation_is_refused(api: Api, run_cli) -> None:
    code, _, err = await run_cli("token", "create", "--org", "NOPE", "--role", "end_user")

    assert (code, err.strip()) == (1, "ldp-graph: No organisation has code NOPE.")


async def test_org_create_registers_a_requester(api: Api, run_cli) -> None:
    code, _, _ = await run_cli(
        "org", "create", "--code", "SG-CSWS", "--name", "SG statistics", "--kind", "requester"
    )

    data = await api.graphql('{ organisation(code: "SG-CSWS") { name kind } }')
    assert code == 0
    assert data["organisation"] == {"name": "SG statistics", "kind": "REQUESTER"}


async def test_demo_load_is_idempotent_and_demo_tokens_work(api: Api, run_cli) -> None:
    first_code, _, _ = await run_cli("demo", "load")
    _, second, _ = await run_cli("demo", "load")
    _, tokens_out, _ = await run_cli("demo", "tokens")

    assert first_code == 0
    assert "(0 organisations added)" in second
    secrets = [line.split()[-1] for line in tokens_out.splitlines()[1:]]
    roles = []
    for secret in secrets:
        roles.append((await api.graphql(ME, token=secret))["me"]["role"])
    assert roles == ["COUNCIL_SUBMITTER", "REQUESTER", "REQUESTER", "END_USER", "ADMIN"]


async def test_demo_tokens_revoke_the_previous_demo_tokens(api: Api, run_cli) -> None:
    await run_cli("demo", "load")
    _, before, _ = await run_cli("demo", "tokens")
    await run_cli("demo", "tokens")

    old_secret = before.splitlines()[1].split()[-1]
    assert (await api.post(ME, token=old_secret)).status_code == 401


async def test_schema_export_writes_the_sdl(run_cli, tmp_path: Path, settings: Settings) -> None:
    target = tmp_path / "out" / "schema.graphql"

    code, _, _ = await run_cli("schema", "export", "--output", str(target))

    assert code == 0
    assert target.read_text(encoding="utf-8") == export_sdl(settings)


async def test_db_check_says_the_database_matches_the_migrations(api: Api, run_cli) -> None:
    code, out, _ = await run_cli("db", "check")

    assert code == 0
    assert "matches the migrations" in out
