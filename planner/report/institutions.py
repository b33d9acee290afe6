"""What changes, per institution, and why students stay unplaced: markdown, CSV and an xlsx workbook.

Per institution a report ``institutions/<institution-id>.md`` (for its internship
coordinators), ``institutions/<institution-id>.csv`` and its printable calendar
``institutions/<institution-id>.html`` (:mod:`planner.report.calendar`); for the whole region ``changes.csv``
and ``changes.xlsx`` (a sheet for the region and one per institution). The rows come from
:func:`planner.plan.changes.cohort_changes`, the reasons from :mod:`planner.plan.reasons`.
:func:`changes_markdown` and :func:`reasons_markdown` are the two sections of summary.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from planner.codes import SECTOR_CHAMBERS
from planner.geo.region import Region
from planner.i18n import N_, _, fmt_int, ngettext
from planner.markup import markdown_text
from planner.plan.changes import CohortChange, cohort_changes, institution_totals, wave_text
from planner.plan.model import CellTrade, Plan, UnplacedReason
from planner.plan.reasons import explain, form_text, reason_text, trade_text
from planner.report.calendar import calendar_html
from planner.report.tables import csv_text, spreadsheet_safe
from planner.scenario import LoadedScenario, Scenario
from planner.scenario.calendar import forms_in_words

#: Columns of changes.csv and the institutions' CSV files (stable names, as in the other CSV tables).
CHANGE_COLUMNS = [
    "institution", "institution_name", "location", "area", "cohort", "programme", "crebo", "sector", "level",
    "pathway", "students", "current_form", "current_start", "current_end", "proposed_waves", "placed", "unplaced",
    "changed", "students_moved", "companies", "reason", "reason_text",
]
#: Headers of the workbook's columns, in the order of :data:`CHANGE_COLUMNS` (translated where shown).
CHANGE_HEADERS = [
    N_("institution id"), N_("institution"), N_("location"), N_("area"), N_("cohort"), N_("programme"), N_("crebo"),
    N_("sector chamber"), N_("level"), N_("pathway"), N_("students"), N_("current form"), N_("current start"),
    N_("current end"), N_("proposed internship periods"), N_("placed"), N_("without a place"), N_("changed"),
    N_("students moved"), N_("learning companies"), N_("reason code"), N_("reason"),
]
INSTITUTIONS_FOLDER = "institutions"
MAX_COMPANIES = 5


def explained(plan: Plan, loaded: LoadedScenario) -> Plan:
    """``plan`` with reasons and trades (computed when it has none yet, as plans of older versions)."""
    if plan.reasons is not None and plan.trades is not None:
        return plan
    return explain(plan, loaded.scenario, Region(loaded.scenario, loaded.base_dir))


def _md(text: Any) -> str:
    return markdown_text(text)


def _level(level: str) -> str:
    return _("entree") if level == "entree" else _("level {level}").format(level=level)


def _companies(names: tuple[str, ...], students: tuple[int, ...]) -> str:
    pairs = sorted(zip(names, students), key=lambda p: (-p[1], p[0]))
    shown = [f"{name} ({fmt_int(n)})" for name, n in pairs[:MAX_COMPANIES]]
    if len(pairs) <= MAX_COMPANIES:
        return ", ".join(shown)
    return _("{names} and {n} more").format(names=", ".join(shown), n=fmt_int(len(pairs) - MAX_COMPANIES))


def change_rows(changes: list[CohortChange], reasons: dict[str, UnplacedReason]) -> list[dict[str, Any]]:
    """One row per cohort for changes.csv (columns :data:`CHANGE_COLUMNS`)."""
    rows = []
    for c in changes:
        reason = reasons.get(c.cohort)
        rows.append({
            "institution": c.institution, "institution_name": c.institution_name, "location": c.location,
            "area": c.area, "cohort": c.cohort, "programme": c.programme, "crebo": c.crebo, "sector": c.sector,
            "level": c.level, "pathway": c.pathway, "students": c.students, "current_form": c.current_form,
            "current_start": c.current_start, "current_end": c.current_end,
            "proposed_waves": "; ".join(wave_text(w) for w in c.waves), "placed": c.placed, "unplaced": c.unplaced,
            "changed": "yes" if c.changed else "no", "students_moved": c.moved,
            "companies": "; ".join(dict.fromkeys(n for w in c.waves for n in w.companies)),
            "reason": reason.kind if reason else "", "reason_text": reason_text(reason) if reason else "",
        })
    return rows


def _period(form: str, start: str, end: str) -> str:
    return f"{form_text(form)}, {start} – {end}"


def institution_markdown(plan: Plan, scenario: Scenario, institution: str, changes: list[CohortChange] | None = None,
                         reasons: dict[str, UnplacedReason] | None = None) -> str:
    """The report of one institution: per cohort its current period, the proposed periods, places and reasons."""
    rows = changes if changes is not None else cohort_changes(plan, scenario, institution)
    rows = [r for r in rows if r.institution == institution]
    reasons = reasons if reasons is not None else (plan.reasons or {})
    name = next((i.name for i in scenario.institutions if i.id == institution), institution)
    changed = [r for r in rows if r.changed]
    students = sum(r.students for r in rows)
    lines = [
        "# " + _("Internship periods of {institution}").format(institution=_md(name)),
        "",
        _("Plan {scenario}: {cohorts} BOL cohorts with {students} students. The plan proposes a different internship "
          "period for {changed} cohorts ({moved} students); {placed} students get a place, {unplaced} stay without "
          "one.").format(scenario=_md(plan.scenario), cohorts=fmt_int(len(rows)), students=fmt_int(students),
                         changed=fmt_int(len(changed)), moved=fmt_int(sum(r.moved for r in rows)),
                         placed=fmt_int(sum(r.placed for r in rows)), unplaced=fmt_int(sum(r.unplaced for r in rows))),
        "",
        "## " + _("Cohorts whose internship period changes"),
        "",
    ]
    if changed:
        lines += _cohort_table(changed)
    else:
        lines.append(_("No cohort of this institution changes its internship period."))
    kept = [r for r in rows if not r.changed]
    lines += ["", "## " + _("Cohorts that keep their internship period"), ""]
    if kept:
        lines += _cohort_table(kept)
    else:
        lines.append(_("Every cohort of this institution changes its internship period."))
    lines += ["", "## " + _("Why students stay without a place"), ""]
    unplaced = [r for r in rows if r.unplaced > 0]
    if unplaced:
        for r in unplaced:
            reason = reasons.get(r.cohort)
            why = reason_text(reason) if reason else _("{n} without a place.").format(n=fmt_int(r.unplaced))
            lines.append(f"- **{_md(r.programme)}** ({_md(r.area)}, {_level(r.level)}, {_md(r.cohort)}): {_md(why)}")
    else:
        lines.append(_("Every student of this institution gets a place in this plan."))
    lines += ["", "## " + _("Where the students go"), "",
              _("Learning companies per proposed period, with the number of students each takes."), ""]
    for r in rows:
        for w in r.waves:
            if w.companies:
                lines.append(f"- **{_md(r.programme)}** ({_md(r.area)}), {_period(w.form, w.start_week, w.end_week)}: "
                             f"{_md(_companies(w.companies, w.company_students))}")
    return "\n".join(lines) + "\n"


def _cohort_table(rows: list[CohortChange]) -> list[str]:
    lines = ["| " + " | ".join([_("programme"), _("level"), _("place"), _("students"), _("current period"),
                                _("proposed periods"), _("placed"), _("without a place")]) + " |",
             "|---|---|---|---:|---|---|---:|---:|"]
    def students(n: int) -> str:
        return ngettext("{n} student", "{n} students", n).format(n=fmt_int(n))

    for r in rows:
        proposed = "<br>".join(
            f"{_period(w.form, w.start_week, w.end_week)}: " + students(w.students)
            for w in r.waves)
        lines.append(f"| {_md(r.programme)} ({_md(r.crebo)}) | {_level(r.level)} | {_md(r.area)} | {fmt_int(r.students)} | "
                     f"{_period(r.current_form, r.current_start, r.current_end)} | {proposed} | {fmt_int(r.placed)} | "
                     f"{fmt_int(r.unplaced)} |")
    return lines


def changes_markdown(plan: Plan, scenario: Scenario) -> str:
    """The summary's section "Changes per institution": one line per institution."""
    totals = institution_totals(cohort_changes(plan, scenario))
    lines = ["## " + _("Changes per institution"), ""]
    if not totals:
        return "\n".join(lines + [_("No BOL cohorts.")]) + "\n"
    lines += ["| " + " | ".join([_("institution"), _("cohorts"), _("changed"), _("students moved"),
                                 _("without a place")]) + " |", "|---|---:|---:|---:|---:|"]
    for t in totals:
        lines.append(f"| {_md(t.institution_name)} | {fmt_int(t.cohorts)} | {fmt_int(t.changed)} | {fmt_int(t.moved)} | "
                     f"{fmt_int(t.unplaced)} |")
    lines += ["", _("Each institution's cohorts are listed in `institutions/<institution>.md` and in `changes.xlsx`.")]
    return "\n".join(lines) + "\n"


def reasons_markdown(plan: Plan, scenario: Scenario) -> str:
    """The summary's section "Why students stay unplaced": a line per cohort with unplaced students, then the trades."""
    lines = ["## " + _("Why students stay unplaced"), ""]
    if plan.reasons is None:
        return "\n".join(lines + [_("Not computed for this plan.")]) + "\n"
    cohorts = {cp.cohort: cp for cp in plan.cohorts}
    names = {i.id: i.name for i in scenario.institutions}
    if not plan.reasons:
        lines.append(_("Every student gets a place."))
    for cohort_id, reason in sorted(plan.reasons.items(), key=lambda kv: (-kv[1].unplaced, kv[0])):
        cp = cohorts.get(cohort_id)
        where = (f"{_md(cp.programme)} ({_md(names.get(cp.institution, cp.institution))}, {_md(cp.location)}, "
                 f"{_level(cp.level)})") if cp else _md(cohort_id)
        lines.append(f"- **{where}**: {_md(reason_text(reason))}")
    lines += _trade_lines(plan.trades or [])
    return "\n".join(lines) + "\n"


def _trade_lines(trades: list[CellTrade]) -> list[str]:
    if not trades:
        return []
    lines = ["", "### " + _("Cells with more students without a place than in the status quo"), ""]
    lines += [f"- {_md(trade_text(t))}" for t in trades]
    return lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "institution"


def _sheet_title(text: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "sheet"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


def write_changes_xlsx(path: Path, rows: list[dict[str, Any]], institutions: list[tuple[str, str]]) -> None:
    """changes.xlsx: a sheet for the region and one per institution (cells spreadsheet-safe)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    taken: set[str] = set()
    headers = [_(h) for h in CHANGE_HEADERS]

    def fill(sheet: Any, selected: list[dict[str, Any]]) -> None:
        sheet.append(headers)
        for row in selected:
            values = [row[c] for c in CHANGE_COLUMNS]
            values[CHANGE_COLUMNS.index("changed")] = _("yes") if row["changed"] == "yes" else _("no")
            values[CHANGE_COLUMNS.index("sector")] = SECTOR_CHAMBERS.get(row["sector"], row["sector"])
            for column in ("current_form", "proposed_waves"):  # forms in words: blokstage 16 weken
                values[CHANGE_COLUMNS.index(column)] = forms_in_words(str(row[column]))
            sheet.append([spreadsheet_safe(v) for v in values])
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for i, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[CHANGE_COLUMNS[i - 1]])) for r in selected[:200]])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))

    region = book.active
    region.title = _sheet_title(_("Region"), taken)
    fill(region, rows)
    for inst, name in institutions:
        fill(book.create_sheet(_sheet_title(name or inst, taken)), [r for r in rows if r["institution"] == inst])
    book.save(path)


def write_institution_files(folder: Path, plan: Plan, scenario: Scenario, status_quo: Plan | None = None) -> list[str]:
    """Write changes.csv, changes.xlsx and institutions/<id>.md, .csv and .html (the printable calendar,
    :mod:`planner.report.calendar`) into ``folder``; the names written."""

    changes = cohort_changes(plan, scenario)
    reasons = plan.reasons or {}
    rows = change_rows(changes, reasons)
    (folder / "changes.csv").write_text(csv_text(rows, CHANGE_COLUMNS), encoding="utf-8")
    institutions = [(inst.id, inst.name) for inst in scenario.institutions]
    write_changes_xlsx(folder / "changes.xlsx", rows, institutions)
    sub = folder / INSTITUTIONS_FOLDER
    sub.mkdir(exist_ok=True)
    for inst, _name in institutions:
        slug = _slug(inst)
        own = [c for c in changes if c.institution == inst]
        (sub / f"{slug}.md").write_text(institution_markdown(plan, scenario, inst, own, reasons), encoding="utf-8")
        (sub / f"{slug}.csv").write_text(csv_text([r for r in rows if r["institution"] == inst], CHANGE_COLUMNS),
                                         encoding="utf-8")
        (sub / f"{slug}.html").write_text(calendar_html(plan, scenario, inst, status_quo, own), encoding="utf-8")
    return ["changes.csv", "changes.xlsx", INSTITUTIONS_FOLDER]
