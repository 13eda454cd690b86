"""Folium's rendered markup kept as text: never compiled or run again as a Jinja template.

branca (folium's base) renders a map element with its Jinja template, then wraps the
result in ``Element(result)`` — whose constructor compiles the *result* as a new template —
and renders that again when the whole figure is rendered (``render_map``, and st_folium's
own ``fig.render()``). Everything the first pass inserted was therefore template source on
the second: «{{ … }}» in a published input's text ran as code on the server (Jinja's
globals reach ``os``), an unclosed «{#» in it broke the map for every visitor, and
compiling the rows of 3,000 inputs (~250 kB) cost ~10 ms on every rebuild of the map.

``keep_rendered_markup()`` gives the two places that wrap results — ``MacroElement.render``
(every layer, marker, GeoJSON, tooltip …) and ``Popup.render`` — the same steps with the
results held as text (``RenderedMarkup``). tests/test_map_markup.py pins the library's
original steps, so an upgrade that changes them fails a test instead of undoing this.
"""

from __future__ import annotations

import folium.map
from branca.element import Element, Figure, MacroElement

BRANCA_MACRO_RENDER = MacroElement.render
FOLIUM_POPUP_RENDER = folium.map.Popup.render


class RenderedMarkup(Element):
    """Markup an element has rendered already: rendered again, it is itself."""

    def __init__(self, markup: str) -> None:
        super().__init__()  # no template: nothing is compiled
        self._name = "RenderedMarkup"
        self.markup = markup

    def render(self, **kwargs) -> str:
        return self.markup


def _figure(element: Element) -> Figure:
    figure = element.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    return figure


def _macro_render(self: MacroElement, **kwargs) -> None:
    """``MacroElement.render`` (branca 0.8): the macros' output kept as text."""
    figure = _figure(self)
    macros = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RenderedMarkup(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def _popup_render(self: folium.map.Popup, **kwargs) -> None:
    """``Popup.render`` (folium 0.20): its output kept as text."""
    for child in self._children.values():
        child.render(**kwargs)
    _figure(self).script.add_child(
        RenderedMarkup(self._template.render(this=self, kwargs=kwargs)), name=self.get_name()
    )


def keep_rendered_markup() -> None:
    """Make every folium element keep its rendered markup as text (idempotent)."""
    MacroElement.render = _macro_render
    folium.map.Popup.render = _popup_render
