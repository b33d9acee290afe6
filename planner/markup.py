"""User text made safe for the documents it reaches: HTML pages and maps, and markdown reports.

Every name a user supplies (scenario, region, description, institution, programme, company,
area, variant) may hold markup such as ``</title><script>``. HTML writers pass such text
through :func:`html_text`, markdown writers through :func:`markdown_text`, so the text reads
the same and never becomes a tag, a link or a table cell of its own. Jinja templates escape by
themselves (autoescape) and the map's script escapes what it inserts (``esc`` in
``maps/assets/shortage-map.js``); this module is for HTML and markdown written from Python.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Markdown's link brackets, code spans, table cells and escapes; a backslash keeps each literal.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`\[\]|])")


def html_text(text: Any) -> str:
    """``text`` as HTML character data or an attribute value: ``& < > " '`` as entities."""
    return html.escape(str(text), quote=True)


def markdown_text(text: Any) -> str:
    """``text`` as literal markdown: no raw HTML (``&`` and ``<`` as entities), no link, code span or
    table cell of its own (``[ ] ` | \\`` backslash-escaped), on one line."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped).replace("\r", " ").replace("\n", " ")
