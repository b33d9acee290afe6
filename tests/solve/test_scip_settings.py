"""SCIP solves never take over Ctrl-C, even when they overlap in threads."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from planner.geo import Region
from planner.model.problem import compile_problem
from planner.solve.exact.company_model import build_company_model
from planner.solve.exact.engines import solve_company_mip
from planner.solve.scip import scip_parameters
from tests.builders import cohort, company, make_scenario


def test_every_scip_solve_leaves_ctrl_c_to_the_planner():
    assert "misc/catchctrlc = FALSE" in scip_parameters()
    assert "misc/catchctrlc = FALSE" in scip_parameters(seed=3, nodes=10, one_lp_thread=False)


def test_overlapping_scip_solves_keep_ctrl_c_working(python_ctrl_c):
    # SCIP's own handler swaps the process's SIGINT handler during a solve; two solves that
    # overlap in threads used to leave it installed, and Ctrl-C then no longer stopped the planner.
    scenario = make_scenario([cohort("a", students=3, forms="line:3x4"), cohort("b", students=3, forms="line:3x4")],
                             [company("k", places=2), company("l", places=1)])
    data = compile_problem(scenario, Region(scenario), "status-quo")

    def solve_many() -> None:
        for seed in range(60):
            built = build_company_model(data, symmetry_breaking=False)
            assert solve_company_mip(data, built, 5.0, seed).status == "optimal"

    threads = [threading.Thread(target=solve_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1.0)
