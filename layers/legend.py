"""Map legends in plain HTML and CSS: compact, and folded away on narrow maps.

A legend is a Leaflet control holding a ``<details>`` element: its title is the summary the user
taps to open or close it, its rows are small swatches with labels. It needs no JavaScript library
and no font file, so it works offline; use it instead of branca colour maps, which make
``st_folium`` load d3 from the internet. On a map narrower than :data:`OPEN_MIN_WIDTH` pixels (a
phone) it starts closed, so the legends of a map together cover at most a tenth of it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import folium
from branca.element import MacroElement
from folium.template import Template

__all__ = ["OPEN_MIN_WIDTH", "Legend", "LegendItem", "add_legend", "legend_html"]

#: a legend starts open only on maps at least this wide (pixels); narrower maps show its title
OPEN_MIN_WIDTH = 600

Position = Literal["topleft", "topright", "bottomleft", "bottomright"]


@dataclass(frozen=True)
class LegendItem:
    """One row of a legend.

    Parameters
    ----------
    label : str
        Text shown beside the swatch (plain text, escaped).
    color : str
        CSS colour of the line, the outline or the point.
    kind : {"line", "fill", "point"}
        Swatch drawn: a line, a filled square or a circle.
    fill : str, optional
        Fill colour for ``"fill"`` and ``"point"``; ``color`` when omitted.
    weight : float
        Line width in pixels.
    dash : str, optional
        SVG dash pattern for lines, e.g. ``"5 4"``.
    """

    label: str
    color: str
    kind: Literal["line", "fill", "point"] = "fill"
    fill: str | None = None
    weight: float = 2.0
    dash: str | None = None

    def swatch(self) -> str:
        """The swatch as an inline SVG of 20 x 12 pixels."""
        color = html.escape(self.color, quote=True)
        fill = html.escape(self.fill or self.color, quote=True)
        if self.kind == "line":
            dash = f' stroke-dasharray="{html.escape(self.dash, quote=True)}"' if self.dash else ""
            shape = (
                f'<line x1="1" y1="6" x2="19" y2="6" stroke="{color}" '
                f'stroke-width="{self.weight:g}"{dash}/>'
            )
        elif self.kind == "point":
            shape = f'<circle cx="10" cy="6" r="4.5" fill="{fill}" stroke="{color}" stroke-width="1.5"/>'
        else:
            shape = (
                f'<rect x="3" y="1" width="14" height="10" fill="{fill}" stroke="{color}" '
                f'stroke-width="{max(self.weight, 0.5):g}"/>'
            )
        return f'<svg width="20" height="12" viewBox="0 0 20 12" aria-hidden="true">{shape}</svg>'


def legend_html(
    items: Sequence[LegendItem], *, title: str | None = None, open_: bool = True
) -> str:
    """A legend as an HTML fragment with inline styles.

    Parameters
    ----------
    items : sequence of LegendItem
        Rows, top to bottom.
    title : str, optional
        Heading. With a title the legend is a ``<details>`` element whose summary is the
        title (tap to open or close); without one, a plain box.
    open_ : bool
        Whether a titled legend starts open.

    Returns
    -------
    str
        A ``<details>`` (or ``<div>``) element of class ``beatmap-legend``.
    """
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:4px;line-height:15px">'
        f"{item.swatch()}<span>{html.escape(item.label)}</span></div>"
        for item in items
    )
    style = (
        "background:rgba(255,255,255,0.92);padding:3px 6px;border-radius:4px;"
        "box-shadow:0 1px 4px rgba(0,0,0,0.3);font:11px/1.35 system-ui,'Noto Sans CJK SC',"
        "'WenQuanYi Zen Hei','Microsoft YaHei',sans-serif;color:#333;max-width:140px"
    )
    body = f'<div style="max-height:40vh;overflow-y:auto">{rows}</div>'
    if not title:
        return f'<div class="beatmap-legend" style="{style}">{body}</div>'
    summary = (
        f'<summary style="font-weight:600;cursor:pointer;line-height:18px">{html.escape(title)}'
        "</summary>"
    )
    opened = " open" if open_ else ""
    return f'<details class="beatmap-legend"{opened} style="{style}">{summary}{body}</details>'


class Legend(MacroElement):
    """A Leaflet control showing an HTML legend.

    Parameters
    ----------
    items : sequence of LegendItem
        Rows, top to bottom.
    title : str, optional
        Heading, and the summary the user taps to open or close the legend.
    position : {"topleft", "topright", "bottomleft", "bottomright"}
        Corner of the map.
    collapsed : bool, optional
        Start closed (True) or open (False); by default open only when the map is at least
        :data:`OPEN_MIN_WIDTH` pixels wide.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function (map) {
                var div = L.DomUtil.create("div", "beatmap-legend-control");
                div.innerHTML = {{ this.html|tojson }};
                var box = div.querySelector("details");
                if (box && {{ this.auto|tojson }}) {
                    box.open = map.getSize().x >= {{ this.open_min_width|tojson }};
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        items: Sequence[LegendItem],
        *,
        title: str | None = None,
        position: Position = "bottomleft",
        collapsed: bool | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.items = list(items)
        self.title = title
        self.position = position
        self.auto = collapsed is None
        self.open_min_width = OPEN_MIN_WIDTH
        self.html = legend_html(self.items, title=title, open_=not collapsed)


def add_legend(
    m: folium.Map,
    items: Sequence[LegendItem],
    *,
    title: str | None = None,
    position: Position = "bottomleft",
    collapsed: bool | None = None,
) -> Legend:
    """Add an HTML legend to a map.

    Parameters
    ----------
    m : folium.Map
        The map.
    items : sequence of LegendItem
        Rows, top to bottom.
    title : str, optional
        Bold heading.
    position : {"topleft", "topright", "bottomleft", "bottomright"}
        Corner of the map.
    collapsed : bool, optional
        See :class:`Legend`.

    Returns
    -------
    Legend
        The control, already added to ``m``.
    """
    legend = Legend(items, title=title, position=position, collapsed=collapsed)
    m.add_child(legend)
    return legend
