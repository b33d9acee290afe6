"""The web workbench: server-rendered pages for consortia, care roundtables and SBB on the API's service.

Pages live under ``/web/`` (Jinja2 templates in ``templates/``, vendored htmx and a small
stylesheet in ``static/``). A browser signs in by pasting its API token and gets a server-side
session (:mod:`api.services.web_sessions`): an HttpOnly, SameSite=Strict cookie with a random
session id, never the token, which :class:`api.auth.TokenAuthentication` reads for ``/web/``
paths only, so every page is authorised by the same principal, role and region checks as the
API (the pages call the API's route functions and :mod:`api.crud`). Form posts carry a
per-session CSRF token (:mod:`api.web.session`). Texts are English in the code,
wrapped in ``_()``, and Dutch by default.

:func:`install` adds the pages, the static files and the offline ``/docs`` to an app.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.core.headers import with_nonce
from api.web.render import STATIC_DIR

STATIC_URL = "/web/static"


def install(app: FastAPI) -> None:
    """Add the web pages, their static files, ``/`` (to the workbench) and an offline ``/docs`` to ``app``."""
    from api.web import plan_pages, proposal_pages, routes, scenario_pages

    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="web-static")
    for module in (routes, scenario_pages, plan_pages, proposal_pages):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/web/", status_code=303)

    def nonced(request: Request, response: HTMLResponse) -> HTMLResponse:
        # Swagger UI's inline start-up script runs under the page policy by the response's nonce.
        html = with_nonce(bytes(response.body).decode("utf-8"), request.state.csp_nonce)
        return HTMLResponse(html, status_code=response.status_code)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return nonced(request, get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - docs",
            swagger_js_url=f"{STATIC_URL}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/swagger/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None}, oauth2_redirect_url="/docs/oauth2-redirect"))

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def docs_redirect(request: Request) -> HTMLResponse:
        return nonced(request, get_swagger_ui_oauth2_redirect_html())
