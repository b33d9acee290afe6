"""Privacy by design: a scenario holds aggregated cohorts, never data that identifies a student."""

from __future__ import annotations

import pytest

from planner.geo import load_scenario as full_load
from planner.scenario import ScenarioError, load_scenario
from planner.scenario.validate import SMALL_COHORT_STUDENTS
from tests.builders import cohort, company, scenario_dict
from tests.scenario.files import write_scenario


def _problems(path) -> list[str]:  # noqa: ANN001
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("field_name", "value", "date"), [
    ("id", "jan-jansen-12-03-2008", "12-03-2008"),
    ("id", "pietje-2008-03-12", "2008-03-12"),
    ("programme", "Verzorgende IG (Sanne de Vries, 01/02/2007)", "01/02/2007"),
    ("id", "kim-24122009", "24122009"),
])
def test_a_birth_date_in_a_cohort_is_an_error(tmp_path, field_name: str, value: str, date: str) -> None:  # noqa: ANN001
    row = cohort("x")
    row[field_name] = value
    document = scenario_dict([cohort("ok"), row], [company("k")])
    found = [m for m in _problems(write_scenario(tmp_path, document)) if "birth date" in m]
    assert len(found) == 1
    assert f"cohorts[1], {field_name}" in found[0] and date in found[0] and "personal data" in found[0]


@pytest.mark.parametrize("value", ["vig-3-2026-2027", "vig-start-2026-09-07", "bol-2-w36", "ah-25655-3"])
def test_dates_in_the_school_year_and_codes_are_not_birth_dates(tmp_path, value: str) -> None:  # noqa: ANN001
    document = scenario_dict([cohort(value)], [company("k")])
    assert [c.id for c in load_scenario(write_scenario(tmp_path, document)).scenario.cohorts] == [value]


def test_a_small_cohort_is_a_warning_with_the_reason(tmp_path) -> None:  # noqa: ANN001
    document = scenario_dict([cohort("tiny", students=1), cohort("fine", students=SMALL_COHORT_STUDENTS)],
                             [company("k")])
    loaded = full_load(write_scenario(tmp_path, document))
    small = [str(w) for w in loaded.warnings if "identify a person" in w.message]
    assert len(small) == 1 and "cohorts[0], students" in small[0] and "1 student" in small[0]


def test_the_one_student_cohort_of_the_issue_is_refused(tmp_path) -> None:  # noqa: ANN001
    """One student, named and dated in id and programme: refused, each field with its reason."""
    document = scenario_dict([cohort("anna-de-boer-2008-03-12", students=1,
                                     programme="Anna de Boer 12-03-2008")], [company("k")])
    found = [m for m in _problems(write_scenario(tmp_path, document)) if "birth date" in m]
    assert {("id" if ", id:" in m else "programme") for m in found} == {"id", "programme"}


def test_personal_data_columns_are_refused(tmp_path) -> None:  # noqa: ANN001
    document = scenario_dict([cohort("a", student_name="Anna de Boer", bsn="123456782")], [company("k")])
    text = " | ".join(_problems(write_scenario(tmp_path, document)))
    assert "student_name" in text and "bsn" in text
