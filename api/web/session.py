"""The browser session of the web workbench: the token cookie and CSRF tokens.

* The session cookie (:data:`api.auth.SESSION_COOKIE`) holds the API token the user pasted:
  HttpOnly (no script reads it), SameSite=Strict (no other site's page makes the browser send
  it), Path=/web (API paths never see it), Secure when the page came over HTTPS.
* Every form post carries ``csrf``: an HMAC of the session token, so it differs per session,
  needs no server-side state and cannot be made without the token. The sign-in form, before
  there is a session, uses a double-submit cookie (:data:`SIGNIN_COOKIE`) instead.
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


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session (the same for every form of that session)."""
    return hmac.new(session_token.encode("utf-8"), b"stageplanner web csrf", hashlib.sha256).hexdigest()


def session_token(request: Request) -> str | None:
    """The token in the request's session cookie, else None."""
    return cookie_value(request.scope, SESSION_COOKIE)


def request_csrf(request: Request) -> str:
    """The CSRF token forms on this page carry (the sign-in token when there is no session)."""
    token = session_token(request)
    if token is not None:
        return csrf_token(token)
    return getattr(request.state, "signin_csrf", None) or cookie_value(request.scope, SIGNIN_COOKIE) or ""


def check_csrf(request: Request, sent: object) -> None:
    """Raise :class:`CsrfError` unless ``sent`` is this session's CSRF token."""
    token = session_token(request)
    expected = csrf_token(token) if token is not None else cookie_value(request.scope, SIGNIN_COOKIE)
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


def sign_in(request: Request, response: Response, token: str) -> None:
    """Keep ``token`` in the session cookie."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path=COOKIE_PATH,
                        secure=_secure(request))
    response.delete_cookie(SIGNIN_COOKIE, path=COOKIE_PATH)


def sign_out(response: Response) -> None:
    """Forget the session."""
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
