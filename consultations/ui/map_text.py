"""Tooltips and popups on the maps, their words set as text (``textContent``).

folium 0.20 writes ``Tooltip``/``Popup`` text (and ``tooltip=``/``popup=`` strings) inside a
JavaScript template literal: ``html.escape`` leaves `` ` ``, ``$`` and ``{`` alone, so a
consultation title «${…}» ran as script in the map frame (security finding N2). Here every
word goes into the script as JSON data (``js_literal``: no ``</script>``, no ``${`` or
backtick even inside its strings) and reaches the page through ``textContent``: nothing is
ever parsed as HTML or code. tests/test_map_text.py holds every map to that rule.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

from ..text import escape_html, js_literal

STICKY = {"sticky": True}  # as folium's Tooltip: it follows the mouse


def escape_map_html(text: str) -> str:
    """Text for what Leaflet itself writes as HTML (a layer control's names, attributions),
    which folium puts into the script as a JSON string: escaped, and ``$``, `` ` `` and
    ``{`` as character references too (they show the same), so no «${» stands in a script."""
    return escape_html(text).replace("$", "&#36;").replace("`", "&#96;").replace("{", "&#123;")


class TextTooltip(MacroElement):
    """A tooltip with ``text`` (plain text, not HTML) on the layer it is added to, in a
    ``<strong>`` when ``strong``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip(function () {
            var text = document.createElement({{ this.tag }});
            text.textContent = {{ this.text }};
            return text;
        }, {{ this.options }});
        {% endmacro %}"""
    )

    def __init__(self, text: str, strong: bool = False) -> None:
        super().__init__()
        self._name = "TextTooltip"
        self.text = js_literal(text)
        self.tag = js_literal("strong" if strong else "span")
        self.options = js_literal(STICKY)


class FeatureTooltip(MacroElement):
    """On a GeoJSON layer: each feature's tooltip is its ``label`` property, as text."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.eachLayer(function (layer) {
            layer.bindTooltip(function () {
                var text = document.createElement("span");
                var props = (layer.feature && layer.feature.properties) || {};
                text.textContent = String(props[{{ this.field }}] == null ? "" : props[{{ this.field }}]);
                return text;
            }, {{ this.options }});
        });
        {% endmacro %}"""
    )

    def __init__(self, field: str = "label") -> None:
        super().__init__()
        self._name = "FeatureTooltip"
        self.field = js_literal(field)
        self.options = js_literal(STICKY)


class LinkPopup(MacroElement):
    """A popup with a ``heading`` and a link (``href``, its ``words``) to the parent page
    (the map lives in an iframe), all set as text and attributes, never as HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup(function () {
            var data = {{ this.data }};
            var box = document.createElement("div");
            var heading = document.createElement("strong");
            heading.textContent = data.heading;
            var link = document.createElement("a");
            link.href = data.href;
            link.target = "_parent";
            link.textContent = data.words;
            box.appendChild(heading);
            box.appendChild(document.createElement("br"));
            box.appendChild(link);
            return box;
        }, {{ this.options }});
        {% endmacro %}"""
    )

    def __init__(self, heading: str, href: str, words: str, max_width: int = 280) -> None:
        super().__init__()
        self._name = "LinkPopup"
        self.data = js_literal({"heading": heading, "href": href, "words": words})
        self.options = js_literal({"maxWidth": max_width})
