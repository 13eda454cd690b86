"""Routes and areas through the core: the location widget's sketch (the keyboard route's
points, «Angre», «Ferdig»), a drawing's size in words, a drawn input sent and refused, what
staff allow per consultation, and what the public sees of a drawing."""

from __future__ import annotations

import json

import pytest

from consultations import geo
from consultations.planning import lifecycle
from consultations.participation import public
from consultations.config import load_profile
from consultations.participation.drawing import Sketch, format_decimal, size_words
from consultations.errors import (
    ConfigError,
    InvalidConsultation,
    InvalidDrawing,
    InvalidInput,
)
from consultations.model import Channel, InputDraft, SenderType, Shape
from consultations.participation.submission import register_input, submit_input
from tests.conftest import BORGEN_SQUARE, INSIDE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

ALL = (Shape.POINT, Shape.LINE, Shape.AREA)
ROUTE = {"type": "LineString", "coordinates": [[10.406, 59.823], [10.420, 59.823]]}  # ~783 m


# -- sizes in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "measure", "lang", "words"),
    [
        (Shape.LINE, 1_234.0, "nb", "strek, 1,2 km"),
        (Shape.LINE, 350.4, "nb", "strek, 350 m"),
        (Shape.LINE, 999.6, "nb", "strek, 1,0 km"),  # never «1000 m»
        (Shape.AREA, 3_400.0, "nb", "område, 3,4 daa"),  # 1 daa = 1,000 m²
        (Shape.AREA, 450.0, "nb", "område, 450 m²"),
        (Shape.AREA, 1_234_567.0, "nb", "område, 1\u00a0234,6 daa"),
        (Shape.LINE, 1_234.0, "nn", "strek, 1,2 km"),
        (Shape.LINE, 1_234.0, "en", "line, 1.2 km"),
        (Shape.AREA, 1_234_567.0, "en", "area, 1,234.6 daa"),
        (Shape.POINT, None, "nb", ""),
    ],
)
def test_a_drawings_size_is_written_as_the_language_writes_numbers(shape, measure, lang, words):
    assert size_words(shape, measure, lang) == words


def test_decimals_take_a_comma_in_norwegian_and_a_point_in_english():
    assert format_decimal(12.345, 2, "nb") == "12,35"
    assert format_decimal(12.345, 2, "en") == "12.35"


# -- the keyboard route ----------------------------------------------------------------------


def test_places_chosen_in_order_build_a_line_and_ferdig_checks_it():
    sketch = Sketch().started(Shape.LINE)
    sketch = sketch.with_point("Borgen skole", 59.823, 10.406).with_point("Borgen skole", 59.823, 10.406)
    assert len(sketch.points) == 1  # the same place twice in a row is one point
    sketch = sketch.with_point("Kirkeveien 3", 59.8235, 10.413).with_point("Torget", 59.823, 10.420)
    assert [p.label for p in sketch.points] == ["Borgen skole", "Kirkeveien 3", "Torget"]
    assert sketch.geometry()["coordinates"][0] == [10.406, 59.823]  # lon before lat
    assert sketch.location == (None, None, None)  # nothing to send before «Ferdig»
    done = sketch.finished(ALL, BORGEN_SQUARE)
    assert done.points == () and done.drawing.shape == Shape.LINE
    lat, lon, drawing = done.location
    assert json.loads(drawing)["type"] == "LineString" and geo.contains(BORGEN_SQUARE, lat, lon)


def test_angre_removes_the_last_point_and_a_line_of_one_point_cannot_be_finished():
    sketch = Sketch(shape=Shape.LINE).with_point("A", 59.823, 10.406).with_point("B", 59.824, 10.41)
    sketch = sketch.without_last()
    assert [p.label for p in sketch.points] == ["A"]
    with pytest.raises(InvalidDrawing) as info:
        sketch.finished(ALL, BORGEN_SQUARE)
    assert info.value.key == "drawing.line_too_short"


def test_an_area_is_built_from_its_corners_and_closed_back_to_the_first():
    sketch = Sketch(shape=Shape.AREA)
    for corner in [(59.824, 10.410), (59.824, 10.412), (59.825, 10.412)]:
        sketch = sketch.with_point("hjørne", *corner)
    ring = sketch.geometry()["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 4
    done = sketch.finished(ALL, BORGEN_SQUARE)
    assert done.drawing.shape == Shape.AREA and done.drawing.measure > 0


def test_a_route_running_far_outside_the_plan_area_is_refused_and_its_points_stay():
    sketch = Sketch(shape=Shape.LINE).with_point("A", 59.823, 10.415).with_point("B", 59.823, 10.45)
    with pytest.raises(InvalidDrawing) as info:
        sketch.finished(ALL, BORGEN_SQUARE)
    assert info.value.key == "drawing.line_outside"
    assert len(sketch.points) == 2  # to mend with «Angre»


def test_a_point_after_a_finished_drawing_starts_a_new_one():
    done = Sketch(shape=Shape.LINE).with_point("A", 59.823, 10.406).with_point("B", 59.823, 10.42)
    done = done.finished(ALL, BORGEN_SQUARE)
    again = done.with_point("C", 59.824, 10.41)
    assert again.drawing is None and [p.label for p in again.points] == ["C"]


def test_a_route_takes_at_most_500_points():
    sketch = Sketch(shape=Shape.LINE)
    for i in range(geo.MAX_DRAWN_VERTICES):
        sketch = sketch.with_point(str(i), 59.823, 10.406 + i * 0.00002)
    with pytest.raises(InvalidDrawing):
        sketch.with_point("one too many", 59.824, 10.41)


def test_a_pin_sketch_gives_the_pin_and_no_drawing():
    assert Sketch().location == (None, None, None)
    assert Sketch().with_pin(*INSIDE).location == (*INSIDE, None)


# -- sending -------------------------------------------------------------------------------------


def _lines_allowed(store, shapes=ALL):
    c = make_consultation(shapes=shapes)
    store.add_consultation(c)
    return c


def test_a_drawn_line_is_stored_with_its_geometry_length_and_a_point_on_it(store):
    c = _lines_allowed(store)
    stored = submit_input(
        store, c.id, InputDraft("Annet", "Skoleveien min går her", drawing=ROUTE), session="s", now=NOW
    )
    again = store.get_input(stored.id)
    assert again.shape == Shape.LINE and 770 < again.measure < 800
    assert again.lat == pytest.approx(59.823) and again.lon == pytest.approx(10.413)
    assert again.east is not None and again.north is not None  # every point-based view works
    assert json.loads(again.drawing)["coordinates"][0] == [10.406, 59.823]


def test_a_drawing_as_a_feature_from_the_map_is_taken(store):
    c = _lines_allowed(store)
    feature = {"type": "Feature", "properties": {}, "geometry": ROUTE}  # st_folium's last_active_drawing
    stored = submit_input(store, c.id, InputDraft("Annet", "Ruten til skolen", drawing=feature), session="s", now=NOW)
    assert stored.shape == Shape.LINE


@pytest.mark.parametrize(
    ("shapes", "draft", "key"),
    [
        ((Shape.POINT,), InputDraft("Annet", "En strek her", drawing=ROUTE), "drawing.line_not_allowed"),
        ((Shape.LINE,), InputDraft("Annet", "En nål her", lat=INSIDE[0], lon=INSIDE[1]), "drawing.point_not_allowed"),
        (
            ALL,
            InputDraft(
                "Annet",
                "Langt utenfor",
                drawing={"type": "LineString", "coordinates": [[10.415, 59.823], [10.45, 59.823]]},
            ),
            "drawing.line_outside",
        ),
        (ALL, InputDraft("Annet", "Ikke en tegning", drawing="<svg>"), "drawing.unreadable"),
    ],
)
def test_a_refused_drawing_says_why_in_the_users_language_and_stores_nothing(store, shapes, draft, key):
    c = _lines_allowed(store, shapes)
    with pytest.raises(InvalidInput) as info:
        submit_input(store, c.id, draft, session="s", now=NOW)
    assert info.value.key == key
    assert info.value.message("nb") != info.value.message("en")
    assert store.all_inputs(c.id) == []


def test_the_profiles_outside_share_decides_how_far_a_route_may_leave_the_area(store):
    c = _lines_allowed(store)
    sixth_outside = {"type": "LineString", "coordinates": [[10.412, 59.823], [10.424, 59.823]]}
    draft = InputDraft("Annet", "Veien hjemmefra", drawing=sixth_outside)
    with pytest.raises(InvalidInput) as info:
        submit_input(store, c.id, draft, session="s", now=NOW, outside_share=0.1)
    assert info.value.params == {"share": 10}
    assert submit_input(store, c.id, draft, session="s", now=NOW, outside_share=0.2).shape == Shape.LINE


def test_staff_register_a_letters_area_even_where_residents_may_only_drop_pins(store, kari):
    c = _lines_allowed(store, (Shape.POINT,))
    area = {
        "type": "Polygon",
        "coordinates": [[[10.410, 59.824], [10.412, 59.824], [10.412, 59.825], [10.410, 59.824]]],
    }
    stored = register_input(
        store,
        c.id,
        InputDraft("Annet", "Brevet beskriver dette området", drawing=area),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name=None,
        received_at=NOW,
        actor=kari,
        now=NOW,
    )
    assert stored.shape == Shape.AREA and stored.measure > 0


def test_the_whole_area_wins_over_a_drawing_left_in_the_form(store):
    c = _lines_allowed(store)
    stored = submit_input(
        store, c.id, InputDraft("Annet", "Gjelder alt", drawing=ROUTE, whole_area=True), session="s", now=NOW
    )
    assert stored.drawing is None and stored.lat is None


# -- what the public sees ----------------------------------------------------------------------


def test_public_views_carry_the_drawing_where_they_carry_the_place(store):
    c = _lines_allowed(store)
    stored = submit_input(
        store, c.id, InputDraft("Annet", "Skoleveien min går her", drawing=ROUTE), session="s", now=NOW
    )
    (shown,) = public.inputs(store, c.id, "nb")
    assert shown.drawing == stored.drawing and shown.measure == stored.measure and shown.shape == Shape.LINE
    (point,) = public.map_points(store, c.id, "nb")
    assert point.drawing == stored.drawing and point.measure == stored.measure


# -- what staff allow ----------------------------------------------------------------------------


def test_shapes_are_kept_in_one_order_and_at_least_one_is_needed():
    assert lifecycle.check_shapes(["area", Shape.POINT]) == (Shape.POINT, Shape.AREA)
    with pytest.raises(InvalidConsultation) as info:
        lifecycle.check_shapes([])
    assert info.value.key == "shapes_setting.empty"
    with pytest.raises(InvalidConsultation):
        lifecycle.check_shapes(["circle"])


def test_the_asker_profile_lets_a_route_leave_the_area_by_a_fifth():
    assert load_profile("asker").line_outside_share == 0.2


def test_an_outside_share_that_is_not_a_share_is_refused(tmp_path, monkeypatch):
    from consultations import config

    text = (config.PROFILES / "asker.toml").read_text().replace("line_outside_share = 0.2", "line_outside_share = 2")
    (tmp_path / "broken.toml").write_text(text)
    monkeypatch.setattr(config, "PROFILES", tmp_path)
    with pytest.raises(ConfigError) as info:
        load_profile("broken")
    assert info.value.key == "config.share_invalid"


# -- the maps --------------------------------------------------------------------------------


@pytest.fixture
def settings(monkeypatch):
    from consultations.config import load_settings

    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    return load_settings()


def test_published_routes_are_drawn_on_the_map_in_their_categorys_colour_with_escaped_popups(store, settings):
    from consultations.text import js_literal
    from consultations.ui.maps import (
        category_colour,
        pin_svg,
        rendered_consultation_map,
    )

    c = _lines_allowed(store)
    text = "Farlig <script>alert(1)</script> kryss & «sti»"
    stored = submit_input(
        store, c.id, InputDraft("Trafikk og trafikksikkerhet", text, drawing=ROUTE), session="s", now=NOW
    )
    script = rendered_consultation_map(store, settings, c, "nb").script
    assert "L.geoJSON" in script and '"LineString"' in script
    assert "<script>alert(1)" not in script and "Farlig \\u0026lt;script\\u0026gt;" in script
    colour = category_colour(c.categories.index("Trafikk og trafikksikkerhet"))
    assert colour in script
    # its pin has the same colour as its line
    assert js_literal(pin_svg(colour, "Trafikk og trafikksikkerhet"))[1:-1] in script
    assert f'"{size_words(Shape.LINE, stored.measure, "nb")}"' in script  # its size as tooltip
    assert size_words(Shape.LINE, stored.measure, "nb").startswith("strek, 7")


def test_the_map_with_drawing_tools_is_cached_apart_and_speaks_the_pages_language(store, settings):
    from consultations.ui.maps import rendered_consultation_map, use_local_assets

    use_local_assets()  # as the app does at start: no CDN
    c = _lines_allowed(store)
    pins = rendered_consultation_map(store, settings, c, "nb")
    line = rendered_consultation_map(store, settings, c, "nb", Shape.LINE)
    assert rendered_consultation_map(store, settings, c, "nb", Shape.LINE) is line
    assert rendered_consultation_map(store, settings, c, "nb") is pins  # both kept
    assert "L.Draw.Polyline" not in pins.script and "L.Draw.Polyline" in line.script
    assert "ki-draw-bar" not in pins.script and "ki-draw-bar" in line.script  # the buttons outside the map
    assert '"polyline"' in line.script and '"maxPoints": 500' in line.script
    assert '"finish": "Ferdig"' in line.script and '"undo": "Angre"' in line.script
    english = rendered_consultation_map(store, settings, c, "en", Shape.AREA).script
    assert '"finish": "Done"' in english and '"polygon",' in english and '"allowIntersection": false' in english
    assert any("leaflet.draw.js" in src and src.startswith("/app/static/") for src in line.js_links)
    staff = rendered_consultation_map(store, settings, c, "nb", key=f"register-map-{c.id}", inputs=False)
    assert staff is not pins and staff.component_key != pins.component_key


def test_only_what_the_drawing_tools_made_is_taken_as_the_residents_drawing(store, settings):
    from consultations.ui.maps import DrawTools, rendered_consultation_map

    made = {"type": "Feature", "properties": {DrawTools.MARK: 1}, "geometry": ROUTE}
    assert DrawTools.made(made)
    # st_folium reports any layer clicked the same way: the plan area, a published route,
    # a context layer's feature (whatever its file's properties), a pin
    assert not DrawTools.made({"type": "Feature", "properties": {}, "geometry": ROUTE})
    assert not DrawTools.made({"type": "Feature", "properties": {DrawTools.MARK: 1, "navn": "Sti"}, "geometry": ROUTE})
    assert not DrawTools.made({"type": "Feature", "geometry": ROUTE})
    assert not DrawTools.made(ROUTE)
    assert not DrawTools.made(None)
    c = _lines_allowed(store)
    script = rendered_consultation_map(store, settings, c, "nb", Shape.LINE).script
    assert "e.layer.feature.properties[mark] = count" in script  # the tools mark what they draw
    assert f"{json.dumps(DrawTools.MARK)}, {DrawTools.CLOSE_PX}" in script  # with this mark


def test_the_residents_sketch_takes_the_tools_drawing_off_the_map_after_each_answer():
    from consultations.model import Stage
    from consultations.ui.maps import sketch_script

    empty = Sketch().started(Shape.LINE)
    first, second = (sketch_script(empty, Stage.IDEFASE, "nb", answered) for answered in (1, 2))
    assert "map_div.kiDrawn.clearLayers()" in first
    assert first != second  # a refusal leaves the sketch as it was: st_folium runs the new script all the same
    taken = empty.with_drawing(geo.read_drawing(ROUTE, ALL, make_consultation(shapes=ALL).area))
    assert '"LineString"' in sketch_script(taken, Stage.IDEFASE, "nb", 1)  # the app's copy of a drawing taken


def test_drawings_go_to_the_map_rounded_to_about_a_metre():
    stored = json.dumps({"type": "LineString", "coordinates": [[10.1234567, 59.7654321], [10.2, 59.8]]})
    assert geo.rounded_drawings([stored]) == [
        {"type": "LineString", "coordinates": [[10.12346, 59.76543], [10.2, 59.8]]}
    ]
    assert geo.rounded_drawings([]) == []
