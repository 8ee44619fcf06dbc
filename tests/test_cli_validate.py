"""`ldp-graph validate`: the offline check gives the report the API's dry run gives."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from ldp_graph.cli import main
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic import generate
from ldp_graph.synthetic.writer import write_csv
from tests.api.test_return_specs import VALIDATE
from tests.conftest import Api


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def _run_in_thread(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # The command runs its own event loop, so from an async test it runs in a thread.
    return await asyncio.to_thread(_run, capsys, *argv)


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[dict[str, list[dict[str, str | None]]], list[Path]]:
    spec = load_registry().get("clas")
    assert spec is not None
    (generated,) = generate(
        spec, councils=["S12000036"], children_per_council=30, error_rate=0.3, seed=5
    )
    return generated.records, write_csv(generated, spec, tmp_path)


async def _api_report(api: Api, records: object) -> dict[str, object]:
    data = await api.graphql(VALIDATE, {"input": {"specId": "clas", "records": records}})
    return data["validateSubmission"]["report"]


async def test_json_records_give_exactly_the_api_dry_run_report(
    api: Api, synthetic: tuple[dict, list[Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _ = synthetic
    path = tmp_path / "return.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    code, out, _ = await _run_in_thread(
        capsys, "validate", "--spec", "clas", "--format", "json", str(path)
    )

    assert code == 1  # seeded errors
    offline = json.loads(out)
    online = await _api_report(api, records)
    assert {k: offline[k] for k in online} == online


async def test_csv_files_give_the_api_report_with_file_line_numbers(
    api: Api, synthetic: tuple[dict, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    records, paths = synthetic

    _, out, _ = await _run_in_thread(
        capsys, "validate", "--spec", "clas", "--format", "json", *map(str, paths)
    )

    offline = json.loads(out)
    online = await _api_report(api, records)

    def without_lines(report: dict) -> dict:
        issues = [{k: v for k, v in i.items() if k != "line"} for i in report["issues"]]
        key = lambda i: (i["entity"], i["key"] or "", i["ruleId"], i["fields"])  # noqa: E731
        return {**report, "issues": sorted(issues, key=key)}

    assert without_lines({k: offline[k] for k in online}) == without_lines(online)
    assert all(i["line"] >= 2 for i in offline["issues"] if i["line"] is not None)


def test_a_clean_return_exits_zero_and_says_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = load_registry().get("clas")
    assert spec is not None
    (clean,) = generate(spec, councils=["S12000033"], children_per_council=10, error_rate=0, seed=1)
    paths = write_csv(clean, spec, tmp_path)

    code, out, _ = _run(capsys, "validate", "--spec", "clas", *map(str, paths))

    assert code == 0
    assert "valid: 0 errors" in out


@pytest.mark.parametrize(
    ("name", "content", "argv", "says"),
    [
        ("child.csv", b"child_id\nC1\n", ["--spec", "nope"], "No return specification"),
        ("pupil.csv", b"id\n1\n", ["--spec", "clas"], "pupil.csv"),
        ("child.csv", b"child_id\nC1\n", ["--spec", "clas", "--max-issues", "0"], "maxIssues"),
    ],
)
def test_unusable_input_exits_two_with_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    argv: list[str],
    says: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    code, _, err = _run(capsys, "validate", *argv, str(path))

    assert code == 2
    assert says in err
    assert len(err.strip().splitlines()) == 1
