"""Security headers on every response: the browser's own defences against injected script and framing.

:class:`SecurityHeaders` (an ASGI middleware, registered in :mod:`api.main`) adds to every
answer, pages, API, files and errors alike:

* ``Content-Security-Policy``: scripts only from the service itself, plus inline scripts that
  carry the response's nonce (a fresh random value per response, ``request.state.csp_nonce``);
  no ``'unsafe-inline'`` and no ``eval`` for scripts, no plugins, ``frame-ancestors 'self'``;
* ``X-Frame-Options: SAMEORIGIN`` (older browsers' ``frame-ancestors``);
* ``X-Content-Type-Options: nosniff`` (a text or JSON download is never run as HTML or script);
* ``Referrer-Policy: no-referrer`` (ids in page addresses do not travel to other sites).

A response that sets its own policy keeps it: an institution's printable calendar
(:func:`document_response`) has an inline stylesheet and no script; the maps (:func:`map_response`) are
self-contained pages whose inline scripts are allowed by their SHA-256 hashes, computed when
the file is served. User text never runs there either: every name in a map is escaped before it
is written (:mod:`planner.markup`, ``esc`` in the map's script), and the policy allows no
event-handler attributes and no script from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "Content-Security-Policy"

#: The workbench's pages, the API and Swagger UI (``{nonce}``: the response's nonce).
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'self'")
#: A map page (``{hashes}``: its own inline scripts). Leaflet and the map's script set styles and
#: draw SVG; the optional OpenStreetMap background is the one thing loaded from elsewhere. A map
#: in the workbench runs in a sandboxed frame (its own origin), so it reads no cookie or token.
MAP_POLICY = ("default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
              "img-src data: https://tile.openstreetmap.org; object-src 'none'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'self'")
#: A printable document (an institution's calendar): its own inline stylesheet, and no script at all.
DOCUMENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'self'")
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
}

# An inline script the browser runs: no src, and no type or a JavaScript type (the map's JSON
# data block has type="application/json" and is never run).
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def new_nonce() -> str:
    """A fresh nonce: 16 random bytes, URL-safe base64."""
    return secrets.token_urlsafe(16)


def page_policy(nonce: str) -> str:
    """The policy of a page, an API answer or a file (anything but a map)."""
    return PAGE_POLICY.format(nonce=nonce)


def _runs(attrs: str) -> bool:
    if _SRC.search(attrs):
        return False
    found = _TYPE.search(attrs)
    return (found.group(1).lower() if found else "") in _JS_TYPES


def _scripts(html: str) -> Iterator[tuple[str, str]]:
    """(attributes, body) of each ``<script>`` element, in order. ``str.find`` rather than a regular
    expression: a map embeds megabytes of data. Tags are matched as written (lower case): a script the
    scan does not see, or sees with another body than the browser, gets no hash and does not run."""
    start = html.find("<script")
    while start >= 0:
        open_end = html.find(">", start)
        close = html.find("</script>", open_end)
        if open_end < 0 or close < 0:
            return
        yield html[start + len("<script"):open_end], html[open_end + 1:close]
        start = html.find("<script", close + len("</script>"))


def inline_script_hashes(html: str) -> list[str]:
    """``'sha256-...'`` sources of the inline scripts a page runs, in order, without repeats."""
    hashes: dict[str, None] = {}
    for attrs, body in _scripts(html):
        if _runs(attrs):
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            hashes[f"'sha256-{base64.b64encode(digest).decode('ascii')}'"] = None
    return list(hashes)


def map_policy(html: str) -> str:
    """The policy of a map page: its own inline scripts by hash, nothing else runs."""
    return MAP_POLICY.format(hashes=" ".join(inline_script_hashes(html)) or "'none'")


def map_response(path: Path) -> Response:
    """A map file (self-contained HTML) served with :func:`map_policy` as its policy."""
    html = path.read_text(encoding="utf-8")
    return Response(html, media_type="text/html; charset=utf-8", headers={CSP: map_policy(html)})


def document_response(html: str) -> Response:
    """A self-contained HTML document without scripts (an institution's calendar), under :data:`DOCUMENT_POLICY`."""
    return Response(html, media_type="text/html; charset=utf-8", headers={CSP: DOCUMENT_POLICY})


def with_nonce(html: str, nonce: str) -> str:
    """``html`` with ``nonce`` on each of its inline scripts; for pages the service writes itself
    (never for text a user supplied)."""
    parts, done = [], 0
    for attrs, body in _scripts(html):
        start = html.find("<script", done)
        end = html.find("</script>", start) + len("</script>")
        tag = f'<script nonce="{nonce}"{attrs}>' if _runs(attrs) else f"<script{attrs}>"
        parts += [html[done:start], tag, body, "</script>"]
        done = end
    return "".join(parts) + html[done:]


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; a nonce per request in ``request.state``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if CSP not in headers:
                    headers[CSP] = page_policy(nonce)
                for name, value in FIXED_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
