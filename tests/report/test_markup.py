"""Names in the markdown reports are text: no HTML, no link, no code span or table cell of their own."""

from __future__ import annotations

from planner.markup import html_text, markdown_text
from planner.report.institutions import institution_markdown
from planner.report.summary import summary_markdown
from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, scenario_dict

MARKUP = "[klik](javascript:alert(1)) <img src=x onerror=alert(1)> `x` | y"


def test_names_in_summary_and_institution_report_stay_text():
    document = scenario_dict([cohort("c1", 30, programme="Opleiding " + MARKUP)],
                             [company("k1", 5, name="Bedrijf " + MARKUP)])
    document["name"] = "Scenario " + MARKUP
    document["institutions"][0]["name"] = "School " + MARKUP
    scenario = Scenario.model_validate(document)
    plan = solve(scenario, SolveParams("greedy")).plan
    escaped = markdown_text(MARKUP)
    assert escaped == "\\[klik\\](javascript:alert(1)) &lt;img src=x onerror=alert(1)> \\`x\\` \\| y"
    for name, text in (("institution report", institution_markdown(plan, scenario, "roc")),
                       ("summary.md", summary_markdown(plan, scenario=scenario))):
        assert "<img" not in text and "[klik](" not in text and "`x`" not in text, name
        assert escaped in text, name
    assert "School " + escaped in institution_markdown(plan, scenario, "roc")
    assert "# " in summary_markdown(plan) and "Scenario " + escaped in summary_markdown(plan)


def test_html_text_escapes_tags_and_both_quotes():
    assert html_text("</title><script>a='1'</script>\"&") == (
        "&lt;/title&gt;&lt;script&gt;a=&#x27;1&#x27;&lt;/script&gt;&quot;&amp;")
