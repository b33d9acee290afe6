"""The command line's own help (``--help``) in the user's language.

Typer builds a click command tree from the functions in :mod:`planner.cli`, with their help
texts written in English. :func:`localised_command` translates that tree through the catalogue
(:mod:`planner.i18n`) before the command runs: command descriptions (the functions' docstrings),
option and argument help, and the words click adds itself (``Usage:``, section headings, the
``--help`` option, ``[default: ...]``). The language is read from the command line and the
environment before anything is parsed (:func:`language_from_argv`), since the help is printed
while parsing.

The texts are found for the catalogue by :func:`planner.i18n.extract`: ``help=`` arguments of
typer's ``Option``, ``Argument``, ``Typer`` and ``command`` and the docstrings of functions
registered as commands.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import typer
from pydantic import ValidationError
from typer._click import exceptions as click_exceptions

from planner.codes import DEFAULT_LANGUAGE
from planner.i18n import N_, _, check_language
from planner.scenario.problems import pydantic_message

#: The environment variable that sets the language when ``--lang`` is not given.
LANG_ENVVAR = "STAGEPLANNER_LANG"

#: What click writes itself, in the catalogue too (the keys are click's own English texts).
CLICK_TEXTS = (N_("Usage:"), N_("Options"), N_("Arguments"), N_("Commands"), N_("Show this message and exit."),
               N_("default"), N_("env var"), N_("required"))


def language_from_argv(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The language asked for by ``--lang X`` / ``--lang=X`` anywhere on the command line, else
    ``STAGEPLANNER_LANG``, else Dutch. An unknown value is left to the option's own check (Dutch help)."""
    environ = os.environ if environ is None else environ
    asked = environ.get(LANG_ENVVAR)
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            asked = argv[index + 1]
        elif arg.startswith("--lang="):
            asked = arg.split("=", 1)[1]
    try:
        return check_language(asked) if asked else DEFAULT_LANGUAGE
    except ValueError:
        return DEFAULT_LANGUAGE


# The notes appended to an option's help: "[default: 60.0]", "[env var: X]", "[required]", or
# several in one pair of brackets separated by "; ".
_NOTE = re.compile(r"(\[|; )(default|env var|required)(?=[:\]])")


@cache
def _localised_context(base: type) -> type:
    """A subclass of the command's context class (typer's own click) whose help formatter writes
    click's words in the current language."""

    class LocalisedHelpFormatter(base.formatter_class):  # type: ignore[name-defined, misc]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, prefix if prefix is not None else _("Usage:") + " ")

        def write_heading(self, heading: str) -> None:
            super().write_heading(_(heading))

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            translated = [(term, _NOTE.sub(lambda m: m.group(1) + _(m.group(2)), _(text) if text else text))
                          for term, text in rows]
            super().write_dl(translated, col_max, col_spacing)

    return type("LocalisedContext", (base,), {"formatter_class": LocalisedHelpFormatter})


def localised_command(command: Any) -> Any:
    """Translate a click ``command`` and everything under it (in place) into the current language."""
    command.context_class = _localised_context(command.context_class)
    if command.help:
        command.help = _(command.help)
    if command.short_help:
        command.short_help = _(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        localised_command(sub)
    return command


# Typer vendors click without gettext (``typer._click``, since 0.29), so its usage errors (an
# unknown option, a missing argument, a value that does not convert) are written again from the
# exception's fields, in the current language (:func:`show_usage_error`). What typer writes
# itself (a value not among a choice's, an unknown command, ...) is matched by these patterns.
_NOT_A_CHOICE = re.compile(r"^(?P<value>.+) is not one of (?P<allowed>.+)\.$")
_NO_SUCH_COMMAND = re.compile(r"^No such command (?P<name>.+)\.$")
_EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra argument\(s\) \((?P<args>.*)\)$")
_REQUIRES_A_VALUE = re.compile(r"^Option (?P<name>.+) requires (an argument|\d+ arguments)\.$")


def _hint(error: Any) -> str:
    """The parameter an error is about, as click names it (``'--out' / '-o'``)."""
    hint = error.param_hint if error.param_hint is not None else (
        error.param.get_error_hint() if error.param is not None else "")
    return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)


def _reason(error: Any) -> str:
    """Why a value was refused: pydantic's error (how typer converts values) in our own words."""
    cause = error.__cause__
    reason = pydantic_message(cause.errors()[0]) if isinstance(cause, ValidationError) and cause.errors() else error.message
    choice = _NOT_A_CHOICE.match(reason)
    if choice:
        return _("{value} is not one of {allowed}").format(value=choice["value"], allowed=choice["allowed"])
    return reason


def usage_error_message(error: Any) -> str:
    """A usage error (click's ``UsageError`` and its kinds) in the current language."""
    if isinstance(error, click_exceptions.NoSuchOption):
        text = _("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            text += " " + _("(possible options: {options})").format(options=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, click_exceptions.MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param is not None else "parameter")
        text = _("Missing argument {name}.") if kind == "argument" else _("Missing option {name}.")
        return text.format(name=_hint(error))
    if isinstance(error, click_exceptions.BadParameter):
        hint = _hint(error)
        if not hint:
            return _("Invalid value: {reason}").format(reason=_reason(error))
        return _("Invalid value for {name}: {reason}").format(name=hint, reason=_reason(error))
    message = error.format_message()
    for pattern, text in ((_NO_SUCH_COMMAND, N_("No such command {name}.")),
                          (_EXTRA_ARGUMENTS, N_("Unexpected extra arguments: {args}")),
                          (_REQUIRES_A_VALUE, N_("Option {name} needs a value."))):
        found = pattern.match(message)
        if found:
            return _(text).format(**found.groupdict())
    return message


def show_usage_error(error: Any, file: Any = None) -> None:
    """Write a usage error as click does (usage line, where to find help, the error), in the current language."""
    if isinstance(error, click_exceptions.NoArgsIsHelpError):
        error.show(file)  # a command group without a command: its (translated) help
        return
    ctx = error.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            help_name = max(ctx.command.get_help_option_names(ctx), key=len)
            lines.append(_("Try '{command} {option}' for help.").format(command=ctx.command_path, option=help_name))
        lines.append("")
    lines.append(_("Error: {message}").format(message=usage_error_message(error)))
    typer.echo("\n".join(lines), err=True, file=file)
