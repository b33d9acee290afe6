"""Solve parameters: the mode, the seed and the one place where the time limit (or the work budget) is shared out.

A solve stopped by a wall-clock limit gives a plan that depends on how much search fitted in
the time, and so on the machine and its load. With a **work budget**
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

# Seconds per cohort kept at the end of a plan's time limit for assembling, checking and
# explaining the plan (see SolveParams.search_seconds).
FINISH_SECONDS_PER_COHORT = 0.0035
# The relaxation's share of the time when the company-level stage follows it. There it only
# steers the search (its rounded plan and the options it prices in), and the bound it reaches
# when cut short is its Lagrangian bound, the same on L at 30 % as at 70 %. L optimise at 600 s
# (seed 2026): share 0.7 -> 2,444.0, 0.3 -> 1,464.5, 0.15 -> 1,624.5 (the rounded start worse:
# 5,160.5 against 3,989.0); S and Twente converge within 1.1 s, so it does not bind there.
EXACT_RELAXATION_SHARE = 0.3
# Without that stage the relaxation's rounded plan is the plan, so it gets longer to converge.
HEURISTIC_RELAXATION_SHARE = 0.7


@dataclass(frozen=True)
class WorkBudget:
    """A deterministic amount of search (see the module docstring).

    Attributes
    ----------
    neighbourhoods
        Large-neighbourhood-search steps of the company-level stage, in total.
    nodes
        Branch-and-bound nodes of every exact sub-solve (a neighbourhood, a small independent
        part, a pricing problem of the bound).
    relaxation_rounds
        Column-generation rounds of the relaxation per independent part.
    bound_rounds
        Rounds of the Dantzig-Wolfe bound (0: no Dantzig-Wolfe bound; the relaxation's bound
        stands).
    polish_ticks
        CP-SAT deterministic time per polish neighbourhood (0: no polish).
    """

    neighbourhoods: int
    nodes: int = 1000
    relaxation_rounds: int = 60
    bound_rounds: int = 5
    polish_ticks: float = 0.1

    def search_steps(self, first_search: bool) -> tuple[int, int, int]:
        """Neighbourhoods of the three searches of the exact stage: before the exact parts (only when
        some part is too big for them), before the bound and after it."""
        total = max(0, self.neighbourhoods)
        first = int(round(total * 0.15)) if first_search else 0
        middle = int(round((total - first) * 0.6))
        return first, middle, total - first - middle


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
        The status-quo baseline's time limit as a share of ``time_limit`` (a smaller
        problem: half is plenty). The greedy baseline needs no solver time.
    relaxation_share
        At most this share of the time goes to the relaxation (the first bound); it stops
        earlier when it has converged. None: ``EXACT_RELAXATION_SHARE`` with the exact stage,
        ``HEURISTIC_RELAXATION_SHARE`` without it.
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
    status_quo_share: float = 0.5
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

    def relaxation_budget(self) -> tuple[float, int | None]:
        """Share of the remaining time for the relaxation and its rounds per part (None: until converged)."""
        work = self.work()
        if work is not None:
            return 1.0, work.relaxation_rounds
        if self.relaxation_share is not None:
            return self.relaxation_share, None
        return (EXACT_RELAXATION_SHARE if self.exact else HEURISTIC_RELAXATION_SHARE), None

    def time_limit_for(self, mode: str) -> float:
        """Seconds for the plan of ``mode`` within this solve (the plan itself or a baseline)."""
        if mode == "status-quo" and self.mode == "optimise":
            return self.time_limit * self.status_quo_share
        return self.time_limit

    def heuristic_seconds(self, remaining: float, placement_pairs: int) -> float:
        """Seconds of ``remaining`` for the heuristic stage (all of it without the exact stage).

        The share grows with the problem's size at company level (``placement_pairs``, full at a
        million): a large problem needs its relaxation, a small one is better off searching.
        """
        if not self.exact or self.work_limit is not None:
            return remaining  # a work budget bounds the phases by counts: the time is only a safety net
        share = self.heuristic_share * min(1.0, placement_pairs / 1e6)
        return min(self.heuristic_max_seconds, max(min(1.0, 0.5 * remaining), share * remaining))

    def exact_seconds(self, remaining: float) -> tuple[float, float]:
        """Seconds of ``remaining`` for the exact search and for the polish after it."""
        if self.work_limit is not None:
            return remaining, remaining  # bounded by the work budget; the time is a safety net
        polish = remaining * self.polish_share
        return remaining - polish, polish

    def search_seconds(self, time_limit: float, cohorts: int) -> float:
        """Seconds of a plan's ``time_limit`` for compiling and searching: the rest is kept for
        assembling, checking and explaining the plan, which grows with the cohorts (measured
        18-24 s after a national region's 600 s search, 8,157 cohorts), at most a tenth.
        """
        if self.work_limit is not None:
            return time_limit  # a safety net, not a target to finish by
        return time_limit - min(FINISH_SECONDS_PER_COHORT * cohorts, 0.1 * time_limit)

    def total_seconds(self) -> float:
        """Solver time the whole solve may take: the plan's limit plus the status-quo share (greedy takes none).

        The watchdog of :func:`planner.solve.runner.solve_watched` gives a solve this long (plus grace).
        """
        return self.time_limit * (1.0 + self.status_quo_share)
