"""The language of what a region's people read: Dutch by default, English on request.

Every text a person reads (command-line messages, summaries, institution reports, charts,
the map, API messages) is written in the code in English and wrapped in :func:`_`; its Dutch
translation is in one message catalogue, ``planner/locale/nl/LC_MESSAGES/messages.po``
(gettext format, kept with Babel: ``make messages`` extracts new texts and updates the
catalogue). The catalogue is read from the ``.po`` file itself, so there is no compiled file
to forget. A test fails when a text has no Dutch translation.

The language is a context variable: the command line sets it from ``--lang`` for the whole
run, the API per request from ``?lang=`` or ``Accept-Language``. Texts declared at import time
(labels in tables) are marked with :func:`N_` and translated where they are shown.

Numbers are formatted for the language too (``1.234`` and ``2,5 %`` in Dutch) with
:func:`fmt_int`, :func:`fmt_num` and :func:`fmt_pct`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from planner.codes import DEFAULT_LANGUAGE, LANGUAGES, Language

#: Where the catalogues live: planner/locale/<lang>/LC_MESSAGES/messages.po.
CATALOGUE_DOMAIN = "messages"
#: The language the texts are written in, in the code.
SOURCE_LANGUAGE: Language = "en"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("stageplanner_language", default=DEFAULT_LANGUAGE)


def check_language(lang: str | None) -> Language:
    """``lang`` if it is a language the planner speaks, else a :class:`ValueError` naming the allowed ones."""
    if lang is None:
        return current_language()
    code = lang.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    return code  # type: ignore[return-value]


def current_language() -> Language:
    """The language texts are given in now."""
    return _language.get()  # type: ignore[return-value]


def set_language(lang: str) -> None:
    """Set the language for the rest of this context (the command line: the whole run)."""
    _language.set(check_language(lang))


@contextlib.contextmanager
def use_language(lang: str | None) -> Iterator[Language]:
    """Give texts in ``lang`` inside the block (``None``: keep the current language)."""
    token = _language.set(check_language(lang))
    try:
        yield current_language()
    finally:
        _language.reset(token)


def negotiate_language(accept_language: str | None) -> Language:
    """The best of the planner's languages for an HTTP ``Accept-Language`` header; Dutch if none fits."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip()))
    for _q, _p, tag in sorted(wanted):
        if tag == "*":
            return DEFAULT_LANGUAGE
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """The translations of one language: source text -> translated text (plural forms as a tuple)."""
    if lang == SOURCE_LANGUAGE:
        return {}
    path = resources.files("planner") / "locale" / lang / "LC_MESSAGES" / f"{CATALOGUE_DOMAIN}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    table: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            if all(message.string):
                table[message.id[0]] = tuple(message.string)
        elif message.string:
            table[message.id] = message.string
    return table


def _(text: str) -> str:
    """``text`` (written in English) in the current language."""
    translated = catalogue(current_language()).get(text)
    return translated if isinstance(translated, str) else text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural text for ``n``, in the current language (both languages: one form for 1)."""
    translated = catalogue(current_language()).get(singular)
    if isinstance(translated, tuple):
        return translated[0] if n == 1 else translated[-1]
    return singular if n == 1 else plural


def N_(text: str) -> str:
    """Mark a text for the catalogue without translating it yet (it is translated where it is shown)."""
    return text


def fmt_int(value: float | int) -> str:
    """A whole number with the language's thousands separator (``1.234`` in Dutch)."""
    return format_decimal(int(round(value)), format="#,##0", locale=current_language())


def fmt_num(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals and the language's separators (``1.234,5`` in Dutch)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_language())


def fmt_pct(value: float, digits: int = 1) -> str:
    """A fraction as a percentage (``0.025`` -> ``2,5 %`` in Dutch, ``2.5%`` in English)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=current_language())


def fmt_signed(value: float | int) -> str:
    """A whole-number difference with its sign (``+3``, ``-12``, ``0``)."""
    text = fmt_int(abs(value))
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def extract(fileobj, keywords, comment_tags, options):  # noqa: ANN001, ARG001 - Babel's extractor signature
    """A Babel extraction method that reads the syntax tree, so texts in f-string fields are found too.

    Babel's own Python extractor does not look inside ``f"...{_('text')}..."``; ``babel.cfg`` and
    the catalogue test use this one instead.
    """
    import ast

    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        yield from _command_line_help(node)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in keywords):
            continue
        texts = [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if node.func.id == "ngettext" and len(texts) >= 2:
            yield node.lineno, node.func.id, (texts[0], texts[1]), []
        elif node.func.id != "ngettext" and len(texts) == 1 and len(node.args) == 1:
            yield node.lineno, node.func.id, texts[0], []


#: Typer calls whose ``help=`` is command-line help, and decorators that make a function's
#: docstring a command's help (:mod:`planner.cli_help` translates both when the command runs).
_HELP_CALLS = {"Option", "Argument", "Typer", "command", "callback", "add_typer"}
_COMMAND_DECORATORS = {"command", "callback"}


def _command_line_help(node):  # noqa: ANN001, ANN202 - a syntax-tree node; yields Babel's tuples
    """Command-line help texts at ``node``: ``help="..."`` of typer's calls and the docstrings of
    functions registered as commands."""
    import ast

    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in _HELP_CALLS:
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    yield keyword.value.lineno, "_", keyword.value.value, []
    elif isinstance(node, ast.FunctionDef):
        registered = any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in _COMMAND_DECORATORS
                         for d in node.decorator_list)
        docstring = ast.get_docstring(node, clean=True) if registered else None
        if docstring:
            yield node.lineno, "_", docstring, []
