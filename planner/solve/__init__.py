"""Solving a scenario: :func:`solve` with :class:`SolveParams` gives a :class:`~planner.plan.result.Result`.

The public names load on first use (PEP 562), so importing a light part of this package,
such as :mod:`planner.solve.interrupt`, does not load the solver engines.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.solve.assemble import SolveError
    from planner.solve.params import SolveParams
    from planner.solve.pipeline import solve
    from planner.solve.runner import solve_interruptibly, solve_watched

_PUBLIC = {
    "SolveError": "planner.solve.assemble",
    "SolveParams": "planner.solve.params",
    "solve": "planner.solve.pipeline",
    "solve_watched": "planner.solve.runner",
    "solve_interruptibly": "planner.solve.runner",
}
__all__ = ["SolveError", "SolveParams", "solve", "solve_interruptibly", "solve_watched"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
