"""What every command shares: the language option, exit codes, the mapping of outcomes to short
messages and exit codes, and loading a scenario with its warnings.

Exit codes: 0 success, 2 invalid input (every problem printed, one per line), 1 internal error
(a short message; the traceback with ``--debug``), 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM).
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from planner.i18n import N_, _, set_language
from planner.model import load_scenario
from planner.scenario import LoadedScenario, ScenarioError
from planner.solve.interrupt import Terminated, sigterm_raises

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class Lang(StrEnum):
    """Languages of what the command prints and writes."""

    nl = "nl"
    en = "en"


LANG_HELP = N_("Language of messages, summaries, reports, charts and the map: nl (default) or en.")


def lang_option() -> Any:
    """A command's own ``--lang`` option."""
    return typer.Option(None, "--lang", help=LANG_HELP)


def use_language(lang: Lang | None) -> None:
    """A command's own ``--lang`` wins over the one before the command and STAGEPLANNER_LANG."""
    if lang is not None:
        set_language(lang.value)


class Mode(StrEnum):
    """Solve modes."""

    optimise = "optimise"
    status_quo = "status-quo"
    greedy = "greedy"


class InputFailure(Exception):
    """Bad input: every message is printed on its own line and the exit code is 2."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def echo_err(message: str) -> None:
    """Print ``message`` on standard error."""
    typer.echo(message, err=True)


@contextlib.contextmanager
def handled(debug: bool) -> Iterator[None]:
    """Map outcomes to exit codes and short messages."""
    try:
        with sigterm_raises():
            yield
    except (typer.Exit, typer.Abort):
        raise
    except ScenarioError as err:
        for problem in err.problems:
            echo_err(str(problem))
        raise typer.Exit(EXIT_INPUT) from None
    except InputFailure as err:
        for message in err.messages:
            echo_err(message)
        raise typer.Exit(EXIT_INPUT) from None
    except KeyboardInterrupt:
        echo_err(_("interrupted: the run was stopped; no partial results were written"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated:
        echo_err(_("terminated: the run was stopped; no partial results were written"))
        raise typer.Exit(EXIT_TERMINATED) from None
    except Exception as err:
        if debug:
            traceback.print_exc()
        message = str(err).strip().splitlines()
        echo_err(f"{_('error')}: {type(err).__name__}: {message[0] if message else ''}".rstrip(": "))
        if not debug:
            echo_err(_("(run again with --debug for the full traceback)"))
        raise typer.Exit(EXIT_INTERNAL) from None


def load_checked(path: Path, quiet: bool = False) -> LoadedScenario:
    """Load and check a scenario (ScenarioError with every problem), its warnings on standard error."""
    loaded = load_scenario(path)
    if not quiet:
        for warning in loaded.warnings:
            echo_err(f"{_('warning')}: {warning}")
    return loaded


def min_wave_option() -> Any:
    """``--min-wave``: the scenario's wave minimum for this solve."""
    return typer.Option(None, "--min-wave", min=0, max=5000, help="Least students per wave of a split cohort "
                        "(default: the scenario's policy.min_wave_students, 5 unless set; 0: no minimum).")


def wave_gap_option() -> Any:
    """``--wave-gap``: the scenario's weeks between a split cohort's starts for this solve."""
    return typer.Option(None, "--wave-gap", min=0, max=20, help="Least weeks between the start weeks of a split "
                        "cohort's waves (default: the scenario's policy.min_weeks_between_waves, 2 unless set; 0: no rule).")


def with_wave_rules(loaded: LoadedScenario, min_wave: int | None, wave_gap: int | None) -> LoadedScenario:
    """The scenario with the wave rules asked on the command line written into its policy (the plan records them)."""
    changes = {name: value for name, value in (("min_wave_students", min_wave), ("min_weeks_between_waves", wave_gap))
               if value is not None}
    if not changes:
        return loaded
    scenario = loaded.scenario
    loaded.scenario = scenario.model_copy(update={"policy": scenario.policy.model_copy(update=changes)})
    return loaded


def check_out_dir(out: Path) -> None:
    """An output folder may exist, but not as a file."""
    if out.exists() and not out.is_dir():
        raise InputFailure([_("{path}: exists and is not a folder").format(path=out)])
