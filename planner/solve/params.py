"""Solve parameters: the mode, the seed and the one place where the time limit is shared out."""

from __future__ import annotations

from dataclasses import dataclass

from planner.codes import MODES


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
        earlier when it has converged.
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
    """

    mode: str = "optimise"
    time_limit: float = 60.0
    seed: int = 0
    baselines: bool = True
    status_quo_share: float = 0.5
    relaxation_share: float = 0.7
    exact: bool = True
    heuristic_share: float = 0.25
    heuristic_max_seconds: float = 30.0
    polish_share: float = 0.1

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if self.time_limit <= 0:
            raise ValueError("time_limit must be positive")

    def baseline_modes(self) -> tuple[str, ...]:
        """The baselines this solve computes, in the order they are solved."""
        if not self.baselines:
            return ()
        return ("greedy", "status-quo") if self.mode == "optimise" else ("greedy",)

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
        if not self.exact:
            return remaining
        share = self.heuristic_share * min(1.0, placement_pairs / 1e6)
        return min(self.heuristic_max_seconds, max(min(1.0, 0.5 * remaining), share * remaining))

    def exact_seconds(self, remaining: float) -> tuple[float, float]:
        """Seconds of ``remaining`` for the exact search and for the polish after it."""
        polish = remaining * self.polish_share
        return remaining - polish, polish

    def total_seconds(self) -> float:
        """Solver time the whole solve may take: the plan's limit plus the status-quo share (greedy takes none).

        The watchdog of :func:`planner.solve.runner.solve_watched` gives a solve this long (plus grace).
        """
        return self.time_limit * (1.0 + self.status_quo_share)
