"""`ldp-graph validate`: the offline check gives the report the API's dry run gives.

Exit 0 when the return is valid, 1 when it has errors, 2 when the input cannot be used.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from ldp_graph.cli import main
from ldp_graph.specs.model import ReturnSpec
from ldp_graph.specs.registry import load_registry
from ldp_graph.synthetic.records import CouncilReturn
from tests.conftest import Api
from tests.ingest.files import flat_export, synthetic, written, zip_of

# Every field of the report, so the CLI's JSON is compared field for field.
VALIDATE = """
mutation($input: ValidateSubmissionInput!) {
  validateSubmission(input: $input) {
    report {
      specId specVersion valid errorCount queryCount issuesTruncated
      recordsChecked { entity records }
      counts { ruleId severity problems rows }
      issues { problemId ruleId severity entity line key fields value message }
    }
    errors { __typename message field }
  }
}
"""


@pytest.fixture(scope="module")
def spec() -> ReturnSpec:
    found = load_registry().get("clas")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def generated(spec: ReturnSpec) -> CouncilReturn:
    return synthetic(spec, error_rate=0.3)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def _run_in_thread(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # The command runs its own event loop, so from an async test it runs in a thread.
    return await asyncio.to_thread(_run, capsys, *argv)


async def _api_report(api: Api, records: object) -> dict[str, Any]:
    data = await api.graphql(VALIDATE, {"input": {"specId": "clas", "records": records}})
    assert data["validateSubmission"]["errors"] == []
    return data["validateSubmission"]["report"]


def _one_line_lower(report: dict[str, Any]) -> dict[str, Any]:
    """The report as a CSV file gives it: each row one line lower, below the header."""
    issues = [{**i, "line": i["line"] + 1} for i in report["issues"]]
    return {**report, "issues": issues}


def _save(tmp_path: Path, files: list[tuple[str, bytes]]) -> list[str]:
    paths = []
    for name, data in files:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    return paths


async def test_validate_json_records_report_equals_the_api_dry_run(
    api: Api, generated: CouncilReturn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "return.json"
    path.write_text(json.dumps(generated.records), encoding="utf-8")

    code, out, err = await _run_in_thread(
        capsys, "validate", "--spec", "clas", "--format", "json", str(path)
    )

    assert (code, err) == (1, "")  # seeded errors
    assert json.loads(out) == await _api_report(api, generated.records)


async def test_validate_synthetic_csvs_report_equals_the_api_with_file_lines(
    api: Api,
    spec: ReturnSpec,
    generated: CouncilReturn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = _save(tmp_path, written(generated, spec, tmp_path / "written"))

    code, out, _ = await _run_in_thread(
        capsys, "validate", "--spec", "clas", "--format", "json", *paths
    )

    assert code == 1
    online = await _api_report(api, generated.records)
    assert online["issues"]
    assert json.loads(out) == _one_line_lower(online)


async def test_validate_zip_of_the_csvs_report_equals_the_api_with_file_lines(
    api: Api,
    spec: ReturnSpec,
    generated: CouncilReturn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = zip_of({f"S12000036/{n}": d for n, d in written(generated, spec, tmp_path)})
    (path,) = _save(tmp_path, [("S12000036.zip", archive)])

    code, out, _ = await _run_in_thread(
        capsys, "validate", "--spec", "clas", "--format", "json", path
    )

    assert code == 1
    assert json.loads(out) == _one_line_lower(await _api_report(api, generated.records))


def test_validate_clean_flat_export_exits_zero(
    spec: ReturnSpec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = synthetic(spec, error_rate=0, children=10)
    (path,) = _save(tmp_path, [("export.csv", flat_export(spec, clean.records))])

    code, out, _ = _run(capsys, "validate", "--spec", "clas", "--flat", "--format", "json", path)

    report = json.loads(out)
    assert (code, report["valid"], report["issues"]) == (0, True, [])
    checked = {e["entity"]: e["records"] for e in report["recordsChecked"]}
    assert checked["child"] == 10
    assert checked["placement"] == len(clean.records["placement"])


def test_validate_flat_export_with_a_conflicting_repeat_exits_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"child.child_id,child.sex\nC1,F\nC1,M\n"
    (path,) = _save(tmp_path, [("export.csv", data)])

    code, out, _ = _run(capsys, "validate", "--spec", "clas", "--flat", path)

    assert code == 1
    assert "child line 3 [C1] INGEST-001: This row repeats child C1 from line 2" in out


def test_validate_clean_return_exits_zero_and_says_valid(
    spec: ReturnSpec, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = synthetic(spec, error_rate=0, children=10)
    paths = _save(tmp_path, written(clean, spec, tmp_path / "written"))

    code, out, err = _run(capsys, "validate", "--spec", "clas", *paths)

    assert (code, err) == (0, "")
    assert out.startswith("clas 2025-26: valid: 0 errors, 0 queries (10 child, ")


def test_validate_text_lists_summary_counts_then_issues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = _save(tmp_path, [("child.csv", b"child_id,sex\nC1,Q\n")])

    code, out, _ = _run(capsys, "validate", "--spec", "clas", path)

    lines = out.splitlines()
    assert code == 1
    assert lines[0] == (
        "clas 2025-26: NOT valid: 5 errors, 0 queries "
        "(1 child, 0 episode, 0 placement, 0 legal_reason, 0 permanence)"
    )
    assert [line.split() for line in lines[1:3]] == [
        ["CLAS-100", "error", "4", "problems,", "4", "rows"],
        ["CLAS-102", "error", "1", "problems,", "1", "rows"],
    ]
    assert (
        lines[3]
        == "child line 2 [C1] CLAS-100: Council is missing. Every child record needs a value here."
    )
    assert lines[-1].startswith("child line 2 [C1] CLAS-102: 'Q' is not one of the codes")
    assert len(lines) == 3 + 5


def test_validate_text_says_when_issues_are_cut_and_counts_stay_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (path,) = _save(tmp_path, [("child.csv", b"child_id,sex\nC1,Q\n")])

    code, out, _ = _run(capsys, "validate", "--spec", "clas", "--max-issues", "1", path)

    lines = out.splitlines()
    assert (code, len(lines)) == (1, 5)
    assert "5 errors" in lines[0]
    assert lines[-1] == "(only the first 1 issues are listed; counts are exact)"


@pytest.mark.parametrize(
    ("files", "argv", "says"),
    [
        ([("child.csv", b"child_id\nC1\n")], ["--spec", "nope"], "No return specification nope"),
        ([("child.csv", b"child_id\nC1\n")], ["--spec", "clas", "--version", "1999"], "1999"),
        ([("pupil.csv", b"id\n1\n")], ["--spec", "clas"], "pupil.csv: the file name must be"),
        ([("child.csv", b"child_id,shoe\nC1,9\n")], ["--spec", "clas"], "child.csv line 1"),
        ([("r.zip", b"PK\x03\x04x")], ["--spec", "clas"], "r.zip: is not a readable zip"),
        ([("r.json", b"{")], ["--spec", "clas"], "r.json line 1: is not valid JSON"),
        ([("export.csv", b"child_id\nC1\n")], ["--spec", "clas", "--flat"], "entity.field"),
        ([("child.csv", b"child_id\nC1\n")], ["--spec", "clas", "--max-issues", "0"], "maxIssues"),
        (
            [("child.csv", b"child_id\nC1\n")],
            ["--spec", "clas", "--period-start", "2025-01-01"],
            "Give both periodStart and periodEnd",
        ),
    ],
)
def test_validate_unusable_input_exits_two_with_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: list[tuple[str, bytes]],
    argv: list[str],
    says: str,
) -> None:
    paths = _save(tmp_path, files)

    code, out, err = _run(capsys, "validate", *argv, *paths)

    assert (code, out) == (2, "")
    assert err.startswith("ldp-graph: ")
    assert says in err
    assert len(err.strip().splitlines()) == 1


def test_validate_missing_file_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "validate", "--spec", "clas", str(tmp_path / "child.csv"))

    assert code == 2
    assert "No such file" in err
