"""Where a scenario's files come from: a folder (the command line) or an upload's own file table.

A scenario names its tables, travel matrix and area polygons by file name. Every reader looks
those names up through a :class:`ScenarioFiles`, never through a path of its own:

* :class:`FolderFiles` reads them next to the scenario file, as the command line always has
  (a trusted local folder; relative paths such as ``data/cohorts.csv`` work);
* :class:`UploadedFiles` holds the bytes an HTTP upload sent, by name, and nothing else: a name
  that is not among them is simply not there. No path is ever opened, so no part of a scenario
  can make the server read one of its own files.

Text files are decoded in one place (:func:`decode_text`): UTF-8 with or without a byte order
mark, else Windows-1252 (what Dutch Excel writes its CSV files in). Anything else is refused.
"""

from __future__ import annotations

import codecs
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from planner.i18n import _

#: Byte order marks of encodings that are not read: a UTF-16 or UTF-32 text would decode to noise as Windows-1252.
_FOREIGN_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ScenarioFiles(ABC):
    """The files a scenario may name, looked up by the name it gives."""

    @abstractmethod
    def read(self, name: str) -> bytes | None:
        """The file's bytes; None when there is no such file."""

    def exists(self, name: str) -> bool:
        """Whether the scenario may read a file of that name."""
        return self.read(name) is not None


class FolderFiles(ScenarioFiles):
    """Files in a folder on disk, resolved against it (the command line's trusted local files).

    Parameters
    ----------
    folder
        The scenario file's folder.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def read(self, name: str) -> bytes | None:
        path = self.folder / name
        return path.read_bytes() if path.is_file() else None

    def exists(self, name: str) -> bool:
        return (self.folder / name).is_file()


class UploadedFiles(ScenarioFiles):
    """The files of one upload, in memory, by the names they were sent under; nothing else can be read.

    Parameters
    ----------
    files
        File name -> bytes, as uploaded.
    """

    def __init__(self, files: Mapping[str, bytes]):
        self._files = dict(files)

    def read(self, name: str) -> bytes | None:
        return self._files.get(name)

    def names(self) -> list[str]:
        """The uploaded file names."""
        return list(self._files)


@dataclass(frozen=True)
class ReadLimits:
    """Limits applied while a table is read, before anything is built from it (uploads; None: no limit).

    Attributes
    ----------
    max_rows
        Per table (``cohorts``, ``companies``): the most rows accepted; reading stops at the first row over it.
    max_unpacked_bytes
        An xlsx workbook (a zip archive) may unpack to at most this many bytes, per its zip directory.
    max_unpack_ratio
        No member of a workbook may unpack to more than this many times its compressed size.
    """

    max_rows: Mapping[str, int] = field(default_factory=dict)
    max_unpacked_bytes: int | None = None
    max_unpack_ratio: float | None = None


class TextDecodeError(ValueError):
    """Bytes that are neither UTF-8 nor Windows-1252 text; the message says what was found."""


def decode_text(data: bytes) -> str:
    """A text file's contents: UTF-8 (a leading byte order mark dropped), else Windows-1252.

    Raises
    ------
    TextDecodeError
        For UTF-16/UTF-32 text (recognised by its byte order mark), NUL bytes (binary data)
        and bytes that Windows-1252 does not define.
    """
    if data.startswith(_FOREIGN_BOMS):
        raise TextDecodeError(_("is UTF-16 or UTF-32 text; save it as UTF-8 (or Windows-1252)"))
    if b"\x00" in data:
        raise TextDecodeError(_("is not a text file (it contains NUL bytes)"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise TextDecodeError(_("is neither UTF-8 nor Windows-1252 text")) from None
