"""Authentication of every request, before anything else reads it.

:class:`TokenAuthentication` is an ASGI middleware: it reads ``Authorization: Bearer <token>``,
looks the token up (:func:`api.crud.authenticate`), applies the rate limit per token and puts
the caller (:class:`api.core.security.Principal`) in ``request.state.principal``. A request
without a valid token gets 401 (with ``WWW-Authenticate: Bearer``) before its body is read,
so nothing is parsed or stored for it; a token over its rate gets 429 with ``Retry-After``.
Only :data:`OPEN_PATHS` (liveness and the API documentation) are answered without a token.

API requests carry the token only in the header, never in cookies, so a web page elsewhere
cannot make a browser send an authorised API request (no cross-site request forgery). The web
workbench (:mod:`api.web`, paths under :data:`WEB_PREFIX`) is the one exception: its pages read
the HttpOnly, SameSite=Strict session cookie the sign-in form sets. The cookie holds a random
session id, never the token (:mod:`api.services.web_sessions`): it counts only on web paths and
never as a Bearer token, and it stops counting when the session ends. A valid session's id is put
in ``request.state.web_session`` (the per-session CSRF token is derived from it). A web request
without a valid session goes on with no principal; the page sends the browser to the sign-in form.
"""

from __future__ import annotations

import json
import math

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api import crud
from api.core.security import Principal
from api.models import utcnow
from api.services import web_sessions
from planner.i18n import _

#: Paths answered without a token: liveness and the documentation.
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/"})
#: Paths of the web workbench: the session cookie counts there (and only there).
WEB_PREFIX = "/web/"
#: The cookie holding a signed-in browser's session id (HttpOnly, SameSite=Strict, Path=/web).
SESSION_COOKIE = "stageplanner_session"


def cookie_value(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name`` in the request, else None."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie, _, text = part.strip().partition("=")
                if cookie == name and text:
                    return text
    return None


def is_web(path: str) -> bool:
    """Whether ``path`` is a page (or a file) of the web workbench."""
    return path.startswith(WEB_PREFIX) or path == WEB_PREFIX.rstrip("/")


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def _lookup(scope: Scope, token: str) -> Principal | None:
    db = scope["app"].state.db
    return crud.recent_callers.caller(db.single_reads, str(db.engine.url), token)


def _lookup_session(scope: Scope, session_id: str) -> Principal | None:
    with scope["app"].state.db.sessions() as session:
        caller = web_sessions.principal(session, session_id, scope["app"].state.settings, utcnow())
        session.commit()  # the last-seen time, or the removal of an ended session
        return caller


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class TokenAuthentication:
    """The ASGI middleware described in the module documentation."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        web = is_web(scope["path"])
        session_id = cookie_value(scope, SESSION_COOKIE) if token is None and web else None
        if token:
            principal = await run_in_threadpool(_lookup, scope, token)
        elif session_id:
            principal = await run_in_threadpool(_lookup_session, scope, session_id)
        else:
            principal = None
        if principal is None and scope["path"] not in OPEN_PATHS and not web:
            if token is None:
                await _answer(send, 401, _("an API token is needed: send 'Authorization: Bearer <token>'"),
                              {"WWW-Authenticate": "Bearer"})
            else:
                await _answer(send, 401, _("the API token is not valid (unknown, revoked, expired or malformed)"),
                              {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        if principal is not None:
            wait = scope["app"].state.rate_limiter.acquire(principal.token_id)
            if wait > 0:
                await _answer(send, 429, _("too many requests with token {name}; retry in {seconds} s").format(
                    name=repr(principal.name), seconds=math.ceil(wait)), {"Retry-After": str(math.ceil(wait))})
                return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["web_session"] = session_id if principal is not None else None
        await self.app(scope, receive, send)
