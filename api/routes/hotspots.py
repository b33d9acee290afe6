"""The SBB view: shortage hotspots across the newest plan of every region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import schemas
from api.deps import Limit, PrincipalDep, SessionDep
from api.routes.plans import HotspotByQ, QualificationQ
from api.schemas import LevelCode, Mode, SectorCode
from api.services import regions

router = APIRouter(tags=["hotspots"])


@router.get("/hotspots", response_model=schemas.HotspotsOut, responses={422: schemas.ERRORS[422]},
            summary="Hotspots across all regions (SBB view)")
def hotspots(principal: PrincipalDep, session: SessionDep, limit: Limit = 20,
             mode: Annotated[Mode | None, Query(description="Use each region's newest plan of this mode "
                                                "(default: the newest plan of any mode).", examples=["optimise"])] = None,
             sector: Annotated[SectorCode | None, Query(description="Only this sector chamber.", examples=["zorg"])] = None,
             level: Annotated[LevelCode | None, Query(description="Only this level.", examples=["2"])] = None,
             by: HotspotByQ = "cell", qualification: QualificationQ = None,
             ) -> schemas.HotspotsOut:
    """Cells (region, area, sector chamber, level) with the most students without a place, each cell
    once with the weeks its students miss, ranked over the newest plan of every region the token may
    read (plans of deleted scenarios are left out); ``by=crebo`` or ``by=family`` splits the cells per
    qualification, ``qualification`` keeps one crebo's or family's cohorts."""
    return regions.hotspots(session, principal, limit, mode, sector, level, by, qualification)
