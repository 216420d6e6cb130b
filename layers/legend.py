"""Map legends in plain HTML and CSS.

A legend is a Leaflet control holding a small HTML table of swatches. It needs no JavaScript
library and no font file, so it works offline; use it instead of branca colour maps, which make
``st_folium`` load d3 from the internet.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import folium
from branca.element import MacroElement
from folium.template import Template

__all__ = ["Legend", "LegendItem", "add_legend", "legend_html"]

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
        """The swatch as an inline SVG of 26 x 14 pixels."""
        color = html.escape(self.color, quote=True)
        fill = html.escape(self.fill or self.color, quote=True)
        if self.kind == "line":
            dash = f' stroke-dasharray="{html.escape(self.dash, quote=True)}"' if self.dash else ""
            shape = (
                f'<line x1="1" y1="7" x2="25" y2="7" stroke="{color}" '
                f'stroke-width="{self.weight:g}"{dash}/>'
            )
        elif self.kind == "point":
            shape = (
                f'<circle cx="13" cy="7" r="5" fill="{fill}" stroke="{color}" stroke-width="1.5"/>'
            )
        else:
            shape = (
                f'<rect x="4" y="1" width="18" height="12" fill="{fill}" stroke="{color}" '
                f'stroke-width="{max(self.weight, 0.5):g}"/>'
            )
        return f'<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true">{shape}</svg>'


def legend_html(items: Sequence[LegendItem], *, title: str | None = None) -> str:
    """A legend as an HTML fragment with inline styles.

    Parameters
    ----------
    items : sequence of LegendItem
        Rows, top to bottom.
    title : str, optional
        Bold heading.

    Returns
    -------
    str
        A ``<div class="beatmap-legend">`` element.
    """
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;line-height:18px">'
        f"{item.swatch()}<span>{html.escape(item.label)}</span></div>"
        for item in items
    )
    head = (
        f'<div style="font-weight:600;margin-bottom:3px">{html.escape(title)}</div>'
        if title
        else ""
    )
    style = (
        "background:rgba(255,255,255,0.92);padding:6px 8px;border-radius:4px;"
        "box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.4 system-ui,'Noto Sans CJK SC',"
        "'WenQuanYi Zen Hei','Microsoft YaHei',sans-serif;color:#333"
    )
    return f'<div class="beatmap-legend" style="{style}">{head}{rows}</div>'


class Legend(MacroElement):
    """A Leaflet control showing an HTML legend.

    Parameters
    ----------
    items : sequence of LegendItem
        Rows, top to bottom.
    title : str, optional
        Bold heading.
    position : {"topleft", "topright", "bottomleft", "bottomright"}
        Corner of the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "beatmap-legend-control");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
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
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.items = list(items)
        self.title = title
        self.position = position
        self.html = legend_html(self.items, title=title)


def add_legend(
    m: folium.Map,
    items: Sequence[LegendItem],
    *,
    title: str | None = None,
    position: Position = "bottomleft",
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

    Returns
    -------
    Legend
        The control, already added to ``m``.
    """
    legend = Legend(items, title=title, position=position)
    m.add_child(legend)
    return legend
