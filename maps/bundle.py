"""Offline HTML: the browser libraries are inlined from ``maps/assets/``, never fetched.

folium points every ``<script src>`` and ``<link href>`` at public CDNs (Leaflet, jQuery,
Bootstrap, Font Awesome, ...), which a closed network cannot reach. The map elements in
this package replace those lists with ``maps-asset:<path>`` references to the vendored
files (fetched with ``scripts/fetch-map-assets.sh``, licences beside them), and
:func:`render_offline` swaps each reference for the file's content. jQuery, Bootstrap and
the icon fonts are not needed: no folium element that uses them is on these maps.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

import folium

from planner.i18n import check_language

ASSET_SCHEME = "maps-asset:"

#: The vendored libraries as (name, asset path); names are those folium uses, so a
#: reference that folium would add is replaced rather than duplicated.
LEAFLET_JS = [("leaflet", "leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "leaflet/leaflet.css")]
MARKERCLUSTER_JS = [("markerclusterjs", "leaflet.markercluster/leaflet.markercluster.js")]
MARKERCLUSTER_CSS = [
    ("markerclustercss", "leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "leaflet.markercluster/MarkerCluster.Default.css"),
]
GROUPED_JS = [("leaflet.groupedlayercontrol.min.js", "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.js")]
GROUPED_CSS = [("leaflet.groupedlayercontrol.min.css", "leaflet-groupedlayercontrol/leaflet.groupedlayercontrol.min.css")]
APP_JS = [("stageplanner_shortage_map_js", "shortage-map.js")]
APP_CSS = [("stageplanner_shortage_map_css", "shortage-map.css")]

_SCRIPT_SRC = re.compile(r'<script src="' + re.escape(ASSET_SCHEME) + r'([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="' + re.escape(ASSET_SCHEME) + r'([^"]+)"/>')
_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)
_SOURCE_MAP = re.compile(r"^\s*(?://|/\*)# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")


def refs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, asset path) pairs as folium's (name, url) entries."""
    return [(name, ASSET_SCHEME + path) for name, path in pairs]


def use_vendored(element: folium.MacroElement, js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
    """Point one folium element's JS/CSS lists at the vendored files (instance only)."""
    element.default_js = refs(js)
    element.default_css = refs(css)


@functools.cache
def asset_bytes(path: str) -> bytes:
    """Content of a file under ``maps/assets/``."""
    return resources.files("maps").joinpath("assets", path).read_bytes()


def asset_text(path: str) -> str:
    """Text of a file under ``maps/assets/``, without source-map comments."""
    return _SOURCE_MAP.sub("", asset_bytes(path).decode("utf-8"))


@functools.cache
def inline_css(path: str) -> str:
    """A stylesheet with its relative ``images/...`` references turned into data URIs."""
    folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""

    def data_uri(match: re.Match[str]) -> str:
        image = match.group(2)
        try:
            encoded = base64.b64encode(asset_bytes(folder + image)).decode("ascii")
        except FileNotFoundError:
            return "none"
        return f'url("data:image/png;base64,{encoded}")'

    return _CSS_URL.sub(data_uri, asset_text(path))


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _style(text: str) -> str:
    return "<style>" + text.replace("</style", "<\\/style") + "</style>"


def external_references(html: str) -> list[str]:
    """``<script src>``/``<link href>`` tags that would load something over the network."""
    return [m.group(0) for m in _EXTERNAL.finditer(html)]


def render_offline(m: folium.Map, lang: str | None = None) -> str:
    """Render a map to one self-contained HTML page.

    Parameters
    ----------
    m : folium.Map
        A map whose elements use :func:`use_vendored` references.
    lang : str, optional
        The language of the page's texts, written to ``<html lang>``; by default the current
        language (:func:`planner.i18n.current_language`).

    Returns
    -------
    str
        The HTML with every vendored script and stylesheet inlined.

    Raises
    ------
    RuntimeError
        If a script or stylesheet would still be loaded over the network.
    """
    language = check_language(lang)
    html = m.get_root().render().replace("<html>", f'<html lang="{language}">', 1)
    html = _SCRIPT_SRC.sub(lambda match: _script(asset_text(match.group(1))), html)
    html = _CSS_LINK.sub(lambda match: _style(inline_css(match.group(1))), html)
    left = external_references(html)
    if left or ASSET_SCHEME in html:
        raise RuntimeError(f"map HTML still references external or unresolved files: {left[:3]}")
    return html
