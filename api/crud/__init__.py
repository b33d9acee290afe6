"""Reading and writing the API's records: scenarios and versions, jobs, plans, agreements, proposals, tokens.

Functions take a SQLAlchemy session and plain data (no HTTP requests), and raise
:class:`~api.errors.NotFound` or :class:`~api.errors.InvalidInput` for mistakes of the
caller (the app maps them to 404 and 422). One module per kind of record; this package
names them all, so callers write ``crud.get_plan_row`` whichever module holds it.
"""

from __future__ import annotations

from api.crud.plans import (
    best_plan,
    create_agreement,
    current_agreement,
    current_agreement_ids,
    get_agreement,
    get_plan_row,
    latest_plan,
    latest_plans_per_region,
    list_agreements,
    list_plans,
    plan_of,
    region_counts,
    regions,
    save_plan,
    status_quo_for,
)
from api.crud.proposals import (
    add_decision,
    all_approved,
    create_proposal,
    decisions,
    get_proposal,
    list_proposals,
    mark_stale,
    new_version,
    open_proposal,
    plan_institutions,
    proposal_institutions,
    standing,
)
from api.crud.queue import (
    create_job,
    get_job,
    job_counts,
    list_jobs,
    next_in_turn,
    queue_positions,
    queued_in_share,
    queued_total,
)
from api.crud.scenarios import (
    ScenarioContent,
    add_version,
    create_scenario,
    delete_scenario,
    get_scenario,
    get_version,
    list_scenarios,
    list_versions,
    scenario_region,
    summary_versions,
    version_document,
    version_files,
    version_for,
    version_warnings,
)
from api.crud.tokens import (
    authenticate,
    create_token,
    list_audit,
    list_tokens,
    recent_callers,
    record,
    revoke_token,
    token_principal,
    token_regions,
)

__all__ = [
    "add_decision", "all_approved", "create_proposal", "decisions", "get_proposal", "list_proposals", "mark_stale",
    "new_version", "open_proposal", "plan_institutions", "proposal_institutions", "standing",
    "ScenarioContent", "add_version", "authenticate", "best_plan", "create_agreement", "create_job", "create_scenario",
    "create_token", "current_agreement", "current_agreement_ids", "delete_scenario", "get_agreement", "get_job",
    "get_plan_row", "get_scenario", "get_version", "job_counts", "latest_plan", "latest_plans_per_region",
    "list_agreements", "list_audit", "list_jobs", "list_plans", "list_scenarios", "list_tokens", "list_versions",
    "next_in_turn", "plan_of", "queue_positions", "queued_in_share", "queued_total", "recent_callers", "record",
    "region_counts",
    "regions", "revoke_token", "save_plan", "scenario_region", "status_quo_for", "summary_versions",
    "token_principal", "token_regions", "version_document", "version_files", "version_for", "version_warnings",
]
