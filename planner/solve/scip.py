"""SCIP's settings, the same for every SCIP solve in the planner."""

from __future__ import annotations


def scip_parameters(seed: int | None = None, nodes: int | None = None, one_lp_thread: bool = True) -> str:
    """SCIP parameters for OR-Tools' model builder (``set_solver_specific_parameters``).

    Parameters
    ----------
    seed
        Shift of SCIP's random seeds (None: SCIP's default).
    nodes
        A branch-and-bound node limit (a deterministic bound on the work).
    one_lp_thread
        One LP thread (solves run beside each other on 2 cores).

    Notes
    -----
    SCIP's own Ctrl-C handler is always off: it replaces the process's SIGINT handler during a
    solve and puts back the one it found, so two solves overlapping in threads (the paired search
    steps, the service's job threads) can leave SCIP's handler in place, and Ctrl-C would no longer stop the
    planner. Ctrl-C and SIGTERM are handled in one place, :mod:`planner.solve.interrupt`.
    """
    lines = ["misc/catchctrlc = FALSE"]
    if seed is not None:
        lines.append(f"randomization/randomseedshift = {int(seed)}")
    if one_lp_thread:
        lines.append("lp/threads = 1")
    if nodes is not None:
        lines.append(f"limits/nodes = {int(nodes)}")
    return "\n".join(lines)
