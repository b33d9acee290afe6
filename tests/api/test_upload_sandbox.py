"""No upload can make the server open a file: fuzzed uploads (directives, tags, BOMs, encodings, several
documents, references to server files, CSV and xlsx parts) are read with an audit hook that fails on every
``open`` except of the package's own read-only data."""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import api
import planner
from api.core.config import Settings
from api.scenario_input import ParsedScenario, UploadedFile, load_upload
from planner.scenario import scenario_document
from planner.scenario.problems import ScenarioError
from tests.builders import tiny_scenario

#: Folders whose files a load may read: the packages' own data (place list, messages) and the installed
#: libraries; nothing may be written there.
READABLE = tuple(str(Path(p).resolve()) + os.sep for p in (
    Path(planner.__file__).parent, Path(api.__file__).parent, sys.prefix, sys.base_prefix))
#: An upload's own temporary folder (``stageplanner-upload-*``) may be used in any way; anything else may not.
UPLOAD_FOLDER = str(Path(tempfile.gettempdir()).resolve() / "stageplanner-upload-")
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: The opens seen while the guard is on; None while it is off (audit hooks cannot be removed).
_opened: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("upload_opens", default=None)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open":
        return
    opened = _opened.get()
    if opened is None:
        return
    path, mode, flags = args
    if isinstance(path, int):  # a descriptor already open (os.fdopen)
        return
    name = os.path.realpath(os.fsdecode(path))
    if name.startswith(UPLOAD_FOLDER):
        return
    writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & _WRITING)
    if writing or not name.startswith(READABLE):
        opened.append(f"{name} ({mode or flags})")
        raise PermissionError(f"an upload opened {name}")


sys.addaudithook(_audit)


@contextlib.contextmanager
def no_file_opened() -> Iterator[list[str]]:
    """Inside the block every ``open`` of this thread but a read in :data:`READABLE` or a use of the upload's own
    folder fails and is listed."""
    opened: list[str] = []
    token = _opened.set(opened)
    try:
        yield opened
    finally:
        _opened.reset(token)


SERVER_FILES = ["/etc/passwd", "/proc/self/environ", "/proc/self/cmdline", "../../etc/passwd", "/dev/zero",
                "~/.bashrc", "file:///etc/passwd", "C:\\Windows\\win.ini", "\\\\host\\share\\x.csv", ".", "",
                "sub/cohorts.csv", "cohorts.csv/../../../etc/passwd", "api.sqlite3", str(Path.cwd() / "pyproject.toml"),
                str(Path(planner.__file__)), "cohorts.csv", "tables.xlsx#cohorts", "companies.csv"]
HEADERS = ["", "%YAML 1.1\n---\n", "%YAML 1.2\n---\n", "%YAML 1.3\n---\n", "%FOO x\n---\n",
           "%TAG !e! tag:example.com,2000:\n---\n", "%TAG ! tag:yaml.org,2002:\n---\n", "---\n", "--- !!map\n",
           "\ufeff", "\ufeff\ufeff", "# comment\n"]
TRAILERS = ["", "\n...\n", "\n---\nb: 1\n", "\n---\n", "\nx: &a [1, 2]\ny: *a\n", "\nz: !!python/object:os.system x\n",
            "\nw: !e!thing 1\n"]


def _tables() -> dict[str, bytes]:
    document = scenario_document(tiny_scenario())
    cohorts = document["cohorts"]
    columns = list(dict.fromkeys(key for row in cohorts for key in row))

    def cell(row: dict[str, Any], column: str) -> Any:
        value = row.get(column)
        return "|".join(map(str, value)) if isinstance(value, list) else value

    text = "\n".join([",".join(columns)] + [",".join("" if cell(r, c) is None else str(cell(r, c)) for c in columns)
                                            for r in cohorts]) + "\n"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "cohorts"
    sheet.append(columns)
    for row in cohorts:
        sheet.append([cell(row, c) for c in columns])
    packed = io.BytesIO()
    workbook.save(packed)
    return {"cohorts.csv": text.encode(), "tables.xlsx": packed.getvalue()}


TABLES = _tables()
LIMITS = Settings(max_cohorts=50, max_companies=50, max_yaml_aliases=20, max_nesting_depth=12)


def _known(header: str, **references: str) -> Any:
    """An example every run tries: a header libyaml refuses and references to the server's files."""
    return example(references=references, header=header, trailer="", encoding="utf-8", as_json=False,
                   parts=["cohorts.csv"], noise=b"")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@_known("%YAML 1.3\n---\n", cohorts="/etc/passwd")
@_known("%FOO x\n---\n", companies="/proc/self/environ", area_polygons="/proc/self/cmdline")
@_known("%YAML 1.3\n---\n", matrix_csv="/etc/passwd")
@given(references=st.dictionaries(st.sampled_from(["cohorts", "companies", "area_polygons", "matrix_csv"]),
                                  st.sampled_from(SERVER_FILES) | st.text(max_size=20), max_size=3),
       header=st.sampled_from(HEADERS), trailer=st.sampled_from(TRAILERS),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), as_json=st.booleans(),
       parts=st.lists(st.sampled_from(["cohorts.csv", "tables.xlsx", "noise.csv", "cohorts.csv.xlsx"]),
                      unique=True, max_size=3),
       noise=st.binary(max_size=200))
def test_no_upload_opens_a_file(references: dict[str, str], header: str, trailer: str, encoding: str,
                                as_json: bool, parts: list[str], noise: bytes) -> None:
    """Whatever the upload, loading it opens no file but the package's own data: 201-like or clear problems."""
    document: dict[str, Any] = scenario_document(tiny_scenario())
    for field_name, reference in references.items():
        if field_name == "matrix_csv":
            document.setdefault("travel", {})["matrix_csv"] = reference
        else:
            document[field_name] = reference
    if as_json:
        name, text = "scenario.json", ("\ufeff" if header.startswith("\ufeff") else "") + json.dumps(document)
    else:
        name, text = "scenario.yaml", header + yaml.safe_dump(document, allow_unicode=True) + trailer
    scenario = UploadedFile(name, text.encode(encoding, "replace"))
    others = [UploadedFile(part, TABLES.get(part, noise)) for part in parts]
    with no_file_opened() as opened:
        try:
            outcome: Any = load_upload(scenario, others, "multipart", LIMITS)
        except ScenarioError as err:
            outcome = err
    assert opened == []
    assert isinstance(outcome, ParsedScenario) or outcome.problems
    if isinstance(outcome, ScenarioError):
        assert all(len(p.message) <= 1001 for p in outcome.problems)


def test_the_guard_catches_an_open() -> None:
    """The hook is live: reading a server file inside the block fails and is listed; outside it, it is not."""
    with no_file_opened() as opened:
        try:
            Path("/etc/hostname").read_bytes()
        except PermissionError:
            pass
    assert opened and opened[0].startswith("/etc/hostname")
    Path(planner.__file__).read_bytes()  # the hook is off again
