"""What changes per institution: the files written, the workbook, the CSV, and the Twente report."""

from __future__ import annotations

import csv
import io
import sys

import pytest
from openpyxl import load_workbook

from planner.i18n import use_language
from planner.plan.changes import cohort_changes, period_changed
from planner.report.institutions import CHANGE_COLUMNS, institution_markdown, write_institution_files
from planner.report.output import write_outputs
from planner.report.summary import summary_markdown
from planner.scenario import InternshipForm


@pytest.fixture(scope="module")
def twente(twente_loaded, twente_result):
    return twente_loaded, twente_result.plan, twente_result.baselines["status-quo"]


@pytest.fixture(scope="module")
def written(twente, tmp_path_factory):
    loaded, plan, status_quo = twente
    out = tmp_path_factory.mktemp("twente") / "out"
    saved = sys.modules.get("maps", "absent")
    sys.modules["maps"] = None  # type: ignore[assignment]
    try:
        with use_language("en"):
            write_outputs(plan, loaded, out, status_quo=status_quo)
    finally:
        if saved == "absent":
            del sys.modules["maps"]
        else:
            sys.modules["maps"] = saved
    return out


def _changed_independently(plan, scenario) -> set[str]:
    """Cohorts whose waves differ from their current period, from the plan and the scenario alone."""
    changed = set()
    for cp in plan.cohorts:
        cohort = scenario.cohorts[scenario.cohort_index[cp.cohort]]
        if cp.pathway != "BOL":
            continue
        current = (str(InternshipForm.parse(cohort.current_form)), cohort.current_start)
        if any((str(InternshipForm.parse(w.form)), w.start_week) != current for w in cp.waves):
            changed.add(cp.cohort)
    return changed


def test_the_twente_institution_reports_list_exactly_the_changed_cohorts(twente, written):
    loaded, plan, _sq = twente
    scenario = loaded.scenario
    expected = _changed_independently(plan, scenario)
    assert expected, "the optimised Twente plan changes some periods"
    listed = set()
    for inst in scenario.institutions:
        with (written / "institutions" / f"{inst.id}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert {r["institution"] for r in rows} <= {inst.id}
        listed |= {r["cohort"] for r in rows if r["changed"] == "yes"}
    assert listed == expected
    assert {c.cohort for c in cohort_changes(plan, scenario) if c.changed} == expected
    assert {cp.cohort for cp in plan.cohorts if cp.period_changed} == expected


def test_changed_tables_in_the_markdown_report_count_the_changed_cohorts(twente):
    loaded, plan, _sq = twente
    scenario = loaded.scenario
    expected = _changed_independently(plan, scenario)
    for inst in scenario.institutions:
        with use_language("en"):
            text = institution_markdown(plan, scenario, inst.id)
        changed_section = text.split("## Cohorts whose internship period changes")[1].split("## Cohorts that keep")[0]
        table_rows = [line for line in changed_section.splitlines() if line.startswith("| ") and "---" not in line][1:]
        own = {cp.cohort for cp in plan.cohorts if cp.institution == inst.id} & expected
        assert len(table_rows) == len(own)


def test_files_one_per_institution_csv_parses_and_xlsx_reads(twente, written):
    loaded, plan, _sq = twente
    institutions = [i.id for i in loaded.scenario.institutions]
    names = sorted(p.name for p in (written / "institutions").iterdir())
    assert names == sorted([f"{i}.{kind}" for i in institutions for kind in ("md", "csv", "html")])
    with (written / "changes.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == CHANGE_COLUMNS
    bol = [cp for cp in plan.cohorts if cp.pathway == "BOL"]
    assert len(rows) == len(bol)
    assert all(r["reason"] for r in rows if int(r["unplaced"]) > 0)
    book = load_workbook(written / "changes.xlsx", read_only=True)
    assert len(book.sheetnames) == 1 + len(institutions)
    region = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert len(region) == 1 + len(bol)
    summary = (written / "summary.md").read_text(encoding="utf-8")
    assert "## Changes per institution" in summary and "## Why students stay unplaced" in summary
    for name in ("changes.csv", "changes.xlsx", "institutions"):
        assert f"`{name}`" in summary


def test_the_workbook_and_csv_are_safe_against_formulas(tmp_path):
    from planner.solve import SolveParams, solve
    from tests.builders import cohort, company, make_scenario

    scenario = make_scenario([cohort("c1", 3, programme="=HYPERLINK(\"x\")")], [company("k1", 1, name="@evil")])
    plan = solve(scenario, SolveParams("optimise", time_limit=120, work_limit=4, work_nodes=200, baselines=False)).plan
    write_institution_files(tmp_path, plan, scenario)
    text = (tmp_path / "changes.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@evil" in text
    sheet = load_workbook(tmp_path / "changes.xlsx").worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reason"] in ("companies_full", "priority_trade", "window_or_waves", "not_used")


def test_summary_without_a_scenario_keeps_its_old_sections(twente):
    _loaded, plan, _sq = twente
    with use_language("en"):
        text = summary_markdown(plan)
    assert "Changes per institution" not in text


def test_period_changed_rule():
    assert not period_changed("block:4", "2026-W40", [("block:4", "2026-W40")])
    assert period_changed("block:4", "2026-W40", [("block:4", "2026-W40"), ("block:4", "2026-W44")])


def test_changes_xlsx_writes_forms_in_words(tmp_path):
    from planner.report.institutions import CHANGE_COLUMNS, write_changes_xlsx

    row = {column: "" for column in CHANGE_COLUMNS}
    row.update(institution="I1", sector="zorg", changed="yes", current_form="block:16",
               proposed_waves="line:3x20 2026-W40..2027-W12 (12); block:16 2027-W02..2027-W17 (8)")
    with use_language("nl"):
        write_changes_xlsx(tmp_path / "changes.xlsx", [row], [("I1", "ROC")])
    sheet = load_workbook(tmp_path / "changes.xlsx").worksheets[0]
    header, values = ([cell.value for cell in line] for line in sheet.iter_rows(max_row=2))
    cells = dict(zip(CHANGE_COLUMNS, values, strict=True))
    assert cells["current_form"] == "blokstage 16 weken"
    assert cells["proposed_waves"] == ("lintstage 3 dagen x 20 weken 2026-W40..2027-W12 (12); "
                                       "blokstage 16 weken 2027-W02..2027-W17 (8)")
