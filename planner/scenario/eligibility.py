"""Which learning companies may take a cohort's students: the one place for the matching rule.

A company that lists ``recognitions`` is recognised per qualification (SBB's erkenning per
kwalificatie): it takes a cohort when it is recognised for the cohort's crebo (a family of
the catalogue stands for all its crebos) and offers the cohort's level. A company without
recognitions is matched as before: the cohort's sector chamber and level. The travel limit
comes on top (:func:`planner.model.problem.compile_problem` and ``verify_plan`` apply it).
"""

from __future__ import annotations

from collections.abc import Callable

from planner.catalogue import qualifications, recognised_crebos
from planner.i18n import _, ngettext
from planner.scenario.model import Cohort, Company, Scenario
from planner.scenario.problems import InputProblem, Origin

#: What a company's fit depends on: ("crebo", crebos, levels) or ("sector", sectors, levels).
FitKey = tuple[str, frozenset[str], frozenset[str]]


def fit_key(company: Company) -> FitKey:
    """The part of a company that decides which cohorts it may take (companies with equal keys take the same)."""
    if company.recognitions:
        return ("crebo", recognised_crebos(tuple(sorted(company.recognitions))), frozenset(company.levels))
    return ("sector", frozenset(company.sectors), frozenset(company.levels))


def key_fits(key: FitKey, cohort: Cohort) -> bool:
    """Whether a company with this fit key may take the cohort's students (travel aside)."""
    kind, accepted, levels = key
    if cohort.level not in levels:
        return False
    return (cohort.crebo if kind == "crebo" else cohort.sector) in accepted


def accepts(company: Company, cohort: Cohort) -> bool:
    """Whether ``company`` may take students of ``cohort`` (recognition or sector, and level; travel aside)."""
    return key_fits(fit_key(company), cohort)


def competition_key(cohort: Cohort, by_recognition: bool) -> tuple[str, str]:
    """What a cohort shares its learning companies with, and its level: cohorts with equal keys
    in one area mostly compete for the same companies.

    By sector chamber, every company of the chamber at the level takes them all; by recognition,
    a company is recognised for some qualifications (in generated regions a family of the
    catalogue), so the cohorts of one family compete and those of other families of the chamber
    mostly do not. A crebo outside the catalogue stands for itself.
    """
    if not by_recognition:
        return cohort.sector, cohort.level
    known = qualifications().get(cohort.crebo)
    return (known.family if known is not None else cohort.crebo), cohort.level


def uses_recognitions(scenario: Scenario) -> bool:
    """Whether any company of the scenario lists recognitions."""
    return any(company.recognitions for company in scenario.companies)


def recognised_anywhere(scenario: Scenario) -> frozenset[str]:
    """Crebos at least one company with recognitions is recognised for."""
    crebos: set[str] = set()
    for company in scenario.companies:
        if company.recognitions:
            crebos |= recognised_crebos(tuple(sorted(company.recognitions)))
    return frozenset(crebos)


def matching_rule_warning(scenario: Scenario, file: str) -> InputProblem | None:
    """The warning ``validate`` gives for a scenario without recognitions (matched by sector and level)."""
    if uses_recognitions(scenario):
        return None
    return InputProblem(file, None, "recognitions", _(
        "no learning company lists recognitions: companies are matched by sector chamber and level, "
        "not per qualification (crebo)"))


def recognition_findings(scenario: Scenario, cohort_at: Callable[[int], Origin]) -> list[InputProblem]:
    """A finding per crebo that no company is recognised for, in a scenario with recognitions.

    Every crebo of the BOL cohorts that no company takes (no company recognised for it, nor a
    company without recognitions of its sector and level) is one finding, at its first cohort,
    naming the cohorts it leaves without any company.
    """
    if not uses_recognitions(scenario):
        return []
    keys = {fit_key(company) for company in scenario.companies
            if company.places > 0 or company.places_per_weekday}
    left: dict[str, list[int]] = {}
    for i, cohort in enumerate(scenario.cohorts):
        if cohort.pathway == "BOL" and not any(key_fits(key, cohort) for key in keys):
            left.setdefault(cohort.crebo, []).append(i)
    findings = []
    for crebo, cohorts in left.items():
        known = qualifications().get(crebo)
        students = sum(scenario.cohorts[i].students for i in cohorts)
        findings.append(InputProblem(*cohort_at(cohorts[0]), "crebo", ngettext(
            "no learning company is recognised for crebo {crebo}{name}: {count} cohort without any company "
            "({cohorts}, {students} students)",
            "no learning company is recognised for crebo {crebo}{name}: {count} cohorts without any company "
            "({cohorts}, {students} students)", len(cohorts)).format(
                crebo=crebo, name=f" ({known.name})" if known else "", count=len(cohorts),
                cohorts=", ".join(scenario.cohorts[i].id for i in cohorts), students=students)))
    return findings
