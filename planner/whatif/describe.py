"""What a variant does, in plain words, before it is solved: how many places it adds and where, how
many students, which cohorts change, and what was adjusted to fit the school year.

Read off the base and the variant scenario (not off the changes' parameters), so "+1 place per
learning company" says it adds 119 places when 119 companies are selected.
"""

from __future__ import annotations

from collections import Counter

from planner.codes import sector_label
from planner.i18n import _, current_language, fmt_int, ngettext
from planner.scenario import Company, Scenario
from planner.whatif.changes import MoveWindow
from planner.whatif.qualification_changes import qualification_lines, without_qualification_groups
from planner.whatif.variants import Variant

#: Areas named in a summary before "and N more".
SHOWN_AREAS = 4
#: Cohort fields whose change a summary names.
COHORT_FIELDS = ("forms", "current_form", "earliest_start", "latest_end", "current_start", "max_waves",
                 "max_travel_minutes")


def _place_changes(base: Company, variant: Company, weeks: list[str]) -> tuple[int, list[str]]:
    """The largest change of a company's places in any week, and the weeks it changed in."""
    diffs = {w: variant.places_in(w) - base.places_in(w) for w in weeks}
    changed = [w for w, d in diffs.items() if d]
    if not changed:
        return 0, []
    return max((diffs[w] for w in changed), key=abs), changed


def _areas(companies: list[Company]) -> str:
    counts = Counter(c.area for c in companies)
    names = [a for a, _n in counts.most_common()]
    shown = ", ".join(names[:SHOWN_AREAS])
    more = len(names) - SHOWN_AREAS
    return shown + (_(" and {n} more").format(n=fmt_int(more)) if more > 0 else "")


def _sectors(companies: list[Company]) -> str:
    lang = current_language()
    counts = Counter(s for c in companies for s in c.sectors)
    return ", ".join(sector_label(s, lang) for s, _n in counts.most_common(3))


def _supply(base: Scenario, scenario: Scenario) -> list[str]:
    lines = []
    weeks = scenario.calendar.weeks
    before = {c.id: c for c in base.companies}
    after = {c.id: c for c in scenario.companies}
    added = [c for k, c in after.items() if k not in before]
    removed = [c for k, c in before.items() if k not in after]
    if added:
        lines.append(ngettext("adds {n} learning company with {places} places ({areas})",
                              "adds {n} learning companies with {places} places ({areas})", len(added)).format(
            n=fmt_int(len(added)), places=fmt_int(sum(c.places for c in added)), areas=_areas(added)))
    if removed:
        lines.append(ngettext("removes {n} learning company with {places} places ({areas})",
                              "removes {n} learning companies with {places} places ({areas})", len(removed)).format(
            n=fmt_int(len(removed)), places=fmt_int(sum(c.places for c in removed)), areas=_areas(removed)))
    more, fewer, changed_weeks = [], [], set()
    for key, company in after.items():
        if key in before and before[key] != company:
            delta, in_weeks = _place_changes(before[key], company, weeks)
            if delta:
                (more if delta > 0 else fewer).append((company, delta))
                changed_weeks.update(in_weeks)
    span = ""
    if changed_weeks and len(changed_weeks) < len(weeks):
        ordered = sorted(changed_weeks, key=scenario.calendar.week_index.__getitem__)
        span = " " + _("in weeks {first}..{last}").format(first=ordered[0], last=ordered[-1])
    for rows, text in ((more, ngettext("adds {places} supervision places at {n} learning company ({sectors}; {areas})",
                                       "adds {places} supervision places at {n} learning companies ({sectors}; "
                                       "{areas})", len(more))),
                       (fewer, ngettext("takes {places} supervision places away at {n} learning company ({sectors}; "
                                        "{areas})", "takes {places} supervision places away at {n} learning companies "
                                        "({sectors}; {areas})", len(fewer)))):
        if rows:
            companies = [c for c, _d in rows]
            lines.append(text.format(places=fmt_int(abs(sum(d for _c, d in rows))), n=fmt_int(len(rows)),
                                     sectors=_sectors(companies), areas=_areas(companies)) + span)
    return lines


def _demand(base: Scenario, scenario: Scenario) -> list[str]:
    lines = []
    before = {c.id: c for c in base.cohorts}
    students = sum(c.students for c in scenario.cohorts) - sum(c.students for c in base.cohorts)
    if students:
        lines.append((_("adds {n} students") if students > 0 else _("removes {n} students")).format(
            n=fmt_int(abs(students))))
    fields: Counter[str] = Counter()
    changed = 0
    for cohort in scenario.cohorts:
        old = before.get(cohort.id)
        if old is not None and old != cohort:
            names = [f for f in COHORT_FIELDS if getattr(old, f, None) != getattr(cohort, f, None)]
            if names:
                changed += 1
                fields.update(names)
    if changed:
        lines.append(ngettext("changes {n} cohort ({fields})", "changes {n} cohorts ({fields})", changed).format(
            n=fmt_int(changed), fields=", ".join(f for f, _n in fields.most_common())))
    return lines


def _settings(base: Scenario, scenario: Scenario) -> list[str]:
    lines = []
    if weights_changed(base, scenario):
        lines.append(_("changes the weights of unplaced students, so its weighted shortage is not comparable with "
                       "the base"))
    if base.policy.default_max_travel_minutes != scenario.policy.default_max_travel_minutes:
        lines.append(_("sets the travel limit to {minutes} minutes").format(
            minutes=fmt_int(scenario.policy.default_max_travel_minutes)))
    return lines


def variant_notes(base: Scenario, variant: Variant) -> list[str]:
    """What was adjusted so the variant fits the school year (windows moved less than asked)."""
    notes, scenario = [], base
    for change in variant.changes:
        if isinstance(change, MoveWindow):
            for cohort, moved in sorted(change.clamped(scenario).items()):
                notes.append(_("cohort {cohort} moves {moved} weeks instead of {asked}: its window reaches the "
                               "{edge} of the school year").format(
                    cohort=cohort, moved=moved, asked=change.weeks,
                    edge=_("end") if change.weeks > 0 else _("start")))
        scenario = change.apply(scenario)
    return notes


def variant_summary(base: Scenario, variant: Variant, scenario: Scenario) -> list[str]:
    """What the variant does in plain words, then the notes on what was adjusted; one sentence a line."""
    lines = (_supply(without_qualification_groups(base), without_qualification_groups(scenario))
             + qualification_lines(base, scenario) + _demand(base, scenario) + _settings(base, scenario))
    if not lines:
        lines = [_("changes nothing the plan depends on")]
    return lines + variant_notes(base, variant)


def weights_changed(base: Scenario, scenario: Scenario) -> bool:
    """Whether the variant weighs unplaced students differently (its shortage is then not comparable)."""
    return (base.policy.level_weights != scenario.policy.level_weights
            or base.policy.sector_weights != scenario.policy.sector_weights)
