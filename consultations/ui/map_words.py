"""Leaflet's own words and controls in the page's language, sized for a phone.

Leaflet writes «Zoom in», «Zoom out», «Layers» and «A JavaScript library for interactive
maps» in English, and folium's scale bar shows feet and miles beside metres. ``MapWords``
sets those texts from the translation layer (as text or escaped attributes) and adds a
metric-only scale bar; ``LayerSwitch`` is folium's layer control, folded to its button on a
narrow map (a phone), where open it covered the drawing tools and a third of the map.
"""

from __future__ import annotations

import folium
from folium.template import Template

from ..i18n import t
from ..text import js_literal

NARROW_MAP_PX = 640  # below this width the layer control starts folded


class MapWords(folium.MacroElement):
    """Leaflet's texts in ``lang`` and a metric scale bar (the map's own is turned off)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, words) {
            if (map.zoomControl) {
                [[map.zoomControl._zoomInButton, words.zoom_in], [map.zoomControl._zoomOutButton, words.zoom_out]]
                    .forEach(function (pair) {
                        pair[0].title = pair[1];
                        pair[0].setAttribute("aria-label", pair[1]);
                    });
            }
            if (map.attributionControl) {
                // Leaflet's credit, its title in the page's language (no link out of the app)
                var credit = document.createElement("span");
                credit.title = words.leaflet;
                credit.textContent = "Leaflet";
                map.attributionControl.setPrefix(credit.outerHTML);
            }
            L.control.scale({metric: true, imperial: false}).addTo(map);
            // One tab stop for the map (its container: arrows pan, + and - zoom): markers, the
            // zoom buttons and the attribution's links are not tab stops (the list of inputs
            // below the map is the keyboard route to them).
            var container = map.getContainer();
            var untab = function () {
                container.querySelectorAll(".leaflet-marker-pane [tabindex], .leaflet-marker-icon, "
                    + ".leaflet-control-zoom a, .leaflet-control-attribution a").forEach(function (e) {
                    if (e.getAttribute("tabindex") !== "-1") { e.setAttribute("tabindex", "-1"); }
                });
            };
            untab();
            new MutationObserver(untab).observe(container, {childList: true, subtree: true});
            // a layer control made after this names its button in the page's language
            var layout = L.Control.Layers.prototype._initLayout;
            L.Control.Layers.prototype._initLayout = function () {
                layout.call(this);
                this._layersLink.title = words.layers;
                this._layersLink.setAttribute("aria-label", words.layers);
            };
        })({{ this._parent.get_name() }}, {{ this.words }});
        {% endmacro %}
        """
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "MapWords"
        self.words = js_literal({w: t(f"leaflet.{w}", lang) for w in ("zoom_in", "zoom_out", "layers", "leaflet")})


class LayerSwitch(folium.LayerControl):
    """folium's layer control, open on a wide map and folded to its button on a narrow one."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                L.Util.extend({{ this.options|tojavascript }},
                              {collapsed: {{ this._parent.get_name() }}.getSize().x < {{ this.narrow }}})
            ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(position="topright", collapsed=False)
        self.narrow = NARROW_MAP_PX
