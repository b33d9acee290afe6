"""Sweeps: solve a base scenario and its variants, in parallel, and compare them side by side.

The solves run on an :class:`Executor`: :class:`LocalPool` (a process pool on this machine),
:class:`DaskExecutor` (a ``dask.distributed`` cluster: a scheduler address such as
``tcp://scheduler:8786``, or a ``LocalCluster``) or :class:`InlineExecutor` (in this process,
one after the other). Every solve gets the same :class:`~planner.solve.SolveParams` (mode,
seed and, by default, a deterministic work budget: :data:`SWEEP_WORK_LIMIT` neighbourhoods
with the time limit only as a safety net), so a sweep gives the same plans however it is
scheduled (see ``docs/whatif.md``).

The base of the comparison is the best plan known: a stored plan of the base scenario when
there is one (``base_plan``: the base row is that plan, not a new solve), else the base solved
first. Every variant then starts from the base plan repaired to the variant
(:func:`planner.solve.assemble.start_assignments`), so a variant is compared with its base rather
than with search noise: a variant that only adds capacity is never worse. Its search then works
first around what it changed (:func:`variant_focus`, :mod:`planner.solve.focus`). Each variant row
carries its bound, so its effect is a range unless both plans are proven
(:mod:`planner.whatif.effects`).

A variant whose changes do not apply, or whose solve fails, is reported with its error and
does not stop the sweep.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing as mp
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from planner.i18n import _
from planner.plan.model import Plan
from planner.plan.result import Result
from planner.scenario import Scenario, ScenarioError
from planner.solve.focus import Focus
from planner.solve.params import SolveParams, WorkBudget
from planner.whatif.describe import variant_summary, weights_changed
from planner.whatif.effects import Cell, effect_sign, touched_cells
from planner.whatif.variants import Variant, apply_variant, changed_ids

BASE = "base"
#: The base case's source: a stored plan (not solved again) or solved in the sweep.
STORED, SOLVED = "stored plan", "solved"
#: Neighbourhoods of company-level search per solve of a sweep (a deterministic work budget).
SWEEP_WORK_LIMIT = 40


def solve_case(name: str, scenario_json: str, params: dict[str, Any], base_dir: str | None,
               start_json: str | None = None, focus: dict[str, list[str]] | None = None, known_bound: float = 0.0
               ) -> str:
    """Solve one scenario of a sweep (runs in a worker: plain arguments in, the Result as JSON out).

    ``start_json`` is the base plan (JSON) the solve starts from, repaired to this scenario;
    ``focus`` the cohorts and companies (ids) its search works on first (:func:`variant_focus`);
    ``known_bound`` a proven lower bound on its weighted shortage (:func:`known_bound`).
    """
    from planner.solve import solve  # the solver stack loads in the worker

    scenario = Scenario.model_validate_json(scenario_json)
    start = Plan.model_validate_json(start_json) if start_json else None
    around = Focus(tuple(focus["cohorts"]), tuple(focus["companies"])) if focus else None
    result = solve(scenario, SolveParams(**params), base_dir=Path(base_dir) if base_dir else None, start_from=start,
                   focus=around, known_bound=known_bound)
    return result.model_dump_json()


def known_bound(case: SweepCase, base_plan: Plan) -> float:
    """What a variant's solve knows of its bound beforehand: the base plan's proven bound when the variant
    can only do worse than its base (it only takes room away or adds students: ``sign`` +1,
    :func:`~planner.whatif.effects.effect_sign`), else nothing (0)."""
    return base_plan.kpis.bound if case.sign > 0 else 0.0


def variant_focus(changed: dict[str, list[str]], base_plan: Plan) -> Focus:
    """What a variant's search works on first: the cohorts it added or changed, the companies it added or
    changed, and the cohorts that held places at a company it removed (their start lost those places)."""
    removed = set(changed.get("companies_removed", []))
    cohorts = set(changed.get("cohorts_added", [])) | set(changed.get("cohorts_changed", []))
    cohorts |= {cp.cohort for cp in base_plan.cohorts if any(p.company in removed for w in cp.waves
                                                              for p in w.placements)}
    companies = set(changed.get("companies_added", [])) | set(changed.get("companies_changed", []))
    return Focus(tuple(sorted(cohorts)), tuple(sorted(companies)))


def sweep_params(mode: str = "optimise", time_limit: float = 600.0, seed: int = 0,
                 work_limit: int | None = SWEEP_WORK_LIMIT, work_nodes: int = WorkBudget.nodes,
                 relaxation_rounds: int = WorkBudget.relaxation_rounds, bound_rounds: int = WorkBudget.bound_rounds,
                 polish_ticks: float = WorkBudget.polish_ticks) -> SolveParams:
    """The parameters of a sweep's solves: by default a work budget, the time limit as a safety net."""
    return SolveParams(mode=mode, time_limit=time_limit, seed=seed, baselines=False, work_limit=work_limit,
                       work_nodes=work_nodes, work_relaxation_rounds=relaxation_rounds, work_bound_rounds=bound_rounds,
                       work_polish_ticks=polish_ticks)


class Executor(Protocol):
    """Where a sweep's solves run."""

    #: Solves that can run at the same time.
    slots: int

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Start ``fn(*args)``; returns a future with ``.result()``."""

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        """The futures as they finish."""

    def close(self) -> None:
        """Release the workers."""


class _Deferred(cf.Future):
    """A future of :class:`InlineExecutor`: runs when it is first waited for."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]):
        super().__init__()
        self._call = (fn, args)

    def result(self, timeout: float | None = None) -> Any:
        self.run()  # waited for without as_completed: run it now rather than wait forever
        return super().result(timeout)

    def run(self) -> None:
        if self.done():
            return
        fn, args = self._call
        try:
            self.set_result(fn(*args))
        except Exception as err:  # reported per variant
            self.set_exception(err)


class InlineExecutor:
    """Every solve in this process, one after the other (tests, small API sweeps).

    A solve runs when its turn comes in :meth:`as_completed`, so progress can say which one runs.
    """

    slots = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        return _Deferred(fn, args)

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        for future in futures:
            future.run()
            yield future

    def close(self) -> None:
        pass


class LocalPool:
    """A process pool on this machine (fresh interpreters: ``spawn``)."""

    def __init__(self, workers: int):
        self.slots = max(1, workers)
        self._pool = cf.ProcessPoolExecutor(max_workers=self.slots, mp_context=mp.get_context("spawn"))

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future:
        return self._pool.submit(fn, *args)

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        return cf.as_completed(futures)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A ``dask.distributed`` cluster: a scheduler address, or a ``LocalCluster`` started here.

    Parameters
    ----------
    address
        ``tcp://host:8786`` of a running scheduler (``dask scheduler``; workers started with
        ``dask worker tcp://host:8786``), or None for a LocalCluster on this machine.
    workers, processes
        For the LocalCluster only: how many workers, and whether they are processes (True)
        or threads in this process (False).
    """

    def __init__(self, address: str | None = None, workers: int = 1, processes: bool = True):
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=processes,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)
        threads = self.client.nthreads()
        self.slots = max(1, sum(threads.values()) if threads else 1)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        return iter(as_completed(futures))

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int = 1, scheduler: str | None = None, local_cluster: bool = False) -> Executor:
    """The executor a command asks for: a Dask scheduler, a Dask LocalCluster, a process pool, or inline."""
    if scheduler:
        return DaskExecutor(scheduler)
    if local_cluster:
        return DaskExecutor(None, workers=workers)
    if workers <= 0:
        return InlineExecutor()
    return LocalPool(workers)


@dataclass
class SweepProgress:
    """How far a sweep is: solves done, running, failed, of the total."""

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    #: Names of the scenarios being solved now (the first ``running`` not yet done, in order).
    running_names: list[str] = field(default_factory=list)


@dataclass
class SweepCase:
    """One scenario of a sweep: the base or a variant, its result or why it has none."""

    name: str
    description: str = ""
    changes: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    result: Result | None = None
    error: str | None = None
    wall_seconds: float = 0.0
    #: What the variant does in plain words (places added and where, notes), before it is solved.
    summary: list[str] = field(default_factory=list)
    #: Stagebarometer cells the variant touches; None: the whole region (a setting changed).
    touched: set[Cell] | None = None
    #: Whether the variant weighs unplaced students as the base does (else not comparable).
    comparable: bool = True
    #: -1: the variant only adds room (its effect is at most 0); +1: it only takes room away; 0: either way.
    sign: int = 0
    #: The base case only: :data:`STORED` or :data:`SOLVED`.
    source: str = SOLVED

    @property
    def plan(self) -> Plan | None:
        """The plan, when the solve succeeded."""
        return self.result.plan if self.result is not None else None


@dataclass
class Sweep:
    """A finished sweep: the base first, then the variants in the order given."""

    cases: list[SweepCase]
    params: SolveParams
    wall_seconds: float
    executor: str

    @property
    def base(self) -> SweepCase:
        """The base scenario's case."""
        return self.cases[0]

    def case(self, name: str) -> SweepCase:
        """The case of ``name``; KeyError when there is none."""
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(name)


def base_plan_problems(scenario: Scenario, plan: Plan, mode: str) -> list[str]:
    """Why ``plan`` cannot be the base of a sweep of ``scenario`` in ``mode`` (empty when it can)."""
    problems = []
    if plan.scenario != scenario.name:
        problems.append(_("the plan is of scenario {plan!r}, the variants of {scenario!r}").format(
            plan=plan.scenario, scenario=scenario.name))
    if plan.mode != mode:
        problems.append(_("the plan is in mode {plan}, the sweep in mode {mode}").format(plan=plan.mode, mode=mode))
    ids = {c.id for c in scenario.cohorts}
    if {cp.cohort for cp in plan.cohorts} != ids:
        problems.append(_("the plan's cohorts are not the scenario's (another version of the scenario?)"))
    rules = plan.wave_rules
    policy = scenario.policy
    if rules is not None and (rules.min_wave_students, rules.min_weeks_between_waves) != (
            policy.min_wave_students, policy.min_weeks_between_waves):
        # Its variants would be solved under other rules than the base row: no effect could be read off.
        problems.append(_("the plan was solved with waves of at least {plan_min} students starting {plan_gap} weeks "
                          "apart, the sweep with {min} students and {gap} weeks (--min-wave, --wave-gap)").format(
            plan_min=rules.min_wave_students, plan_gap=rules.min_weeks_between_waves,
            min=policy.min_wave_students, gap=policy.min_weeks_between_waves))
    return problems


def plan_result(plan: Plan) -> Result:
    """A stored plan as the result of a sweep's case (nothing solved)."""
    return Result(plan=plan, time_limit=0.0, wall_seconds=0.0)


def variant_scenarios(base: Scenario, variants: Iterable[Variant], base_path: Path | None = None,
                      ) -> list[tuple[Variant, Scenario | None, str | None]]:
    """Each variant's scenario, or the problems that keep it from being one (as one text)."""
    out: list[tuple[Variant, Scenario | None, str | None]] = []
    for variant in variants:
        try:
            out.append((variant, apply_variant(base, variant, base_path), None))
        except ScenarioError as err:
            out.append((variant, None, "; ".join(str(p) for p in err.problems)))
    return out


def run_sweep(base: Scenario, variants: list[Variant], params: SolveParams, executor: Executor | None = None,
              base_dir: Path | None = None, progress: Callable[[SweepProgress], None] | None = None,
              include_base: bool = True, warm_start: bool = True, start_from: Plan | None = None,
              base_plan: Plan | None = None) -> Sweep:
    """Solve the base scenario and every variant on ``executor`` (default: inline) and collect the results.

    Parameters
    ----------
    base
        The checked base scenario.
    variants
        The variants of ``base``; a variant that does not apply is a failed case.
    params
        Mode, seed, work budget and time limit of every solve (:func:`sweep_params`).
    executor
        Where the solves run (:func:`make_executor`); it is not closed here.
    base_dir
        Folder the scenario's relative file names refer to (it must be reachable from the workers).
    progress
        Called whenever a solve starts or ends.
    include_base
        Solve the base too (the comparison needs it).
    warm_start
        Start every variant from the base plan (solved first), repaired to the variant.
    start_from
        The base plan to start the variants from when the base is not solved here.
    base_plan
        The best plan known of the base scenario (a stored plan): the base row is this plan,
        not solved again, and the variants start from it.
    """
    executor = executor or InlineExecutor()
    started = time.perf_counter()
    cases = [SweepCase(BASE, base.description)] if include_base else []
    jobs: list[tuple[SweepCase, Scenario]] = []
    if include_base and base_plan is not None:
        cases[0].result, cases[0].source = plan_result(base_plan), STORED
        start_from = base_plan
    elif include_base:
        jobs.append((cases[0], base))
    for variant, scenario, error in variant_scenarios(base, variants, base_dir):
        case = SweepCase(variant.name, variant.description, [c.kind for c in variant.changes], error=error)
        if scenario is not None:
            case.changed = changed_ids(base, scenario)
            case.summary = variant_summary(base, variant, scenario)
            case.touched = touched_cells(base, scenario)
            case.comparable = not weights_changed(base, scenario)
            case.sign = effect_sign(base, variant.changes)
            jobs.append((case, scenario))
        cases.append(case)
    state = SweepProgress(total=len(cases), failed=sum(1 for c in cases if c.error))
    state.done = state.failed + sum(1 for c in cases if c.source == STORED)
    waiting: list[SweepCase] = []

    def report() -> None:
        if progress is not None:
            state.running = min(executor.slots, state.total - state.done)
            state.running_names = [c.name for c in waiting if c.result is None and c.error is None][:state.running]
            progress(state)

    params_dict = dataclasses.asdict(params)  # every field travels to the worker
    folder = str(base_dir) if base_dir else None

    def run(batch: list[tuple[SweepCase, Scenario]], start: Plan | None) -> None:
        start_json = start.model_dump_json() if start is not None and warm_start else None
        submitted: dict[Any, tuple[SweepCase, float]] = {}
        for case, scenario in batch:
            variant = start is not None and start_json is not None and case.name != BASE
            focus = dataclasses.asdict(variant_focus(case.changed, start)) if variant else None
            bound = known_bound(case, start) if variant else 0.0
            future = executor.submit(solve_case, case.name, scenario.model_dump_json(), params_dict, folder, start_json,
                                     focus, bound)
            submitted[future] = (case, time.perf_counter())
            waiting.append(case)
        report()
        for future in executor.as_completed(list(submitted)):
            case, at = submitted[future]
            try:
                case.result = Result.model_validate_json(future.result())
                case.wall_seconds = case.result.wall_seconds
            except Exception as err:  # one failed variant never stops the sweep
                message = str(err).strip().splitlines()
                case.error = f"{type(err).__name__}: {message[0] if message else ''}".rstrip(": ")
                case.wall_seconds = round(time.perf_counter() - at, 3)
                state.failed += 1
            state.done += 1
            report()

    if include_base and warm_start and base_plan is None:
        # The base first: the variants start from its plan.
        run(jobs[:1], None)
        run(jobs[1:], cases[0].plan)
    else:
        run(jobs, start_from)
    return Sweep(cases, params, round(time.perf_counter() - started, 3), type(executor).__name__)
