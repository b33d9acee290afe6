"""The browser session of the web workbench: the session cookie and CSRF tokens.

* The session cookie (:data:`api.auth.SESSION_COOKIE`) holds a random session id made at
  sign-in, never the API token (:mod:`api.services.web_sessions` keeps the id's hash and the
  token it belongs to): HttpOnly (no script reads it), SameSite=Strict (no other site's page
  makes the browser send it), Path=/web (API paths never see it), Secure when the page came
  over HTTPS. It is a cookie for the browser's lifetime; the server ends the session itself.
* Every form post carries ``csrf``: an HMAC keyed with the session id, so it differs per
  session, needs no more server-side state and cannot be made without the id. Only a session
  the server still accepts (``request.state.web_session``, set by :mod:`api.auth`) has one. The
  sign-in form, before there is a session, uses a double-submit cookie (:data:`SIGNIN_COOKIE`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from api.auth import SESSION_COOKIE, cookie_value
from planner.i18n import _

#: The cookie of the sign-in form's CSRF token (before there is a session).
SIGNIN_COOKIE = "stageplanner_signin"
#: The form field carrying the CSRF token.
CSRF_FIELD = "csrf"
COOKIE_PATH = "/web"


class CsrfError(Exception):
    """A form post without the right CSRF token (HTTP 403)."""


def csrf_token(session_id: str) -> str:
    """The CSRF token of a session (the same for every form of that session)."""
    return hmac.new(session_id.encode("utf-8"), b"stageplanner web csrf", hashlib.sha256).hexdigest()


def current_session(request: Request) -> str | None:
    """The id of the request's session when the server accepted it, else None."""
    return getattr(request.state, "web_session", None)


def cookie_session(request: Request) -> str | None:
    """The session id in the request's cookie, whether or not the session is still valid."""
    return cookie_value(request.scope, SESSION_COOKIE)


def request_csrf(request: Request) -> str:
    """The CSRF token forms on this page carry (the sign-in token when there is no session)."""
    session_id = current_session(request)
    if session_id is not None:
        return csrf_token(session_id)
    return getattr(request.state, "signin_csrf", None) or cookie_value(request.scope, SIGNIN_COOKIE) or ""


def check_csrf(request: Request, sent: object) -> None:
    """Raise :class:`CsrfError` unless ``sent`` is this session's CSRF token."""
    session_id = current_session(request)
    expected = csrf_token(session_id) if session_id is not None else cookie_value(request.scope, SIGNIN_COOKIE)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError(_("the form has expired or did not come from this site; reload the page and try again"))


def new_signin_csrf(request: Request) -> str:
    """A sign-in CSRF token (kept in the request until the response sets its cookie)."""
    value = cookie_value(request.scope, SIGNIN_COOKIE) or secrets.token_urlsafe(24)
    request.state.signin_csrf = value
    return value


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_signin_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(SIGNIN_COOKIE, value, httponly=True, samesite="strict", path=COOKIE_PATH,
                        secure=_secure(request))


def sign_in(request: Request, response: Response, session_id: str) -> None:
    """Keep the new session's id in the session cookie."""
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path=COOKIE_PATH,
                        secure=_secure(request))
    response.delete_cookie(SIGNIN_COOKIE, path=COOKIE_PATH)


def sign_out(request: Request, response: Response) -> None:
    """Make the browser forget the session cookie (the caller ends the session itself)."""
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=_secure(request))
