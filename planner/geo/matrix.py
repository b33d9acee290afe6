"""Measured travel times: a ``from,to,mode,minutes`` table read into one matrix per mode.

Consortia export these from a routing engine or a spreadsheet; every problem is reported
with its file and row (the header is row 1). :meth:`planner.geo.travel.TravelNetwork.with_matrix`
applies the result over the estimated times.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.geo.errors import GeoInputError, did_you_mean
from planner.i18n import _

MATRIX_COLUMNS = ("from", "to", "mode", "minutes")


def _parse_minutes(text: str) -> float | None:
    text = text.strip()
    if "," in text and "." not in text:
        # Decimal comma, as written by Dutch spreadsheet exports.
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def records_from_frame(frame: pd.DataFrame, source: str) -> list[tuple[int, dict[str, str | None]]]:
    """Rows of a long-format frame as ``(row number, {from, to, mode, minutes})``; the header is row 1."""
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in MATRIX_COLUMNS if c not in columns]
    if missing:
        raise GeoInputError([_missing_columns_message(source, missing)])
    records = []
    for pos, row in enumerate(frame[[columns[c] for c in MATRIX_COLUMNS]].itertuples(index=False)):
        records.append((pos + 2, {c: (None if pd.isna(v) else str(v)) for c, v in zip(MATRIX_COLUMNS, row)}))
    return records


def _missing_columns_message(source: str, missing: Sequence[str]) -> str:
    return _("{source}: missing column(s) {missing}; expected columns: {columns}").format(
        source=source, missing=", ".join(missing), columns=",".join(MATRIX_COLUMNS))


def build_matrices(
    records: Sequence[tuple[int, Mapping[str, str | None]]],
    source: str,
    names: Sequence[str] | None,
    modes: Iterable[str] | None,
) -> dict[str, pd.DataFrame]:
    """Validate long-format rows into per-mode square frames (NaN: not given).

    Without ``names``/``modes`` any non-empty value is accepted and the frames
    span the areas named in the rows; the frames then carry ``attrs`` (source
    and row numbers) so :meth:`TravelNetwork.with_matrix` can report rows.
    """
    if names is None:
        mentioned = ((rec.get(field) or "").strip() for _, rec in records for field in ("from", "to"))
        names = [name for name in dict.fromkeys(mentioned) if name]
        area_check = False
    else:
        area_check = True
    pos = {name: i for i, name in enumerate(names)}
    known_modes = sorted(modes) if modes is not None else None
    errors: list[str] = []
    given: dict[tuple[str, int, int], tuple[int, float]] = {}
    for row, rec in records:
        prefix = _("{source} row {row}").format(source=source, row=row)
        parsed: dict[str, Any] = {}
        for field in ("from", "to"):
            value = (rec.get(field) or "").strip()
            if value in pos:
                parsed[field] = pos[value]
            elif area_check:
                errors.append(_("{prefix}, {field}: {value} is not a known area{hint}").format(
                    prefix=prefix, field=field, value=repr(value), hint=did_you_mean(value, names)))
            else:
                errors.append(_("{prefix}, {field}: missing; give an area name").format(prefix=prefix, field=field))
        mode = (rec.get("mode") or "").strip()
        if known_modes is not None and mode not in known_modes:
            errors.append(_("{prefix}, mode: {mode} is not one of {allowed}").format(
                prefix=prefix, mode=repr(mode), allowed=", ".join(known_modes)))
        elif not mode:
            errors.append(_("{prefix}, mode: missing; give a travel mode").format(prefix=prefix))
        else:
            parsed["mode"] = mode
        raw = rec.get("minutes") or ""
        minutes = _parse_minutes(raw)
        if minutes is None:
            errors.append(_("{prefix}, minutes: {value} is not a non-negative number").format(
                prefix=prefix, value=repr(raw.strip())))
        else:
            parsed["minutes"] = minutes
        if len(parsed) == 4:
            key = (parsed["mode"], parsed["from"], parsed["to"])
            if key in given:
                pair = f"{names[key[1]]} -> {names[key[2]]} ({key[0]})"
                errors.append(_("{prefix}: {pair} is already given in row {row}").format(
                    prefix=prefix, pair=pair, row=given[key][0]))
            else:
                given[key] = (row, parsed["minutes"])
    if errors:
        raise GeoInputError(errors)
    n = len(names)
    values: dict[str, np.ndarray] = {}
    rows: dict[str, dict[tuple[str, str], int]] = {}
    for (mode, a, b), (row, minutes) in given.items():
        values.setdefault(mode, np.full((n, n), np.nan))[a, b] = minutes
        rows.setdefault(mode, {})[(names[a], names[b])] = row
    for (mode, a, b), (_row, minutes) in given.items():
        # One direction stands for both unless the reverse is given too.
        if (mode, b, a) not in given:
            values[mode][b, a] = minutes
    frames = {}
    for mode, matrix in values.items():
        frame = pd.DataFrame(matrix, index=list(names), columns=list(names))
        frame.attrs = {"source": source, "rows": rows[mode]}
        frames[mode] = frame
    return frames


def unreadable_matrix_message(source: str, error: object) -> str:
    """The message for a travel matrix file that is not text."""
    return _("{source}: cannot be read as UTF-8 text ({error})").format(source=source, error=error)


def travel_matrix_from_csv(
    path: str | Path,
    areas: Iterable[str] | None = None,
    modes: Iterable[str] | None = None,
    text: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Read measured travel times from a ``from,to,mode,minutes`` CSV.

    Parameters
    ----------
    path : str or Path
        CSV with header ``from,to,mode,minutes`` (comma or semicolon
        separated, decimal point or comma; extra columns are ignored), e.g.
        exported from a routing engine. A pair given in one direction only
        applies to both.
    areas : iterable of str, optional
        Known area names. When omitted, area names are checked later by
        :meth:`TravelNetwork.with_matrix` (still reported by row).
    modes : iterable of str, optional
        Known mode names; likewise checked later when omitted.
    text : str, optional
        The file's contents when already read (an upload's file); ``path`` then only names it.

    Returns
    -------
    dict of str to pandas.DataFrame
        Per mode present in the file, a square matrix (over ``areas``, or the
        areas named in the file) with NaN where no time was given. Feed it to
        :meth:`TravelNetwork.with_matrix`.

    Raises
    ------
    GeoInputError
        Listing every problem as ``<file> row <n>, <field>: ...``; the header
        is row 1, so the first data row is row 2.

    Notes
    -----
    :meth:`TravelNetwork.with_matrix_csv` passes the network's areas and modes,
    so all problems of a file are reported together.
    """
    path = Path(path)
    source = path.name
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise GeoInputError([unreadable_matrix_message(source, exc)]) from exc
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise GeoInputError([_("{source}: file is empty; expected header {header}").format(
            source=source, header=",".join(MATRIX_COLUMNS))])
    columns = [h.strip().lower() for h in header]
    missing = [c for c in MATRIX_COLUMNS if c not in columns]
    if missing:
        raise GeoInputError([_missing_columns_message(source, missing)])
    where = {c: columns.index(c) for c in MATRIX_COLUMNS}
    records = []
    try:
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            records.append((row_number, {c: (row[i] if i < len(row) else None) for c, i in where.items()}))
    except csv.Error as exc:
        raise GeoInputError([_("{source} row {row}: not valid CSV ({error})").format(
            source=source, row=reader.line_num, error=exc)]) from exc
    return build_matrices(records, source, None if areas is None else list(areas), modes)
