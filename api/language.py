"""The language of every answer: Dutch by default, English on request.

:class:`RequestLanguage` is an ASGI middleware, the outermost one, so every message of a
request (a 401 from :mod:`api.auth` as well as a route's 404 or 422) is in its language. The
language is ``?lang=nl|en`` when given, else the ``lang`` cookie (set by the web workbench's
language switch) when it names a language the planner speaks, else the best fit for the ``Accept-Language`` header
(:func:`planner.i18n.negotiate_language`), else Dutch. The request runs inside
:func:`planner.i18n.use_language` (a context variable, so per request, also in the worker
threads its routes run in) and the answer says which language it is in with ``Content-Language``.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner.codes import LANGUAGES
from planner.i18n import _, check_language, negotiate_language, use_language
from planner.scenario.problems import InputProblem

#: The query parameter that chooses the language.
LANG_PARAMETER = "lang"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    header = _header(scope, b"cookie") or ""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def requested_language(scope: Scope) -> tuple[str, str | None]:
    """The request's language and, for an unknown ``?lang=``, the value asked for (else None)."""
    negotiated = negotiate_language(_header(scope, b"accept-language"))
    chosen = _cookie(scope, LANG_PARAMETER)
    if chosen is not None:
        try:
            negotiated = check_language(chosen)
        except ValueError:
            pass  # a stale or foreign cookie: ignore it
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    asked = query.get(LANG_PARAMETER)
    if not asked:
        return negotiated, None
    try:
        return check_language(asked[-1]), None
    except ValueError:
        return negotiated, asked[-1]


class RequestLanguage:
    """The ASGI middleware described in the module documentation."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language, unknown = requested_language(scope)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"content-language"]
                message = {**message, "headers": [*headers, (b"content-language", language.encode("latin-1"))]}
            await send(message)

        with use_language(language):
            if unknown is not None:
                await _unknown_language(send_with_language, unknown)
                return
            await self.app(scope, receive, send_with_language)


async def _unknown_language(send: Send, asked: str) -> None:
    """422 for ``?lang=`` with a language the planner does not speak, like any invalid query value."""
    problem = InputProblem("request", "query", LANG_PARAMETER, _("{value} is not one of {allowed}").format(
        value=repr(asked), allowed=", ".join(LANGUAGES)))
    body = json.dumps({"detail": [{"file": problem.file, "where": problem.place, "field": problem.field,
                                   "message": problem.message, "text": str(problem)}]}).encode("utf-8")
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
