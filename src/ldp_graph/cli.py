"""The `ldp-graph` command: serve, db, org, token, demo, validate, submit, schema."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ldp_graph.auth.principal import OPERATOR
from ldp_graph.config import Settings, SettingsError, load_settings
from ldp_graph.db import migrate
from ldp_graph.db.engine import Database
from ldp_graph.domain.organisations import OrganisationKind
from ldp_graph.domain.roles import Role
from ldp_graph.errors import DomainError, InvalidInput
from ldp_graph.services import demo, organisations, tokens

DEFAULT_SCHEMA_PATH = Path("schema/schema.graphql")

Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]


async def _with_database(settings: Settings, work: Callable[[Database], Awaitable[int]]) -> int:
    database = Database(settings.database_url)
    try:
        return await work(database)
    finally:
        await database.dispose()


async def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        await migrate.upgrade(database, args.revision)
        added = await organisations.ensure_reference_organisations(database)
        print(f"database at {args.revision}; {added} reference organisations added")
        return 0

    return await _with_database(settings, work)


async def db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        await migrate.downgrade(database, args.revision)
        print(f"database downgraded to {args.revision}")
        return 0

    return await _with_database(settings, work)


async def db_current(_args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        current = await migrate.current_revisions(database)
        head = migrate.head_revisions()
        print(f"current: {', '.join(sorted(current)) or 'empty'}; head: {', '.join(sorted(head))}")
        return 0 if current == head else 1

    return await _with_database(settings, work)


async def db_check(_args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        current, head = await migrate.current_revisions(database), migrate.head_revisions()
        if current != head:
            print(
                f"not at the head revision ({', '.join(sorted(current)) or 'empty'}); "
                "run `ldp-graph db upgrade`"
            )
            return 1
        differences = await migrate.drift(database)
        for line in differences:
            print(f"drift: {line}")
        if differences:
            print("the tables differ from the migrations: write a migration for the change")
            return 1
        print("the database matches the migrations and the table definitions")
        return 0

    return await _with_database(settings, work)


async def org_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        created = await organisations.create_organisation(
            database, OPERATOR, code=args.code, name=args.name, kind=OrganisationKind(args.kind)
        )
        print(f"created {created.kind.value} {created.code} {created.name}")
        return 0

    return await _with_database(settings, work)


async def org_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        kind = OrganisationKind(args.kind) if args.kind else None
        for org in await organisations.list_organisations(database, OPERATOR, kind):
            print(f"{org.code}\t{org.kind.value}\t{org.name}")
        return 0

    return await _with_database(settings, work)


async def token_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        issued = await tokens.create_token(
            database,
            OPERATOR,
            organisation_code=args.org,
            role=Role(args.role),
            expires_in_days=args.expires_in or settings.token_default_expiry_days,
            label=args.label,
        )
        stored = issued.stored
        expiry = stored.expires_at.isoformat(timespec="seconds") if stored.expires_at else "never"
        print(f"token {stored.id} for {stored.role.value}@{stored.organisation.code}")
        print(f"expires {expiry}; shown once, store it now:")
        print(issued.secret)
        return 0

    return await _with_database(settings, work)


async def token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        token_ids = list(args.id)
        if args.token:
            token_ids.extend(t.split("_")[1] for t in args.token if t.count("_") >= 2)
        revoked = await tokens.revoke_tokens(database, OPERATOR, token_ids)
        print(f"revoked {revoked} token(s)")
        return 0 if revoked else 1

    return await _with_database(settings, work)


async def token_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        for t in await tokens.list_tokens(database, OPERATOR, args.org):
            state = "revoked" if t.revoked_at else "active"
            expiry = t.expires_at.date().isoformat() if t.expires_at else "never"
            print(f"{t.id}\t{t.role.value}@{t.organisation.code}\t{state}\texpires {expiry}")
        return 0

    return await _with_database(settings, work)


async def demo_load(_args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        from ldp_graph.specs.registry import load_registry

        added = await demo.load(database, load_registry())
        print(f"demo data loaded ({added} organisations added)")
        return 0

    return await _with_database(settings, work)


async def demo_tokens(_args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        print(f"Demo bearer tokens (valid {demo.DEMO_TOKEN_DAYS} days; earlier ones revoked):")
        for token in await demo.issue_tokens(database):
            holder = f"{token.role.value}@{token.organisation.code}"
            print(f"  {holder:<36} {token.secret}")
        return 0

    return await _with_database(settings, work)


async def demo_synth(args: argparse.Namespace, _settings: Settings) -> int:
    from ldp_graph.specs.registry import load_registry
    from ldp_graph.synthetic import generate
    from ldp_graph.synthetic.writer import MANIFEST, write_returns

    councils = {council.code: council for council in organisations.scottish_councils()}
    chosen = args.council or sorted(councils)[: args.councils]
    unknown = [code for code in chosen if code not in councils]
    if unknown:
        raise InvalidInput(f"not Scottish council codes: {', '.join(unknown)}", field="council")
    if not chosen:
        raise InvalidInput("choose at least one council", field="councils")
    spec = load_registry().get("clas")
    if spec is None:
        raise InvalidInput("no CLAS specification is loaded")
    try:
        returns = generate(
            spec,
            councils=chosen,
            children_per_council=args.children,
            error_rate=args.error_rate,
            seed=args.seed,
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    write_returns(returns, spec, args.output, args.format)
    for result in returns:
        rows = ", ".join(f"{len(r)} {entity}" for entity, r in result.records.items())
        name = councils[result.council].name
        print(
            f"{result.council} {name}: {args.children} children ({rows}); "
            f"{result.injected} seeded errors"
        )
    print(f"wrote {spec.id} {spec.version} returns ({args.format}) and {MANIFEST} to {args.output}")
    return 0


async def validate_offline(args: argparse.Namespace, _settings: Settings) -> int:
    """Validate exported files (or a JSON file of records) with no server and no database.

    Exit 0 when the return is valid, 1 when it has errors, 2 when the input is unusable.
    """
    import json

    from ldp_graph.services import specs as spec_service
    from ldp_graph.specs.registry import load_registry
    from ldp_graph.validation.report_json import report_json

    try:
        files = [(p.name, p.read_bytes()) for p in args.files]
        # The files go through `ingest.parse_files`, as an upload does, so they give the
        # report the API gives (a .json file of records: exactly validateSubmission's).
        report = await spec_service.validate_files(
            load_registry(),
            spec_id=args.spec,
            version=args.version,
            files=files,
            flat=args.flat,
            period_start=args.period_start,
            period_end=args.period_end,
            max_issues=args.max_issues,
        )
    except (DomainError, OSError, ValueError) as exc:
        print(f"ldp-graph: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        checked = ", ".join(f"{n} {entity}" for entity, n in report.records_checked.items())
        print(f"{report.spec_id} {report.spec_version}: {report.summary()} ({checked})")
        for count in report.counts:
            print(
                f"  {count.rule_id:<12} {count.severity.value:<6} "
                f"{count.problems} problems, {count.rows} rows"
            )
        for issue in report.issues:
            where = f"{issue.entity} line {issue.line}" if issue.line else issue.entity
            print(f"{where} [{issue.key or '-'}] {issue.rule_id}: {issue.message}")
        if report.issues_truncated:
            print(f"(only the first {args.max_issues} issues are listed; counts are exact)")
    return 0 if report.valid else 1


async def submit(args: argparse.Namespace, _settings: Settings) -> int:
    """Upload a council's export to a running ldp-graph and print its report."""
    import csv
    import json
    import os
    import time

    from ldp_graph.client import (
        ClientError,
        LdpClient,
        print_progress,
        print_validated,
        print_waiting,
    )

    token = args.token or os.environ.get("LDP_TOKEN")
    if not token:
        print("ldp-graph: give --token or set LDP_TOKEN", file=sys.stderr)
        return 2
    validating_since: float | None = None  # when the upload ended, once it has

    def waiting(elapsed: float) -> None:
        nonlocal validating_since
        validating_since = time.monotonic() - elapsed
        print_waiting(elapsed)

    try:
        async with LdpClient(args.url, token) as client:
            result = await client.submit_files(
                args.collection,
                args.files,
                flat=args.flat,
                idempotency_key=args.idempotency_key,
                progress=None if args.quiet else print_progress,
                waiting=None if args.quiet else waiting,
            )
            if not args.quiet:
                print_validated(
                    None if validating_since is None else time.monotonic() - validating_since
                )
                validating_since = None  # the line is ended
            issues = await client.issues(result.submission_id, result.version["number"])
    except (ClientError, OSError) as exc:
        if validating_since is not None:
            print(file=sys.stderr)  # end the spinner's line
        print(f"ldp-graph: {exc}", file=sys.stderr)
        return 2
    report = result.report
    print(f"submission {result.submission_id} version {result.version['number']}: {result.state}")
    print(
        f"{result.version['recordCount']} records, {report['errorCount']} errors, "
        f"{report['queryCount']} queries"
        + (" (an earlier identical upload)" if result.replayed else "")
    )
    if report["counts"]:
        print(f"{'rule':<12} {'severity':<8} {'problems':>8} {'rows':>8}")
        for count in report["counts"]:
            print(
                f"{count['ruleId']:<12} {count['severity']:<8} {count['problems']:>8} "
                f"{count['rows']:>8}"
            )
    if args.report is not None:
        if args.report.suffix.lower() == ".json":
            args.report.write_text(json.dumps({**report, "issues": issues}, indent=2), "utf-8")
        else:
            with args.report.open("w", newline="", encoding="utf-8") as handle:
                columns = [
                    "ruleId",
                    "severity",
                    "entity",
                    "line",
                    "key",
                    "fields",
                    "value",
                    "message",
                ]
                # The values are the council's own data: neutralised like any CSV export.
                from ldp_graph.exports.formats import neutralise

                writer = csv.writer(handle)
                writer.writerow(columns)
                for issue in issues:
                    cells = {**issue, "fields": " ".join(issue["fields"])}
                    writer.writerow(neutralise(_cell(cells.get(c))) for c in columns)
        print(f"full report written to {args.report}")
    return 1 if result.failed else 0


def _cell(value: object) -> str | None:
    return None if value is None else str(value)


async def schema_export(args: argparse.Namespace, settings: Settings) -> int:
    from ldp_graph.graphql.schema import export_sdl

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(export_sdl(settings), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ldp_graph.app import create_app
    from ldp_graph.logs import configure as configure_logs
    from ldp_graph.logs import logging_config

    options: dict[str, Any] = {
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_config": logging_config(settings),
        "log_level": settings.log_level.lower(),
        # The app logs each request itself, with its id and without the query string.
        "access_log": False,
    }
    if args.workers > 1:
        if settings.is_sqlite:
            configure_logs(settings)
            logging.getLogger("ldp_graph.cli").warning(
                "%d workers on SQLite: each process's subscriptions see only its own events "
                "(PostgreSQL carries them across processes)",
                args.workers,
            )
        from ldp_graph.metrics import multiprocess_directory

        # Worker processes import the app by name and build it from LDP_* themselves; the
        # supervising process is synchronous and the only thing running on this loop. The
        # workers share one metrics directory, so any of them answers a scrape for them all.
        with multiprocess_directory():
            uvicorn.run(
                "ldp_graph.app:app_from_environment", factory=True, workers=args.workers, **options
            )
        return 0
    await uvicorn.Server(uvicorn.Config(create_app(settings), **options)).serve()
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text}") from None


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ldp-graph", description=__doc__)
    groups = parser.add_subparsers(dest="group", required=True)

    def command(sub: argparse._SubParsersAction, name: str, run: Command, help: str):  # type: ignore[type-arg]
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        return p

    p = command(groups, "serve", serve, "serve the GraphQL API")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--workers",
        type=_count,
        default=1,
        help="server processes (use PostgreSQL for more than one)",
    )

    db = groups.add_parser("db", help="database migrations").add_subparsers(required=True)
    command(db, "upgrade", db_upgrade, "migrate to a revision (default: head)").add_argument(
        "revision", nargs="?", default="head"
    )
    command(db, "downgrade", db_downgrade, "migrate down to a revision").add_argument("revision")
    command(db, "current", db_current, "show the current and head revisions")
    command(db, "check", db_check, "report drift between tables, migrations and the database")

    org = groups.add_parser("org", help="organisations").add_subparsers(required=True)
    p = command(org, "create", org_create, "register a requester or other organisation")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=[k.value for k in OrganisationKind])
    command(org, "list", org_list, "list organisations").add_argument(
        "--kind", choices=[k.value for k in OrganisationKind]
    )

    token = groups.add_parser("token", help="API tokens").add_subparsers(required=True)
    p = command(token, "create", token_create, "issue a bearer token (printed on the last line)")
    p.add_argument("--org", required=True, help="organisation code")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--expires-in", type=int, metavar="DAYS", help="lifetime in days")
    p.add_argument("--label", default="", help="a note to recognise the token by")
    p = command(token, "revoke", token_revoke, "revoke tokens by id or by the token itself")
    p.add_argument("--id", action="append", default=[], help="token id (repeatable)")
    p.add_argument("--token", action="append", default=[], help="the bearer token (repeatable)")
    command(token, "list", token_list, "list tokens (never their secrets)").add_argument("--org")

    demo_group = groups.add_parser("demo", help="demo data").add_subparsers(required=True)
    command(demo_group, "load", demo_load, "load the demo data (idempotent)")
    command(demo_group, "tokens", demo_tokens, "issue fresh demo tokens, one per role")
    p = command(demo_group, "synth", demo_synth, "write synthetic CLAS returns with seeded errors")
    p.add_argument("--councils", type=int, default=3, metavar="N", help="first N councils by code")
    p.add_argument(
        "--council", action="append", default=[], metavar="CODE", help="GSS code (repeatable)"
    )
    p.add_argument("--children", type=int, default=200, metavar="M", help="children per council")
    p.add_argument(
        "--error-rate", type=float, default=0.05, metavar="R", help="share of children with errors"
    )
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--output", type=Path, default=Path("var/synth"))

    p = command(groups, "submit", submit, "upload a council's export to a running ldp-graph")
    p.add_argument("--url", default="http://127.0.0.1:8000", help="the ldp-graph server")
    p.add_argument("--token", help="bearer token (default: $LDP_TOKEN)")
    p.add_argument("--collection", required=True, help="the collection's id")
    p.add_argument("--flat", action="store_true", help="one CSV with entity.field columns")
    p.add_argument("--idempotency-key", help="retry safely: the same key stores one version")
    p.add_argument("--report", type=Path, help="write every issue to this .csv or .json")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE", help="CSVs, or one zip")

    p = command(groups, "validate", validate_offline, "validate exported files offline")
    p.add_argument("--spec", required=True, help="the return, e.g. clas")
    p.add_argument("--version", help="its version (default: the latest)")
    p.add_argument("--flat", action="store_true", help="one CSV with entity.field columns")
    p.add_argument("--period-start", type=_date, help="YYYY-MM-DD (default: the spec's)")
    p.add_argument("--period-end", type=_date, help="YYYY-MM-DD (default: the spec's)")
    p.add_argument("--max-issues", type=int, default=1000)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "files", type=Path, nargs="+", metavar="FILE", help="entity CSVs, a zip, or one .json"
    )

    schema = groups.add_parser("schema", help="the GraphQL schema").add_subparsers(required=True)
    command(schema, "export", schema_export, "write the SDL").add_argument(
        "--output", type=Path, default=DEFAULT_SCHEMA_PATH
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        return asyncio.run(args.run(args, settings))
    except SettingsError as exc:
        print(f"ldp-graph: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"ldp-graph: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
