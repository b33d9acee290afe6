"""Variants: declarative changes to a base scenario ("what if the hospitals add ten places in spring").

A :class:`Variant` is a name and a list of changes (:mod:`planner.whatif.changes` and
:mod:`planner.whatif.qualification_changes`: each a
pydantic model with a ``kind`` and an ``apply(scenario) -> scenario`` that returns a new
scenario and never touches its input).

:func:`apply_variant` applies the changes in order and checks the result the way a scenario
file is checked (the models, then identifiers, references, windows and forms), so a variant
is itself a scenario; every problem names the variant and the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationError, model_validator

from planner.i18n import _
from planner.scenario import InputProblem, Scenario, ScenarioError
from planner.scenario.calendar import InternshipForm
from planner.scenario.problems import problems_from
from planner.scenario.validate import check_scenario
from planner.whatif.changes import (
    AddCapacity,
    AddCompanies,
    AllowForms,
    ConvertForms,
    MoveWindow,
    RemoveCompanies,
    ScaleCapacity,
    ScaleInflow,
    SetCohortFields,
    SetScenarioFields,
    SetTravelLimit,
    SetWeights,
    Spec,
    WidenWindow,
)
from planner.whatif.qualification_changes import AddQualificationPlaces, AddRecognitions, RemoveRecognitions

__all__ = ["CHANGE_KINDS", "Change", "Variant", "VariantSet", "apply_variant", "changed_ids", "describe", "known_forms",
           "read_variant_set"]

Change = Annotated[
    ScaleCapacity | AddCapacity | AddCompanies | RemoveCompanies | ScaleInflow | AllowForms | ConvertForms
    | MoveWindow | WidenWindow | SetCohortFields | SetWeights | SetTravelLimit | SetScenarioFields
    | AddRecognitions | RemoveRecognitions | AddQualificationPlaces,
    Field(discriminator="kind"),
]
#: Every change kind, by its ``kind``.
CHANGE_KINDS: tuple[str, ...] = (
    "scale_capacity", "add_capacity", "add_companies", "remove_companies", "scale_inflow", "allow_forms",
    "convert_forms", "move_window", "widen_window", "set_cohort_fields", "set_weights", "set_travel_limit",
    "set_scenario_fields", "add_recognitions", "remove_recognitions", "add_qualification_places",
)


class Variant(Spec):
    """A named set of changes to a base scenario."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    changes: list[Change] = Field(default_factory=list)


class VariantSet(Spec):
    """A file of variants: the base scenario (a path relative to the file) and its variants."""

    base: str = Field(min_length=1, description="The base scenario file, relative to this file.")
    variants: list[Variant] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> VariantSet:
        names = [v.name for v in self.variants]
        double = sorted({n for n in names if names.count(n) > 1})
        if double:
            raise ValueError(f"variant names must be unique: {', '.join(double)}")
        if "base" in names:
            raise ValueError("'base' is the name of the base scenario; give the variant another name")
        return self


def read_variant_set(path: str | Path) -> tuple[VariantSet, Path]:
    """Read a variants file (YAML or JSON); returns it and the base scenario's path.

    Raises ScenarioError with every problem (file, variant, field) when the file is not valid.
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioError([InputProblem(path.name, None, None, f"cannot be read: {err}")]) from None
    try:
        variant_set = VariantSet.model_validate(document)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, path.name, None)) from None
    return variant_set, (path.parent / variant_set.base)


def _change_label(index: int, change: Any) -> str:
    return _("change {n} ({kind})").format(n=index + 1, kind=change.kind)


def _variant_label(variant: Variant) -> str:
    return _("variant {name}").format(name=repr(variant.name))


def apply_variant(base: Scenario, variant: Variant, base_path: Path | None = None) -> Scenario:
    """The scenario of ``variant``: its changes applied to ``base`` in order, checked like a scenario file.

    Raises
    ------
    ScenarioError
        With every problem, each naming the variant (as the file) and the change (as the place).
    """
    scenario = base
    path = base_path or Path(f"{variant.name}.yaml")
    for index, change in enumerate(variant.changes):
        where = _change_label(index, change)
        try:
            scenario = change.apply(scenario)
        except ValueError as err:
            raise ScenarioError([InputProblem(_variant_label(variant), where, None, str(err))]) from None
        problems = check_scenario(scenario, path, {})
        if problems:
            raise ScenarioError([InputProblem(_variant_label(variant), where, None,
                                              f"{p.where + ', ' if p.where else ''}{p.field + ': ' if p.field else ''}"
                                              f"{p.message}") for p in problems])
    # A variant is a scenario: validated the same way, under its own name.
    try:
        checked = Scenario.model_validate({**scenario.model_dump(), "name": f"{base.name}: {variant.name}",
                                           "description": variant.description or scenario.description})
    except ValidationError as err:
        raise ScenarioError([InputProblem(_variant_label(variant), p.where, p.field, p.message)
                             for p in problems_from(err, "variant", None)]) from None
    return checked


def changed_ids(before: Scenario, after: Scenario) -> dict[str, list[str]]:
    """Cohorts and companies the variant added, removed or changed (by id)."""
    out: dict[str, list[str]] = {}
    for table in ("cohorts", "companies"):
        a = {row.id: row for row in getattr(before, table)}
        b = {row.id: row for row in getattr(after, table)}
        out[f"{table}_added"] = sorted(set(b) - set(a))
        out[f"{table}_removed"] = sorted(set(a) - set(b))
        out[f"{table}_changed"] = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    return out


def describe(variants: Iterable[Variant]) -> list[str]:
    """One line per variant: its name and change kinds."""
    return [f"{v.name}: {', '.join(c.kind for c in v.changes) or 'no changes'}" for v in variants]


def known_forms(scenario: Scenario) -> set[str]:
    """The forms the scenario's cohorts use (to suggest in messages)."""
    return {str(InternshipForm.parse(f)) for c in scenario.cohorts for f in c.forms}
