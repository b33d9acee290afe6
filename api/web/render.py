"""Rendering pages: the Jinja2 environment (with ``_`` and the number formats), the signed-in
user of a page, form posts with their CSRF check, and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.core.security import Principal, Role
from api.errors import InvalidInput
from api.web.session import CSRF_FIELD, check_csrf, request_csrf
from planner.codes import LEVELS, SECTOR_CHAMBERS, level_label, mode_label, sector_label
from planner.i18n import _, current_language, fmt_int, fmt_num, fmt_pct, fmt_signed, ngettext
from planner.plan.reasons import form_text
from planner.report.tables import phase_text
from planner.scenario.calendar import forms_in_words
from planner.whatif.effects import effect_text, gap_text, where_text

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"



def mode_text(mode: str) -> str:
    """A plan mode in the page's language (``status-quo`` -> ``status quo``)."""
    return mode_label(mode, current_language())


def status_text(status: str) -> str:
    """A job status in the page's language."""
    return {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"),
            "cancelled": _("cancelled")}.get(status, status)


def kind_text(kind: str) -> str:
    """A what-if change in words."""
    return {"add_capacity": _("extra places"), "allow_forms": _("form allowed"), "move_window": _("window moved"),
            "scale_inflow": _("inflow changed"), "scale_capacity": _("places scaled"),
            "add_companies": _("companies added"), "remove_companies": _("companies removed"),
            "convert_forms": _("forms converted"), "widen_window": _("window widened"),
            "set_cohort_fields": _("cohorts changed"), "set_weights": _("weights changed"),
            "add_recognitions": _("recognitions added"), "remove_recognitions": _("recognitions withdrawn"),
            "add_qualification_places": _("places for one qualification")}.get(kind, kind)


def changed_text(key: str) -> str:
    """What a variant changes (``companies_changed``) in words."""
    return {"cohorts_added": _("cohorts added"), "cohorts_removed": _("cohorts removed"),
            "cohorts_changed": _("cohorts changed"), "companies_added": _("companies added"),
            "companies_removed": _("companies removed"), "companies_changed": _("companies changed")}.get(key, key)


def sweep_name(name: str) -> str:
    """A row of a sweep: the base scenario has no variant name."""
    return _("the scenario itself") if name == "base" else name


def chart_title(name: str) -> str:
    return {"weekly_capacity": _("Weekly supervision demand against capacity per sector chamber"),
            "shortage_cells": _("Students without a place per stagebarometer cell (sector chamber x pathway x level)"),
            "reachable_capacity": _("Demand against the capacity within the travel limit, per sector chamber and level"),
            }.get(name, name)


def download_text(name: str) -> str:
    return {"schedule.csv": _("the calendar per cohort and wave"),
            "shortages.csv": _("students without a place per cell"),
            "shortage_weeks.csv": _("students without a place per cell and week"),
            "utilisation.csv": _("places used per company and week"),
            "changes.csv": _("what changes per cohort (current and proposed)"),
            "changes.xlsx": _("what changes, a sheet per institution"),
            "summary.md": _("readable summary"), "plan.json": _("the whole plan"),
            "outputs.zip": _("every file at once")}.get(name, "")


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(_=_, ngettext=ngettext, form_text=form_text, form_words=forms_in_words,
                             fmt_int=fmt_int, fmt_num=fmt_num, fmt_pct=fmt_pct,
                             fmt_signed=fmt_signed, sector_label=sector_label, level_label=level_label,
                             mode_text=mode_text, status_text=status_text, kind_text=kind_text, phase_text=phase_text,
                             changed_text=changed_text, sweep_name=sweep_name, chart_title=chart_title,
                             download_text=download_text, effect_text=effect_text, gap_text=gap_text,
                             where_text=where_text, SECTORS=list(SECTOR_CHAMBERS), LEVELS=list(LEVELS))


class SignInRequired(Exception):
    """The page needs a signed-in user (answered with a redirect to the sign-in form)."""


def web_principal(request: Request) -> Principal:
    """The signed-in user of a page (from the session cookie, checked by :mod:`api.auth`)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise SignInRequired()
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]


def role_label(role: str) -> str:
    return {Role.reader: _("reader"), Role.editor: _("editor"), Role.analyst: _("analyst"),
            Role.admin: _("administrator"), Role.school: _("school editor")}.get(role, role)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page; every template sees the user, the CSRF token, the language and the path."""
    principal = getattr(request.state, "principal", None)
    lang = current_language()
    other = "en" if lang == "nl" else "nl"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context.update(request=request, principal=principal, csrf=request_csrf(request), csrf_field=CSRF_FIELD,
                   lang=lang, other_lang=other, role_label=role_label,
                   lang_switch=f"/web/lang?lang={other}&next={quote(_without_lang(here), safe='')}")
    return templates.TemplateResponse(request, template, context, status_code=status_code,
                                      headers={"Cache-Control": "no-store"})


def _without_lang(path: str) -> str:
    base, _sep, query = path.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith("lang=")]
    return base + ("?" + "&".join(kept) if kept else "")


def safe_next(target: str | None) -> str:
    """A redirect target inside the workbench (never another site)."""
    if not target or not target.startswith("/web/") or target.startswith("//") or "\\" in target:
        return "/web/"
    return target


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token is checked (:class:`api.web.session.CsrfError` otherwise)."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def form_error(err: ValidationError) -> InvalidInput:
    """A form's first invalid field as the API's 422 (shown on the error page)."""
    first = err.errors()[0]
    return InvalidInput.one(".".join(str(p) for p in first.get("loc", ())), first.get("msg", ""))


def redirect(url: str, request: Request | None = None) -> Response:
    """See-other to ``url`` (for htmx requests the HX-Redirect header as well)."""
    response = RedirectResponse(url, status_code=303)
    if request is not None and request.headers.get("hx-request"):
        response = Response(status_code=204, headers={"HX-Redirect": url})
    return response


def sign_in_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/web/signin?next={quote(here, safe='')}", request)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {403: _("Not allowed"), 404: _("Not found"), 409: _("Not possible now"), 413: _("Too large"),
              415: _("Not possible now"), 422: _("Not valid"), 429: _("Too busy"), 503: _("Not available")}
    return page(request, "error.html", status_code=status, title=titles.get(status, _("Something went wrong")),
                message=message)
