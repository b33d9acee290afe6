"""The message catalogue: every text a person reads has a Dutch translation; languages and numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from planner.i18n import (
    _,
    catalogue,
    check_language,
    current_language,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_signed,
    negotiate_language,
    ngettext,
    use_language,
)

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _source_texts() -> set[str]:
    """Every text to translate, found as `make messages` finds it (babel.cfg's methods and paths)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    texts: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map=method_map, options_map=options_map, keywords=KEYWORDS
    ):
        text = message[0] if isinstance(message, tuple) else message
        if text:  # a template's _(variable) has no text to translate
            texts.add(text)
    return texts


def test_template_texts_are_extracted():
    texts = _source_texts()
    assert "Sign in" in texts and "Students without a place" in texts, "texts of api/web/templates are checked too"


def test_every_text_has_a_dutch_translation():
    texts = _source_texts()
    assert len(texts) > 50, "the extraction finds the texts wrapped in _()"
    missing = sorted(t for t in texts if t not in catalogue("nl"))
    assert not missing, "texts without a Dutch translation (run `make messages` and translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    import string

    fields = string.Formatter()
    for source, translated in catalogue("nl").items():
        for text in translated if isinstance(translated, tuple) else (translated,):
            wanted = {f for _, f, _, _ in fields.parse(source) if f}
            got = {f for _, f, _, _ in fields.parse(text) if f}
            assert got == wanted, f"{source!r} -> {text!r}: placeholders differ"


def test_dutch_is_the_default_and_english_on_request():
    assert current_language() == "nl"
    assert _("students") == "studenten"
    with use_language("en"):
        assert _("students") == "students"
        assert ngettext("{n} student", "{n} students", 2) == "{n} students"
    assert ngettext("{n} student", "{n} students", 1) == "{n} student"


def test_unknown_language_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match="nl, en"):
        check_language("fr")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "nl"),
        ("", "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("fr", "nl"),
        ("en;q=0.4,nl;q=0.8", "nl"),
        ("*", "nl"),
        ("garbage;;q=x", "nl"),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert negotiate_language(header) == expected


def test_numbers_follow_the_language():
    assert (fmt_int(12345), fmt_num(1234.56), fmt_pct(0.025), fmt_signed(-3)) == ("12.345", "1.234,6", "2,5%", "-3")
    with use_language("en"):
        assert (fmt_int(12345), fmt_num(1234.56), fmt_pct(0.025), fmt_signed(4)) == ("12,345", "1,234.6", "2.5%", "+4")
