"""Checks an upload must pass before a scenario is built from it: one guarded parse, limits, file names.

The command line trusts its files: a scenario names its CSV tables, travel matrix and area
polygons by path. A scenario that arrives over HTTP is not trusted. :func:`check_upload` parses
its document, the one time it is parsed, with libyaml (or the JSON reader) under guards; the
loader is then handed that parsed document and the upload's own file table
(:class:`planner.scenario.sources.UploadedFiles`), so it neither parses the document again nor
opens any path. A document the guarded parser cannot read (an unknown ``%FOO`` directive, a
``%YAML 1.3`` header, a second document, a tag it does not know, text that is neither UTF-8 nor
Windows-1252) is refused with a 422; it is never handed to another parser. The guards refuse,
with a 422 naming the limit or field:

* YAML aliases beyond ``max_yaml_aliases`` and any alias use that makes the document grow
  beyond what was sent (the "billion laughs": a few hundred bytes that expand to gigabytes);
* lists and mappings nested deeper than ``max_nesting_depth``;
* more cohorts, companies or areas than allowed, a school year longer than ``max_weeks``;
* names, ids and other short texts longer than ``max_name_length``, a description longer
  than ``max_description_length``;
* file references (``cohorts``, ``companies``, ``travel.matrix_csv``, ``area_polygons``) that
  are absolute or contain ``..`` or folders: they can only name an uploaded file, and a name
  that is not among them does not exist (the file table has nothing else).

Rows of CSV and xlsx tables are counted while they are read (:func:`read_limits`), an xlsx
workbook's zip directory is checked before it is unpacked; :func:`check_loaded` checks the
texts of the tables once they are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from api.core.config import BYTES_PER_MB, Settings
from planner.i18n import _, fmt_int
from planner.scenario import Scenario
from planner.scenario.calendar import week_monday
from planner.scenario.problems import InputProblem, ScenarioError
from planner.scenario.sources import ReadLimits, TextDecodeError, decode_text

#: Aliases may repeat parts of a document, but not make it grow by more than this many nodes.
ALIAS_GROWTH_NODES = 10_000
#: Fields that hold free text and may be longer than a name.
LONG_TEXT_FIELDS = ("description",)
#: Fields that name another file of the upload; ``travel.matrix_csv`` is the nested one.
REFERENCE_FIELDS = ("cohorts", "companies", "area_polygons")

try:  # libyaml parses large uploads many times faster than the pure-Python parser
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _BaseLoader = yaml.SafeLoader


def _limit(file: str, message: str, field_name: str | None = None) -> ScenarioError:
    return ScenarioError([InputProblem(file, None, field_name, message)])


def _node_counts(root: Node, max_depth: int, file: str) -> tuple[int, int, int]:
    """Distinct nodes, nodes counting every alias expanded, and alias uses of a YAML node graph."""
    expanded: dict[int, int] = {}
    aliases = 0

    def visit(node: Node, depth: int) -> int:
        nonlocal aliases
        if depth > max_depth:
            raise _limit(file, _("is nested more than {depth} levels deep (limit max_nesting_depth)").format(
                depth=max_depth))
        key = id(node)
        if key in expanded:
            aliases += 1
            return expanded[key]
        expanded[key] = 1  # a node that contains itself counts once
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(visit(child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(visit(k, depth + 1) + visit(v, depth + 1) for k, v in node.value)
        expanded[key] = size
        return size

    total = visit(root, 1)
    return len(expanded), total, aliases


def read_guarded_yaml(text: str, settings: Settings, file: str) -> Any:
    """A YAML document read with libyaml, refused when aliases or nesting exceed the limits."""
    loader = _BaseLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        distinct, total, aliases = _node_counts(root, settings.max_nesting_depth, file)
        if aliases > settings.max_yaml_aliases:
            raise _limit(file, _("uses {aliases} YAML aliases; at most {limit} are accepted (limit max_yaml_aliases)"
                                 ).format(aliases=aliases, limit=settings.max_yaml_aliases))
        if total > distinct + ALIAS_GROWTH_NODES:
            raise _limit(file, _("YAML aliases expand it to {total} values from {distinct} written ones; aliases may "
                                 "add at most {growth} (limit max_yaml_aliases)").format(
                total=fmt_int(total), distinct=fmt_int(distinct), growth=fmt_int(ALIAS_GROWTH_NODES)))
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _depth(value: Any, max_depth: int, file: str) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise _limit(file, _("is nested more than {depth} levels deep (limit max_nesting_depth)").format(
                depth=max_depth))
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _parser_error(err: Exception) -> str:
    """A parser's complaint and where, without its copy of the input's name (``<unicode string>``)."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem:
        mark = err.problem_mark
        where = _(" (line {line}, column {column})").format(line=mark.line + 1, column=mark.column + 1) \
            if mark else ""
        return ", ".join(part for part in (err.context, err.problem) if part) + where
    return str(err)


def read_document(data: bytes, file: str, settings: Settings) -> dict[str, Any]:
    """The uploaded scenario document, parsed once with the guards; refused when they cannot read it.

    Raises
    ------
    ScenarioError
        When the text is not UTF-8 or Windows-1252, is not valid YAML/JSON for the guarded
        parser, breaks an alias or nesting limit, or is not a mapping.
    """
    try:
        text = decode_text(data)
    except TextDecodeError as err:
        raise _limit(file, str(err)) from None
    try:
        if file.lower().endswith(".json"):
            document = json.loads(text)
            _depth(document, settings.max_nesting_depth, file)
        else:
            document = read_guarded_yaml(text, settings, file)
    except RecursionError:
        raise _limit(file, _("is nested more than {depth} levels deep (limit max_nesting_depth)").format(
            depth=settings.max_nesting_depth)) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as err:
        # ValueError also for YAML values that look like impossible dates (2026-13-45).
        raise _limit(file, _("is not valid YAML/JSON: {error}").format(error=_parser_error(err))) from None
    if not isinstance(document, dict):
        raise _limit(file, _("must be a mapping with calendar, areas, ..."))
    return document


def _references(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for name in REFERENCE_FIELDS:
        value = document.get(name)
        if isinstance(value, str):
            yield name, value
    travel = document.get("travel")
    if isinstance(travel, dict) and isinstance(travel.get("matrix_csv"), str):
        yield "travel.matrix_csv", travel["matrix_csv"]


def reference_problem(field_name: str, reference: str) -> str | None:
    """Why a file reference cannot name an uploaded file; None when it may.

    Only a plain file name can (``cohorts.csv``, ``tables.xlsx#cohorts`` for ``cohorts`` and
    ``companies``); it is looked up among the uploaded files and nowhere else, and a name
    that is not among them is reported by the loader as a missing file.
    """
    name = reference.partition("#")[0] if field_name in ("cohorts", "companies") else reference
    if not name.strip():
        return _("names no file")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or name.startswith(("/", "\\")):
        return _("must be the name of an uploaded file, not an absolute path")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return _("must be the name of an uploaded file; '..' is not allowed")
    if len(parts) > 1:
        return _("must be the name of an uploaded file, without folders")
    return None


def read_limits(settings: Settings) -> ReadLimits:
    """The limits the table readers check while they read an upload's CSV files and xlsx sheets."""
    return ReadLimits(max_rows={"cohorts": settings.max_cohorts, "companies": settings.max_companies},
                      max_unpacked_bytes=int(settings.max_xlsx_unpacked_mb * BYTES_PER_MB),
                      max_unpack_ratio=settings.max_unpack_ratio)


def _text_problems(value: Any, settings: Settings, file: str, where: str = "") -> Iterator[InputProblem]:
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            long_text = path.rsplit(".", 1)[-1] in LONG_TEXT_FIELDS
            limit = settings.max_description_length if long_text else settings.max_name_length
            if len(item) > limit:
                setting = "max_description_length" if long_text else "max_name_length"
                yield InputProblem(file, None, path or None, _(
                    "is {length} characters long; at most {limit} are accepted (limit {setting})").format(
                    length=fmt_int(len(item)), limit=fmt_int(limit), setting=setting))
        elif isinstance(item, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(item))


def _count_problems(counts: dict[str, int], settings: Settings, file: str) -> Iterator[InputProblem]:
    limits = {"cohorts": settings.max_cohorts, "companies": settings.max_companies, "areas": settings.max_areas}
    for name, count in counts.items():
        if count > limits[name]:
            yield InputProblem(file, None, name, _("has {count} rows; at most {limit} are accepted (limit {setting})"
                                                   ).format(count=fmt_int(count), limit=fmt_int(limits[name]),
                                                            setting=f"max_{name}"))


def _week_problem(document: dict[str, Any], settings: Settings, file: str) -> InputProblem | None:
    calendar = document.get("calendar")
    if not isinstance(calendar, dict):
        return None
    try:
        days = (week_monday(str(calendar["last_week"])) - week_monday(str(calendar["first_week"]))).days
    except (KeyError, ValueError, TypeError, OverflowError):
        return None  # the loader reports the bad weeks
    weeks = days // 7 + 1
    if weeks > settings.max_weeks:
        return InputProblem(file, None, "calendar", _("spans {weeks} weeks; at most {limit} are accepted (limit "
                                                      "max_weeks)").format(weeks=fmt_int(weeks),
                                                                           limit=settings.max_weeks))
    return None


def check_upload(data: bytes, file: str, settings: Settings) -> dict[str, Any]:
    """Parse an uploaded scenario file once, with the guards, and refuse it when it breaks a limit.

    Parameters
    ----------
    data, file
        The scenario file's bytes and name.
    settings
        The limits.

    Returns
    -------
    dict
        The parsed document, for the loader (which does not parse it again).

    Raises
    ------
    ScenarioError
        Naming the limit or the field, with every problem found.
    """
    document = read_document(data, file, settings)
    problems: list[InputProblem] = []
    for field_name, reference in _references(document):
        problem = reference_problem(field_name, reference)
        if problem:
            problems.append(InputProblem(file, None, field_name, problem))
    counts = {name: len(document[name]) for name in ("cohorts", "companies", "areas")
              if isinstance(document.get(name), list)}
    problems.extend(_count_problems(counts, settings, file))
    week = _week_problem(document, settings, file)
    if week:
        problems.append(week)
    problems.extend(_text_problems(document, settings, file))
    if problems:
        raise ScenarioError(problems[:50])
    return document


def check_loaded(scenario: Scenario, document: dict[str, Any], settings: Settings, file: str) -> None:
    """Refuse a loaded scenario whose tables (also those from CSV or xlsx files) break a limit.

    ``document`` is the scenario with its tables inline, as it will be stored.
    """
    counts = {"cohorts": len(scenario.cohorts), "companies": len(scenario.companies), "areas": len(scenario.areas)}
    problems = list(_count_problems(counts, settings, file)) + list(_text_problems(document, settings, file))
    if problems:
        raise ScenarioError(problems[:50])
