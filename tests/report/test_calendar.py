"""The printable calendar per institution: real dates, waves, what changed and why, reasons."""

from __future__ import annotations

from planner.i18n import use_language
from planner.plan.model import Plan
from planner.report.calendar import calendar_html, week_end_date, week_start_date
from planner.report.institutions import write_institution_files
from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, scenario_dict


def _winter_scenario() -> Scenario:
    """One care cohort that does its block internship from 2027-W05, one company too small for it."""
    document = scenario_dict([cohort("vig-3", 12, current_start="2027-W05", earliest="2026-W36", latest="2027-W20")],
                             [company("k1", 8)], last="2027-W20")
    document["institutions"][0]["name"] = "ROC <Oost>"
    return Scenario.model_validate(document)


def _moved(plan: Plan, start: str, end: str) -> Plan:
    """``plan`` with its one cohort's wave moved to ``start``..``end`` (the proposal a consortium discusses)."""
    cohort_plan = plan.cohorts[0]
    wave = cohort_plan.waves[0].model_copy(update={"start_week": start, "end_week": end})
    moved = cohort_plan.model_copy(update={"waves": [wave], "period_changed": True})
    return plan.model_copy(update={"cohorts": [moved, *plan.cohorts[1:]]})


def test_week_dates_are_the_monday_and_friday_in_the_language() -> None:
    # Hand-checked: 1 January 2027 is a Friday, so ISO week 1 starts on Monday 4 January and week 5 on 1 February.
    assert week_start_date("2027-W05") == "ma 1 feb 2027"
    assert week_end_date("2027-W08") == "vr 26 feb 2027"
    with use_language("en"):
        assert week_start_date("2027-W05") == "Mon 1 Feb 2027"
    assert week_start_date("2026-W53") == "ma 28 dec 2026"


def test_the_calendar_shows_dates_changes_and_reasons_per_institution(tmp_path) -> None:
    scenario = _winter_scenario()
    status_quo = solve(scenario, SolveParams(mode="status-quo", time_limit=5, baselines=False)).plan
    proposal = _moved(status_quo, "2027-W08", "2027-W11")
    page = calendar_html(proposal, scenario, "roc", status_quo)
    assert "Stagekalender van ROC &lt;Oost&gt;" in page and "<Oost>" not in page
    assert "ma 1 feb 2027" in page and "vr 26 feb 2027" in page  # now: weeks 5-8
    assert "ma 22 feb 2027" in page and "vr 19 mrt 2027" in page  # proposal: weeks 8-11
    assert "12 studenten beginnen op ma 22 feb 2027 in plaats van ma 1 feb 2027." in page
    assert "In de huidige periode krijgen 8 van de 12 studenten een stageplaats" in page
    assert "4 zonder stageplaats" in page  # the reason why four students stay without a place
    assert "@media print" in page
    assert "Dit cohort levert geen stageplaatsen in" in page  # 8 placed now and in the proposal
    fewer = proposal.model_copy(update={"cohorts": [proposal.cohorts[0].model_copy(update={"placed": 5})]})
    assert "Dit cohort levert 3 stageplaatsen in" in calendar_html(fewer, scenario, "roc", status_quo)
    with use_language("en"):
        english = calendar_html(proposal, scenario, "roc", status_quo)
    assert "Internship calendar of ROC &lt;Oost&gt;" in english and "Mon 22 Feb 2027" in english

    written = write_institution_files(tmp_path, proposal, scenario, status_quo)
    assert "institutions" in written
    assert (tmp_path / "institutions" / "roc.html").read_text(encoding="utf-8") == page
