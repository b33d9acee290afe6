"""The moves-versus-shortage trade-off of a plan: request, curve and proposal."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from planner.plan.model import TradeoffPoint

#: Limits of a trade-off job: points of the curve, SCIP nodes per point, the safety net in seconds.
MAX_POINTS = 20
MAX_NODES = 20_000
MAX_SECONDS = 600.0


class TradeoffRequest(BaseModel):
    """How many points, and the work budget of each (SCIP's branch-and-bound nodes; the time is a safety net)."""

    model_config = ConfigDict(extra="forbid")
    points: int = Field(default=10, ge=2, le=MAX_POINTS)
    nodes: int = Field(default=500, ge=10, le=MAX_NODES)
    time_limit: float = Field(default=300.0, gt=0, le=MAX_SECONDS, description="Seconds per point (a safety net).")


class TradeoffOut(BaseModel):
    """A plan's trade-off curve: at most k cohorts change period or form -> shortage, from the status quo (k = 0)
    to the plan; each point with its proven bound."""

    plan_id: int
    job_id: int
    status_quo_id: int
    points: list[TradeoffPoint]
    proposals: dict[int, int] = Field(default_factory=dict,
                                      description="Plans made from points so far: limit k -> plan id.")
