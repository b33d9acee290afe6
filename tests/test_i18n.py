"""The message catalogue: every text a person reads has a Dutch translation; languages and numbers."""

from __future__ import annotations

import re
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


# ------------------------------------------------------------------ no English in what a region's people read

#: Words that give away an English text in a Dutch output (as whole words, any case).
ENGLISH_WORDS = ("unknown", "known", "did you mean", "block", "line", "weeks", "days", "generated", "students",
                 "learning companies", "active", "never", "revoked", "expired", "created", "expires", "state",
                 "bound", "exact parts", "neighbourhood", "first come", "regions", "all regions", "store it now",
                 "internship", "fictional", "place names")


def english_in(text: str) -> list[str]:
    import re

    return [word for word in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I)]


def test_the_tools_own_outputs_have_no_english_in_dutch(tmp_path):
    import datetime as dt
    from types import SimpleNamespace

    from api.services import tokens
    from planner.generate import generate_scenario
    from planner.generate.regions import UnknownRegion
    from planner.report.tables import engine_text
    from planner.scenario.calendar import forms_in_words

    now = dt.datetime(2026, 12, 7, 12, 0)
    rows = [SimpleNamespace(id=1, name="Zorgtafel", role="reader", regions="[\"Twente\"]", created_at=now, expires_at=None,
                            revoked_at=None, institution=None),
            SimpleNamespace(id=2, name="Oud", role="admin", regions="[]", created_at=now, expires_at=now,
                            revoked_at=now, institution=None)]
    with use_language("nl"):
        outputs = {
            "tokens list": "\n".join([tokens.listing_header(), *tokens.listing(rows, now)]),
            "generate, unknown region": str(UnknownRegion("labour-market region", "Twent", ["Twente"])),
            "rekenmethode": " ".join(engine_text(engine) for engine in (
                "GLOP (bound) + SCIP (plan)", "first come, first served", "CP-SAT (full company-level model)",
                "GLOP (bound) + SCIP (plan) + company level: SCIP (exact parts), CP-SAT (neighbourhood search, "
                "polish), Dantzig-Wolfe bound")),
            "generated description": generate_scenario("S", 3).description,
            "forms in changes.xlsx": forms_in_words("block:16 2026-W40..2026-W52 (12); line:3x20 2027-W02..2027-W21"),
        }
    found = {name: english_in(text) for name, text in outputs.items() if english_in(text)}
    assert not found, f"English in Dutch outputs: {found}\n{outputs}"
    assert outputs["forms in changes.xlsx"] == ("blokstage 16 weken 2026-W40..2026-W52 (12); "
                                                "lintstage 3 dagen x 20 weken 2027-W02..2027-W21")


def test_one_vocabulary_in_the_dutch_catalogue():
    texts = [t for translated in catalogue("nl").values()
             for t in (translated if isinstance(translated, tuple) else (translated,))]
    # One word for a student without an internship: "zonder stageplaats" (not "zonder plek" or "zonder plaats").
    assert not [t for t in texts if re.search(r"zonder (plek|plaats)\b|voorrangsgroep", t.lower())]
    assert any("zonder stageplaats" in t for t in texts) and any("prioriteitsgroepen" in t for t in texts)
