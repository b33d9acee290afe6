"""The result of one solve: the plan, the baseline plans it is measured against, and solver statistics.

:class:`Result` is plain data (pydantic), so it crosses from the solver process to its
caller as JSON. The rule that an optimised plan is never worse than the status quo lives
here, in :func:`never_worse_than_status_quo`, and :func:`make_result` applies it once.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from planner.i18n import N_
from planner.plan.model import Plan, SolveStats
from planner.plan.state import gap

STATUS_QUO = "status-quo"
# A plan is compared with the plans of the simpler modes: greedy < status quo < optimised.
MODE_RANK = {"greedy": 0, "status-quo": 1, "optimise": 2}
KEPT_STATUS_QUO = N_("the optimised plan keeps the status-quo periods: no plan with a lower weighted shortage was found "
                   "in the time limit")


class Result(BaseModel):
    """One solve: the plan in the asked mode, its baseline plans and how the solve went.

    Attributes
    ----------
    plan
        The plan in the asked mode; ``plan.baselines`` holds the KPIs of :attr:`baselines`.
    baselines
        The baseline plans solved alongside (``status-quo`` and ``greedy``), not including
        the plan itself (a greedy solve has no further baseline).
    time_limit
        The solve's time limit in seconds (see :class:`planner.solve.SolveParams`).
    wall_seconds
        Wall time of the whole solve, baselines included.
    """

    model_config = ConfigDict(extra="forbid")

    plan: Plan
    baselines: dict[str, Plan] = Field(default_factory=dict)
    time_limit: float
    wall_seconds: float

    @property
    def solver(self) -> SolveStats:
        """Statistics of the plan's own solve."""
        return self.plan.solver

    @property
    def status_quo(self) -> Plan | None:
        """The status-quo plan: the plan itself in status-quo mode, else its status-quo baseline."""
        return self.plan if self.plan.mode == STATUS_QUO else self.baselines.get(STATUS_QUO)

    def summary(self) -> str:
        """A short readable account: the plan's figures, its baselines and the time taken."""
        lines = [self.plan.summary()]
        for name, base in self.baselines.items():
            lines.append(f"  {name} plan: {base.solver.status}, {base.solver.wall_seconds:.1f} s")
        lines.append(f"  total wall time {self.wall_seconds:.1f} s (time limit {self.time_limit:g} s)")
        return "\n".join(lines)


def never_worse_than_status_quo(plan: Plan, status_quo: Plan) -> Plan:
    """The optimised plan, or the status quo under the optimised label when that leaves less weighted shortage.

    Coordination can never make the region worse off: the status quo is itself a feasible
    plan, so when the solver found nothing better within its time the status-quo periods
    are the proposal. The bound of the optimised solve stays (it holds for any plan).
    """
    if plan.mode != "optimise" or status_quo.kpis.objective >= plan.kpis.objective - 1e-9:
        return plan
    objective, bound = status_quo.kpis.objective, plan.kpis.bound
    kpis = status_quo.kpis.model_copy(update={"mode": plan.mode, "bound": bound,
                                              "gap": gap(objective, bound),
                                              "solve_seconds": plan.kpis.solve_seconds})
    solver = plan.solver.model_copy(update={"explanation": [*plan.solver.explanation, KEPT_STATUS_QUO]})
    return status_quo.model_copy(update={"mode": plan.mode, "kpis": kpis, "solver": solver,
                                         "baselines": dict(status_quo.baselines)})


def make_result(plan: Plan, baselines: dict[str, Plan], time_limit: float, wall_seconds: float) -> Result:
    """The result of a solve: the status-quo rule applied once, and every plan's ``baselines`` KPIs filled.

    Each plan gets the KPIs of the baselines of simpler modes (the optimised plan those of
    the status quo and greedy, the status quo those of greedy), so a baseline plan written
    on its own tells the same story as in a solve of its mode.
    """
    others = {name: base for name, base in baselines.items() if base is not plan}
    status_quo = others.get(STATUS_QUO)
    if status_quo is not None:
        plan = never_worse_than_status_quo(plan, status_quo)
    for target in [plan, *others.values()]:
        for name, base in others.items():
            if base is not target and MODE_RANK.get(name, 0) < MODE_RANK.get(target.mode, 0):
                target.baselines[name] = base.kpis
    return Result(plan=plan, baselines=others, time_limit=time_limit, wall_seconds=round(wall_seconds, 3))
