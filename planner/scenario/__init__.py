"""The scenario: a region's internship demand and supply for one school year, read, checked and written.

Modules: :mod:`~planner.scenario.calendar` (ISO weeks, holidays, internship forms),
:mod:`~planner.scenario.model` (the pydantic models), :mod:`~planner.scenario.spelling`
(values as people write them: Dutch names of codes, decimal commas), :mod:`~planner.scenario.read`,
:mod:`~planner.scenario.tables` (CSV files and xlsx sheets) with :mod:`~planner.scenario.headers` (their
columns' Dutch and English headers), :mod:`~planner.scenario.sources` (where those files come from: a
folder, or an upload's own in-memory files), :mod:`~planner.scenario.write` (files),
:mod:`~planner.scenario.workbook` (the whole scenario as one workbook: template, export, import),
:mod:`~planner.scenario.validate` (structural cross-checks) and
:mod:`~planner.scenario.problems` (what is wrong, where). The geographic
checks and the full load live one layer up, in :mod:`planner.geo`.
"""

from planner.scenario.calendar import Calendar, InternshipForm, fitting_starts, week_label, week_monday
from planner.scenario.model import (
    Area,
    Barrier,
    Cohort,
    Company,
    Institution,
    Location,
    Policy,
    Scenario,
    ScenarioSettings,
    Travel,
)
from planner.scenario.problems import InputProblem, ScenarioError
from planner.scenario.read import LoadedScenario, load_scenario, read_scenario
from planner.scenario.write import save_scenario, scenario_document, write_atomic

__all__ = [
    "Area",
    "Barrier",
    "Calendar",
    "Cohort",
    "Company",
    "InputProblem",
    "Institution",
    "InternshipForm",
    "LoadedScenario",
    "Location",
    "Policy",
    "Scenario",
    "ScenarioError",
    "ScenarioSettings",
    "Travel",
    "fitting_starts",
    "load_scenario",
    "read_scenario",
    "save_scenario",
    "scenario_document",
    "week_label",
    "week_monday",
    "write_atomic",
]
