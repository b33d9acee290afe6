"""Checks an upload must pass before the scenario loader reads it: size limits and file references.

The scenario loader (:func:`planner.geo.load_scenario`) trusts its files, as the command line
may: a scenario names its CSV tables, travel matrix and area polygons by path. A scenario that
arrives over HTTP is not trusted, so before it is loaded :func:`check_upload` reads the
document once more with guards and refuses, with a 422 naming the limit or field:

* YAML aliases beyond ``max_yaml_aliases`` and any alias use that makes the document grow
  beyond what was sent (the "billion laughs": a few hundred bytes that expand to gigabytes);
* lists and mappings nested deeper than ``max_nesting_depth``;
* more cohorts, companies or areas than allowed, a school year longer than ``max_weeks``;
* names, ids and other short texts longer than ``max_name_length``, a description longer
  than ``max_description_length``;
* file references (``cohorts``, ``companies``, ``travel.matrix_csv``, ``area_polygons``) that
  are absolute, contain ``..`` or folders, or are symbolic links: only the uploaded files
  can be read. The message names the field, never what a server file holds.

Rows of CSV and xlsx tables are counted by the loader's result (:func:`check_loaded`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from api.core.config import Settings
from planner.i18n import _, fmt_int
from planner.scenario import Scenario
from planner.scenario.calendar import week_monday
from planner.scenario.problems import InputProblem, ScenarioError

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


def read_document(data: bytes, file: str, settings: Settings) -> Any:
    """The uploaded scenario document, read with the guards; None when it is not readable at all.

    A document the guards cannot read is left to the loader, which reports the syntax error
    with its usual message.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if file.lower().endswith(".json"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return None
        _depth(document, settings.max_nesting_depth, file)
        return document
    try:
        return read_guarded_yaml(text, settings, file)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None


def _references(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for name in REFERENCE_FIELDS:
        value = document.get(name)
        if isinstance(value, str):
            yield name, value
    travel = document.get("travel")
    if isinstance(travel, dict) and isinstance(travel.get("matrix_csv"), str):
        yield "travel.matrix_csv", travel["matrix_csv"]


def reference_problem(field_name: str, reference: str, folder: Path) -> str | None:
    """Why a file reference may not be followed inside the upload's ``folder``; None when it may.

    Only a plain file name is followed (``cohorts.csv``, ``tables.xlsx#cohorts`` for ``cohorts``
    and ``companies``), inside the upload's folder, which holds nothing but the uploaded files;
    a name that is not among them is reported by the loader as a missing file. The message
    never shows what another file holds.
    """
    name = reference.partition("#")[0] if field_name in ("cohorts", "companies") else reference
    if not name.strip():
        return "names no file"
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or name.startswith(("/", "\\")):
        return "must be the name of an uploaded file, not an absolute path"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "must be the name of an uploaded file; '..' is not allowed"
    if len(parts) > 1:
        return "must be the name of an uploaded file, without folders"
    path = folder / name
    if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
        return "must be a regular uploaded file"
    return None  # a plain name: it exists in the upload's folder or the loader says it does not


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


def check_upload(data: bytes, file: str, folder: Path, settings: Settings) -> None:
    """Refuse an uploaded scenario file that breaks a limit or refers outside the upload.

    Parameters
    ----------
    data, file
        The scenario file's bytes and name.
    folder
        The upload's temporary folder, holding the uploaded files (and nothing else) under their names.
    settings
        The limits.

    Raises
    ------
    ScenarioError
        Naming the limit or the field, with every problem found.
    """
    document = read_document(data, file, settings)
    if not isinstance(document, dict):
        return  # not a scenario document: the loader says why
    problems: list[InputProblem] = []
    for field_name, reference in _references(document):
        problem = reference_problem(field_name, reference, folder)
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


def check_loaded(scenario: Scenario, document: dict[str, Any], settings: Settings, file: str) -> None:
    """Refuse a loaded scenario whose tables (also those from CSV or xlsx files) break a limit.

    ``document`` is the scenario with its tables inline, as it will be stored.
    """
    counts = {"cohorts": len(scenario.cohorts), "companies": len(scenario.companies), "areas": len(scenario.areas)}
    problems = list(_count_problems(counts, settings, file)) + list(_text_problems(document, settings, file))
    if problems:
        raise ScenarioError(problems[:50])
