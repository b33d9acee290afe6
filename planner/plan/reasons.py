"""Why students stay without a place, per cohort; and what a worse cell was traded for.

:func:`unplaced_reasons` looks at every cohort with unplaced students on the compiled
problem (:class:`~planner.model.problem.ProblemData`: its options, the companies it may use
within its travel limit, capacity after BBL load; so every rule lives in one place) and at
the plan's placements, and decides in this order:

1. ``no_company_in_reach``: no learning company within the travel limit accepts the
   cohort's sector chamber and level; ``not_recognised_in_reach`` in a scenario whose
   companies list recognitions: none within the limit is recognised for the cohort's crebo
   (with the nearest company that is, and its travel time);
2. places are free at an eligible company for a whole allowed period (an option):
   ``window_or_waves`` when the cohort already uses its maximum number of waves and the free
   period would be a new wave, else ``not_used`` (the solve did not use them in its time);
3. places are free at an eligible company for a whole period of one of its forms outside its
   window (or, in the status quo, outside its current period): ``window_or_waves``;
4. otherwise the eligible companies are full in the weeks of its options: ``priority_trade``
   when cohorts with a higher weight hold at least the student-days the unplaced students
   need, else ``companies_full``; both name the fullest companies and the cohorts that hold
   their places in those weeks.

:func:`cell_trades` explains a stagebarometer cell with more unplaced students than in the
status quo by the cells with fewer unplaced students that use the same companies in the same
weeks. :func:`reason_text` and :func:`trade_text` put both in words in the current language; a
reason of a ``locked`` cohort in an optimised plan says that the consortium kept it in its current
period (``UnplacedReason.locked``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.codes import SECTOR_CHAMBERS, is_priority_group
from planner.geo.region import Region
from planner.i18n import _, fmt_int, fmt_num, ngettext, use_language
from planner.model.capacity import default_weekdays, load_vector
from planner.model.problem import ProblemData, compile_problem
from planner.plan.model import CellTrade, Holder, Plan, UnplacedReason
from planner.plan.state import placement_loads
from planner.scenario import Scenario
from planner.scenario.eligibility import accepts, uses_recognitions

KINDS = ("no_company_in_reach", "not_recognised_in_reach", "companies_full", "priority_trade", "window_or_waves",
         "not_used")
TOP = 3


def problem_for(plan: Plan, scenario: Scenario, region: Region) -> ProblemData:
    """The compiled problem a plan's reasons are judged on (the status quo and greedy: current periods only)."""
    return compile_problem(scenario, region, _judged_mode(plan))


def _judged_mode(plan: Plan) -> str:
    return "optimise" if plan.mode == "optimise" else "status-quo"


def _company_load(plan: Plan, data: ProblemData) -> tuple[np.ndarray, dict[int, list[tuple[str, np.ndarray]]]]:
    """Load of the plan's BOL placements per company (flat layout), and per company the load of each cohort.

    BBL load is left out: ``data.company_capacity`` is what the BBL students leave (see :mod:`planner.plan.state`).
    """
    scenario = data.scenario
    used = np.zeros((len(scenario.companies), data.n_weeks * data.n_days), dtype=np.int64)
    by_company: dict[int, dict[str, np.ndarray]] = defaultdict(dict)
    for placement in placement_loads(scenario, plan.cohorts):
        used[placement.company] += placement.days
        held = by_company[placement.company]
        cohort = placement.cohort.cohort
        held[cohort] = placement.days if cohort not in held else held[cohort] + placement.days
    return used, {k: list(v.items()) for k, v in by_company.items()}


def _free_period(free: np.ndarray, cols: np.ndarray, need: np.ndarray) -> bool:
    """Whether some company (row of ``free``) has ``need`` free in every column ``cols``."""
    if not len(cols) or not free.shape[0]:
        return False
    return bool((free[:, cols] >= need).all(axis=1).any())


def _flat(data: ProblemData, weeks: list[int], per_week: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols, vals = [], []
    for week in weeks:
        for day in range(data.n_days):
            if per_week[day]:
                cols.append(week * data.n_days + day)
                vals.append(per_week[day])
    return np.array(cols, dtype=np.int64), np.array(vals, dtype=np.int64)


def _outside_window(data: ProblemData, position: int, free: np.ndarray) -> tuple[str, str, str] | None:
    """A (form, start week) of one of the cohort's forms, not one of its options, with a free place at an eligible company."""
    scenario = data.scenario
    cohort = scenario.cohorts[data.cohorts[position]]
    calendar = scenario.calendar
    holiday_region = scenario.locations[cohort.location].holiday_region
    options = {(str(o.form), o.start) for o in data.options if o.cohort == position}
    for form in cohort.parsed_forms:
        weekdays = default_weekdays(form) if data.n_days > 1 and form.kind == "line" else None
        per_week = load_vector(form, weekdays, data.n_days)
        for start in range(data.n_weeks):
            if (str(form), start) in options:
                continue
            weeks = calendar.occupied_weeks(start, form, holiday_region)
            if weeks is None:
                continue
            cols, vals = _flat(data, weeks, per_week)
            if _free_period(free, cols, vals):
                return str(form), calendar.weeks[start], calendar.weeks[weeks[-1]]
    return None


def _nearest_recognised(data: ProblemData, position: int, region: Region | None) -> dict[str, object]:
    """The ``not_recognised_in_reach`` fields: the crebo, and the nearest company with places that takes it."""
    scenario = data.scenario
    cohort = scenario.cohorts[data.cohorts[position]]
    fields: dict[str, object] = {"kind": "not_recognised_in_reach", "crebo": cohort.crebo}
    takers = [k for k, company in enumerate(scenario.companies)
              if data.company_capacity[k].max() > 0 and accepts(company, cohort)]
    if region is None or not takers:
        return fields
    area_index = {a.name: i for i, a in enumerate(scenario.areas)}
    origin = area_index[scenario.locations[cohort.location].area]
    minutes = region.minutes_array(scenario.travel_mode(cohort))[origin]
    nearest = min(takers, key=lambda k: (minutes[area_index[scenario.companies[k].area]], k))
    fields.update(nearest_company=scenario.companies[nearest].name,
                  nearest_minutes=round(float(minutes[area_index[scenario.companies[nearest].area]]), 1))
    return fields


def unplaced_reasons(plan: Plan, data: ProblemData, region: Region | None = None) -> dict[str, UnplacedReason]:
    """Per cohort with unplaced students (by id), why they have no place (see the module's order).

    ``region`` gives the travel time to the nearest recognised company (``not_recognised_in_reach``).
    """
    scenario = data.scenario
    calendar = scenario.calendar
    used, holders_at = _company_load(plan, data)
    free = data.company_capacity - used
    plans = {cp.cohort: cp for cp in plan.cohorts}
    names = {inst.id: inst.name for inst in scenario.institutions}
    options_of: dict[int, list[int]] = defaultdict(list)
    for o, c in enumerate(data.option_cohort):
        options_of[int(c)].append(o)
    reasons: dict[str, UnplacedReason] = {}
    for position, i in enumerate(data.cohorts):
        cohort = scenario.cohorts[i]
        cp = plans.get(cohort.id)
        if cp is None or cp.unplaced <= 0:
            continue
        companies, _minutes = data.companies_of(position)
        fitting = sum(1 for c in scenario.companies if accepts(c, cohort))
        options = options_of.get(position, [])
        weight = float(data.weight[position])
        waves_used = sum(1 for w in cp.waves if w.placed > 0)
        base = dict(unplaced=cp.unplaced, weight=weight, travel_limit_minutes=scenario.max_travel(cohort),
                    fitting_companies=fitting, eligible_companies=len(companies), options=len(options),
                    waves_used=waves_used, max_waves=int(data.max_waves[position]),
                    locked=cohort.locked and data.mode == "optimise")
        if options:
            weeks = sorted({w for o in options for w in data.options[o].weeks})
            base.update(first_week=calendar.weeks[weeks[0]], last_week=calendar.weeks[weeks[-1]])
        if not len(companies) or not options:
            if len(options) and uses_recognitions(scenario):
                base.update(_nearest_recognised(data, position, region))
            else:
                base["kind"] = "no_company_in_reach"
            reasons[cohort.id] = _with_text(UnplacedReason(**base))
            continue
        companies = np.unique(companies)
        free_here = free[companies]
        free_options = []
        for o in options:
            row = data.occupancy.getrow(o)
            if _free_period(free_here, row.indices, row.data):
                free_options.append(o)
        cols = np.unique(np.concatenate([data.occupancy.getrow(o).indices for o in options]))
        capacity = int(data.company_capacity[np.ix_(companies, cols)].sum())
        taken_by: dict[str, int] = defaultdict(int)
        taken_at: dict[int, int] = defaultdict(int)
        for k in companies:
            for other, load in holders_at.get(int(k), []):
                if other == cohort.id:
                    continue
                amount = int(load[cols].sum())
                if amount:
                    taken_by[other] += amount
                    taken_at[int(k)] += amount
        higher = {c for c in taken_by if plans[c].weight > weight + 1e-9}
        holders = [
            Holder(cohort=c, institution=plans[c].institution,
                   institution_name=names.get(plans[c].institution, plans[c].institution),
                   programme=plans[c].programme, sector=plans[c].sector,
                   level=plans[c].level, weight=plans[c].weight, student_days=n)
            for c, n in sorted(taken_by.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ]
        fullest = [scenario.companies[k].name for k, _n in sorted(taken_at.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]
        base.update(capacity=capacity, taken=sum(taken_by.values()),
                    taken_by_priority=sum(taken_by[c] for c in higher), companies=fullest, holders=holders)
        if free_options:
            used_periods = {(w.form, w.start_week) for w in cp.waves if w.placed > 0}
            in_used = any((str(data.options[o].form), calendar.weeks[data.options[o].start]) in used_periods
                          for o in free_options)
            kind = "window_or_waves" if not in_used and waves_used >= base["max_waves"] else "not_used"
        elif (outside := _outside_window(data, position, free_here)) is not None:
            kind = "window_or_waves"
            base.update(free_form=outside[0], free_start=outside[1], free_end=outside[2])
        else:
            need = cp.unplaced * min(int(data.occupancy.getrow(o).data.sum()) for o in options)
            kind = "priority_trade" if higher and base["taken_by_priority"] >= need else "companies_full"
        reasons[cohort.id] = _with_text(UnplacedReason(kind=kind, **base))
    return reasons


def _with_text(reason: UnplacedReason) -> UnplacedReason:
    with use_language("en"):
        return reason.model_copy(update={"text": reason_text(reason)})


def form_text(form: str) -> str:
    """``block:4`` -> ``block internship of 4 weeks``; ``line:2x20`` -> ``line internship, 2 days a week for 20 weeks``."""
    kind, _sep, rest = form.partition(":")
    if kind == "block":
        return _("block internship of {weeks} weeks").format(weeks=rest)
    if kind == "line" and "x" in rest:
        days, weeks = rest.split("x", 1)
        return _("line internship, {days} days a week for {weeks} weeks").format(days=days, weeks=weeks)
    return form


def _holder_text(holder: Holder) -> str:
    return _("{programme} of {institution} ({days} student-days)").format(
        programme=holder.programme, institution=holder.institution_name or holder.institution,
        days=fmt_int(holder.student_days))


def reason_text(reason: UnplacedReason) -> str:
    """The reason in words, in the current language (saying so when the cohort was locked)."""
    text = _reason_text(reason)
    if reason.locked and reason.kind != "no_company_in_reach":
        text += " " + _("The cohort is locked to its current period (a consortium control), so the plan did not "
                        "move it.")
    return text


def _reason_text(reason: UnplacedReason) -> str:
    n = fmt_int(reason.unplaced)
    if reason.kind == "not_recognised_in_reach":
        if reason.nearest_company is None:
            return _("{n} without a place: no learning company in the region is recognised for crebo {crebo}.").format(
                n=n, crebo=reason.crebo)
        return _("{n} without a place: no learning company within {minutes} minutes is recognised for crebo {crebo}; "
                 "the nearest that is, {company}, is {nearest} minutes away.").format(
            n=n, minutes=fmt_num(reason.travel_limit_minutes, 0), crebo=reason.crebo, company=reason.nearest_company,
            nearest=fmt_num(reason.nearest_minutes or 0, 0))
    if reason.kind == "no_company_in_reach":
        if reason.fitting_companies:
            return _("{n} without a place: none of the {fitting} learning companies that accept this sector and level "
                     "is within the travel limit of {minutes} minutes.").format(
                n=n, fitting=fmt_int(reason.fitting_companies), minutes=fmt_num(reason.travel_limit_minutes, 0))
        return _("{n} without a place: no learning company in the region accepts this sector and level.").format(n=n)
    weeks = _("{first} to {last}").format(first=reason.first_week, last=reason.last_week)
    if reason.kind in ("companies_full", "priority_trade"):
        text = _("{n} without a place: none of the {eligible} learning companies within reach has a place free for a "
                 "whole period in the weeks of its possible periods ({weeks}); other cohorts take {taken} of the "
                 "{capacity} student-days they offer in those weeks.").format(
            n=n, eligible=fmt_int(reason.eligible_companies), weeks=weeks, taken=fmt_int(reason.taken),
            capacity=fmt_int(reason.capacity))
        if reason.companies:
            text += " " + _("Busiest: {companies}.").format(companies=", ".join(reason.companies))
        if reason.holders:
            text += " " + _("Places held by: {holders}.").format(holders="; ".join(_holder_text(h) for h in reason.holders))
        if reason.kind == "priority_trade":
            text += " " + _("Cohorts whose unplaced students weigh more (priority groups) hold {days} of those "
                            "student-days.").format(days=fmt_int(reason.taken_by_priority))
        return text
    if reason.kind == "window_or_waves":
        if reason.free_form and reason.free_start:
            return _("{n} without a place: the companies within reach have no place free in the weeks of its possible "
                     "periods ({weeks}), but have places outside them, e.g. {form} from {start} to {end}.").format(
                n=n, weeks=weeks, form=form_text(reason.free_form), start=reason.free_start,
                end=reason.free_end or "?")
        return ngettext("{n} without a place: places are free in another allowed period, but the cohort already "
                        "uses its maximum of {waves} wave.",
                        "{n} without a place: places are free in another allowed period, but the cohort already "
                        "uses its maximum of {waves} waves.", reason.max_waves).format(n=n, waves=fmt_int(reason.max_waves))
    return _("{n} without a place: places are free in an allowed period, but the solve did not use them within its "
             "time limit.").format(n=n)


# ------------------------------------------------------------------ worse cells and their trades

Cell = tuple[str, str, str]  # sector, pathway, level


def cell_trades(plan: Plan, data: ProblemData) -> list[CellTrade]:
    """Cells with more unplaced students than in the status quo, with the cells that gained in the same companies and weeks."""
    base = plan.baselines.get("status-quo")
    if base is None or plan.mode == "status-quo":
        return []
    before = {(c.sector, c.pathway, c.level): c.unplaced for c in base.by_cell}
    after = {(c.sector, c.pathway, c.level): c.unplaced for c in plan.kpis.by_cell}
    change = {cell: after.get(cell, 0) - before.get(cell, 0) for cell in set(before) | set(after)}
    worse = [cell for cell, d in change.items() if d > 0]
    if not worse:
        return []
    scenario = data.scenario
    _used, holders_at = _company_load(plan, data)
    cell_of = {cp.cohort: (cp.sector, cp.pathway, cp.level) for cp in plan.cohorts}
    position_of = {scenario.cohorts[i].id: p for p, i in enumerate(data.cohorts)}
    trades = []
    for cell in sorted(worse, key=lambda c: (-change[c], c)):
        # Where the cell's cohorts could go: their eligible companies in their options' weeks.
        cohorts = [cp for cp in plan.cohorts if (cp.sector, cp.pathway, cp.level) == cell and cp.cohort in position_of]
        shared: dict[Cell, int] = defaultdict(int)
        for cp in cohorts:
            p = position_of[cp.cohort]
            companies, _m = data.companies_of(p)
            options = np.nonzero(data.option_cohort == p)[0]
            if not len(companies) or not len(options):
                continue
            cols = np.unique(np.concatenate([data.occupancy.getrow(int(o)).indices for o in options]))
            for k in np.unique(companies):
                for other, load in holders_at.get(int(k), []):
                    other_cell = cell_of[other]
                    if other_cell != cell and change.get(other_cell, 0) < 0:
                        shared[other_cell] += int(load[cols].sum())
        gained = [
            {"sector": c[0], "pathway": c[1], "level": c[2], "change": change[c],
             "priority": is_priority_group(c[0], c[2])}
            for c, days in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])) if days > 0
        ][:TOP]
        trade = CellTrade(sector=cell[0], pathway=cell[1], level=cell[2], change=change[cell], gained=gained)
        with use_language("en"):
            text = trade_text(trade)
        trades.append(trade.model_copy(update={"text": text}))
    return trades


def cell_name(sector: str, level: str, pathway: str | None = None) -> str:
    """A stagebarometer cell in words: ``Zorg, welzijn en sport level 4``."""
    level_words = _("entree") if level == "entree" else _("level {level}").format(level=level)
    name = f"{SECTOR_CHAMBERS.get(sector, sector)} {level_words}"
    return f"{name} {pathway}" if pathway and pathway != "BOL" else name


def trade_text(trade: CellTrade) -> str:
    """A worse cell and what gained in exchange, in words, in the current language."""
    head = _("{cell}: {change} unplaced against the status quo").format(
        cell=cell_name(trade.sector, trade.level, trade.pathway), change=f"+{fmt_int(trade.change)}")
    if not trade.gained:
        return head + "; " + _("no cell with fewer unplaced students uses the same companies in the same weeks.")
    parts = []
    for g in trade.gained:
        name = cell_name(str(g["sector"]), str(g["level"]), str(g["pathway"]))
        if g["priority"]:
            name += " " + _("(priority)")
        parts.append(f"{name} {fmt_int(int(g['change']))}")
    return head + "; " + _("in the same companies and weeks: {cells}.").format(cells=", ".join(parts))


def explain(plan: Plan, scenario: Scenario, region: Region, data: ProblemData | None = None) -> Plan:
    """``plan`` with its ``reasons`` and ``trades`` filled.

    ``data`` is the problem the plan was solved on, when the caller has it (a solve does): compiling
    it again took a third of the time after an M solve's search. Reasons read no cell limits, so
    the problem of either mode's compile serves.
    """
    if data is None or data.mode != _judged_mode(plan):
        data = problem_for(plan, scenario, region)
    return plan.model_copy(update={"reasons": unplaced_reasons(plan, data, region), "trades": cell_trades(plan, data)})


def reasons_of(plan: Plan, scenario: Scenario, region: Region) -> tuple[dict[str, UnplacedReason], list[CellTrade]]:
    """The plan's reasons and trades: as stored in it, else computed (plans written before they were stored)."""
    if plan.reasons is not None and plan.trades is not None:
        return plan.reasons, plan.trades
    explained = explain(plan, scenario, region)
    return explained.reasons or {}, explained.trades or []
