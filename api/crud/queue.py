"""Jobs: store them and read the solve queue (counts, positions, whose turn it is)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Session

from api.crud.lookup import by_id
from api.models import (
    JobRow,
    ScenarioVersionRow,
)
from planner.i18n import N_


def create_job(session: Session, version: ScenarioVersionRow, mode: str, time_limit: float, seed: int,
               share: str | None = None, kind: str = "solve") -> JobRow:
    """A queued job (a solve unless ``kind`` says otherwise) for a scenario version, counted against
    ``share`` of the queue (default: the version's region)."""
    job = JobRow(scenario_id=version.scenario_id, scenario_version=version.version, region=version.region,
                 mode=mode, time_limit=time_limit, seed=seed, status="queued", kind=kind,
                 share=version.region if share is None else share)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> JobRow:
    """A job by id."""
    return by_id(session, JobRow, job_id, N_("job {id} does not exist"))


def list_jobs(session: Session, status: str | None, scenario_id: int | None, limit: int, offset: int,
              visible: Collection[str] | None = None) -> list[JobRow]:
    """Jobs, newest first; only of ``visible`` regions unless None."""
    query = sa.select(JobRow)
    if visible is not None:
        query = query.where(JobRow.region.in_(list(visible)))
    if status is not None:
        query = query.where(JobRow.status == status)
    if scenario_id is not None:
        query = query.where(JobRow.scenario_id == scenario_id)
    return list(session.scalars(query.order_by(JobRow.id.desc()).limit(limit).offset(offset)))


def queued_in_share(session: Session, share: str) -> int:
    """Jobs waiting in one share of the queue."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(JobRow).where(
        JobRow.status == "queued", JobRow.share == share)) or 0)


def queued_total(session: Session) -> int:
    """Jobs waiting in the whole queue."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(JobRow).where(JobRow.status == "queued")) or 0)


def queue_positions(session: Session, jobs: Collection[JobRow]) -> dict[int, int]:
    """Job id -> at most this many jobs start before it, itself included (1: next), for the queued ones.

    The runners take the shares in turn, oldest first within a share: a job that is the n-th of its
    share starts after its share's n - 1 older jobs and at most n jobs of every other share. One
    query for all of them.
    """
    if not any(job.status == "queued" for job in jobs):
        return {}
    queued: dict[str, list[int]] = {}
    for job_id, share in session.execute(sa.select(JobRow.id, JobRow.share).where(JobRow.status == "queued")
                                         .order_by(JobRow.id)):
        queued.setdefault(share, []).append(job_id)
    positions = {}
    for job in jobs:
        ids = queued.get(job.share, [])
        if job.status != "queued" or job.id not in ids:
            continue
        nth = ids.index(job.id) + 1
        positions[job.id] = nth + sum(min(len(others), nth) for share, others in queued.items() if share != job.share)
    return positions


def next_in_turn(session: Session, limit: int = 5) -> list[int]:
    """Queued job ids in the order the runners take them: the oldest of each share, the share whose
    job started longest ago (or never) first, so one region's many jobs do not hold up another's."""
    heads = session.execute(sa.select(JobRow.share, sa.func.min(JobRow.id)).where(JobRow.status == "queued")
                            .group_by(JobRow.share)).all()
    if not heads:
        return []
    last_start = dict(session.execute(sa.select(JobRow.share, sa.func.max(JobRow.started_at)).where(
        JobRow.share.in_([share for share, _first in heads]), JobRow.started_at.is_not(None))
        .group_by(JobRow.share)).all())

    def turn(head: tuple[str, int]) -> tuple[bool, float, int]:
        started = last_start.get(head[0])
        return started is not None, started.timestamp() if started is not None else 0.0, head[1]

    return [first for _share, first in sorted(heads, key=turn)[:limit]]


def job_counts(session: Session) -> dict[str, int]:
    """Number of jobs per status."""
    rows = session.execute(sa.select(JobRow.status, sa.func.count()).group_by(JobRow.status))
    return {status: int(count) for status, count in rows}
