"""Plans: reading one with the access check, its loaded scenario and status quo, what it changes and why,
its hotspots, and the files made from it (maps, charts, tables, summary, workbook, zip)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from api import artifacts, crud, schemas, views
from api.core.config import Settings
from api.core.db import end_reads
from api.core.security import Principal
from api.errors import InvalidInput, NotFound
from api.models import PlanRow
from planner.i18n import _, use_language
from planner.plan import analysis
from planner.plan.changes import cohort_changes, institution_totals
from planner.plan.model import Plan
from planner.plan.qualification_cells import HotspotGrouping
from planner.plan.reasons import reason_text, trade_text
from planner.report import calendar, institutions
from planner.scenario import LoadedScenario
from planner.whatif.changes import catalogue_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class PlanFile:
    """A file made from a plan: its text, or the path it was written to, with how to serve it.

    Attributes
    ----------
    filename
        The name offered for saving it (None: shown, not saved).
    media_type
        Its content type.
    text
        The file's text, when it is made in memory.
    path
        Where it was written, when it is made on disk.
    """

    filename: str | None
    media_type: str
    text: str | None = None
    path: Path | None = None


def readable(session: Session, principal: Principal, plan_id: int) -> PlanRow:
    """The plan's row, when the caller may read its region (403 otherwise, 404 when unknown)."""
    row = crud.get_plan_row(session, plan_id)
    principal.check_read(row.region)
    return row


def status_quo(session: Session, row: PlanRow, wanted: bool = True) -> tuple[int, Plan] | None:
    """(id, Plan) of the stored status quo of the plan's scenario version, or None (also when not ``wanted``)."""
    other = crud.status_quo_for(session, row) if wanted else None
    return (other.id, crud.plan_of(other)) if other is not None else None


def loaded_scenario(session: Session, settings: Settings, row: PlanRow) -> LoadedScenario:
    """The scenario version the plan was solved from, loaded (with its side files)."""
    return artifacts.loaded_scenario(settings, crud.version_for(session, row.scenario_id, row.scenario_version))


def explained(session: Session, settings: Settings, row: PlanRow) -> tuple[Plan, LoadedScenario]:
    """The plan with its reasons (computed for plans stored before they were kept) and its scenario."""
    loaded = loaded_scenario(session, settings, row)
    return institutions.explained(crud.plan_of(row), loaded), loaded


def read_plan(session: Session, principal: Principal, plan_id: int) -> Plan:
    """The parsed plan, when the caller may read its region."""
    return crud.plan_of(readable(session, principal, plan_id))


def compare(session: Session, principal: Principal, a: int, b: int, limit: int) -> schemas.CompareOut:
    """KPI differences (b minus a) and the hotspot and stagebarometer cells where b differs from a."""
    row_a, row_b = readable(session, principal, a), readable(session, principal, b)
    result = analysis.compare_hotspot_cells(crud.plan_of(row_a), crud.plan_of(row_b), limit)
    return schemas.CompareOut(a=views.plan_summary(row_a), b=views.plan_summary(row_b), **result)


def plan_out(session: Session, principal: Principal, plan_id: int) -> schemas.PlanOut:
    """The plan's KPIs, baselines, solver statistics and links."""
    return views.plan_out(readable(session, principal, plan_id))


def hotspots(session: Session, principal: Principal, plan_id: int, limit: int, sector: str | None = None,
             level: str | None = None, by: HotspotGrouping = "cell", qualification: str | None = None,
             ) -> schemas.HotspotsOut:
    """The plan's cells (area, sector chamber, level; per crebo or family too with ``by``) with the most students
    without a place, of one qualification's cohorts when ``qualification`` is given."""
    row = readable(session, principal, plan_id)
    plan = crud.plan_of(row)
    check_qualification(qualification, [plan])
    cells = analysis.rank_hotspots([analysis.PlanCells(row.id, row.region, analysis.hotspot_cells(plan, by, qualification),
                                                       {w: i for i, w in enumerate(plan.weeks)})],
                                   limit, sector, level)
    return schemas.HotspotsOut(plans=[views.plan_summary(row)], cells=cells)


def check_qualification(qualification: str | None, plans: list[Plan]) -> None:
    """422 for a qualification filter that is neither in the catalogue nor a crebo of the plans (with the closest)."""
    if qualification is None or any(cp.crebo == qualification for plan in plans for cp in plan.cohorts):
        return
    try:
        catalogue_code(qualification, {cp.crebo for plan in plans for cp in plan.cohorts})
    except ValueError as err:
        raise InvalidInput.one("qualification", str(err), "query") from None


def changes(session: Session, settings: Settings, principal: Principal, plan_id: int, institution: str | None,
            lang: str | None) -> schemas.ChangesOut:
    """What the plan changes per cohort (BOL) and per institution, with the reasons for unplaced students."""
    plan, loaded = explained(session, settings, readable(session, principal, plan_id))
    rows = cohort_changes(plan, loaded.scenario, institution)
    reasons_of = plan.reasons or {}
    with use_language(lang):
        cohorts = [schemas.CohortChangeOut(**row.as_dict(),
                                           reason=reasons_of[row.cohort].kind if row.cohort in reasons_of else None,
                                           reason_text=reason_text(reasons_of[row.cohort]) if row.cohort in reasons_of
                                           else None)
                   for row in rows]
    totals = [schemas.InstitutionChanges(**vars(t)) for t in institution_totals(rows)]
    return schemas.ChangesOut(plan_id=plan_id, institution=institution, count=len(cohorts), institutions=totals,
                              cohorts=cohorts)


def reasons(session: Session, settings: Settings, principal: Principal, plan_id: int, institution: str | None,
            lang: str | None) -> schemas.ReasonsOut:
    """Why students stay without a place, per cohort, and the cells that gained where others lost."""
    plan, loaded = explained(session, settings, readable(session, principal, plan_id))
    names = {i.id: i.name for i in loaded.scenario.institutions}
    cohorts = {cp.cohort: cp for cp in plan.cohorts}
    out = []
    with use_language(lang):
        for cohort_id, reason in sorted((plan.reasons or {}).items(), key=lambda kv: (-kv[1].unplaced, kv[0])):
            cp = cohorts[cohort_id]
            if institution is not None and cp.institution != institution:
                continue
            out.append(schemas.CohortReason(
                cohort=cohort_id, institution=cp.institution, institution_name=names.get(cp.institution, cp.institution),
                programme=cp.programme, sector=cp.sector, level=cp.level,
                reason=reason.model_copy(update={"text": reason_text(reason)})))
        trades = [t.model_copy(update={"text": trade_text(t)}) for t in plan.trades or []]
    return schemas.ReasonsOut(plan_id=plan_id, count=len(out), reasons=out, trades=trades)


# ------------------------------------------------------------------ files made from a plan


def map_file(session: Session, settings: Settings, principal: Principal, plan_id: int,
             with_status_quo: bool = True) -> Path:
    """The plan's shortage map (with the status quo and the difference when one is stored and wanted)."""
    row = readable(session, principal, plan_id)
    plan, loaded = crud.plan_of(row), loaded_scenario(session, settings, row)
    other = status_quo(session, row, with_status_quo)
    end_reads(session)  # no connection held while the map is drawn (or another request draws it)
    return artifacts.map_html(settings, row.id, plan, loaded, other)


def chart_file(session: Session, settings: Settings, principal: Principal, plan_id: int, name: str,
               with_status_quo: bool = True) -> Path:
    """A PNG chart of the plan, against the status quo when one is stored and wanted."""
    row = readable(session, principal, plan_id)
    plan, loaded = crud.plan_of(row), loaded_scenario(session, settings, row)
    other = status_quo(session, row, with_status_quo)
    end_reads(session)
    return artifacts.chart_png(settings, row.id, plan, loaded, name, other)


def comparison_map_file(session: Session, settings: Settings, principal: Principal, a: int, b: int) -> Path:
    """Where plan b leaves fewer or more students without a place than plan a, drawn on b's scenario version."""
    row_a, row_b = readable(session, principal, a), readable(session, principal, b)
    return artifacts.comparison_map_html(settings, (row_a.id, crud.plan_of(row_a)), (row_b.id, crud.plan_of(row_b)),
                                         loaded_scenario(session, settings, row_b))


def table_file(session: Session, principal: Principal, plan_id: int, table: str) -> PlanFile:
    """One of the plan's tables as CSV, exactly as the command line writes it."""
    plan = crud.plan_of(readable(session, principal, plan_id))
    return PlanFile(f"{table}.csv", "text/csv; charset=utf-8", text=artifacts.table_csv(plan, table))


def calendar_html(session: Session, settings: Settings, principal: Principal, plan_id: int, institution: str,
                  lang: str | None = None) -> str:
    """The printable calendar of one institution in the plan (404 when it has no cohort in the plan)."""
    row = readable(session, principal, plan_id)
    if institution not in crud.plan_institutions(row):
        raise NotFound(_("institution {institution} has no cohort in plan {plan}").format(
            institution=repr(institution), plan=plan_id))
    plan, loaded = explained(session, settings, row)
    before = status_quo(session, row)
    end_reads(session)
    with use_language(lang):
        return calendar.calendar_html(plan, loaded.scenario, institution, before[1] if before else None)


def json_file(session: Session, principal: Principal, plan_id: int) -> PlanFile:
    """The whole plan as the command line writes plan.json."""
    return PlanFile(f"plan-{plan_id}.json", "application/json", text=readable(session, principal, plan_id).plan_json)


def plan_file(session: Session, settings: Settings, principal: Principal, plan_id: int,
              name: Literal["changes.csv", "changes.xlsx", "summary.md", "outputs.zip"],
              institution: str | None = None, lang: str | None = None) -> PlanFile:
    """One of the plan's files made with its scenario (``institution`` and ``lang``: for the changes);
    summary.md is shown, not offered for saving."""
    row = readable(session, principal, plan_id)
    if name == "changes.csv":
        with use_language(lang):
            text = artifacts.changes_csv(crud.plan_of(row), loaded_scenario(session, settings, row), institution)
        return PlanFile("changes.csv", "text/csv; charset=utf-8", text=text)
    if name == "summary.md":
        other = crud.status_quo_for(session, row)
        text = artifacts.summary_markdown(crud.plan_of(row), crud.plan_of(other) if other else None,
                                          loaded_scenario(session, settings, row))
        return PlanFile(None, "text/plain; charset=utf-8", text=text)
    plan, loaded = crud.plan_of(row), loaded_scenario(session, settings, row)
    if name == "changes.xlsx":
        end_reads(session)
        with use_language(lang) as language:
            path = artifacts.changes_xlsx(settings, row.id, plan, loaded, language)
        return PlanFile(f"changes-{plan_id}.xlsx", XLSX, path=path)
    if name == "outputs.zip":
        other = status_quo(session, row)
        end_reads(session)
        return PlanFile(f"plan-{plan_id}.zip", "application/zip", path=artifacts.outputs_zip(settings, row.id, plan,
                                                                                           loaded, other))
    raise NotFound(name)
