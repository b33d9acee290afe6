"""Reading a scenario from an HTTP request with the CLI's checks, from the request's own files only.

The uploaded files are kept in memory in the upload's own file table
(:class:`planner.scenario.sources.UploadedFiles`); the scenario document is parsed once, by the
guarded parser of :mod:`api.upload_checks`, and :func:`planner.model.load_scenario` builds the
scenario from that document and that table. Nothing is written to disk and no path is opened,
so a scenario cannot make the server read one of its own files, and validation problems
carry the same file, row, field and message as on the command line (``cohorts.csv row 7,
students: ...``).

Accepted bodies:

* ``application/json``: the scenario document (tables inline), read as ``scenario.json``;
* ``application/yaml`` (also ``text/yaml``, ``application/x-yaml``, ``text/plain``): the
  YAML document, read as ``scenario.yaml``;
* ``multipart/form-data``: a part ``scenario`` (the YAML/JSON file, or a scenario workbook
  ``.xlsx`` as ``stageplanner template`` and ``export`` write it) plus any further file
  parts it refers to by name (``cohorts.csv``, ``companies.csv``, a travel matrix CSV, an
  area GeoJSON), each saved under its file name; an optional text field ``region``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.requests import Request
from starlette.types import Message

from api.core.config import Settings
from api.crud import ScenarioContent
from api.errors import PayloadTooLarge, UnsupportedMediaType
from api.schemas.common import NAME_PATTERN
from api.upload_checks import check_loaded, check_upload, read_limits
from planner.i18n import _, current_language, fmt_int, use_language
from planner.model import load_scenario
from planner.scenario import scenario_document
from planner.scenario.problems import InputProblem, ScenarioError
from planner.scenario.sources import TextDecodeError, UploadedFiles, decode_text
from planner.scenario.tables import WORKBOOK_SUFFIXES, TableError, check_zip_directory

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain",
              "application/octet-stream")
MULTIPART = "multipart/form-data"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,120}$")
#: Uploads at least this large, and every upload with an xlsx workbook (whose few kB may hold
#: megabytes of sheet XML), are checked in a separate process, so that reading them holds no
#: lock the server's other requests need; smaller ones in a worker thread.
PROCESS_THRESHOLD_BYTES = 512 * 1024
#: The first bytes of a zip archive (an xlsx workbook, whatever its name).
ZIP_MAGIC = b"PK\x03\x04"
#: Parts and fields of one multipart upload.
MAX_FORM_FILES = 50
MAX_FORM_FIELDS = 50

_pool: ProcessPoolExecutor | None = None
_pool_guard = threading.Lock()


@dataclass
class UploadedFile:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ParsedScenario:
    """A checked scenario from a request: what its version stores, and the region the request names."""

    content: ScenarioContent
    region: str | None = None


def media_type(content_type: str | None) -> str:
    """The bare media type of a Content-Type header (lower case, no parameters)."""
    return (content_type or "").split(";")[0].strip().lower()


def _problem(file: str, message: str, field_name: str | None = None) -> ScenarioError:
    return ScenarioError([InputProblem(file, None, field_name, message)])


def safe_file_name(name: str | None, fallback: str) -> str:
    """The base name of an uploaded file, refusing names that could escape the folder."""
    base = Path((name or "").replace("\\", "/")).name.strip() or fallback
    if not _SAFE_NAME.match(base):
        raise _problem(base, _("is not a usable file name (letters, digits, '.', '_', '-' and spaces; "
                               "not starting with a dot)"))
    return base


def load_upload(scenario_file: UploadedFile, others: list[UploadedFile], source_format: str,
                settings: Settings, region: str | None = None) -> ParsedScenario:
    """Check uploaded files as the CLI would, within the upload limits of ``settings``.

    The document is parsed once, by :func:`api.upload_checks.check_upload`; the scenario is
    built from that document and the upload's own file table, so file references resolve
    only to the uploaded files and no path is opened. Raises :class:`ScenarioError` with every
    problem. Blocking: call it off the event loop.
    """
    names = [scenario_file.name] + [f.name for f in others]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError([InputProblem(n, None, None, _("was uploaded more than once")) for n in duplicates])
    files = UploadedFiles({upload.name: upload.data for upload in [scenario_file, *others]})
    if is_workbook(scenario_file):
        # A scenario workbook (stageplanner template/export): its zip directory is checked before anything is
        # unpacked; the loader reads its settings sheets and tables within the read limits.
        try:
            check_zip_directory(scenario_file.data, scenario_file.name, read_limits(settings))
        except TableError as err:
            raise ScenarioError([err.problem]) from None
        document = None
    else:
        document = check_upload(scenario_file.data, scenario_file.name, settings)
    try:
        loaded = load_scenario(scenario_file.name, files=files, document=document, limits=read_limits(settings))
    except ScenarioError:
        raise
    except RecursionError:
        raise _problem(scenario_file.name, _("is nested too deeply to be a scenario")) from None
    except (ValueError, TypeError, KeyError, OverflowError) as err:
        # The loader promises ScenarioError for every input problem; anything else that
        # escapes is still caused by the input, so say so instead of failing the request.
        raise _problem(scenario_file.name, _("could not be read: {error}").format(error=err)) from None
    scenario = loaded.scenario
    side_files: dict[str, str] = {}
    for name in (scenario.travel.matrix_csv, scenario.area_polygons):
        if name:
            try:
                side_files[name] = decode_text(files.read(name) or b"")
            except TextDecodeError as err:
                raise _problem(name, str(err)) from None
    document = scenario_document(scenario)  # tables inline; rebuilds the same Scenario
    check_loaded(scenario, document, settings, scenario_file.name)
    unstorable = list(_unstorable_text(document, scenario_file.name))
    if unstorable:
        raise ScenarioError(unstorable)
    return ParsedScenario(ScenarioContent(scenario, document, side_files, source_format, list(loaded.warnings)),
                          region)


def _load_outcome(scenario_file: UploadedFile, others: list[UploadedFile], source_format: str,
                  settings: Settings, region: str | None, language: str | None = None,
                  ) -> tuple[ParsedScenario | None, list[InputProblem]]:
    """:func:`load_upload` in a worker process: the problems travel as a list (they pickle).

    A process does not share the request's context, so it is given the request's language.
    """
    try:
        with use_language(language):
            return load_upload(scenario_file, others, source_format, settings, region), []
    except ScenarioError as err:
        return None, err.problems


def _upload_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_guard:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def shutdown_upload_workers() -> None:
    """Stop the process that checks large uploads (the server calls this when it stops)."""
    global _pool
    with _pool_guard:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def is_workbook(upload: UploadedFile) -> bool:
    """Whether a file is (or claims to be) an xlsx workbook: a zip archive, whatever its name."""
    return upload.data.startswith(ZIP_MAGIC) or upload.name.lower().endswith(WORKBOOK_SUFFIXES)


async def check_off_loop(scenario_file: UploadedFile, others: list[UploadedFile], source_format: str,
                         settings: Settings, region: str | None) -> ParsedScenario:
    """:func:`load_upload` away from the event loop: a thread, or a process for large uploads and workbooks."""
    size = len(scenario_file.data) + sum(len(f.data) for f in others)
    if size < PROCESS_THRESHOLD_BYTES and not any(is_workbook(f) for f in [scenario_file, *others]):
        return await run_in_threadpool(load_upload, scenario_file, others, source_format, settings, region)
    pool = _upload_pool()
    try:
        parsed, problems = await asyncio.get_running_loop().run_in_executor(
            pool, _load_outcome, scenario_file, others, source_format, settings, region, current_language())
    except BrokenProcessPool:  # the reader died (out of memory): start a fresh one next time
        global _pool
        with _pool_guard:
            if _pool is pool:
                _pool = None
        raise _problem(scenario_file.name, _("could not be read: the server ran out of resources reading it")) \
            from None
    if problems or parsed is None:
        raise ScenarioError(problems)
    return parsed


def parse_body(content_type: str | None, body: bytes) -> tuple[UploadedFile, str]:
    """The scenario file carried by a JSON or YAML body, and its format name."""
    kind = media_type(content_type)
    if kind in JSON_TYPES or kind.endswith("+json"):
        return UploadedFile("scenario.json", body), "json"
    if kind in YAML_TYPES or kind == "":
        return UploadedFile("scenario.yaml", body), "yaml"
    raise UnsupportedMediaType(
        _("content type {kind} is not supported; send application/json, application/yaml or "
          "multipart/form-data (part 'scenario' plus the CSV files it names)").format(kind=repr(kind))
    )

def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(_("the upload is larger than {bytes} bytes (limit max_upload_mb)").format(
        bytes=fmt_int(max_bytes)))


def _refuse_declared_length(request: Request, max_bytes: int) -> None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)


async def read_form(request: Request, settings: Settings, max_fields: int = MAX_FORM_FIELDS) -> FormData:
    """The request's multipart form, within the upload limits (the API's upload and the web form alike).

    The body is counted as it arrives: past ``settings.max_upload_bytes`` in all (a declared
    ``Content-Length`` or the bytes actually sent, also without one) it is refused with
    :class:`PayloadTooLarge` before more is read; each part is limited to the same size.
    Malformed bodies are a :class:`ScenarioError`. The caller closes the form.
    """
    max_bytes = settings.max_upload_bytes
    _refuse_declared_length(request, max_bytes)
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise _too_large(max_bytes)
        return message

    limited = Request(request.scope, receive=counted)
    try:
        return await limited.form(max_files=MAX_FORM_FILES, max_fields=max_fields, max_part_size=max_bytes)
    except PayloadTooLarge:
        raise
    except Exception as err:  # malformed multipart bodies: the client's mistake
        message = _("is not readable multipart form data ({error})").format(error=err)
        raise ScenarioError([InputProblem("request", "body", None, message)]) from None


async def read_scenario(request: Request, settings: Settings, region: str | None = None) -> ParsedScenario:
    """The scenario in the request body, checked like the CLI checks files.

    The checking runs in a worker thread, so the server keeps answering other requests
    while a large upload is read. Raises :class:`ScenarioError` with every problem,
    :class:`PayloadTooLarge` above ``settings.max_upload_bytes`` and
    :class:`UnsupportedMediaType` for other bodies.
    """
    max_bytes = settings.max_upload_bytes
    _refuse_declared_length(request, max_bytes)
    kind = media_type(request.headers.get("content-type"))
    if kind == MULTIPART:
        return await _read_multipart(request, settings, region)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
    upload, source_format = parse_body(request.headers.get("content-type"), bytes(body))
    return await check_off_loop(upload, [], source_format, settings, region)


async def _read_multipart(request: Request, settings: Settings, region: str | None) -> ParsedScenario:
    max_bytes = settings.max_upload_bytes
    form = await read_form(request, settings)
    try:
        scenario_file: UploadedFile | None = None
        others: list[UploadedFile] = []
        total = 0
        for name, value in form.multi_items():
            if isinstance(value, StarletteUpload):
                data = await value.read()
                total += len(data)
                if total > max_bytes:
                    raise _too_large(max_bytes)
                if name == "scenario":
                    fallback = "scenario.json" if (value.content_type or "").endswith("json") else "scenario.yaml"
                    fallback = "scenario.xlsx" if data.startswith(ZIP_MAGIC) else fallback
                    if scenario_file is not None:
                        raise ScenarioError([InputProblem("request", "body", "scenario", _("was sent more than once"))])
                    scenario_file = UploadedFile(safe_file_name(value.filename, fallback), data)
                else:
                    others.append(UploadedFile(safe_file_name(value.filename, f"{name}.csv"), data))
            elif name == "region":
                region = region or value.strip() or None
            elif name == "scenario":
                scenario_file = UploadedFile("scenario.yaml", value.encode("utf-8"))
            else:
                raise ScenarioError([InputProblem("request", "body", name, _(
                    "is not a known form field; send files as file parts, and only 'region' as a text field"))])
        if scenario_file is None:
            raise ScenarioError([InputProblem("request", "body", "scenario",
                                              _("is required: the scenario file (YAML or JSON) as part 'scenario'"))])
        if region is not None:
            store_region = region.strip()
            if len(store_region) > 200 or not re.fullmatch(NAME_PATTERN, store_region):
                raise ScenarioError([InputProblem("request", "body", "region",
                                                  _("must be 1 to 200 characters without control characters"))])
        return await check_off_loop(scenario_file, others, "multipart", settings, region)
    finally:
        await form.close()



def _unstorable_text(value: Any, file: str, where: str = "") -> Iterator[InputProblem]:
    """Text a database cannot store: NUL characters and lone surrogates (invalid Unicode)."""
    if isinstance(value, str):
        if "\x00" in value:
            yield InputProblem(file, where or None, None, _("contains a NUL character"))
        elif any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            yield InputProblem(file, where or None, None, _("contains invalid Unicode (a lone surrogate)"))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable_text(item, file, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_text(item, file, f"{where}[{index}]")
