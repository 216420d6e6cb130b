"""Compact Leaflet layers shared by the coverage layers: classed points and classed polygons.

Folium's ``Marker``/``CircleMarker`` write one JavaScript block per point and ``GeoJson`` writes
every property of every feature; at thousands of households that is megabytes. These two
elements write the data once, as compact JSON, with a style per class:

* :class:`ClassedPoints` — ``[lat, lon, class, tooltip, props]`` rows drawn as circle markers,
  optionally inside a marker cluster whose icon shows the count and the share of the first
  class (e.g. visited) as its colour;
* :class:`ClassedPolygons` — a GeoJSON FeatureCollection whose features carry ``c`` (class) and
  ``t`` (tooltip HTML) and any other properties a click should return to the page.

Each feature keeps ``feature.properties`` so that ``st_folium``'s ``last_active_drawing``
returns them when the user clicks it. Tooltip texts are built by the callers from whitelisted
columns only, escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import folium.plugins
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

__all__ = ["ClassedPoints", "ClassedPolygons", "dumps"]


def dumps(data: Any) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


class ClassedPoints(JSCSSMixin, Layer):
    """Circle markers styled by class, optionally clustered.

    Parameters
    ----------
    rows : sequence of list
        ``[lat, lon, class_index, tooltip_html, properties_or_None]`` per point.
    styles : sequence of dict
        Leaflet circle-marker options per class (``color``, ``fillColor``, ``radius``, ...).
    cluster : bool
        Put the markers in a ``L.markerClusterGroup``.
    cluster_share_class : int, optional
        With ``cluster``: colour each cluster icon by the share of markers of this class, in
        the coverage classes of :mod:`layers.beats` (red under 50 % ... green from 95 %).
    kind : str
        ``properties.kind`` of every feature (what the page reads on a click).
    name : str, optional
        Layer name.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows_js }};
            var styles = {{ this.styles_js }};
            var base = {weight: 1, opacity: 1, fillOpacity: 0.85, radius: 5};
            var markers = [];
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var m = L.circleMarker([r[0], r[1]], Object.assign({}, base, styles[r[2]], {c: r[2]}));
                m.feature = {type: "Feature", properties: Object.assign({kind: {{ this.kind|tojson }}}, r[4] || {})};
                if (r[3]) { m.bindTooltip(r[3]); }
                markers.push(m);
            }
            {%- if this.cluster %}
            var share = {{ this.cluster_share_class|tojson }};
            var group = L.markerClusterGroup({
                maxClusterRadius: 40, chunkedLoading: true, spiderfyOnMaxZoom: true,
                iconCreateFunction: function (cluster) {
                    var kids = cluster.getAllChildMarkers(), n = kids.length, color = "#3a6ea5";
                    if (share !== null) {
                        var k = 0;
                        for (var j = 0; j < n; j++) { if (kids[j].options.c === share) { k++; } }
                        var f = k / n;  // the coverage classes of layers.beats
                        color = f >= 0.95 ? "#1a9641" : f >= 0.85 ? "#a6d96a" : f >= 0.7
                            ? "#ffffbf" : f >= 0.5 ? "#fdae61" : "#d7191c";
                    }
                    var size = n < 100 ? 30 : (n < 1000 ? 36 : 42);
                    return L.divIcon({
                        html: '<div style="background:' + color + ';color:#222;border-radius:50%;'
                            + 'width:' + size + 'px;height:' + size + 'px;line-height:' + size
                            + 'px;text-align:center;font:bold 12px sans-serif;opacity:0.9;'
                            + 'border:2px solid #333">' + n + '</div>',
                        className: "beatmap-cluster", iconSize: [size, size]
                    });
                }
            });
            group.addLayers(markers);
            {%- else %}
            var group = L.featureGroup(markers);
            {%- endif %}
            return group;
        })();
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: Sequence[list[Any]],
        *,
        styles: Sequence[dict[str, Any]],
        cluster: bool = False,
        cluster_share_class: int | None = None,
        kind: str = "point",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "ClassedPoints"
        self.rows = list(rows)
        self.rows_js = dumps(self.rows)
        self.styles_js = dumps(list(styles))
        self.cluster = cluster
        self.cluster_share_class = cluster_share_class
        self.kind = kind
        if cluster:
            self.default_js = list(folium.plugins.MarkerCluster.default_js)
            self.default_css = list(folium.plugins.MarkerCluster.default_css)
        else:
            self.default_js = []
            self.default_css = []


class ClassedPolygons(Layer):
    """GeoJSON polygons styled by the class ``properties.c``, with tooltips ``properties.t``.

    Parameters
    ----------
    data : dict
        FeatureCollection in WGS-84.
    styles : sequence of dict
        Leaflet path options per class.
    highlight : dict, optional
        Options applied while the pointer is over a feature.
    interactive : bool
        Whether features take the pointer (tooltips, clicks).
    name : str, optional
        Layer name.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var styles = {{ this.styles_js }};
            var highlight = {{ this.highlight_js }};
            var layer = L.geoJson({{ this.data_js }}, {
                interactive: {{ this.interactive|tojson }},
                style: function (f) { return styles[f.properties.c]; },
                onEachFeature: function (f, l) {
                    if (f.properties.t) { l.bindTooltip(f.properties.t, {sticky: true}); }
                    if (highlight) {
                        l.on("mouseover", function () { l.setStyle(highlight); });
                        l.on("mouseout", function () { l.setStyle(styles[f.properties.c]); });
                    }
                }
            });
            return layer;
        })();
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        styles: Sequence[dict[str, Any]],
        highlight: dict[str, Any] | None = None,
        interactive: bool = True,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        self._name = "ClassedPolygons"
        self.data = data
        self.data_js = dumps(data)
        self.styles_js = dumps(list(styles))
        self.highlight_js = dumps(highlight)
        self.interactive = interactive
