"""The resident pages under streamlit.testing.v1.AppTest (no browser)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from consultations.model import InputDraft
from consultations.store import Store
from consultations.participation.submission import submit_input
from consultations.text import escape_html
from consultations.ui.location import pin_from_click
from consultations.ui.participation import PAGE_SIZE
from tests.conftest import APP, BORGEN, HEGGEDAL, folium_args
from tests.pg import demo_app_on_both_backends as app_on_both  # noqa: F401  (a fixture: DuckDB, then PostgreSQL)


@pytest.fixture
def app(demo_app) -> AppTest:
    return demo_app


def open_consultation(at: AppTest, cid: str) -> AppTest:
    at.query_params["id"] = cid
    return at.run()


def stored_inputs(at: AppTest, cid: str):
    from consultations.ui import context

    return context._store(str(at.db_path), False).all_inputs(cid)


def test_home_lists_open_consultations_as_cards_and_closed_ones_apart(app_on_both):
    at = app_on_both.run()
    assert not at.exception
    assert at.title[0].value == "Si din mening om planer i kommunen"
    headers = [h.value for h in at.header]
    assert headers.index("Åpne nå") < headers.index("Avsluttet")
    links = {link.proto.query_string for link in at.get("page_link")}
    assert {f"id={BORGEN}", f"id={HEGGEDAL}", "id=asker-sentrum-omraderegulering"} <= links
    text = " ".join(m.value for m in at.markdown)
    assert "Frist for innspill:" in text and "dager igjen" in text and "innspill" in text
    assert any("Demodata" in i.value for i in at.info)


def test_home_overview_map_uses_only_the_apps_own_assets(app):
    at = app.run()
    (args,) = folium_args(at)
    links = args["css_links"] + args["js_links"]
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert "cdn" not in args["script"] and "https://" not in args["script"]


def test_cards_link_to_the_shareable_address_of_each_consultation(app):
    at = app.run()
    hrefs = [(link.proto.page, link.proto.query_string) for link in at.get("page_link") if link.proto.query_string]
    # the start page itself ("" = "/") with ?id=…: the link works on a first visit too
    assert hrefs and all(page == "" for page, _ in hrefs)
    assert {query for _, query in hrefs} == {
        f"id={BORGEN}",
        f"id={HEGGEDAL}",
        "id=asker-sentrum-omraderegulering",
        "id=slemmestad-detaljregulering-kai",
        "id=vollen-kyststi-idefase",
    }


def test_consultation_page_shows_facts_map_form_and_list(app_on_both):
    at = open_consultation(app_on_both.run(), BORGEN)
    assert not at.exception
    assert "Borgen" in at.title[0].value
    assert at.selectbox(key=f"form-{BORGEN}-category").label == "Kategori"
    assert at.text_area(key=f"form-{BORGEN}-text").label == "Ditt innspill"
    assert at.checkbox(key=f"form-{BORGEN}-whole_area").label == "Gjelder hele området"
    assert any(b.label == "Send innspill" for b in at.button)
    assert sum(b.label.startswith("Støtt KI-") for b in at.button) == PAGE_SIZE  # first page of the list
    (args,) = folium_args(at)
    assert args["returned_objects"] == ["last_clicked"]
    assert "markerClusterGroup" in args["script"]
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"])


def test_resident_without_map_sends_input_for_the_whole_area(app_on_both):
    at = open_consultation(app_on_both.run(), BORGEN)
    text = "Gjelder hele Borgen: vi trenger flere benker og bedre belysning på kveldstid."
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Sentrum og møteplasser")
    at.text_area(key=f"form-{BORGEN}-text").set_value(text)
    at.checkbox(key=f"form-{BORGEN}-whole_area").check()
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    at.run()
    assert not at.exception and not at.error
    (thanks,) = [s for s in at.success if s.value.startswith("Takk")]
    assert "KI-" in thanks.value
    (row,) = [i for i in stored_inputs(at, BORGEN) if i.text == text]
    assert row.lat is None and row.category == "Sentrum og møteplasser"
    assert row.reference in thanks.value
    # the form is empty again, ready for the next input
    assert at.text_area(key=f"form-{BORGEN}-text").value == ""


def test_bad_input_shows_the_reason_and_keeps_what_was_typed(app):
    at = open_consultation(app.run(), BORGEN)
    before = len(stored_inputs(at, BORGEN))
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Annet")
    at.text_area(key=f"form-{BORGEN}-text").set_value("Et innspill uten sted")
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    at.run()
    assert [e.value for e in at.error] == [
        "Klikk i kartet for å plassere innspillet, eller kryss av for «Gjelder hele området»."
    ]
    assert at.text_area(key=f"form-{BORGEN}-text").value == "Et innspill uten sted"
    assert len(stored_inputs(at, BORGEN)) == before


def test_support_button_counts_once_per_session(app_on_both):
    at = open_consultation(app_on_both.run(), BORGEN)
    first = next(b for b in at.button if b.label.startswith("Støtt KI-"))
    input_id = int(first.key.removeprefix("support-"))
    before = stored_inputs(at, BORGEN)
    count = next(i.supports for i in before if i.id == input_id)
    first.click()
    at.run()
    assert at.button(key=f"support-{input_id}").label == "Du støtter dette"
    assert at.button(key=f"support-{input_id}").disabled
    after = next(i.supports for i in stored_inputs(at, BORGEN) if i.id == input_id)
    assert after == count + 1


def test_category_filter_narrows_the_list(app):
    at = open_consultation(app.run(), BORGEN)
    at.multiselect(key=f"filter-{BORGEN}").set_value(["Kollektivtransport"])
    at.run()
    categories = {i.category for i in stored_inputs(at, BORGEN)}
    bodies = [h.proto.body for h in at.get("html")]
    shown = [c for body in bodies for c in categories if f"<strong>{escape_html(c)}</strong>" in body]
    assert shown and set(shown) == {"Kollektivtransport"}


def test_closed_consultation_shows_inputs_but_no_form(app):
    at = open_consultation(app.run(), HEGGEDAL)
    assert not at.exception
    assert any("fristen var" in w.value.lower() for w in at.warning)
    assert not any(b.label == "Send innspill" for b in at.button)
    assert all(b.disabled for b in at.button if b.label.startswith("Støtt KI-"))
    (args,) = folium_args(at)
    assert args["returned_objects"] == []


def test_unknown_id_gets_a_friendly_page(app):
    at = open_consultation(app.run(), "finnes-ikke")
    assert not at.exception
    assert "fant ingen høring" in at.warning[0].value and at.text[0].value == "Id i lenken: finnes-ikke"


def test_html_in_an_input_never_reaches_the_page_as_markup(app):
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script> [lenke](javascript:alert(3)) ![bilde](http://evil.example/x.png)"
    from consultations.ui import context

    store = context._store(str(app.db_path), False)
    submit_input(store, BORGEN, InputDraft("Annet", payload, whole_area=True), session="x")
    at = open_consultation(app.run(), BORGEN)
    bodies = [h.proto.body for h in at.get("html")]
    (shown,) = [b for b in bodies if "alert(2)" in b]
    # the text as typed, as escaped HTML: no tag of the payload survives
    assert escape_html(payload) in shown
    assert "<script" not in shown and "<img" not in shown and "<a " not in shown
    assert not any("script" in m.value for m in at.markdown)  # never through markdown
    (args,) = folium_args(at)
    assert "<script>alert" not in args["script"]


def test_map_click_inside_places_the_pin_and_outside_is_refused(demo_db):
    store = Store.open(demo_db)
    try:
        c = store.get_consultation(BORGEN)
    finally:
        store.close()
    lat, lon = c.area.representative_point().y, c.area.representative_point().x
    assert pin_from_click(c, {"lat": lat, "lng": lon}) == ((lat, lon), None)
    pin, error = pin_from_click(c, {"lat": 59.95, "lng": 10.9})
    assert pin is None and error.message().startswith("Punktet ligger utenfor planområdet")
    assert pin_from_click(c, None) == (None, None)


def _fill(at: AppTest, text: str) -> None:
    at.selectbox(key=f"form-{BORGEN}-category").set_value("Annet")
    at.text_area(key=f"form-{BORGEN}-text").set_value(text)
    at.checkbox(key=f"form-{BORGEN}-whole_area").check()
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    at.run()


def test_personal_data_is_caught_before_sending_and_can_be_removed(app):
    at = open_consultation(app.run(), BORGEN)
    before = len(stored_inputs(at, BORGEN))
    _fill(at, "Ring meg på 912 34 567 om busslommen ved skolen.")
    assert "personopplysninger" in at.warning[-1].value
    assert len(stored_inputs(at, BORGEN)) == before  # nothing sent yet
    at.button(key=f"pd-remove-{BORGEN}").click()
    at.run()
    assert any(s.value.startswith("Takk") for s in at.success)
    (row,) = [i for i in stored_inputs(at, BORGEN) if "busslommen" in i.text]
    assert "912" not in row.text


def test_personal_data_sent_anyway_is_masked_in_public_views(app):
    at = open_consultation(app.run(), BORGEN)
    _fill(at, "Kontakt kari.nordmann@gmail.com om stien bak skolen.")
    at.button(key=f"pd-keep-{BORGEN}").click()
    at.run()
    (row,) = [i for i in stored_inputs(at, BORGEN) if "stien bak skolen" in i.text]
    assert "kari.nordmann@gmail.com" in row.text  # planners see what was sent
    at.run()
    page_text = " ".join([m.value for m in at.markdown] + [h.proto.body for h in at.get("html")])
    assert "kari.nordmann" not in page_text and "personopplysning fjernet" in page_text
    (args,) = folium_args(at)
    assert "kari.nordmann" not in args["script"]


def test_every_resident_page_links_to_the_privacy_statement(app):
    for cid in (None, BORGEN, "finnes-ikke"):
        at = app.run() if cid is None else open_consultation(app.run(), cid)
        assert any(link.label == "Personvern" for link in at.get("page_link")), cid


def test_privacy_statement_names_the_municipality_the_legal_basis_and_the_tile_host(app):
    app.switch_page("pages/personvern.py")
    at = app.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert at.title[0].value == "Personvernerklæring"
    assert "Asker kommune" in text and "artikkel 6 nr. 1 bokstav e" in text
    assert "ingen bakgrunnskart" in text  # KARTINNSPILL_TILES=none in these tests


def test_keyboard_route_a_named_place_or_typed_coordinates_set_the_pin(app):
    at = open_consultation(app.run(), "asker-sentrum-omraderegulering")
    cid = "asker-sentrum-omraderegulering"
    at.selectbox(key=f"place-{cid}").set_value("Asker stasjon")
    at.run()
    assert any(s.value.startswith("Valgt punkt") for s in at.success)
    at.text_input(key=f"coordinates-{cid}").input("59,95; 10,90")  # far outside
    at.run()
    assert any(w.value.startswith("Punktet ligger utenfor planområdet") for w in at.warning)
    at.text_input(key=f"coordinates-{cid}").input("ikke koordinater")
    at.run()
    assert any("Koordinatene er ugyldige" in w.value for w in at.warning)


def test_the_middle_of_the_area_is_always_a_choice(demo_db):
    from consultations.ui.location import MIDDLE, places_in

    store = Store.open(demo_db)
    try:
        c = store.get_consultation(BORGEN)
    finally:
        store.close()
    names = [name for name, _ in places_in(c)]
    assert names[-1] is MIDDLE and "Borgen" in names


def test_language_choice_goes_into_the_address_and_keeps_the_page(app):
    at = open_consultation(app.run(), BORGEN)
    at.selectbox(key="language").set_value("nn")
    at.run()
    assert at.query_params["lang"] == ["nn"] or at.query_params["lang"] == "nn"
    assert at.query_params["id"] in (BORGEN, [BORGEN])  # still the same consultation
    assert "Borgen" in at.title[0].value


def test_a_resident_who_chose_english_sees_the_english_title_where_staff_gave_one(app):
    from dataclasses import replace as dc_replace

    store = app.store()
    c = store.get_consultation(BORGEN)
    store.update_consultation(dc_replace(c, translations={"en": {"title": "Borgen 2040 – ideas"}}), "kari")
    app.query_params["lang"] = "en"
    at = open_consultation(app.run(), BORGEN)
    assert at.title[0].value == "Borgen 2040 – ideas"
    assert any(b.label == "Send comment" for b in at.button)


def test_accessibility_statement_says_what_is_and_is_not_met(app):
    at = app.run()
    assert any(link.label == "Tilgjengelighet" for link in at.get("page_link"))
    app.switch_page("pages/tilgjengelighet.py")
    at = app.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert at.title[0].value == "Tilgjengelighetserklæring"
    assert "WCAG 2.1" in text and "ikke på plass ennå" in text


def test_the_list_says_where_each_input_is_in_words(app):
    at = open_consultation(app.run(), BORGEN)
    lines = " ".join(h.proto.body for h in at.get("html") if 'class="ki-meta"' in h.proto.body)  # each input's line
    assert "nær Borgen" in lines


@pytest.mark.parametrize("bad_id", ["[x](https://evil.example)", "https://evil.example"])
def test_an_unknown_id_from_the_address_is_shown_as_plain_text_never_as_a_link(app, bad_id):
    at = open_consultation(app, bad_id)
    assert not at.exception
    shown = [w.value for w in at.warning] + [m.value for m in at.markdown]
    assert not any("evil" in text for text in shown)  # nothing markdown could link
    assert [t.value for t in at.text] == [f"Id i lenken: {bad_id}"]


def test_a_remote_image_in_the_body_is_never_loaded_on_the_public_page(app):
    import dataclasses

    store = app.store()
    c = store.get_consultation(BORGEN)
    body = (
        "Se kartet:\n\n![Plankart](https://evil.example/pixel.png)\n\n"
        '<img src="https://evil.example/raw.png">\n\n![Lokalt](/app/static/kart.png)'
    )
    store.update_consultation(dataclasses.replace(c, body=body), "kari")
    at = open_consultation(app, BORGEN)
    assert not at.exception
    (rendered,) = [m.value for m in at.markdown if "Se kartet" in m.value]
    assert "![Plankart]" not in rendered and "<img" not in rendered
    assert "[Plankart](https://evil.example/pixel.png)" in rendered  # a link a resident may follow
    assert "![Lokalt](/app/static/kart.png)" in rendered


def facts_box(at: AppTest) -> str:
    """The consultation page's facts box: one HTML block (ui/page_markup.py)."""
    (box,) = [h.proto.body for h in at.get("html") if 'class="ki-facts-box"' in h.proto.body]
    return box


def test_formal_hearing_page_shows_saksnummer_hoeringsfrist_and_the_linked_plan_id(app):
    at = open_consultation(app, "asker-sentrum-omraderegulering")
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown) + " ".join(s.value for s in at.success) + facts_box(at)
    assert "merk dem med saksnummer 24/4711" in shown
    assert "høringsfrist" in shown.lower()
    assert (
        '<a href="https://www.arealplaner.no/asker3203/arealplaner/search?query=3203202402" target="_blank" '
        'rel="noopener noreferrer">3203 3203202402</a>'
    ) in shown


def test_early_medvirkning_page_says_innspill_and_has_no_saksnummer(app):
    at = open_consultation(app, BORGEN)
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown) + " ".join(s.value for s in at.success) + facts_box(at)
    assert "frist for innspill" in shown and "saksnummer" not in shown.lower()
    assert "høringsfrist" not in shown.lower()


def test_every_consultation_page_shows_the_contact_person_and_where_to_send_a_letter(app):
    at = open_consultation(app, "asker-sentrum-omraderegulering")
    assert not at.exception
    shown = facts_box(at)
    assert "<strong>Kontaktperson:</strong> Henrik Aas (fiktiv), Saksbehandler, Plan og bygg" in shown
    assert "E-post: henrik.aas@example.invalid" in shown
    assert "Kan du ikke bruke nettsiden? Send merknaden din med post til:" in shown
    assert "Asker kommune, Postboks 353, 1372 Asker" in shown
    assert "postmottak@asker.kommune.no" in shown
    assert "Send innspillet ditt med post til:" in facts_box(open_consultation(app, BORGEN))


def test_the_plan_documents_are_offered_under_their_names(app):
    at = open_consultation(app, "asker-sentrum-omraderegulering")
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("Plankart: ") for label in labels), labels
    assert any(label.startswith("Planbestemmelser: ") for label in labels)
    assert any(label.startswith("Planbeskrivelse: ") for label in labels)


def test_a_private_plan_shows_its_proposer_and_the_plankonsulent_as_the_postal_route(app):
    from dataclasses import replace as dc_replace

    from consultations.model import MerknadRecipient, Proposer

    store = app.store()
    c = store.get_consultation("slemmestad-detaljregulering-kai")
    proposer = Proposer(
        "Slemmestad <b>Brygge</b> AS", "Plankontoret AS", MerknadRecipient.CONSULTANT, "post@plankontoret.example"
    )
    store.update_consultation(dc_replace(c, proposer=proposer), "test")
    at = open_consultation(app, c.id)
    shown = facts_box(at)
    assert "Planforslaget er fremmet av Slemmestad &lt;b&gt;Brygge&lt;/b&gt; AS." in shown  # as typed, inert
    assert "Plankontoret AS, post@plankontoret.example" in shown
    assert "postmottak@asker" not in shown


def test_a_residents_own_input_is_on_the_map_right_after_the_thanks(app, monkeypatch):
    """The shared map may lag a second behind other people's inputs (maps.MAP_FRESHNESS),
    never behind the resident's own: here the clock stands still, so the shared map is not
    written again, and hers is drawn beside it (``maps.own_inputs``) until it is."""
    from consultations.ui import maps

    clock = [5000.0]
    monkeypatch.setattr(maps, "_clock", lambda: clock[0])
    monkeypatch.setattr(maps, "MAP_FRESHNESS", 1.0)  # as shipped (conftest sets 0)
    cid = BORGEN
    at = open_consultation(app.run(), cid)
    (before,) = folium_args(at)
    at.selectbox(key=f"place-{cid}").set_value(at.selectbox(key=f"place-{cid}").options[0])
    at.run()
    assert any(s.value.startswith("Valgt punkt") for s in at.success)
    text = "Sykkelparkeringen ved stasjonen er alltid full om morgenen."
    at.selectbox(key=f"form-{cid}-category").set_value(at.selectbox(key=f"form-{cid}-category").options[0])
    at.text_area(key=f"form-{cid}-text").set_value(text)
    at.button[[b.label for b in at.button].index("Send innspill")].click()
    at.run()
    assert any(s.value.startswith("Takk") for s in at.success)
    (after,) = folium_args(at)
    assert text in after["feature_group"] and text not in before["script"]
    assert after["script"] == before["script"]  # the shared map, not written for her input
    clock[0] += maps.MAP_FRESHNESS + 0.01  # the shared map is written again: hers is in it
    at.run()
    (later,) = folium_args(at)
    assert text in later["script"] and text not in later["feature_group"]


# -- school classes (barnetråkk): the teacher, a pupil, the planner, the residents ---------

WAY_TO_SCHOOL = {"type": "LineString", "coordinates": [[10.406, 59.826], [10.412, 59.826], [10.420, 59.826]]}


def _page_text(at: AppTest) -> str:
    kinds = ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_a_class_is_opened_filled_by_a_pupil_and_published(app_on_both):
    """The class pages' main path, on both backends: a teacher opens a class (/klasser), a
    pupil draws the way to school and marks a place (/?klasse=CODE), a planner reads the
    results and publishes them, and residents then see the class's summary (the full set of
    class page tests runs on DuckDB: ``test_classes_pages.py``)."""
    app = app_on_both
    from consultations.children import classes
    from consultations import geo
    from consultations.participation.drawing import Sketch
    from consultations.model import Role, Shape
    from consultations.ratelimit import RateLimiter
    from consultations.ui.classes import KEYS
    from tests.conftest import log_in_as, staff

    store = app.store()
    teacher, planner = staff(store, "lena", Role.TEACHER), staff(store, "kari", Role.PLANNER)

    def visitor() -> AppTest:  # a new browser session on the same app and database
        return AppTest.from_file(APP, default_timeout=30)

    log_in_as(app, teacher.id)
    at = app.switch_page("pages/klasser.py").run()
    at.text_input(key=KEYS["school"]).input("Heggedal skole")
    at.selectbox(key=KEYS["grade"]).set_value("6")
    at.number_input(key=KEYS["size"]).set_value(24)
    at.button[0].click().run()  # «Opprett klasse»
    assert not at.exception
    [session] = store.class_sessions()
    assert session.consultation_id == BORGEN  # the open consultation the form offered first
    assert f"Klassekoden er {session.code}" in _page_text(at)

    pupil = visitor()
    pupil.query_params["klasse"] = session.code
    pupil.run()
    assert not pupil.exception and "1. Skoleveien din" in _page_text(pupil)
    line = geo.read_drawing(WAY_TO_SCHOOL, (Shape.LINE,), store.get_consultation(BORGEN).area)
    pupil.session_state["location"] = {f"class{session.id}-school-{BORGEN}": Sketch(shape=Shape.LINE, drawing=line)}
    school = f"pupil-{session.id}-school"
    pupil.radio(key=f"{school}-transport").set_value("bike")
    pupil.button(key=f"{school}-send").click().run()
    assert "Veien er lagret" in _page_text(pupil)
    search = pupil.selectbox(key=f"class{session.id}-place-place-{BORGEN}")
    search.set_value(search.options[-1]).run()  # a place chosen without the map
    place = f"pupil-{session.id}-place"
    pupil.radio(key=f"{place}-label").set_value("unsafe_traffic")
    pupil.text_input(key=f"{place}-text").input("Bilene kjører fort her")
    pupil.button(key=f"{place}-send").click().run()
    assert not pupil.exception and "Du har merket 1 sted." in _page_text(pupil)
    frame = store.class_frame(BORGEN)
    assert sorted(frame["part"]) == ["place", "school"] and set(frame["transport"].dropna()) == {"bike"}

    for k in range(5):  # five more pupils: six, past the < 5 rule
        classes.submit_route(store, session, WAY_TO_SCHOOL, "walk", pupil=f"p{k}", limiter=RateLimiter())
        classes.submit_place(
            store, session, 59.82601, 10.41401, "unsafe_traffic", "", pupil=f"p{k}", limiter=RateLimiter()
        )

    staff_view = visitor()
    log_in_as(staff_view, planner.id)
    staff_view.switch_page("pages/klasser.py").run()
    assert not staff_view.exception and "Hva klassene sa" in _page_text(staff_view)
    assert [m.value for m in staff_view.metric] == ["6", "6", "6"]
    staff_view.button(key=f"publish-class-{session.id}").click().run()
    assert not staff_view.exception and store.class_session(session.id).published

    resident = visitor()
    resident.query_params["id"] = BORGEN
    resident.run()
    assert not resident.exception
    assert "1 skoleklasse var med: 6 elever tegnet 6 veier og merket 6 steder." in _page_text(resident)
