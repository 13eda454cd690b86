"""The location widget: where an input is, as a pin, a line or an area — one widget for the
resident form, the staff registration form and any other form that asks «where?».

Four ways in, one result:

- a click on the map puts the pin (``Sett en nål``);
- Leaflet.draw (self-hosted) draws a line («Tegn en strek») or an area («Tegn et område»):
  a click on the last point (the first, for an area) or **Ferdig** finishes, **Angre**
  removes the last point;
- the place search (addresses, gnr/bnr, named places; ``places.search``) and typed
  coordinates put the pin, or — drawing a line or an area — add the chosen places one
  after another as its points, with **Angre** and **Ferdig** as buttons: the keyboard
  route, for people who do not use a mouse.

Use it like this (the class mode's «draw my way to school» is one more caller)::

    from consultations.ui import location

    location.widget(store, settings, consultation, lang)          # inside an @st.fragment
    lat, lon, drawing = location.sketch(consultation.id).location  # when the form is sent
    draft = InputDraft(..., lat=lat, lon=lon, drawing=drawing)     # submission checks it again
    location.clear(consultation.id)                                # after it was stored

``prefix`` keeps two widgets for one consultation apart (the staff form uses
``"register-"``; its keys are then ``register-map-<id>``, ``register-place-<id>`` …);
``shapes`` are the shapes offered (the consultation's own by default); ``inputs=False``
leaves the published inputs off the map. What is drawn is checked at once by
``geo.read_drawing`` (the reason shown in the user's language) and again by
``submission`` when the form is sent. The state is a ``drawing.Sketch`` in
``st.session_state`` — plain data a test can set and read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import streamlit as st

from .. import geo
from ..participation import places
from ..casework.analysis import load_places
from ..config import Settings
from ..participation.drawing import Sketch, size_words
from ..errors import InvalidInput, KartinnspillError
from ..i18n import DEFAULT_LANG, keys, t
from ..model import Consultation, Shape, Stage
from ..planning.planprocess import worded
from ..store import Store
from ..participation.submission import check_location
from .maps import (
    DrawTools,
    own_inputs,
    rendered_consultation_map,
    show_map,
    sketch_script,
)
from .skip import after_map, skip_map

# st.session_state[STATE]: {"<prefix><id>": Sketch, "<prefix><id>:error": error,
# "<prefix><id>:answered": how many drawings made on the map were answered}
STATE = "location"
MIDDLE = object()  # the plan area's middle, in the list of places


def sketch(consultation_id: str, prefix: str = "") -> Sketch:
    """What the widget ``prefix`` has for the consultation now (an empty pin sketch at first)."""
    return _state().get(f"{prefix}{consultation_id}") or Sketch()


def answered(consultation_id: str, prefix: str = "") -> int:
    """How many drawings made with the map's tools the widget ``prefix`` has taken or refused."""
    return _state().get(f"{prefix}{consultation_id}:answered", 0)


def clear(consultation_id: str, prefix: str = "") -> None:
    """Forget the pin or drawing (after the input was stored), keeping the chosen shape."""
    shape = sketch(consultation_id, prefix).shape
    _state()[f"{prefix}{consultation_id}"] = Sketch(shape=shape)
    _state().pop(f"{prefix}{consultation_id}:error", None)


def said(exc: KartinnspillError, stage: Stage, lang: str) -> str:
    """A refusal in the words of the consultation's mode (merknad/høring in a formal one,
    innspill in early medvirkning), where the message has both."""
    key = worded(exc.key, stage)
    return t(key, lang, **exc.params) if key in keys(DEFAULT_LANG) else exc.message(lang)


def pin_from_click(
    consultation: Consultation, click: dict | None, shapes: Collection[Shape] | None = None
) -> tuple[tuple[float, float] | None, InvalidInput | None]:
    """Where a map click puts the pin: the point, or the reason it can't go there."""
    if not click:
        return None, None
    try:
        return check_location(consultation, click.get("lat"), click.get("lng"), shapes), None
    except InvalidInput as exc:
        return None, exc


# -- the state ---------------------------------------------------------------------------


def _state() -> dict:
    return st.session_state.setdefault(STATE, {})


def _set(consultation_id: str, prefix: str, new: Sketch) -> None:
    _state()[f"{prefix}{consultation_id}"] = new
    _state().pop(f"{prefix}{consultation_id}:error", None)


def _fail(consultation_id: str, prefix: str, error: KartinnspillError) -> None:
    _state()[f"{prefix}{consultation_id}:error"] = error


class _Widget:
    """One widget's context: what its callbacks need to change its sketch."""

    def __init__(self, settings: Settings, consultation: Consultation, prefix: str, shapes: tuple[Shape, ...]):
        self.consultation, self.prefix, self.shapes = consultation, prefix, shapes
        self.outside_share = settings.profile.line_outside_share
        self.epsg = settings.profile.working_crs
        self.id = consultation.id

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}-{self.id}"

    @property
    def sketch(self) -> Sketch:
        return sketch(self.id, self.prefix)

    def _try(self, change: Callable[[], Sketch]) -> None:
        try:
            _set(self.id, self.prefix, change())
        except KartinnspillError as exc:
            _fail(self.id, self.prefix, exc)

    # callbacks: they run before the rerun, so the map and the text show the change at once

    def switch(self) -> None:
        self._try(lambda: self.sketch.started(Shape(st.session_state[self.key("shape")])))

    def map_changed(self) -> None:
        value = st.session_state.get(self.key("map")) or {}
        if self.sketch.shape == Shape.POINT:
            self.click(value.get("last_clicked"))
        elif DrawTools.made(drawn := value.get("last_active_drawing")):  # not a layer clicked
            _state()[f"{self.prefix}{self.id}:answered"] = answered(self.id, self.prefix) + 1
            self._try(lambda: self.sketch.with_drawing(self._read(drawn)))

    def _read(self, data: dict | str) -> geo.Drawing:
        return geo.read_drawing(
            data, self.shapes, self.consultation.area, outside_share=self.outside_share, epsg=self.epsg
        )

    def click(self, click: dict | None) -> None:
        """A point chosen: the pin, or the next point of the line or area."""
        if not click:
            return
        if self.sketch.shape == Shape.POINT:
            pin, error = pin_from_click(self.consultation, click, self.shapes)
            if pin is not None:
                _set(self.id, self.prefix, self.sketch.with_pin(*pin))
            elif error is not None:
                _fail(self.id, self.prefix, error)
            return
        lat, lon = click.get("lat"), click.get("lng")
        if (
            not isinstance(lat, int | float)
            or not isinstance(lon, int | float)
            or not geo.is_valid_coordinate(lat, lon)
        ):
            _fail(self.id, self.prefix, InvalidInput("input.bad_coordinates"))
            return
        label = click.get("label") or f"{lat:.5f}, {lon:.5f}"
        self._try(lambda: self.sketch.with_point(label, float(lat), float(lon)))

    def choose_place(self, options: dict) -> None:
        key = self.key("place")
        chosen = st.session_state.get(key)
        if chosen is None or chosen not in options:
            return
        self.click({"lat": options[chosen][0], "lng": options[chosen][1], "label": chosen})
        if self.sketch.shape != Shape.POINT:
            st.session_state[key] = None  # the next place of the route is chosen afresh

    def type_coordinates(self) -> None:
        parsed = geo.parse_coordinates(st.session_state.get(self.key("coordinates")) or "")
        if parsed is None:
            _fail(self.id, self.prefix, InvalidInput("input.bad_coordinates"))
            return
        self.click({"lat": parsed[0], "lng": parsed[1]})
        if self.sketch.shape != Shape.POINT:
            st.session_state[self.key("coordinates")] = ""

    def undo(self) -> None:
        self._try(self.sketch.without_last)

    def finish(self) -> None:
        self._try(
            lambda: self.sketch.finished(
                self.shapes, self.consultation.area, outside_share=self.outside_share, epsg=self.epsg
            )
        )

    def remove(self) -> None:
        _set(self.id, self.prefix, self.sketch.started(self.sketch.shape))


# -- the widget ----------------------------------------------------------------------------


def widget(
    store: Store,
    settings: Settings,
    consultation: Consultation,
    lang: str,
    *,
    prefix: str = "",
    shapes: Collection[Shape] | None = None,
    inputs: bool = True,
    context: bool = True,
    point_help: str | None = None,
    shape_help: bool = True,
    height: int = 480,
    marks: tuple[tuple[str, str, float, float], ...] = (),
) -> None:
    """The map with the chosen shape's tools, what is chosen so far, and the keyboard route.
    Put it in an ``@st.fragment`` so a click reruns only the widget. ``context=False`` leaves
    the consultation's context layers off the map (a pupil's small map); ``marks`` are
    landmarks on it, ``(icon, word, lat, lon)`` (the pupils' school); ``shape_help=False``
    leaves out how to draw a line or an area (a young pupil's screen says it in its own words)."""
    offered = tuple(s for s in Shape if s in (consultation.shapes if shapes is None else shapes))
    w = _Widget(settings, consultation, prefix, offered)
    if w.sketch.shape not in offered:
        _set(w.id, prefix, Sketch(shape=offered[0]))
    current = w.sketch
    if len(offered) > 1:
        st.session_state[w.key("shape")] = current.shape.value
        st.radio(
            t("location.shape", lang),
            options=[s.value for s in offered],
            format_func=lambda v: t(f"location.mode_{v}", lang),
            horizontal=True,
            key=w.key("shape"),
            on_change=w.switch,
        )
    if current.shape == Shape.POINT:
        intro = point_help
    else:
        intro = t(f"location.help_{current.shape.value}", lang) if shape_help else None
    skip_map(w.key("map"), lang, intro)  # how to use the map, and the link past it
    shared = rendered_consultation_map(
        store, settings, consultation, lang, current.shape, key=w.key("map"), inputs=inputs, context=context
    )
    own = own_inputs(consultation, lang, shared) if inputs else None  # hers, before the shared map has them
    show_map(
        shared,
        w.key("map"),
        height=height,
        returned_objects=["last_clicked"] if current.shape == Shape.POINT else ["last_active_drawing"],
        pin_script=sketch_script(current, consultation.stage, lang, answered(consultation.id, prefix), marks, own),
        on_change=w.map_changed,
    )
    nothing = _nothing_chosen(current, lang)
    error = _state().get(f"{prefix}{consultation.id}:error")
    if error is None:
        after_map(w.key("map"), nothing)  # where the skip link lands, and «Ingen nål …»
    else:
        after_map(w.key("map"))
        st.warning(said(error, consultation.stage, lang))
        if nothing:
            st.caption(nothing)
    _chosen(store, w, current, lang)
    _without_map(store, w, current, lang)


def _near(store: Store, w: _Widget, lat: float, lon: float, lang: str) -> None:
    """«Valgt: nær Bondivannsveien 12», from the address register, when an address is near."""
    found = places.nearest_address(store, lat, lon, w.epsg)
    if found is not None:
        st.caption(t("near.chosen", lang, address=found.text))


def _nothing_chosen(current: Sketch, lang: str) -> str | None:
    """«Ingen nål er plassert ennå.» (or no line, no area) while nothing is chosen; a
    line or an area under way says nothing (its points are listed under the map)."""
    if current.shape == Shape.POINT and current.pin is None:
        return t("consultation.pin_none", lang)
    if current.shape != Shape.POINT and current.drawing is None and not current.points:
        return t(f"location.none_{current.shape.value}", lang)
    return None


def _chosen(store: Store, w: _Widget, current: Sketch, lang: str) -> None:
    """What is chosen now, in words, with the button that takes it away (nothing chosen:
    ``_nothing_chosen``, said after the map)."""
    if current.shape == Shape.POINT and current.pin is not None:
        pin = current.pin
        left, right = st.columns([3, 1])
        left.success(t("consultation.pin_chosen", lang, lat=f"{pin[0]:.5f}", lon=f"{pin[1]:.5f}"))
        with left:
            _near(store, w, pin[0], pin[1], lang)
        right.button(t("consultation.pin_remove", lang), key=w.key("unpin"), on_click=w.remove)
    elif current.drawing is not None:
        left, right = st.columns([3, 1])
        left.success(t("location.drawn", lang, shape_size=size_words(current.shape, current.drawing.measure, lang)))
        with left:
            _near(store, w, current.drawing.lat, current.drawing.lon, lang)
        right.button(t("location.remove_drawing", lang), key=w.key("unpin"), on_click=w.remove)


def _without_map(store: Store, w: _Widget, current: Sketch, lang: str) -> None:
    """The keyboard route: an address, property or named place from a search, or typed
    coordinates — the pin, or one point after another of a line or an area."""
    drawing = current.shape != Shape.POINT
    with st.expander(t("consultation.without_map", lang), expanded=drawing and bool(current.points)):
        if drawing:
            st.caption(t(f"location.keyboard_{current.shape.value}", lang))
        place_search(store, w.consultation, lang, w.key("place"), w.choose_place)
        st.text_input(
            t("consultation.coordinates", lang),
            help=t("location.coordinates_drawing_help" if drawing else "consultation.coordinates_help", lang),
            key=w.key("coordinates"),
            on_change=w.type_coordinates,
        )
        if drawing and current.points:
            listed = "; ".join(f"{n}. {p.label}" for n, p in enumerate(current.points, start=1))
            st.text(t("location.points", lang, points=listed))
            undo, finish = st.columns(2)
            undo.button(
                t("location.undo", lang), help=t("location.undo_help", lang), key=w.key("undo"), on_click=w.undo
            )
            finish.button(
                t("location.finish", lang),
                help=t("location.finish_help", lang),
                key=w.key("finish"),
                type="primary",
                on_click=w.finish,
            )


def places_in(consultation: Consultation) -> list[tuple[str, tuple[float, float]]]:
    """Named places inside the plan area, and its middle: places to choose without a map.
    The same for every session: found once per plan area (``_PLACES_IN``), and known by the
    area itself while the store hands out the same consultation (``_BY_AREA``: its WKB is
    written again on every run otherwise)."""
    area = consultation.area
    known = _BY_AREA.get(id(area))
    if known is not None and known[0] is area:
        return list(known[1])
    key = area.wkb
    found = _PLACES_IN.get(key)
    if found is None:
        places = load_places()
        inside = sorted(
            (p.name, (p.lat, p.lon))
            for p, within in zip(places, geo.contains_many(consultation.area, [(p.lat, p.lon) for p in places]))
            if within
        )
        found = (*inside, (MIDDLE, geo.centre(consultation.area)))
        if len(_PLACES_IN) >= _PLACE_AREAS_KEPT:
            _PLACES_IN.clear()
        _PLACES_IN[key] = found
    if len(_BY_AREA) >= _PLACE_AREAS_KEPT:
        _BY_AREA.clear()
    _BY_AREA[id(area)] = (area, found)  # the area kept with it: its id is not reused meanwhile
    return list(found)


# plan area (WKB) → its named places and middle; every run of the keyboard route asked again
_PLACES_IN: dict[bytes, tuple[tuple[str, tuple[float, float]], ...]] = {}
_PLACE_AREAS_KEPT = 64
# id of a plan area object → (that object, its named places and middle)
_BY_AREA: dict[int, tuple[object, tuple[tuple[str, tuple[float, float]], ...]]] = {}


def place_search(store: Store, consultation: Consultation, lang: str, key: str, choose: Callable[[dict], None]) -> None:
    """The keyboard route's search: typed text finds addresses, properties (gnr/bnr) and named
    places; without text the named places in the plan area and its middle are offered.
    ``choose(options)`` reads the chosen label from ``st.session_state[key]``."""
    query = st.text_input(t("place_search.label", lang), help=t("place_search.help", lang), key=f"{key}-query")
    if query.strip():
        options = {h.label: (h.lat, h.lon) for h in places.search(store, query, load_places())}
        if not options:
            st.caption(t("place_search.none", lang, query=query))
        label, placeholder = t("place_search.results", lang), t("place_search.results_placeholder", lang)
    else:
        options = {
            (t("consultation.place_middle", lang) if name == MIDDLE else name): point
            for name, point in places_in(consultation)
        }
        label, placeholder = t("consultation.place", lang), t("consultation.place_placeholder", lang)
    st.selectbox(
        label,
        options=list(options),
        index=None,
        placeholder=placeholder,
        key=key,
        on_change=choose,
        args=(options,),
    )
