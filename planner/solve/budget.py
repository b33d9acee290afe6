"""A solve's budget: a time limit or a deterministic work budget, and the one place it is shared out.

Every phase of a solve asks its :class:`Budget` what it may use, in the budget's own unit, and
is written once against the answer:

* :class:`TimeBudget`: a wall-clock limit, shared out in seconds. The plan depends on how much
  search fitted in the time, and so on the machine and its load.
* :class:`CountedBudget`: a :class:`WorkBudget` of counts (relaxation and bound rounds,
  neighbourhoods, branch-and-bound nodes, CP-SAT deterministic time); the time limit is only a
  safety net. The same scenario, budget and seed give the same plan on any machine, in any
  process, however the solves are scheduled; a solve the safety net stops says so.

An :class:`Allowance` is what one phase gets: seconds (a limit, or under a work budget the
safety net left) and, under a work budget, its counts.

The fitted shares below were measured on the benchmark's instances (``docs/benchmarks.md``);
each says what it was fitted on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.solve.params import SolveParams

# Seconds per cohort kept at the end of a plan's time limit for assembling, checking and
# explaining the plan: measured 18-24 s after a national region's 600 s search (8,157 cohorts).
FINISH_SECONDS_PER_COHORT = 0.0035
# At most this share of a plan's time limit is kept for finishing it.
FINISH_MAX_SHARE = 0.1
# A whole solve (its baselines, then the plan, each assembled and explained) ends within its
# time limit plus this share: what explaining the plans and compiling them again takes beyond
# the time kept for finishing (M optimise with baselines at 60 s: see docs/benchmarks.md).
FINISH_MARGIN_SHARE = 0.1
# The relaxation's share of the time when the company-level stage follows it. There it only
# steers the search (its rounded plan and the options it prices in), and the bound it reaches
# when cut short is its Lagrangian bound, the same on L at 30 % as at 70 %. L optimise at 600 s
# (seed 2026): share 0.7 -> 2,444.0, 0.3 -> 1,464.5, 0.15 -> 1,624.5 (the rounded start worse:
# 5,160.5 against 3,989.0); S and Twente converge within 1.1 s, so it does not bind there.
EXACT_RELAXATION_SHARE = 0.3
# Without that stage the relaxation's rounded plan is the plan, so it gets longer to converge.
HEURISTIC_RELAXATION_SHARE = 0.7
# The first, short search of the exact stage (before the exact parts, when some part is too big
# for them): this share of the stage, at most this many seconds; its only job is a better
# incumbent for the exact solves and the bound (in the stage since the exact parts came first).
FIRST_SEARCH_SHARE = 0.15
FIRST_SEARCH_MAX_SECONDS = 3.0
# The neighbourhoods of a work budget over the three searches: 15 % before the exact parts (as
# the time's first search), of the rest 60 % before the bound and 40 % after it (the time split:
# the bound's 40 % of the stage, half of what is left after it).
FIRST_SEARCH_STEPS = 0.15
MIDDLE_SEARCH_STEPS = 0.6
# An exact part gets time by its size among the parts still open, at least a tenth and at most
# 85 % of what is left: the smallest parts are proven in a fraction of a second, and the last
# ones must leave time for the search.
PART_MIN_SHARE = 0.1
PART_MAX_SHARE = 0.85
# Share of an exact part's time for the first SCIP run; a run that has not proven optimality by
# then is restarted once with another seed for the rest (SCIP's time to prove optimality is
# heavy-tailed in its seed: Twente's status quo 1-3 s for most seeds, over 20 s for some).
RESTART_SHARE = 0.45
# Share of the exact stage's time for the Dantzig-Wolfe bound when the search does not close the
# problem (the bound first in the status quo, between two searches otherwise): M status quo at
# 60 s went from 718.0 to 420.5 with the bound first at this share.
BOUND_SHARE = 0.4
# After the first search, the bound gets at most this share of the time left (it stops earlier
# when converged) and the search the rest: on the L status quo the bound that does not converge
# took all of the last 210 s for 2,379 -> 2,465 while the search was still improving fast.
BOUND_AFTER_SEARCH_SHARE = 0.5
# The bound's warm start (the pooled relaxation's duals) gets this share of the bound's time.
WARM_START_SHARE = 0.1
# The status quo's dive on the bound's master gets this share of the time left after the bound
# (M's dive finishes in 2.4-3.5 s of 60).
DIVE_SHARE = 0.2
# Seconds per neighbourhood solve of the search under a time limit: most neighbourhoods of a
# regional plan are proven in well under a second; a longer limit lets a few hard ones eat the
# search. A neighbourhood proven within this share of its limit lets its kind grow.
NEIGHBOURHOOD_SECONDS = 3.0
QUICK_SHARE = 0.3
# Below these seconds a search or an exact solve is not started (its model would not even be
# built in the time), and no phase is given less than MIN_PART_SECONDS.
MIN_SEARCH_SECONDS = 0.3
MIN_PART_SECONDS = 0.5
# The Dantzig-Wolfe bound and the companies neighbourhoods only on searches over at most this
# many open cohorts (regional plans: S has 405, M 1,615). On the national L region (8,157) a
# bound round takes about a minute: first, it took 200 of the 600 s and its master's plan did not
# beat the heuristic one (3,878.5 -> 4,786.5); after the search, 100 s of it raised neither the
# status quo's bound (2,379.1) nor the optimised one (17.6) while the search it stopped was still
# improving. Companies neighbourhoods and sizes per kind each made L's search slower: the status
# quo at 600 s 4,332.5 with companies neighbourhoods against 3,878.5 without; 4,634.0 with sizes
# per kind against 3,960.5.
REGIONAL_COHORTS = 4000
# A variant's search starts from its base plan, which was searched everywhere already: where the
# variant changed something is where its plan can first get better. The first search of its exact
# stage draws this share of its neighbourhoods (of its seconds under a time limit) around the
# cohorts and companies the variant touches and their neighbours, then goes on everywhere
# (planner.solve.focus).
FOCUS_SHARE = 0.5


# The pooled integer model's parts get time by their columns, a fifth more than their share: parts
# finish early and pass their time on.
INTEGER_PART_SLACK = 1.2


def relaxation_part_seconds(remaining: float, share: float, part_share: float) -> float:
    """Seconds for one independent part's relaxation: its size's share (``part_share``) of the
    relaxation's ``share`` of the ``remaining`` time."""
    return max(MIN_PART_SECONDS, remaining * share * part_share)


def integer_part_seconds(remaining: float, part_share: float) -> float:
    """Seconds for one part of the pooled integer model, by its share of the columns."""
    return max(MIN_PART_SECONDS, remaining * min(1.0, part_share * INTEGER_PART_SLACK))


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
        first = int(round(total * FIRST_SEARCH_STEPS)) if first_search else 0
        middle = int(round((total - first) * MIDDLE_SEARCH_STEPS))
        return first, middle, total - first - middle


@dataclass(frozen=True)
class Allowance:
    """What one phase may use.

    Attributes
    ----------
    seconds
        Its time limit (under a work budget: the safety net left).
    steps
        Neighbourhoods of search (None: until the time is spent).
    nodes
        Branch-and-bound nodes per exact sub-solve (None: bounded by seconds).
    rounds
        Rounds of column generation (None: until converged or the time is spent).
    """

    seconds: float
    steps: int | None = None
    nodes: int | None = None
    rounds: int | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing is left for the phase."""
        return self.steps == 0 or self.rounds == 0


@dataclass(frozen=True)
class BoundAllowance(Allowance):
    """What the Dantzig-Wolfe bound may use: its rounds and nodes, and how it is run.

    Attributes
    ----------
    warm_start_seconds
        Seconds for the pooled duals it starts from (None: it starts from scratch).
    pricing_seconds
        Seconds per pricing problem.
    threads
        Pricing problems solved at once.
    """

    warm_start_seconds: float | None = None
    pricing_seconds: float = 0.25
    threads: int = 2


class Budget:
    """The budget of one stretch of a solve: its seconds from now, and what each phase gets of it.

    Use :meth:`of` to make one from the solve's parameters; the subclasses answer in their unit.
    """

    def __init__(self, seconds: float, params: SolveParams):
        self.started = time.perf_counter()
        self.seconds = seconds
        self.params = params

    @staticmethod
    def of(params: SolveParams, seconds: float) -> Budget:
        """The budget of ``seconds`` under ``params``: counted when it has a work budget, timed otherwise."""
        work = params.work()
        return TimeBudget(seconds, params) if work is None else CountedBudget(seconds, params, work)

    def elapsed(self) -> float:
        """Seconds since this budget started."""
        return time.perf_counter() - self.started

    def remaining(self) -> float:
        """Seconds left of the limit (never negative)."""
        return max(0.0, self.seconds - self.elapsed())

    def within(self, seconds: float) -> Budget:
        """A stretch of this budget: ``seconds`` from now, the same kind and counts."""
        raise NotImplementedError

    @property
    def work(self) -> WorkBudget | None:
        """The counts (None under a time limit)."""
        return None

    # The stages of a solve.

    def mode_seconds(self, mode: str) -> float:
        """Seconds of this (whole solve's) budget for the plan of ``mode``: the plan itself or a baseline."""
        raise NotImplementedError

    def total_seconds(self) -> float:
        """Seconds the whole solve of this budget may take, baselines included."""
        raise NotImplementedError

    def plan_seconds(self, cohorts: int) -> float:
        """Seconds for compiling and searching a plan: the rest is kept for assembling, checking and
        explaining it, which grows with the ``cohorts`` (at most :data:`FINISH_MAX_SHARE`)."""
        raise NotImplementedError

    def relaxation(self) -> tuple[float, int | None]:
        """Share of the remaining time for the relaxation and its rounds per part (None: until converged)."""
        raise NotImplementedError

    def heuristic_seconds(self, placement_pairs: int) -> float:
        """Seconds of the remaining for the heuristic stage (all of it without the exact stage).

        The share grows with the problem's size at company level (``placement_pairs``, full at a
        million): a large problem needs its relaxation, a small one is better off searching.
        """
        raise NotImplementedError

    def integer_model_fits(self) -> bool:
        """Whether the pooled integer model may run (its solve is bounded by seconds only)."""
        raise NotImplementedError

    def exact_seconds(self) -> float:
        """Seconds of the remaining for the exact stage's search (the polish gets the rest)."""
        raise NotImplementedError

    def polish_ticks(self) -> float | None:
        """CP-SAT deterministic time per polish neighbourhood (None: bounded by seconds; 0: no polish)."""
        return None

    # The exact stage (:mod:`planner.solve.exact.improve`).

    def bound_fits(self, open_cohorts: int, first: bool = False) -> bool:
        """Whether the Dantzig-Wolfe bound on ``open_cohorts`` is worth its share (``first``: before
        the search, with the dive on its master, in the status quo)."""
        raise NotImplementedError

    def search(self, stage: str, first_search: bool) -> Allowance:
        """A search of the exact stage: ``first`` (short, before the exact parts; nothing unless
        ``first_search``, when some part is too big for them), ``before bound`` (the bound follows
        it), ``after bound`` or ``only`` (after the bound first, or without a bound)."""
        raise NotImplementedError

    def exact_part(self, size_share: float) -> Allowance:
        """An independent part solved exactly; ``size_share`` its size among the parts still open."""
        raise NotImplementedError

    def restart_split(self, seconds: float) -> tuple[float, float] | None:
        """An exact part's ``seconds`` for its first run and for the restart after it (None: one run)."""
        return None

    def bound(self, first: bool) -> BoundAllowance:
        """The Dantzig-Wolfe bound: ``first`` before the search (status quo), else after it."""
        raise NotImplementedError

    def dive_seconds(self) -> float:
        """Seconds for the dive on the bound's master."""
        return max(MIN_PART_SECONDS, DIVE_SHARE * self.remaining())

    # One search (:mod:`planner.solve.exact.lns`).

    def neighbourhood(self) -> Allowance:
        """One neighbourhood solve of a search."""
        raise NotImplementedError

    def quick(self, seconds: float, limit: float) -> bool:
        """Whether a neighbourhood proven optimal in ``seconds`` of its ``limit`` may grow its kind."""
        raise NotImplementedError

    @property
    def paired(self) -> bool:
        """Whether two neighbourhoods may be solved at once (the first to finish merged first)."""
        raise NotImplementedError

    def focusing(self, steps: int, max_steps: int | None) -> bool:
        """Whether a focused search's next neighbourhood is still drawn around its focus, after
        ``steps`` of at most ``max_steps`` (:data:`FOCUS_SHARE`)."""
        raise NotImplementedError


class TimeBudget(Budget):
    """A wall-clock limit shared out in seconds."""

    def within(self, seconds: float) -> Budget:
        return TimeBudget(seconds, self.params)

    def mode_seconds(self, mode: str) -> float:
        if mode == "status-quo" and self.params.mode == "optimise":
            return self.seconds * self.params.status_quo_share
        return self.remaining()  # the plan: what the baselines left (the greedy one takes no solver time)

    def total_seconds(self) -> float:
        return self.seconds * (1.0 + FINISH_MARGIN_SHARE)

    def plan_seconds(self, cohorts: int) -> float:
        return self.seconds - min(FINISH_SECONDS_PER_COHORT * cohorts, FINISH_MAX_SHARE * self.seconds)

    def relaxation(self) -> tuple[float, int | None]:
        if self.params.relaxation_share is not None:
            return self.params.relaxation_share, None
        return (EXACT_RELAXATION_SHARE if self.params.exact else HEURISTIC_RELAXATION_SHARE), None

    def heuristic_seconds(self, placement_pairs: int) -> float:
        remaining = self.remaining()
        if not self.params.exact:
            return remaining
        share = self.params.heuristic_share * min(1.0, placement_pairs / 1e6)
        return min(self.params.heuristic_max_seconds, max(min(1.0, 0.5 * remaining), share * remaining))

    def integer_model_fits(self) -> bool:
        return self.remaining() > 1.0

    def exact_seconds(self) -> float:
        return self.remaining() * (1.0 - self.params.polish_share)

    def bound_fits(self, open_cohorts: int, first: bool = False) -> bool:
        # Beyond REGIONAL_COHORTS the bound does not move in the time (see its measurements).
        return open_cohorts <= REGIONAL_COHORTS

    def search(self, stage: str, first_search: bool) -> Allowance:
        if stage == "first":
            return Allowance(min(self.seconds * FIRST_SEARCH_SHARE, FIRST_SEARCH_MAX_SECONDS) if first_search else 0.0)
        return Allowance(self.remaining() * ((1.0 - BOUND_SHARE) if stage == "before bound" else 1.0))

    def exact_part(self, size_share: float) -> Allowance:
        share = min(PART_MAX_SHARE, max(PART_MIN_SHARE, size_share))
        return Allowance(max(MIN_PART_SECONDS, self.remaining() * share))

    def restart_split(self, seconds: float) -> tuple[float, float] | None:
        if seconds * (1 - RESTART_SHARE) < MIN_PART_SECONDS:
            return None
        return RESTART_SHARE * seconds, (1 - RESTART_SHARE) * seconds

    def bound(self, first: bool) -> BoundAllowance:
        seconds = self.remaining() * (BOUND_SHARE if first else BOUND_AFTER_SEARCH_SHARE)
        return BoundAllowance(max(MIN_PART_SECONDS, seconds - 0.2), warm_start_seconds=max(0.2, WARM_START_SHARE * seconds))

    def neighbourhood(self) -> Allowance:
        return Allowance(min(NEIGHBOURHOOD_SECONDS, self.remaining() - 0.1))

    def quick(self, seconds: float, limit: float) -> bool:
        return seconds < QUICK_SHARE * limit

    @property
    def paired(self) -> bool:
        return True

    def focusing(self, steps: int, max_steps: int | None) -> bool:
        return self.elapsed() < FOCUS_SHARE * self.seconds


class CountedBudget(Budget):
    """A :class:`WorkBudget` of counts; the seconds are only a safety net, given whole to every phase."""

    def __init__(self, seconds: float, params: SolveParams, counts: WorkBudget):
        super().__init__(seconds, params)
        self.counts = counts

    def within(self, seconds: float) -> Budget:
        return CountedBudget(seconds, self.params, self.counts)

    @property
    def work(self) -> WorkBudget | None:
        return self.counts

    def mode_seconds(self, mode: str) -> float:
        # A safety net for each plan: the whole limit, the status-quo baseline its share on top.
        if mode == "status-quo" and self.params.mode == "optimise":
            return self.seconds * self.params.status_quo_share
        return self.seconds

    def total_seconds(self) -> float:
        return self.seconds * (1.0 + self.params.status_quo_share)

    def plan_seconds(self, cohorts: int) -> float:
        return self.seconds  # a safety net, not a target to finish by

    def relaxation(self) -> tuple[float, int | None]:
        return 1.0, self.counts.relaxation_rounds

    def heuristic_seconds(self, placement_pairs: int) -> float:
        return self.remaining()

    def integer_model_fits(self) -> bool:
        return False  # the company-level search does its work under a work budget

    def exact_seconds(self) -> float:
        return self.remaining()

    def polish_ticks(self) -> float | None:
        return self.counts.polish_ticks

    def bound_fits(self, open_cohorts: int, first: bool = False) -> bool:
        # Its rounds are counted, so it fits anywhere (a national region's sweep asks for fewer,
        # docs/whatif.md). Not first: the bound first and its dive were measured under time limits
        # only, and the work-budget plans stay those measured in benchmarks.md.
        return not first

    def search(self, stage: str, first_search: bool) -> Allowance:
        first, before, after = self.counts.search_steps(first_search)
        steps = {"first": first, "before bound": before, "after bound": after, "only": before + after}[stage]
        return Allowance(self.remaining(), steps=steps, nodes=self.counts.nodes)

    def exact_part(self, size_share: float) -> Allowance:
        return Allowance(max(MIN_PART_SECONDS, self.remaining()), nodes=self.counts.nodes)

    def bound(self, first: bool) -> BoundAllowance:
        # It starts from the pooled LP's duals, as under a time limit: GLOP solves that LP to optimality
        # (the seconds only a safety net), so the start, and the bound, do not depend on the machine.
        # Measured on Twente (optimise, 40 neighbourhoods): the bound rose from 0.0 to 4.0, the optimum.
        seconds = self.remaining()
        return BoundAllowance(max(MIN_PART_SECONDS, seconds - 0.2), nodes=self.counts.nodes,
                              rounds=self.counts.bound_rounds, pricing_seconds=max(MIN_PART_SECONDS, seconds), threads=1,
                              warm_start_seconds=max(MIN_PART_SECONDS, seconds))

    def neighbourhood(self) -> Allowance:
        return Allowance(self.remaining() - 0.1, nodes=self.counts.nodes)

    def quick(self, seconds: float, limit: float) -> bool:
        return True  # proven within its node limit: the sizes do not depend on the machine's speed

    @property
    def paired(self) -> bool:
        return False  # the plan must not depend on which solve ends first

    def focusing(self, steps: int, max_steps: int | None) -> bool:
        return max_steps is not None and steps < round(FOCUS_SHARE * max_steps)

