"""A variant's effect on the weighted shortage: how sure it is, and where it lies.

* :func:`effect_range`: the effect (variant minus base) as a range when either plan is not proven
  optimal: from the variant's bound minus the base plan's shortage to the variant plan's shortage
  minus the base's bound. With both gaps zero the range is one number, the exact effect.
  A variant that only adds room (places, companies, forms, wider windows) cannot raise the best
  weighted shortage, one that only takes room away or adds students cannot lower it
  (:func:`effect_sign`); the range is cut at zero accordingly, and the base's bound holds for a
  variant that only takes room away.
* :func:`touched_cells`: the stagebarometer cells (sector chamber x pathway x level) a variant
  touches: those of the cohorts it changes or adds, and those a changed, added or removed company
  offers places to; a change of the whole region's settings (weights, travel limit) touches all.
* :func:`cell_effects`: the change in unplaced students and weighted shortage per cell, summed
  apart over the touched cells and the rest (re-optimisation elsewhere).

:func:`effect_text`, :func:`where_text` and :func:`gap_text` say a sweep row's figures in words
(the markdown, the console and the web page use the same).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from planner.i18n import _, fmt_num, fmt_pct
from planner.plan.model import Plan
from planner.scenario import Scenario
from planner.whatif.changes import (
    AddCapacity,
    AddCompanies,
    AllowForms,
    RemoveCompanies,
    ScaleCapacity,
    ScaleInflow,
    WidenWindow,
)

Cell = tuple[str, str, str]
#: Shortages closer than this are equal (weights are halves and quarters).
TOLERANCE = 1e-6


@dataclass(frozen=True)
class EffectRange:
    """The effect of a variant on the weighted shortage, as a range (``low == high`` when exact)."""

    low: float
    high: float

    @property
    def exact(self) -> bool:
        """Whether the range is one number (both plans proven optimal)."""
        return self.high - self.low <= TOLERANCE


def effect_sign(base: Scenario, changes: list[Any]) -> int:
    """-1 when every change only adds room or takes students away (the best weighted shortage cannot rise), +1
    when every change only takes room away or adds students (it cannot fall), 0 otherwise or when the policy ties cells to the
    status quo (whose plan the variant changes too)."""
    if not changes or base.policy.no_cell_worse_than_status_quo:
        return 0
    signs = set()
    for change in changes:
        if isinstance(change, AddCapacity):
            signs.add(-1 if change.places >= 0 else 1)
        elif isinstance(change, ScaleCapacity):
            signs.add(-1 if change.factor >= 1 else 1)
        elif isinstance(change, AddCompanies | AllowForms | WidenWindow):
            signs.add(-1)
        elif isinstance(change, RemoveCompanies):
            signs.add(1)
        elif isinstance(change, ScaleInflow):
            signs.add(1 if change.factor >= 1 else -1)
        else:
            return 0
    return signs.pop() if len(signs) == 1 else 0


def effect_range(base: Plan, variant: Plan, sign: int = 0) -> EffectRange:
    """The range of the true effect: [variant bound - base plan, variant plan - base bound].

    The best plan of the variant lies between its bound and its plan, the base's between its
    bound and its plan; their difference lies in the range. With ``sign`` (:func:`effect_sign`)
    the range is cut at zero, and a variant that cannot do better than the base (``sign`` +1) has
    at least the base's bound. ``low`` is capped at ``high``.
    """
    high = variant.kpis.objective - base.kpis.bound
    low = variant.kpis.bound - base.kpis.objective
    if sign > 0:
        low = max(low, 0.0, max(variant.kpis.bound, base.kpis.bound) - base.kpis.objective)
    elif sign < 0:
        high = min(high, 0.0)
    low = min(low, high)
    return EffectRange(round(low, 6), round(high, 6))


def touched_cells(base: Scenario, variant: Scenario) -> set[Cell] | None:
    """The cells the variant touches; None when it changes the whole region (every cell is touched)."""
    settings = [name for name in Scenario.model_fields if name not in ("cohorts", "companies", "name", "description")]
    if any(getattr(base, name) != getattr(variant, name) for name in settings):
        return None
    cells: set[Cell] = set()
    before = {c.id: c for c in base.cohorts}
    for cohort in variant.cohorts:
        if before.get(cohort.id) != cohort:
            cells.add((cohort.sector, cohort.pathway, cohort.level))
    after = {c.id: c for c in variant.companies}
    companies = {c.id: c for c in base.companies}
    changed = [c for k, c in after.items() if companies.get(k) != c] + [c for k, c in companies.items() if k not in after]
    offered = {(s, lv) for c in changed for s in c.sectors for lv in c.levels}
    cells |= {(c.sector, c.pathway, c.level) for c in variant.cohorts if (c.sector, c.level) in offered}
    return cells


def _per_cell(plan: Plan) -> dict[Cell, tuple[int, float]]:
    out: dict[Cell, list[float]] = defaultdict(lambda: [0, 0.0])
    for cp in plan.cohorts:
        if cp.pathway != "BOL":
            continue
        cell = out[(cp.sector, cp.pathway, cp.level)]
        cell[0] += cp.unplaced
        cell[1] += cp.unplaced * cp.weight
    return {k: (int(v[0]), v[1]) for k, v in out.items()}


def cell_effects(base: Plan, variant: Plan, touched: set[Cell] | None) -> dict[str, Any]:
    """The change per cell, and summed over the touched cells and over the others.

    Returns ``cells`` (each changed cell: sector, pathway, level, unplaced before and after,
    difference in students and weighted shortage, ``touched``), ``touched`` and ``elsewhere``
    (``unplaced`` and ``weighted`` differences), and ``only_elsewhere``: the variant's whole
    effect lies in cells it did not touch.
    """
    a, b = _per_cell(base), _per_cell(variant)
    cells, sums = [], {True: [0, 0.0], False: [0, 0.0]}
    for key in sorted(set(a) | set(b)):
        (ua, wa), (ub, wb) = a.get(key, (0, 0.0)), b.get(key, (0, 0.0))
        if ua == ub and abs(wa - wb) <= TOLERANCE:
            continue
        inside = touched is None or key in touched
        sums[inside][0] += ub - ua
        sums[inside][1] += wb - wa
        cells.append({"sector": key[0], "pathway": key[1], "level": key[2], "unplaced_base": ua, "unplaced": ub,
                      "diff": ub - ua, "weighted_diff": round(wb - wa, 6), "touched": inside})
    inside = {"unplaced": sums[True][0], "weighted": round(sums[True][1], 6)}
    outside = {"unplaced": sums[False][0], "weighted": round(sums[False][1], 6)}
    only_elsewhere = (touched is not None and inside["unplaced"] == 0 and abs(inside["weighted"]) <= TOLERANCE
                      and (outside["unplaced"] != 0 or abs(outside["weighted"]) > TOLERANCE))
    return {"cells": cells, "touched": inside, "elsewhere": outside, "only_elsewhere": only_elsewhere,
            "whole_region": touched is None,
            "touched_cells": None if touched is None else [list(c) for c in sorted(touched)]}


def _signed_num(value: float) -> str:
    return ("+" if value > 1e-9 else "-" if value < -1e-9 else "") + fmt_num(abs(value))


def effect_text(row: dict[str, Any]) -> str:
    """A variant's effect on the weighted shortage: one number when exact, else the range it lies in."""
    if not row.get("ok") or "effect_low" not in row:
        return "-"
    if not row["comparable"]:
        return _("not comparable (other weights)")
    if row["effect_exact"]:
        return _signed_num(row["effect_high"])
    return _("{low} to {high}").format(low=_signed_num(row["effect_low"]), high=_signed_num(row["effect_high"]))


def where_text(row: dict[str, Any]) -> str:
    """Where a variant's effect lies: in the cells it touched and elsewhere, each labelled."""
    if not row.get("ok") or "effect_low" not in row:
        return "-"
    if row["whole_region"]:
        return _("the whole region (a setting of every cell changed)")
    if row["comparable"] and row["effect_exact"] and abs(row["effect_high"]) <= TOLERANCE and (
            abs(row["effect_touched"]) > TOLERANCE or abs(row["effect_elsewhere"]) > TOLERANCE):
        return _("no effect: the plans differ ({diff}) only because the base plan is not proven optimal").format(
            diff=_signed_num(row["effect_touched"] + row["effect_elsewhere"]))
    text = _("touched cells {touched}, elsewhere {elsewhere}").format(
        touched=_signed_num(row["effect_touched"]), elsewhere=_signed_num(row["effect_elsewhere"]))
    if row["only_elsewhere"]:
        text += "; " + _("the whole effect lies in cells the variant did not touch")
    return text


def gap_text(row: dict[str, Any]) -> str:
    """The gap of a row's plan, or 'proven optimal'."""
    return _("proven optimal") if row.get("proven") else fmt_pct(row["gap"])
