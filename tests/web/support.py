"""Helpers of the web tests: signing a client in through the form, and reading CSRF tokens from pages."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: httpx.Client, token: str) -> httpx.Response:
    """Sign ``client`` in with ``token`` through the sign-in form; the answer of the post."""
    form = client.get("/web/signin")
    assert form.status_code == 200, form.text
    return client.post("/web/signin", data={"token": token, "csrf": csrf_of(form.text), "next": "/web/"},
                       follow_redirects=False)
