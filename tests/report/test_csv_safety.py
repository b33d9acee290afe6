"""CSV files a spreadsheet opens: text that starts like a formula is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io

from planner.report.tables import SCHEDULE_COLUMNS, csv_text, schedule_rows, spreadsheet_safe
from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, scenario_dict


def test_text_cells_that_start_like_a_formula_get_a_quote() -> None:
    rows = [{"a": "=cmd|' /C calc'!A0", "b": "+1+2", "c": "-2+3", "d": "@SUM(A1)", "e": "\tx"},
            {"a": "plain", "b": -3, "c": -2.5, "d": 0, "e": "a=b"}]
    text = csv_text(rows, list("abcde"))
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [parsed[0][k] for k in "abcde"] == ["'=cmd|' /C calc'!A0", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tx"]
    assert parsed[1] == {"a": "plain", "b": "-3", "c": "-2.5", "d": "0", "e": "a=b"}
    assert spreadsheet_safe("\rx") == "'\rx"
    assert spreadsheet_safe(-7) == -7 and spreadsheet_safe("x") == "x"


def test_a_plan_whose_ids_are_formulas_writes_them_harmlessly() -> None:
    document = scenario_dict([cohort("=HYPERLINK(\"http://x\")"), cohort("ok")],
                             [company("@SUM(1+1)"), company("-minus")])
    plan = solve(Scenario.model_validate(document), SolveParams(mode="greedy", time_limit=5, baselines=False)).plan
    text = csv_text(schedule_rows(plan), SCHEDULE_COLUMNS)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
