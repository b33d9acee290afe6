"""Solve parameters: the mode, the seed, the time limit or the work budget.

How either is shared out among the phases is :mod:`planner.solve.budget`. A solve stopped by a
wall-clock limit gives a plan that depends on how much search fitted in the time, and so on the
machine and its load. With a **work budget**
(:attr:`SolveParams.work_limit`) every phase is bounded by counts instead of seconds: the
relaxation and the Dantzig-Wolfe bound by rounds, the company-level search by neighbourhoods,
every exact sub-solve by branch-and-bound nodes and the polish by the CP-SAT's deterministic
time. The same scenario, budget and seed then give the same plan on any machine, in any
process, however the solves are scheduled. The time limit stays as a safety net; a solve it
stops says so in its status.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.codes import MODES
from planner.solve.budget import Budget, WorkBudget

__all__ = ["SolveParams", "WorkBudget"]


@dataclass(frozen=True)
class SolveParams:
    """What to solve and how long it may take.

    Parameters
    ----------
    mode
        ``optimise`` (periods and forms chosen), ``status-quo`` (current periods, allocation
        optimised) or ``greedy`` (current periods, first come first served).
    time_limit
        Seconds for the plan, model build included.
    seed
        Seed for the solver (the pipeline is deterministic).
    baselines
        Also solve the baselines the plan is compared with: the greedy plan and, in
        optimise mode, the status quo.
    status_quo_share
        The status-quo baseline's share of ``time_limit`` (a smaller problem; the plan gets the
        rest, so the whole solve ends within ``time_limit``). The greedy baseline needs no solver
        time.
    relaxation_share
        At most this share of the time goes to the relaxation (the first bound); it stops
        earlier when it has converged. None: ``EXACT_RELAXATION_SHARE`` with the exact stage,
        ``HEURISTIC_RELAXATION_SHARE`` without it (:mod:`planner.solve.budget`).
    exact
        Run the exact company-level stage after the heuristic stage: independent parts solved
        to optimality, large-neighbourhood search, the Dantzig-Wolfe bound, then the polish of
        the secondary objectives (``False`` only to measure what the stage is worth).
    heuristic_share, heuristic_max_seconds
        With ``exact``, the heuristic stage gets up to this share of the plan's time (less for
        small problems, whose relaxation is quick), at most this many seconds; the exact stage
        gets the rest.
    polish_share
        Share of the exact stage's time kept for the secondary objectives (changes of period,
        travel, balance), which never give back any weighted shortage.
    work_limit
        A deterministic work budget instead of the time split: this many neighbourhoods of
        company-level search (see :class:`WorkBudget`); ``time_limit`` is then only a safety
        net. None: the time limit is shared out as above.
    work_nodes
        With ``work_limit``: branch-and-bound nodes per exact sub-solve.
    work_relaxation_rounds, work_bound_rounds, work_polish_ticks
        With ``work_limit``: column-generation rounds of the relaxation per part, rounds of the
        Dantzig-Wolfe bound and CP-SAT deterministic time per polish neighbourhood (0: no
        polish). A national region's restricted master takes about a minute per round, its
        bound and its polish (two tiers over some 2,000 sector x level x area groups) many
        minutes each, so a sweep of such regions asks for less (``docs/whatif.md``).
    """

    mode: str = "optimise"
    time_limit: float = 60.0
    seed: int = 0
    baselines: bool = True
    status_quo_share: float = 0.3
    relaxation_share: float | None = None
    exact: bool = True
    heuristic_share: float = 0.25
    heuristic_max_seconds: float = 30.0
    polish_share: float = 0.1
    work_limit: int | None = None
    work_nodes: int = 1000
    work_relaxation_rounds: int = WorkBudget.relaxation_rounds
    work_bound_rounds: int = WorkBudget.bound_rounds
    work_polish_ticks: float = WorkBudget.polish_ticks

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if self.work_limit is not None and self.work_limit < 0:
            raise ValueError("work_limit must not be negative")
        if self.work_nodes <= 0:
            raise ValueError("work_nodes must be positive")
        if self.work_relaxation_rounds <= 0:
            raise ValueError("work_relaxation_rounds must be positive")
        if self.work_bound_rounds < 0:
            raise ValueError("work_bound_rounds must not be negative")
        if self.work_polish_ticks < 0:
            raise ValueError("work_polish_ticks must not be negative")
        if self.relaxation_share is not None and not 0 < self.relaxation_share <= 1:
            raise ValueError("relaxation_share must be in (0, 1]")

    def work(self) -> WorkBudget | None:
        """The deterministic work budget, or None when the solve is bounded by its time limit."""
        if self.work_limit is None:
            return None
        return WorkBudget(neighbourhoods=self.work_limit, nodes=self.work_nodes,
                          relaxation_rounds=self.work_relaxation_rounds, bound_rounds=self.work_bound_rounds,
                          polish_ticks=self.work_polish_ticks)

    def baseline_modes(self) -> tuple[str, ...]:
        """The baselines this solve computes, in the order they are solved."""
        if not self.baselines:
            return ()
        return ("greedy", "status-quo") if self.mode == "optimise" else ("greedy",)

    def budget(self, seconds: float) -> Budget:
        """The budget of ``seconds`` of this solve: counted under a work budget, timed otherwise
        (:mod:`planner.solve.budget` shares it out)."""
        return Budget.of(self, seconds)

    def total_seconds(self) -> float:
        """Seconds the whole solve may take (see :meth:`planner.solve.budget.Budget.total_seconds`).

        The watchdog of :func:`planner.solve.runner.solve_watched` gives a solve this long (plus grace).
        """
        return self.budget(self.time_limit).total_seconds()
