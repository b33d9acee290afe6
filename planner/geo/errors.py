"""Problems in geographic input (place lists, travel matrices, GeoJSON), all reported at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from planner.i18n import _


class GeoInputError(ValueError):
    """Invalid geographic input; carries every problem found, not just the first.

    Parameters
    ----------
    messages : list of str
        One human-readable message per problem, each naming the source
        (file), the location (row or feature) and what is allowed.
    """

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def did_you_mean(value: str, options: Sequence[str]) -> str:
    """A ``" (did you mean 'A', 'B'?)"`` hint for a misspelt name, or ``""`` when nothing is close."""
    close = difflib.get_close_matches(str(value), list(options), n=3, cutoff=0.6)
    return _(" (did you mean {name}?)").format(name=", ".join(map(repr, close))) if close else ""
