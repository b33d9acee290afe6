"""Mistakes of the caller, raised anywhere in the API and answered by :mod:`api.main` with their status.

=========================  ======  ==============================================================
exception                  status  meaning
=========================  ======  ==============================================================
:class:`NotFound`          404     an id or name that does not exist
:class:`Conflict`          409     a request that does not fit the current state
:class:`InvalidInput`      422     well-formed input that is wrong, with every problem found
:class:`PayloadTooLarge`   413     an upload larger than the server accepts
:class:`UnsupportedMediaType`  415  a body that is neither JSON, YAML nor multipart form data
:class:`QueueFull`         429     the solve queue is full; try again after ``Retry-After`` seconds
=========================  ======  ==============================================================
"""

from __future__ import annotations

from planner.scenario.problems import InputProblem


class NotFound(Exception):
    """An id or name that does not exist (HTTP 404)."""


class Conflict(Exception):
    """A request that does not fit the current state (HTTP 409)."""


class InvalidInput(Exception):
    """Input that is well-formed but wrong (HTTP 422), with the problems found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, message: str, where: str = "body") -> InvalidInput:
        """An error about one field of the request."""
        return cls([InputProblem("request", where, field, message)])


class PayloadTooLarge(Exception):
    """The upload is larger than the server accepts (HTTP 413)."""


class UnsupportedMediaType(Exception):
    """The body is neither JSON, YAML nor multipart form data (HTTP 415)."""


class QueueFull(Exception):
    """The solve queue is full (HTTP 429); ``retry_after`` is a fair guess in seconds."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)
