"""Where a scenario's files come from: an upload's file table holds nothing but its files, text is UTF-8 or
Windows-1252, and table limits are checked while reading (rows) or from the zip directory (workbooks)."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from planner.scenario.sources import (
    FolderFiles,
    ReadLimits,
    TextDecodeError,
    UploadedFiles,
    decode_text,
)
from planner.scenario.tables import TableError, read_table


def _problem(reference: str, files: UploadedFiles | FolderFiles, limits: ReadLimits | None = None) -> str:
    with pytest.raises(TableError) as caught:
        read_table(reference, files, "cohorts", "scenario.yaml", limits)
    return str(caught.value.problem)


@pytest.mark.parametrize("reference", ["/etc/passwd", "../../etc/passwd", "/proc/self/environ", "."])
def test_an_upload_reads_only_its_own_files(reference: str) -> None:
    """A path that exists on the server is not a file of the upload: it does not exist there."""
    files = UploadedFiles({"cohorts.csv": b"id\nc1\n"})
    assert _problem(reference, files).startswith("scenario.yaml, cohorts: table file ")
    assert "does not exist" in _problem(reference, files)


def test_the_command_line_still_reads_next_to_the_scenario(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "cohorts.csv").write_text("id,students\nc1,5\n", encoding="utf-8")
    table = read_table("data/cohorts.csv", FolderFiles(tmp_path), "cohorts", "scenario.yaml")
    assert table.rows == [("row 2", {"id": "c1", "students": "5"})]


@pytest.mark.parametrize(("data", "text"), [("één;twee – €".encode("utf-8-sig"), "één;twee – €"),
                                            ("één;twee – €".encode(), "één;twee – €"),
                                            ("één;twee – €".encode("cp1252"), "één;twee – €")])
def test_text_is_utf8_with_or_without_bom_or_windows_1252(data: bytes, text: str) -> None:
    assert decode_text(data) == text


@pytest.mark.parametrize(("data", "message"), [("id".encode("utf-16"), "UTF-16"), (b"id\x00x", "NUL"),
                                               (b"\x81\x8d", "neither UTF-8 nor Windows-1252")])
def test_other_bytes_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(TextDecodeError, match=message):
        decode_text(data)


def test_csv_rows_stop_at_the_limit() -> None:
    files = UploadedFiles({"cohorts.csv": b"id\n" + b"".join(b"c%d\n" % i for i in range(1000))})
    limits = ReadLimits(max_rows={"cohorts": 999})
    assert _problem("cohorts.csv", files, limits) == (
        "cohorts.csv: has more than 999 rows; at most 999 are accepted (limit max_cohorts)")
    assert len(read_table("cohorts.csv", files, "cohorts", "s.yaml", ReadLimits(max_rows={"cohorts": 1000})).rows) \
        == 1000


def _zip(members: dict[str, bytes]) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return packed.getvalue()


def test_a_workbook_that_would_unpack_too_much_is_refused_from_its_directory() -> None:
    """3 MB of barely packable data, 2 MB allowed: refused before openpyxl sees it (it is not even a workbook)."""
    files = UploadedFiles({"t.xlsx": _zip({"xl/worksheets/sheet1.xml": os.urandom(1_500_000).hex().encode()})})
    assert _problem("t.xlsx", files, ReadLimits(max_unpacked_bytes=2 * 1024 * 1024)) == (
        "t.xlsx: would unpack to 2.9 MB; at most 2.0 MB are accepted (limit max_xlsx_unpacked_mb)")
    assert "not a readable xlsx workbook" in _problem("t.xlsx", files, ReadLimits(max_unpacked_bytes=4 * 1024 * 1024))


def test_a_part_packed_absurdly_well_is_refused() -> None:
    files = UploadedFiles({"t.xlsx": _zip({"xl/sharedStrings.xml": b"<" * 5_000_000})})
    assert "(a zip bomb?)" in _problem("t.xlsx", files, ReadLimits(max_unpack_ratio=100))
