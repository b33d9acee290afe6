"""The command line's own help (``--help``): Dutch by default, English on request, every text translated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from planner.cli import app
from planner.cli_help import language_from_argv
from planner.i18n import catalogue

# The installed command, as a user runs it (the entry point in pyproject.toml).
STAGEPLANNER = Path(sys.executable).with_name("stageplanner")


def _help(*args: str, lang: str | None = None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "STAGEPLANNER_LANG"}
    if lang is not None:
        env["STAGEPLANNER_LANG"] = lang
    done = subprocess.run([str(STAGEPLANNER), *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return " ".join(done.stdout.split())  # the help is wrapped at 80 columns: compare words


def test_help_is_dutch_by_default():
    text = _help("--help")
    assert text.startswith("Gebruik: stageplanner")
    assert "Plan gespreide blok- en lintstageperiodes voor een mbo-regio" in text
    assert "Opdrachten:" in text and "Opties:" in text
    assert "Toon deze hulptekst en stop." in text
    assert "Bereken een scenario en schrijf plan.json" in text  # a command's short help
    solve = _help("solve", "--help")
    assert "Argumenten:" in solve
    assert "Scenariobestand (YAML of JSON; tabellen erin of als CSV). [verplicht]" in solve
    assert "[standaard: optimise]" in solve
    assert "Usage:" not in text + solve and "Show this message" not in text + solve


@pytest.mark.parametrize("args, lang", [(("--lang", "en", "--help"), None), (("solve", "--lang=en", "--help"), None),
                                        (("solve", "--help"), "en")])
def test_help_is_english_on_request(args, lang):
    text = _help(*args, lang=lang)
    assert text.startswith("Usage: stageplanner")
    assert "Gebruik" not in text and "Toon deze hulptekst" not in text
    assert "Show this message and exit." in text


def test_the_command_line_wins_over_the_environment():
    assert _help("--lang", "nl", "--help", lang="en").startswith("Gebruik:")


@pytest.mark.parametrize("argv, environ, expected", [
    ([], {}, "nl"),
    (["solve", "--lang", "en"], {}, "en"),
    (["--lang=en", "solve"], {}, "en"),
    ([], {"STAGEPLANNER_LANG": "en"}, "en"),
    (["--lang", "nl"], {"STAGEPLANNER_LANG": "en"}, "nl"),
    (["--lang", "xx"], {}, "nl"),  # the option's own check then refuses it with the allowed values
    (["--lang"], {"STAGEPLANNER_LANG": "en"}, "en"),
])
def test_language_from_argv(argv, environ, expected):
    assert language_from_argv(argv, environ) == expected


def _help_texts(command, path="stageplanner"):
    yield path, command.help
    for param in command.params:
        yield f"{path} {param.name}", getattr(param, "help", None)
    for name, sub in getattr(command, "commands", {}).items():
        yield from _help_texts(sub, f"{path} {name}")


def test_every_help_text_has_a_dutch_translation():
    """Every command, option and argument: a help text of its own that the catalogue translates
    (so a new option without help, or with help the extraction cannot find, fails here)."""
    dutch = catalogue("nl")
    texts = list(_help_texts(typer.main.get_command(app)))
    assert len(texts) > 80
    missing = [(where, text) for where, text in texts if not text or not isinstance(dutch.get(text), str)]
    assert not missing
