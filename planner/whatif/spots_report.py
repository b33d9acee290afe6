"""The marginal ranking's files: ``marginal.json``, ``marginal.md`` (the ranked spots with names, the
estimate beside the realised reduction) and ``marginal-map.html`` (the plan's map with the spots)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from maps.spots import write_spots_map
from planner.i18n import _, fmt_num
from planner.markup import markdown_text
from planner.plan.model import Plan
from planner.scenario import LoadedScenario, write_atomic


def spot_qualification(row: dict[str, Any]) -> str:
    """What a spot's place is for: ``only <name> (<code>)`` for a place for one qualification, else the crebo
    of most of the students it could take (empty when unknown)."""
    if row.get("qualification"):
        return _("only {name}").format(name=row.get("qualification_name") or row["qualification"]) + \
            f" ({row['qualification']})"
    return f"{row['crebo_name']} ({row['crebo']})" if row.get("crebo") else ""


def spots_markdown(rows: list[dict[str, Any]], plan: Plan) -> str:
    """The ranking as markdown: verified spots by their realised reduction first, names rather than ids."""
    verified = sum(1 for r in rows if r["realised"] is not None)
    lines = [f"# {_('Where one more supervision place helps most')}", "",
             _("Plan {scenario} ({status}), weighted shortage {objective}.").format(
                 scenario=plan.scenario, status=plan.solver.status, objective=fmt_num(plan.kpis.objective)), "",
             _("{verified} of {n} spots verified by re-solving with the extra place; they are ranked by the reduction "
               "they realised, the others by their estimate.").format(verified=verified, n=len(rows)), "",
             "| " + " | ".join([_("rank"), _("learning company"), _("area"), _("sector chamber"), _("level"),
                                _("qualification"), _("weeks"), _("estimated reduction"), _("realised reduction"),
                                _("rank by estimate"), _("verified")]) + " |",
             "|---:|---|---|---|---|---|---|---:|---:|---:|---|"]
    for r in rows:
        realised = "-" if r["realised"] is None else fmt_num(r["realised"])
        status = "-" if r["verified_status"] is None else f"{r['verified_status']} ({r['neighbourhood']})"
        lines.append(f"| {r['rank']} | {markdown_text(r['company_name'] or r['company'])} | {markdown_text(r['area'])} | "
                     f"{r['sector_name'] or r['sector']} | {r['level']} | {markdown_text(spot_qualification(r))} | "
                     f"{r['first_week']}..{r['last_week']} | "
                     f"{fmt_num(r['estimate'])} | {realised} | {r['estimated_rank'] or '-'} | {status} |")
    return "\n".join(lines) + "\n"


def write_marginal(plan: Plan, loaded: LoadedScenario, rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """Write marginal.json, marginal.md and marginal-map.html to ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "marginal.json", json.dumps({"objective": plan.kpis.objective, "status": plan.solver.status,
                                                    "spots": rows}, indent=1))
    write_atomic(out / "marginal.md", spots_markdown(rows, plan))
    return [out / "marginal.json", out / "marginal.md", write_spots_map(plan, loaded, rows, out / "marginal-map.html")]
