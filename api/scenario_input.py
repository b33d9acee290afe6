"""Reading a scenario from an HTTP request exactly as the CLI reads it from files.

The uploaded files are written to a temporary folder and loaded with
:func:`planner.io.load_scenario`, so validation problems carry the same file, row, field
and message as on the command line (``cohorts.csv row 7, students: ...``).

Accepted bodies:

* ``application/json``: the scenario document (tables inline), read as ``scenario.json``;
* ``application/yaml`` (also ``text/yaml``, ``application/x-yaml``, ``text/plain``): the
  YAML document, read as ``scenario.yaml``;
* ``multipart/form-data``: a part ``scenario`` (the YAML/JSON file) plus any further file
  parts it refers to by name (``cohorts.csv``, ``companies.csv``, a travel matrix CSV, an
  area GeoJSON), each saved under its file name; an optional text field ``region``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile as StarletteUpload
from starlette.requests import Request

from api.crud import ScenarioContent
from api.errors import PayloadTooLarge, UnsupportedMediaType
from api.schemas.common import NAME_PATTERN
from planner.model import load_scenario
from planner.scenario import scenario_document
from planner.scenario.problems import InputProblem, ScenarioError

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain",
              "application/octet-stream")
MULTIPART = "multipart/form-data"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,120}$")


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
        raise _problem(base, "is not a usable file name (letters, digits, '.', '_', '-' and spaces; "
                             "not starting with a dot)")
    return base


def load_upload(scenario_file: UploadedFile, others: list[UploadedFile], source_format: str,
                region: str | None = None) -> ParsedScenario:
    """Check uploaded files as the CLI would; raises :class:`ScenarioError` with every problem."""
    names = [scenario_file.name] + [f.name for f in others]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError([InputProblem(n, None, None, "was uploaded more than once") for n in duplicates])
    with tempfile.TemporaryDirectory(prefix="stageplanner-upload-") as folder:
        base = Path(folder)
        for upload in [scenario_file, *others]:
            (base / upload.name).write_bytes(upload.data)
        try:
            loaded = load_scenario(base / scenario_file.name)
        except ScenarioError:
            raise
        except RecursionError:
            raise _problem(scenario_file.name, "is nested too deeply to be a scenario") from None
        except (ValueError, TypeError, KeyError, OverflowError) as err:
            # The loader promises ScenarioError for every input problem; anything else that
            # escapes is still caused by the input, so say so instead of failing the request.
            raise _problem(scenario_file.name, f"could not be read: {err}") from None
        scenario = loaded.scenario
        files: dict[str, str] = {}
        for name in (scenario.travel.matrix_csv, scenario.area_polygons):
            if name:
                path = base / name
                try:
                    files[name] = path.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError) as err:
                    raise _problem(name, f"could not be read as UTF-8 text ({err})") from None
    document = scenario_document(scenario)  # tables inline; rebuilds the same Scenario
    unstorable = list(_unstorable_text(document, scenario_file.name))
    if unstorable:
        raise ScenarioError(unstorable)
    return ParsedScenario(ScenarioContent(scenario, document, files, source_format, list(loaded.warnings)), region)


def parse_body(content_type: str | None, body: bytes) -> tuple[UploadedFile, str]:
    """The scenario file carried by a JSON or YAML body, and its format name."""
    kind = media_type(content_type)
    if kind in JSON_TYPES or kind.endswith("+json"):
        return UploadedFile("scenario.json", body), "json"
    if kind in YAML_TYPES or kind == "":
        return UploadedFile("scenario.yaml", body), "yaml"
    raise UnsupportedMediaType(
        f"content type {kind!r} is not supported; send application/json, application/yaml or "
        "multipart/form-data (part 'scenario' plus the CSV files it names)"
    )

async def read_scenario(request: Request, max_bytes: int, region: str | None = None) -> ParsedScenario:
    """The scenario in the request body, checked like the CLI checks files.

    Raises :class:`ScenarioError` with every problem, :class:`PayloadTooLarge` above ``max_bytes``
    and :class:`UnsupportedMediaType` for other bodies.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"the upload is larger than {max_bytes:,} bytes")
    kind = media_type(request.headers.get("content-type"))
    if kind == MULTIPART:
        return await _read_multipart(request, max_bytes, region)
    body = await request.body()
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"the upload is larger than {max_bytes:,} bytes")
    upload, source_format = parse_body(request.headers.get("content-type"), body)
    return load_upload(upload, [], source_format, region)


async def _read_multipart(request: Request, max_bytes: int, region: str | None) -> ParsedScenario:
    try:
        form = await request.form(max_files=50, max_fields=50, max_part_size=max_bytes)
    except Exception as err:  # malformed multipart bodies: the client's mistake
        raise ScenarioError([InputProblem("request", "body", None, f"is not readable multipart form data ({err})")]) \
            from None
    try:
        scenario_file: UploadedFile | None = None
        others: list[UploadedFile] = []
        total = 0
        for name, value in form.multi_items():
            if isinstance(value, StarletteUpload):
                data = await value.read()
                total += len(data)
                if total > max_bytes:
                    raise PayloadTooLarge(f"the upload is larger than {max_bytes:,} bytes")
                if name == "scenario":
                    fallback = "scenario.json" if (value.content_type or "").endswith("json") else "scenario.yaml"
                    if scenario_file is not None:
                        raise ScenarioError([InputProblem("request", "body", "scenario", "was sent more than once")])
                    scenario_file = UploadedFile(safe_file_name(value.filename, fallback), data)
                else:
                    others.append(UploadedFile(safe_file_name(value.filename, f"{name}.csv"), data))
            elif name == "region":
                region = region or value.strip() or None
            elif name == "scenario":
                scenario_file = UploadedFile("scenario.yaml", value.encode("utf-8"))
            else:
                raise ScenarioError([InputProblem("request", "body", name, "is not a known form field; send files "
                                                  "as file parts, and only 'region' as a text field")])
        if scenario_file is None:
            raise ScenarioError([InputProblem("request", "body", "scenario",
                                              "is required: the scenario file (YAML or JSON) as part 'scenario'")])
        if region is not None:
            store_region = region.strip()
            if len(store_region) > 200 or not re.fullmatch(NAME_PATTERN, store_region):
                raise ScenarioError([InputProblem("request", "body", "region",
                                                  "must be 1 to 200 characters without control characters")])
        return load_upload(scenario_file, others, "multipart", region)
    finally:
        await form.close()


def _unstorable_text(value: Any, file: str, where: str = "") -> Iterator[InputProblem]:
    """Text a database cannot store: NUL characters and lone surrogates (invalid Unicode)."""
    if isinstance(value, str):
        if "\x00" in value:
            yield InputProblem(file, where or None, None, "contains a NUL character")
        elif any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            yield InputProblem(file, where or None, None, "contains invalid Unicode (a lone surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable_text(item, file, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_text(item, file, f"{where}[{index}]")
