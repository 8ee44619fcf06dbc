"""Property tests: whatever bytes arrive, the parsers return records or refuse with IngestError.

Any other exception would reach the upload mutation as a masked server error instead of a
message a council officer can act on. Small limits keep each example fast and let the size
checks be reached by small inputs.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldp_graph.ingest import IngestError, Limits, ParsedReturn, parse_files
from ldp_graph.specs.model import ReturnSpec
from tests.ingest.files import CHILD, zip_of

PROPERTY = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    # The session-scoped spec fixture is read-only, so sharing it across examples is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SMALL = Limits(max_files=5, max_total_bytes=64 * 1024, max_field_bytes=256, max_rows=200)

# Text that looks like CSV: the parsers' delimiters, quotes and line ends are common in it.
CSV_ALPHABET = st.sampled_from([",", ";", "\t", '"', "\r", "\n", "\r\n", " ", "\ufeff", "\x00"])
csv_like = st.lists(
    st.one_of(CSV_ALPHABET, st.text(max_size=8), st.sampled_from(["child_id", "sex", "C1"])),
    max_size=60,
).map("".join)
encoded = st.one_of(
    csv_like.map(lambda text: text.encode("utf-8")),
    csv_like.map(lambda text: text.encode("utf-16", "surrogatepass")),
    st.binary(max_size=2048),
)


def parse_or_refuse(spec: ReturnSpec, files: list[tuple[str, bytes]], *, flat: bool) -> None:
    try:
        parsed = parse_files(spec, files, flat=flat, limits=SMALL)
    except IngestError as refused:
        refusal = refused.message
    else:
        assert isinstance(parsed, ParsedReturn)
        return
    assert refusal  # a refusal always says what is wrong


@PROPERTY
@given(data=encoded)
def test_any_bytes_as_an_entity_csv_parse_or_are_refused(spec: ReturnSpec, data: bytes) -> None:
    parse_or_refuse(spec, [("child.csv", data)], flat=False)


@PROPERTY
@given(data=encoded)
def test_any_bytes_as_a_flat_csv_parse_or_are_refused(spec: ReturnSpec, data: bytes) -> None:
    parse_or_refuse(spec, [("export.csv", data)], flat=True)


@PROPERTY
@given(data=st.binary(max_size=2048))
def test_any_bytes_as_a_zip_parse_or_are_refused(spec: ReturnSpec, data: bytes) -> None:
    parse_or_refuse(spec, [("return.zip", data)], flat=False)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=1024), st.text(max_size=200).map(str.encode)))
def test_any_bytes_as_json_parse_or_are_refused(spec: ReturnSpec, data: bytes) -> None:
    parse_or_refuse(spec, [("return.json", data)], flat=False)


@PROPERTY
@given(
    members=st.dictionaries(
        st.one_of(
            st.sampled_from(["child.csv", "episode.csv", "../child.csv", "C:child.csv", "a/"]),
            # zipfile itself cannot write a name holding NUL (it cuts the name there).
            st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=12),
        ),
        encoded,
        max_size=4,
    ),
    flat=st.booleans(),
)
def test_zips_of_arbitrary_members_parse_or_are_refused(
    spec: ReturnSpec, members: dict[str, bytes], flat: bool
) -> None:
    parse_or_refuse(spec, [("return.zip", zip_of(members))], flat=flat)


VALID_ZIP = zip_of({"child.csv": CHILD, "episode.csv": b"episode_id,child_id\nE1,C1\n"})


@PROPERTY
@given(
    damage=st.lists(
        st.tuples(st.integers(0, len(VALID_ZIP) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(1, len(VALID_ZIP)),
)
def test_a_damaged_zip_parses_or_is_refused(
    spec: ReturnSpec, damage: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(VALID_ZIP)
    for position, value in damage:
        data[position] = value
    parse_or_refuse(spec, [("return.zip", bytes(data[:cut]))], flat=False)


@PROPERTY
@given(
    names=st.lists(
        st.one_of(st.sampled_from(["child.csv", "episode.csv", "notes.txt"]), st.text(max_size=10)),
        min_size=1,
        max_size=6,
    ),
    data=encoded,
    flat=st.booleans(),
)
def test_any_set_of_uploaded_names_parses_or_is_refused(
    spec: ReturnSpec, names: list[str], data: bytes, flat: bool
) -> None:
    parse_or_refuse(spec, [(name, data) for name in names], flat=flat)


def test_the_zip_the_damage_starts_from_parses_undamaged(spec: ReturnSpec) -> None:
    assert zipfile.ZipFile(io.BytesIO(VALID_ZIP)).testzip() is None

    parsed = parse_files(spec, [("return.zip", VALID_ZIP)], limits=SMALL)

    assert parsed.record_count == 3  # two children, one episode
