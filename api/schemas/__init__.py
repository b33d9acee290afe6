"""Request and response models of the HTTP API, with examples for the OpenAPI documentation.

One module per resource (:mod:`~api.schemas.scenarios`, :mod:`~api.schemas.jobs`,
:mod:`~api.schemas.plans`, :mod:`~api.schemas.agreements`), shared parts in
:mod:`~api.schemas.common` and example values in :mod:`~api.schemas.examples`. Routes use
them through this package (``schemas.PlanOut``).

Plan parts (KPIs, cohort plans, shortage cells, company use, solver statistics) are the
library's own models from :mod:`planner.plan.model`, so the API returns exactly what the CLI
writes to ``plan.json``.
"""

from api.schemas.access import AuditEntry, TokenCreate, TokenCreated, TokenOut
from api.schemas.agreements import (
    AgreementCreate,
    AgreementOut,
    CohortDeviation,
    DeviationsOut,
    RegionOut,
    WaveBrief,
)
from api.schemas.common import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ERRORS,
    WEEK_PATTERN,
    Health,
    JobStatus,
    LevelCode,
    Message,
    Mode,
    PathwayCode,
    Problem,
    ProblemList,
    SectorCode,
    StorableText,
)
from api.schemas.examples import EXAMPLE_SCENARIO, EXAMPLE_SCENARIO_YAML
from api.schemas.jobs import JobOut, JobProgress, SolveRequest, SweepProgressOut
from api.schemas.plans import (
    BarometerChange,
    CellChange,
    ChangesOut,
    CohortChangeOut,
    CohortReason,
    CompareOut,
    HotspotCell,
    HotspotsOut,
    InstitutionChanges,
    KpiDifference,
    PlanLinks,
    PlanOut,
    PlanSummary,
    ReasonsOut,
    ScheduleOut,
    ShortagesOut,
    UtilisationOut,
    WaveChange,
    WeekUse,
)
from api.schemas.proposals import (
    DecisionCreate,
    DecisionOut,
    InstitutionStanding,
    ProposalCreate,
    ProposalOut,
    ProposalVersionCreate,
)
from api.schemas.scenarios import ScenarioOut, ScenarioSummary, ScenarioVersionSummary

__all__ = [
    "DecisionCreate", "DecisionOut", "InstitutionStanding", "ProposalCreate", "ProposalOut", "ProposalVersionCreate",
    "AUTH_ERRORS", "BODY_ERRORS", "ERRORS", "EXAMPLE_SCENARIO", "EXAMPLE_SCENARIO_YAML", "WEEK_PATTERN",
    "AgreementCreate", "AgreementOut", "AuditEntry", "BarometerChange", "CellChange", "ChangesOut",
    "CohortChangeOut", "CohortDeviation", "CohortReason", "CompareOut", "InstitutionChanges", "ReasonsOut",
    "WaveChange",
    "DeviationsOut", "Health", "HotspotCell", "HotspotsOut", "JobOut", "JobProgress", "JobStatus", "KpiDifference",
    "SweepProgressOut",
    "LevelCode", "Message", "Mode", "PathwayCode", "PlanLinks", "PlanOut", "PlanSummary", "Problem", "ProblemList",
    "RegionOut", "ScenarioOut", "ScenarioSummary", "ScenarioVersionSummary", "ScheduleOut", "SectorCode",
    "ShortagesOut", "SolveRequest", "StorableText", "TokenCreate", "TokenCreated", "TokenOut",
    "UtilisationOut", "WaveBrief", "WeekUse",
]
