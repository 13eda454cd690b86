"""Where a person puts an input on the map, outside Streamlit: the location widget's state
(a pin, or a route or area being drawn point by point — the keyboard route adds the points
from the place search — or a drawing checked by ``geo.read_drawing``), and a drawing's size
in words («strek, 1,2 km», «område, 3,4 daa»).

The widget (``ui/location.py``) keeps one ``Sketch`` per form; every change makes a new one,
so what the page shows and what the form sends are the same value.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from shapely.geometry.base import BaseGeometry

from .. import geo
from ..errors import InvalidDrawing
from ..i18n import t
from ..model import Shape

SQUARE_METRES_PER_DAA = 1_000  # one dekar (daa), the Norwegian unit for land


@dataclass(frozen=True)
class Waypoint:
    """A point of a route or area built without the mouse: what was chosen, and where."""

    label: str  # the address, place or typed coordinates, as the person chose it
    lat: float
    lon: float


@dataclass(frozen=True)
class Sketch:
    """What one form has on the map so far.

    ``shape`` is what the person is making: a pin (``pin``), or a line or an area — its
    ``points`` while it is being built by keyboard, then ``drawing`` once finished and
    checked (by keyboard or drawn with the mouse)."""

    shape: Shape = Shape.POINT
    pin: tuple[float, float] | None = None
    points: tuple[Waypoint, ...] = ()
    drawing: geo.Drawing | None = None

    def started(self, shape: Shape) -> Sketch:
        """A fresh start as ``shape`` (what was there before is let go)."""
        return Sketch(shape=shape)

    def with_pin(self, lat: float, lon: float) -> Sketch:
        return replace(self, pin=(lat, lon))

    def with_point(self, label: str, lat: float, lon: float) -> Sketch:
        """One more point at the end; after a finished drawing, the first of a new one. The
        same place twice in a row is taken once (a double Enter)."""
        points = () if self.drawing is not None else self.points
        if points and (points[-1].lat, points[-1].lon) == (lat, lon):
            return self
        if len(points) >= geo.MAX_DRAWN_VERTICES:
            raise InvalidDrawing("drawing.too_many_points", limit=geo.MAX_DRAWN_VERTICES)
        return replace(self, points=(*points, Waypoint(label, lat, lon)), drawing=None)

    def without_last(self) -> Sketch:
        """«Angre»: the last point gone."""
        return replace(self, points=self.points[:-1])

    def geometry(self) -> dict:
        """The points as GeoJSON (WGS84, lon before lat): a LineString, or for an area a
        Polygon closed back to its first point."""
        coords = [[p.lon, p.lat] for p in self.points]
        if self.shape == Shape.AREA:
            return {"type": "Polygon", "coordinates": [coords + coords[:1]]}
        return {"type": "LineString", "coordinates": coords}

    def finished(
        self,
        allowed: Collection[Shape],
        area: BaseGeometry,
        *,
        outside_share: float = geo.LINE_OUTSIDE_SHARE,
        epsg: int = geo.WORKING_CRS,
    ) -> Sketch:
        """«Ferdig»: the points checked as a line or an area (``InvalidDrawing`` says why not,
        and the points stay for the person to mend)."""
        if self.shape == Shape.LINE and len(self.points) < 2:
            raise InvalidDrawing("drawing.line_too_short")
        if self.shape == Shape.AREA and len(self.points) < 3:
            raise InvalidDrawing("drawing.area_too_small")
        drawn = geo.read_drawing(self.geometry(), tuple(allowed), area, outside_share=outside_share, epsg=epsg)
        return replace(self, drawing=drawn, points=())

    def with_drawing(self, drawing: geo.Drawing) -> Sketch:
        """A drawing made with the mouse, already checked."""
        return replace(self, drawing=drawing, points=())

    @property
    def location(self) -> tuple[float | None, float | None, str | None]:
        """``(lat, lon, drawing)`` for an ``InputDraft``: the pin, or the finished drawing
        (GeoJSON; the server checks it again), or nothing."""
        if self.shape == Shape.POINT:
            return (self.pin[0], self.pin[1], None) if self.pin else (None, None, None)
        if self.drawing is None:
            return None, None, None
        return self.drawing.lat, self.drawing.lon, self.drawing.geojson


def format_decimal(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` decimals as the language writes it: «1,2» in Norwegian,
    «1.2» in English; thousands apart with a no-break space (a comma in English)."""
    grouped = f"{value:,.{decimals}f}"
    group = "," if lang == "en" else "\u00a0"
    return grouped.replace(",", "\0").replace(".", t("number.decimal", lang)).replace("\0", group)


def size_words(shape: Shape, measure: float | None, lang: str) -> str:
    """A drawing's kind and size in words: «strek, 350 m», «strek, 1,2 km», «område,
    450 m²», «område, 3,4 daa» (1 daa = 1,000 m²); empty for a pin."""
    if shape == Shape.POINT or measure is None:
        return ""
    if shape == Shape.LINE:
        if round(measure) < 1_000:
            return t("size.line_m", lang, m=format_decimal(round(measure), 0, lang))
        return t("size.line_km", lang, km=format_decimal(measure / 1_000, 1, lang))
    if round(measure) < SQUARE_METRES_PER_DAA:
        return t("size.area_m2", lang, m2=format_decimal(round(measure), 0, lang))
    return t("size.area_daa", lang, daa=format_decimal(measure / SQUARE_METRES_PER_DAA, 1, lang))
