"""Solve requests and jobs."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MAX_ID, JobStatus, Mode, with_examples
from api.schemas.examples import EXAMPLE_TIME


class SolveRequest(BaseModel):
    """How to solve: mode, time limit and seed (all optional)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mode": "optimise", "time_limit": 30, "seed": 0},
        {"mode": "status-quo", "time_limit": 10, "version": 1},
    ]})

    mode: Mode = Field(default="optimise", description="optimise: choose periods and forms; status-quo: current "
                       "periods, allocation optimised; greedy: current periods, first come first served.")
    time_limit: float | None = Field(default=None, gt=0, description="Seconds for the solve (default from the "
                                     "server settings; at most the server's maximum).")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Solver seed.")
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description="Scenario version to solve (default: the latest).")


class JobProgress(BaseModel):
    """Where a solve is: phase, best plan (incumbent) and proven bound, elapsed time."""

    phase: str | None = Field(description="starting, relaxation, component, plan, done, ...")
    incumbent: float | None = Field(description="Weighted shortage of the best plan so far.")
    bound: float | None = Field(description="Proven lower bound on the weighted shortage.")
    elapsed: float | None = Field(description="Seconds since the job started running (this attempt).")
    solver_seconds: float | None = Field(description="Solver clock at the last progress event.")

    model_config = with_examples({"phase": "component", "incumbent": 33.0, "bound": 27.0, "elapsed": 2.4,
                              "solver_seconds": 0.9})


class SweepProgressOut(BaseModel):
    """How far a sweep job is: solves done (failed ones included), running and failed, of the total, and the
    names of the scenarios being solved now."""

    total: int
    done: int
    running: int
    failed: int
    running_names: list[str] = Field(default_factory=list, description="The scenarios being solved now.")


class JobOut(BaseModel):
    """A solve job."""

    id: int
    scenario_id: int
    scenario_version: int
    region: str
    mode: Mode
    time_limit: float
    seed: int
    status: JobStatus
    progress: JobProgress
    queue_position: int | None = Field(description="1 when the job is next to start; None unless queued.")
    attempts: int = Field(description="Times the job started running (more than 1 after a server restart).")
    cancel_requested: bool
    error: str | None
    note: str | None
    plan_id: int | None = Field(description="The plan, once the job is done.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    kind: str = Field(default="solve", description="solve, sweep (variants side by side), marginal (where one more "
                      "place helps most) or tradeoff (a plan's changed cohorts against shortage).")
    sweep: SweepProgressOut | None = Field(default=None, description="A sweep job's progress.")
    result_url: str | None = Field(default=None, description="A done sweep's comparison, marginal job's ranking or plan's "
                                                        "trade-off curve.")

    model_config = with_examples({
        "id": 7, "scenario_id": 1, "scenario_version": 2, "region": "Twente", "mode": "optimise", "time_limit": 30.0,
        "seed": 0, "status": "running", "progress": {"phase": "component", "incumbent": 33.0, "bound": 27.0,
                                                      "elapsed": 2.4, "solver_seconds": 0.9},
        "queue_position": None, "attempts": 1, "cancel_requested": False, "error": None, "note": None,
        "plan_id": None, "created_at": EXAMPLE_TIME, "started_at": EXAMPLE_TIME, "finished_at": None,
    })
