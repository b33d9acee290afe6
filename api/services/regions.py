"""Regions: what each holds (counts, newest plan, current agreement) and the SBB view of hotspots across them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import crud, schemas, views
from api.core.security import Principal
from api.services.plans import check_qualification
from planner.plan import analysis
from planner.plan.qualification_cells import HotspotGrouping


def list_regions(session: Session, principal: Principal) -> list[schemas.RegionOut]:
    """Every region with scenarios, plans or agreements that the caller may read."""
    current_ids = crud.current_agreement_ids(session)
    out = []
    for region in crud.regions(session, principal.visible_regions):
        latest = crud.latest_plan(session, region)
        current = crud.current_agreement(session, region)
        out.append(schemas.RegionOut(
            region=region, **crud.region_counts(session, region),
            latest_plan=views.plan_summary(latest) if latest else None,
            current_agreement=views.agreement_out(session, current, current_ids) if current else None))
    return out


def hotspots(session: Session, principal: Principal, limit: int, mode: str | None = None, sector: str | None = None,
             level: str | None = None, by: HotspotGrouping = "cell", qualification: str | None = None,
             ) -> schemas.HotspotsOut:
    """Cells (region, area, sector chamber, level; per crebo or family too with ``by``) with the most students
    without a place, over the newest plan of every region the caller may read (plans of deleted scenarios left
    out), of one qualification's cohorts when ``qualification`` is given."""
    rows = crud.latest_plans_per_region(session, mode, principal.visible_regions)
    plans = [crud.plan_of(row) for row in rows]
    check_qualification(qualification, plans)
    cells = []
    for row, plan in zip(rows, plans, strict=True):
        cells.append(analysis.PlanCells(row.id, row.region, analysis.hotspot_cells(plan, by, qualification),
                                        {w: i for i, w in enumerate(plan.weeks)}))
    return schemas.HotspotsOut(plans=[views.plan_summary(r) for r in rows],
                               cells=analysis.rank_hotspots(cells, limit, sector, level))
