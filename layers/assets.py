"""Leaflet and its plugins, served by BeatMap itself: maps that work with no internet.

Folium writes ``<script src>`` and ``<link href>`` tags that point at public CDNs (jsdelivr,
cdnjs, code.jquery.com, ...). On a police intranet those hosts do not answer and the map stays
blank. :func:`localize` rewrites every such link of a map and of all its children to a copy that
BeatMap installed from a package registry (npm for Leaflet and its plugins, the folium wheel for
folium's patched ``leaflet_heat``), in one of two modes:

``"served"``
    Links point at Streamlit's static route (``/app/static/...``, the ``static/`` folder next to
    ``streamlit_app.py``; needs ``[server] enableStaticServing = true``). This is the mode for
    maps shown with ``streamlit_folium.st_folium``: its component iframe is served by the same
    host, and it loads exactly the links that :func:`localize` left on the elements.
``"inline"``
    The code and styles are written into the page itself, with the images and fonts they use
    as ``data:`` URIs, so a saved HTML file (map export, print sheet) opens anywhere offline.
    ``st_folium`` cannot run inline scripts: use ``"served"`` there.

The files come from ``static/node_modules`` (``npm ci --prefix static``, from the committed
``static/package-lock.json``) and ``static/vendor`` (copied from installed Python packages);
:data:`INSTALL_COMMAND` does both. A link that has no local copy, or whose copy is missing
because the install step was not run, raises :class:`MissingAssetError` naming what to do.

This module reads the installed asset files (for ``"inline"`` and to check they exist); it does
no other I/O and never touches the network.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import branca.colormap
import folium
import folium.elements
import folium.plugins
from branca.element import CssLink, Element, Figure, JavascriptLink

from geo._errors import NotFoundError

__all__ = [
    "DEFAULT_STATIC_URL",
    "INSTALL_COMMAND",
    "STATIC_DIR",
    "Asset",
    "AssetMode",
    "MissingAssetError",
    "OfflineMap",
    "asset_for_url",
    "collect_links",
    "known_assets",
    "localize",
    "static_url",
    "to_standalone_html",
]

#: the app's ``static/`` folder (served by Streamlit at ``/app/static/``)
STATIC_DIR: Path = Path(__file__).resolve().parent.parent / "static"
#: URL prefix of ``STATIC_DIR`` as Streamlit serves it (no ``server.baseUrlPath``)
DEFAULT_STATIC_URL = "/app/static/"
#: the command that installs the assets (run from the project root)
INSTALL_COMMAND = "python scripts/install_assets.py"

AssetMode = Literal["served", "inline"]


class MissingAssetError(NotFoundError):
    """A map needs a JavaScript or CSS file that BeatMap has no local copy of."""


@dataclass(frozen=True)
class Asset:
    """One JavaScript or CSS file that BeatMap serves instead of a CDN.

    Parameters
    ----------
    path : str
        Path under ``static/``, with ``/`` separators.
    icons : bool
        Part of the icon-font marker stack (Font Awesome, Glyphicons, awesome-markers). These
        are left out of maps without a :class:`folium.Icon`, which BeatMap avoids: it draws
        points as circle markers and ``DivIcon``s that need no font file.
    jquery : bool
        jQuery, or the Bootstrap script folium links beside it. Only folium's HTML popups,
        ``keep_in_front`` and not-embedded GeoJSON call jQuery, and no folium element calls
        Bootstrap's script (its stylesheet stays), so both are left out of maps without those:
        two scripts (170 kB) fewer for every map the browser opens or a saved file carries.
    """

    path: str
    icons: bool = False
    jquery: bool = False

    @property
    def file(self) -> Path:
        """Absolute path of the installed file."""
        return STATIC_DIR / self.path


_NPM = "node_modules/"

#: (pattern on the CDN URL, local asset or None when the file is not needed offline).
#: Patterns match any CDN and version so that a folium upgrade that bumps a version in a URL
#: still finds the local copy; the versions served are those of static/package-lock.json.
_RULES: tuple[tuple[re.Pattern[str], Asset | None], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), asset)
    for pattern, asset in (
        # folium.Map defaults
        (r"/leaflet@[^/]+/dist/leaflet\.js$", Asset(_NPM + "leaflet/dist/leaflet.js")),
        (r"/leaflet@[^/]+/dist/leaflet\.css$", Asset(_NPM + "leaflet/dist/leaflet.css")),
        (r"/leaflet/[\d.]+/leaflet\.js$", Asset(_NPM + "leaflet/dist/leaflet.js")),
        (r"/leaflet/[\d.]+/leaflet\.css$", Asset(_NPM + "leaflet/dist/leaflet.css")),
        (r"/jquery-[\d.]+(\.min)?\.js$", Asset(_NPM + "jquery/dist/jquery.min.js", jquery=True)),
        (
            r"/jquery/[\d.]+/jquery(\.min)?\.js$",
            Asset(_NPM + "jquery/dist/jquery.min.js", jquery=True),
        ),
        (
            r"/bootstrap@5[^/]*/dist/js/bootstrap\.bundle(\.min)?\.js$",
            Asset(_NPM + "bootstrap/dist/js/bootstrap.bundle.min.js", jquery=True),
        ),
        (
            r"/bootstrap@5[^/]*/dist/css/bootstrap(\.min)?\.css$",
            Asset(_NPM + "bootstrap/dist/css/bootstrap.min.css"),
        ),
        (
            r"/bootstrap-glyphicons\.css$",
            Asset(_NPM + "glyphicons-only-bootstrap/css/bootstrap.min.css", icons=True),
        ),
        (
            r"/fontawesome-free@[^/]+/css/all(\.min)?\.css$",
            Asset(_NPM + "@fortawesome/fontawesome-free/css/all.min.css", icons=True),
        ),
        (
            r"/leaflet\.awesome-markers(\.min)?\.js$",
            Asset(_NPM + "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js", icons=True),
        ),
        (
            r"/leaflet\.awesome-markers\.css$",
            Asset(_NPM + "leaflet.awesome-markers/dist/leaflet.awesome-markers.css", icons=True),
        ),
        # folium's own helper for Icon(angle=...); not on any registry, only rotates icons
        (r"/leaflet\.awesome\.rotate(\.min)?\.css$", None),
        # folium.plugins.MarkerCluster
        (
            r"/leaflet\.markercluster(-src)?\.js$",
            Asset(_NPM + "leaflet.markercluster/dist/leaflet.markercluster.js"),
        ),
        (
            r"/leaflet\.markercluster[@/][^/]+/(dist/)?MarkerCluster\.css$",
            Asset(_NPM + "leaflet.markercluster/dist/MarkerCluster.css"),
        ),
        (
            r"/leaflet\.markercluster[@/][^/]+/(dist/)?MarkerCluster\.Default\.css$",
            Asset(_NPM + "leaflet.markercluster/dist/MarkerCluster.Default.css"),
        ),
        # folium.plugins.HeatMap: folium's copy of Leaflet.heat with the weights patch
        # (Leaflet.heat PR 78), copied from the installed folium wheel
        (
            r"/folium[^/]*/folium/templates/leaflet_heat\.min\.js$",
            Asset("vendor/folium/leaflet_heat.min.js"),
        ),
        # folium.plugins.Fullscreen
        (
            r"/leaflet\.fullscreen@[^/]+/Control\.FullScreen(\.min)?\.js$",
            Asset(_NPM + "leaflet.fullscreen/Control.FullScreen.js"),
        ),
        (
            r"/leaflet\.fullscreen@[^/]+/Control\.FullScreen\.css$",
            Asset(_NPM + "leaflet.fullscreen/Control.FullScreen.css"),
        ),
    )
)

#: data: URI types for files referenced from inlined CSS; other font formats are dropped
#: (every browser BeatMap supports reads woff2, and the @font-face lists keep it)
_INLINE_URL_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".woff2": "font/woff2",
}
_DROPPED_FONT_SUFFIXES = (".eot", ".ttf", ".woff", ".otf")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def static_url(base_url_path: str = "") -> str:
    """URL prefix of the ``static/`` folder as Streamlit serves it.

    Parameters
    ----------
    base_url_path : str
        Streamlit's ``server.baseUrlPath`` (empty when the app is served at the root).

    Returns
    -------
    str
        ``"/app/static/"``, or ``"/<base>/app/static/"``.

    Examples
    --------
    >>> static_url()
    '/app/static/'
    >>> static_url("/beatmap/")
    '/beatmap/app/static/'
    """
    base = base_url_path.strip("/")
    return f"/{base}{DEFAULT_STATIC_URL}" if base else DEFAULT_STATIC_URL


def known_assets() -> list[Asset]:
    """Every local file that a CDN link can be replaced with (for install checks).

    Returns
    -------
    list of Asset
        Unique by path, in rule order.
    """
    unique = {asset.path: asset for _, asset in _RULES if asset is not None}
    return list(unique.values())


def asset_for_url(url: str) -> Asset | None:
    """The local asset that replaces a CDN URL.

    Parameters
    ----------
    url : str
        A ``src``/``href`` that folium or a folium plugin would load.

    Returns
    -------
    Asset or None
        The local copy, or None when the file is not needed offline (it is then dropped).

    Raises
    ------
    MissingAssetError
        When BeatMap has no local copy of this URL (a plugin it does not ship).
    """
    for pattern, asset in _RULES:
        if pattern.search(url):
            return asset
    raise MissingAssetError(
        f"the map loads {url} from the internet and BeatMap has no local copy of it. "
        "Add its npm package to static/package.json (npm install --prefix static <package>), "
        "a rule to layers/assets.py, and run "
        f"`{INSTALL_COMMAND}`; or do not use that plugin."
    )


def _check_installed(asset: Asset) -> None:
    if not asset.file.is_file():
        raise MissingAssetError(
            f"map asset {asset.path} is not installed under {STATIC_DIR}. "
            f"Run `{INSTALL_COMMAND}` in the project folder (it runs `npm ci --prefix static` "
            "and copies folium's files to static/vendor); maps cannot load Leaflet without it."
        )


def _walk(element: Element) -> Iterator[Element]:
    """The element and all its descendants, the way ``st_folium`` walks a map."""
    yield element
    if isinstance(element, folium.plugins.DualMap):
        yield from _walk(element.m1)
        yield from _walk(element.m2)
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _uses_icons(m: Element) -> bool:
    return any(isinstance(e, folium.Icon) for e in _walk(m))


def _uses_jquery(m: Element) -> bool:
    """Whether folium's own code on this map calls jQuery (``$(...)``)."""
    for e in _walk(m):
        if isinstance(e, folium.Popup):  # its HTML content is parsed with $(...)
            return True
        if isinstance(e, folium.Map) and e.objects_to_stay_in_front:  # $(document).ready
            return True
        if isinstance(e, folium.GeoJson) and not e.embed:  # $.ajax of the linked file
            return True
    return False


def _local_url(url: str, prefix: str) -> bool:
    return url.startswith(prefix) or url.startswith("data:")


def localize(
    m: folium.Map,
    *,
    mode: AssetMode = "served",
    static_url: str = DEFAULT_STATIC_URL,
    icons: bool | None = None,
    jquery: bool | None = None,
) -> folium.Map:
    """Make a map load Leaflet and its plugins from BeatMap instead of CDNs.

    Call it after the last layer, plugin or marker was added (or use :class:`OfflineMap`,
    which calls it each time it renders). Calling it again is harmless.

    Parameters
    ----------
    m : folium.Map
        The map; changed in place.
    mode : {"served", "inline"}
        ``"served"``: links to ``static_url`` (maps shown in Streamlit). ``"inline"``: code and
        styles written into the page (standalone HTML files).
    static_url : str
        URL prefix of the ``static/`` folder, see :func:`static_url`.
    icons : bool, optional
        Keep the icon-font marker stack (Font Awesome, Glyphicons, awesome-markers). By default
        it is kept only when the map has a :class:`folium.Icon`.
    jquery : bool, optional
        Keep jQuery and Bootstrap's script (see :class:`Asset`). By default they are kept only
        when folium's code on the map calls jQuery (an HTML popup, ``keep_in_front``, GeoJSON
        that is not embedded).

    Returns
    -------
    folium.Map
        The same map, for chaining.

    Raises
    ------
    MissingAssetError
        When a link has no local copy, or the copy is not installed.
    """
    if mode not in ("served", "inline"):
        raise ValueError(f"mode must be 'served' or 'inline', got {mode!r}")
    if any(isinstance(e, branca.colormap.ColorMap) for e in _walk(m)):
        raise MissingAssetError(
            "branca colour maps make st_folium load d3 from the internet; "
            "use layers.legend for legends instead"
        )
    keep_icons = _uses_icons(m) if icons is None else icons
    keep_jquery = _uses_jquery(m) if jquery is None else jquery
    prefix = static_url if static_url.endswith("/") else static_url + "/"
    root = m.get_root()
    inline: list[tuple[str, str, Asset]] = []  # (name, kind, asset) in load order

    for element in _walk(m):
        if not isinstance(element, folium.elements.JSCSSMixin):
            continue
        for kind in ("js", "css"):
            links = getattr(element, f"default_{kind}", [])
            new_links: list[tuple[str, str]] = []
            for name, url in links:
                if url.startswith("data:"):
                    new_links.append((name, url))
                    continue
                if url.startswith(prefix):  # localized before, in "served" mode
                    asset: Asset | None = Asset(url[len(prefix) :])
                else:
                    asset = asset_for_url(url)
                if (
                    asset is None
                    or (asset.icons and not keep_icons)
                    or (asset.jquery and not keep_jquery)
                ):
                    continue
                _check_installed(asset)
                if mode == "served":
                    new_links.append((name, prefix + asset.path))
                else:
                    inline.append((name, kind, asset))
            # an instance attribute: the class-level lists of folium stay untouched
            setattr(element, f"default_{kind}", new_links)

    if isinstance(root, Figure):
        _scrub_header(root, prefix if mode == "served" else "data:")
        if mode == "inline":
            _add_inline(root, inline)
    return m


def _scrub_header(root: Figure, keep_prefix: str) -> None:
    """Drop links that an earlier render left in the page header, but those to keep."""
    for name, child in list(root.header._children.items()):
        if isinstance(child, JavascriptLink | CssLink) and not _local_url(child.url, keep_prefix):
            del root.header._children[name]


def _add_inline(root: Figure, inline: list[tuple[str, str, Asset]]) -> None:
    seen: set[str] = set()
    leaflet_js = False
    for name, kind, asset in inline:
        if asset.path in seen:
            continue
        seen.add(asset.path)
        if kind == "js":
            code = _read_text(asset.path).replace("</script", "<\\/script")
            html = f"<script>/* {asset.path} */\n{code}\n</script>"
            leaflet_js = leaflet_js or asset.path.endswith("leaflet/dist/leaflet.js")
        else:
            css = _inline_css(asset).replace("</style", "<\\/style")
            html = f"<style>/* {asset.path} */\n{css}\n</style>"
        root.header.add_child(Element(html), name=f"beatmap_inline_{name}")
        if leaflet_js and "beatmap_inline_marker_icons" not in root.header._children:
            root.header.add_child(
                Element(_marker_icon_script()), name="beatmap_inline_marker_icons"
            )


@functools.lru_cache(maxsize=64)
def _read_text(path: str) -> str:
    return (STATIC_DIR / path).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=256)
def _data_uri(file: Path) -> str:
    mime = _INLINE_URL_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0]
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


def _inline_css(asset: Asset) -> str:
    """CSS text with its relative ``url()``s turned into data: URIs."""
    folder = asset.file.parent

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#", "http://", "https://", "//")):
            return match.group(0)
        clean = ref.split("#", 1)[0].split("?", 1)[0]
        target = (folder / clean).resolve()
        suffix = target.suffix.lower()
        if suffix in _DROPPED_FONT_SUFFIXES or (suffix == ".svg" and "#" in ref):  # SVG font
            return "url(data:,)"
        if suffix in _INLINE_URL_TYPES and target.is_file():
            return f'url("{_data_uri(target)}")'
        return "url(data:,)"

    return _CSS_URL.sub(replace, _read_text(asset.path))


def _marker_icon_script() -> str:
    """Point Leaflet's default marker at data: URIs (its path guess fails on inlined CSS)."""
    images = STATIC_DIR / _NPM / "leaflet/dist/images"
    icon, icon2x, shadow = (
        _data_uri(images / name)
        for name in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
    )
    return (
        "<script>L.Icon.Default.imagePath = '';"
        f"L.Icon.Default.mergeOptions({{iconUrl: '{icon}', iconRetinaUrl: '{icon2x}', "
        f"shadowUrl: '{shadow}'}});</script>"
    )


def collect_links(m: folium.Map) -> tuple[list[str], list[str]]:
    """The JavaScript and CSS links ``st_folium`` would load for a map.

    Mirrors ``streamlit_folium.st_folium``: every ``default_js``/``default_css`` of the map
    and its descendants, de-duplicated in order.

    Parameters
    ----------
    m : folium.Map
        The map (after :func:`localize`).

    Returns
    -------
    tuple of (list of str, list of str)
        ``(js_links, css_links)``.
    """
    js: list[str] = []
    css: list[str] = []
    for element in _walk(m):
        js.extend(url for _, url in getattr(element, "default_js", []))
        css.extend(url for _, url in getattr(element, "default_css", []))
    return list(dict.fromkeys(js)), list(dict.fromkeys(css))


def to_standalone_html(m: folium.Map, *, icons: bool | None = None) -> str:
    """Render a map as one HTML page that works offline (assets inlined).

    Parameters
    ----------
    m : folium.Map
        The map; its assets are localized in ``"inline"`` mode (in place).
    icons : bool, optional
        See :func:`localize`.

    Returns
    -------
    str
        The complete HTML document.
    """
    localize(m, mode="inline", icons=icons)
    if not isinstance(m, OfflineMap):
        return m.get_root().render()
    mode = m.asset_mode
    m.asset_mode = "inline"
    try:
        return m.get_root().render()
    finally:
        m.asset_mode = mode


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that calls :func:`localize` on itself every time it renders.

    Pages can add any layer or plugin to it and hand it to ``st_folium`` or save it: no link
    to a CDN survives rendering.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`folium.Map`.
    asset_mode : {"served", "inline"}
        See :func:`localize`.
    static_url : str
        See :func:`localize`.
    """

    def __init__(
        self,
        *args: object,
        asset_mode: AssetMode = "served",
        static_url: str = DEFAULT_STATIC_URL,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.asset_mode: AssetMode = asset_mode
        self.static_url = static_url

    def render(self, **kwargs: object) -> None:
        """Localize the assets, then render as :class:`folium.Map` does."""
        localize(self, mode=self.asset_mode, static_url=self.static_url)
        super().render(**kwargs)
