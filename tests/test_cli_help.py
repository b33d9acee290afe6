"""The command line's own help (``--help``): Dutch by default, English on request, every text translated."""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from planner.cli import app
from planner.cli import main as cli_main
from planner.cli_help import language_from_argv
from planner.i18n import catalogue

# The installed command, as a user runs it (the entry point in pyproject.toml).
STAGEPLANNER = Path(sys.executable).with_name("stageplanner")


def _run(*args: str, lang: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "STAGEPLANNER_LANG"}
    if lang is not None:
        env["STAGEPLANNER_LANG"] = lang
    return subprocess.run([str(STAGEPLANNER), *args], capture_output=True, text=True, env=env, timeout=120)


def _help(*args: str, lang: str | None = None) -> str:
    done = _run(*args, lang=lang)
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



TWENTE = "scenarios/twente/scenario.yaml"
ROOT = Path(__file__).resolve().parents[1]


# What a user gets for a mistake on the command line: the usage line, where the help is and the
# error, in Dutch (by default) or English, with exit code 2.
@pytest.mark.parametrize("args, dutch, english", [
    (("solve",), "Fout: Argument 'scenario' ontbreekt.", "Error: Missing argument 'scenario'."),
    (("solve", TWENTE), "Fout: Optie '--out' / '-o' ontbreekt.", "Error: Missing option '--out' / '-o'."),
    (("solve", TWENTE, "-o", "x", "--tijd"), "Fout: Onbekende optie: --tijd", "Error: No such option: --tijd"),
    (("solve", TWENTE, "-o", "x", "--time-limit", "abc"),
     "Fout: Ongeldige waarde voor '--time-limit': 'abc' is geen getal",
     "Error: Invalid value for '--time-limit': 'abc' is not a number"),
    (("solve", TWENTE, "-o", "x", "--time-limit", "0.1"),
     "Fout: Ongeldige waarde voor '--time-limit': 0.1 moet minstens 0.5 zijn",
     "Error: Invalid value for '--time-limit': 0.1 must be at least 0.5"),
    (("solve", TWENTE, "-o", "x", "--seed", "1.5"),
     "Fout: Ongeldige waarde voor '--seed': '1.5' is geen geheel getal",
     "Error: Invalid value for '--seed': '1.5' is not a whole number"),
    (("solve", TWENTE, "-o", "x", "--mode", "foo"),
     "Fout: Ongeldige waarde voor '--mode': 'foo' is niet toegestaan; toegestaan: 'optimise', 'status-quo', 'greedy'",
     "Error: Invalid value for '--mode': 'foo' is not one of 'optimise', 'status-quo', 'greedy'"),
    (("plannen",), "Fout: Onbekende opdracht 'plannen'.", "Error: No such command 'plannen'."),
    (("validate", TWENTE, "extra"), "Fout: Onverwachte extra argumenten: extra", "Error: Unexpected extra arguments: extra"),
    (("solve", TWENTE, "--time-limit"), "Fout: Optie '--time-limit' heeft een waarde nodig.",
     "Error: Option '--time-limit' needs a value."),
])
def test_usage_errors_in_the_users_language(args, dutch, english, capsys, monkeypatch):
    monkeypatch.delenv("STAGEPLANNER_LANG", raising=False)
    monkeypatch.chdir(ROOT)
    for prefix, expected in (((), dutch), (("--lang", "nl"), dutch), (("--lang", "en"), english)):
        with pytest.raises(SystemExit) as exited:
            # In a copy of the context: the command line sets the language for the rest of its run.
            contextvars.copy_context().run(cli_main, [*prefix, *args])
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert expected in err.splitlines(), err
        if expected == dutch:
            assert "Error:" not in err and "Try '" not in err and "Usage:" not in err


def test_the_installed_command_shows_usage_errors_in_dutch():
    done = _run("solve")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == ["Gebruik: stageplanner solve [OPTIONS] {scenario}",
                                        "Zie 'stageplanner solve --help' voor hulp.", "",
                                        "Fout: Argument 'scenario' ontbreekt."]


def test_exit_codes_through_the_installed_command(tmp_path):
    missing = _run("validate", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and "bestaat niet" in missing.stdout + missing.stderr
    # A group without a command shows its help (as click does), exit code 2.
    bare = _run("tokens")
    assert bare.returncode == 2 and "Gebruik: stageplanner tokens" in bare.stderr and "Fout:" not in bare.stderr
