"""xlsx workbooks in uploads: read from memory in a worker process, rows counted while the sheet streams,
and a zip archive that promises absurd amounts of data refused from its directory before it is unpacked."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.core.config import Settings
from planner.scenario import scenario_document
from planner.scenario.sources import ReadLimits, UploadedFiles
from planner.scenario.tables import TableError, read_table
from tests.api.support import app_client
from tests.builders import tiny_scenario
from tests.scenario.test_tables import write_workbook


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("workbooks")
    settings = Settings(database_url=f"sqlite:///{folder / 'api.sqlite3'}", data_dir=folder / "files",
                        max_cohorts=50, max_companies=50, rate_limit_per_second=1000, rate_limit_burst=1000)
    with app_client(settings) as test_client:
        yield test_client


def _workbook(tmp_path: Path) -> bytes:
    """The tiny scenario's cohorts as sheet ``cohorts`` of an xlsx workbook."""
    write_workbook(tmp_path / "tables.xlsx", {"cohorts": scenario_document(tiny_scenario())["cohorts"]})
    return (tmp_path / "tables.xlsx").read_bytes()


def _rewritten(workbook: bytes, change: Any) -> bytes:
    """The workbook with its first sheet's XML replaced by ``change(xml)``, packed again."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(member.filename, data)
    return packed.getvalue()


def _upload(client: Any, workbook: bytes) -> Any:
    document = scenario_document(tiny_scenario())
    document["cohorts"] = "tables.xlsx#cohorts"
    files = [("scenario", ("scenario.yaml", yaml.safe_dump(document).encode(), "application/yaml")),
             ("tables", ("tables.xlsx", workbook, "application/octet-stream"))]
    return client.post("/scenarios", files=files, data={"region": "Workbooks"})


def _problems(response: Any) -> str:
    assert response.status_code == 422, response.text[:500]
    return " | ".join(p["text"] for p in response.json()["detail"])


def test_a_small_xlsx_with_a_huge_sheet_is_refused_quickly(client: Any, tmp_path: Path) -> None:
    """30,000 copies of a row (15 MB of sheet XML in a 1.2 MB file): the row limit stops the stream at row 52."""
    workbook = _workbook(tmp_path)
    assert _upload(client, workbook).status_code == 201  # also starts the worker process, not timed

    def many_rows(xml: str) -> str:
        row = re.sub(r'(r="[A-Z]*)2"', r'\g<1>{n}"', re.search(r'<row r="2".*?</row>', xml, re.S)[0])
        copies = "".join(row.format(n=n) for n in range(100, 30_100))
        xml = re.sub(r'<dimension ref="([A-Z]+)1:([A-Z]+)\d+"', r'<dimension ref="\g<1>1:\g<2>30099"', xml)
        return xml.replace("</sheetData>", copies + "</sheetData>")

    bomb = _rewritten(workbook, many_rows)
    assert len(bomb) < 2_000_000
    text = _problems(_upload(client, bomb))
    assert text == "tables.xlsx sheet cohorts: has more than 50 rows; at most 50 are accepted (limit max_cohorts)"
    # The reader stops at the first row over the limit: of the 30,001 rows, the header and 51 are parsed.
    with _rows_parsed() as parsed, pytest.raises(TableError, match="50"):
        read_table("tables.xlsx", UploadedFiles({"tables.xlsx": bomb}), "cohorts", "scenario.yaml",
                   ReadLimits(max_rows={"cohorts": 50}))
    assert parsed == [52]


def test_a_zip_bomb_is_refused_from_its_directory(client: Any, tmp_path: Path) -> None:
    """Sheet XML padded with 30 MB of spaces packs 1,000 to 1: refused before a byte of it is unpacked."""
    bomb = _rewritten(_workbook(tmp_path), lambda xml: xml.replace("</sheetData>", " " * 30_000_000 + "</sheetData>"))
    assert len(bomb) < 100_000
    text = _problems(_upload(client, bomb))
    assert text.startswith("tables.xlsx: has a part that unpacks to ") and "(a zip bomb?)" in text
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    with pytest.MonkeyPatch.context() as patch, pytest.raises(TableError, match="100"):
        patch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(str(name))
                      or real_open(self, name, *a, **k))
        read_table("tables.xlsx", UploadedFiles({"tables.xlsx": bomb}), "cohorts", "scenario.yaml",
                   ReadLimits(max_unpacked_bytes=200 * 2**20, max_unpack_ratio=100))
    assert opened == []  # no part was unpacked: the directory alone refused it


@contextlib.contextmanager
def _rows_parsed() -> Iterator[list[int]]:
    """Count the rows of sheet XML that openpyxl's streaming reader parses (one count per sheet read)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    counts: list[int] = []
    real = WorkSheetParser.parse

    def counting(self):  # noqa: ANN001, ANN202
        counts.append(0)
        for row in real(self):
            counts[-1] += 1
            yield row

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WorkSheetParser, "parse", counting)
        yield counts
