"""School classes under AppTest: a teacher opens a class and sees its code and QR code, the
pupils go through their three steps at /?klasse=CODE, and a planner reads the results."""

from __future__ import annotations


from consultations.children import classes
from consultations.ui.classes import KEYS
from tests.conftest import log_in_as
from tests.helpers_classes import CID, ROUTE, choose_middle, drawn, open_class, pupil, texts
from tests.helpers_classes import app, class_db  # noqa: F401  (fixtures)


# -- the teacher ---------------------------------------------------------------------------


def test_a_teacher_creates_a_class_and_sees_its_code_and_qr_code(app):
    log_in_as(app, app.ids["lena"])
    at = app.switch_page("pages/klasser.py").run()
    assert not at.exception
    assert "Skoleklasser (barnetråkk)" in texts(at)
    at.text_input(key=KEYS["school"]).input("Heggedal skole")
    at.selectbox(key=KEYS["grade"]).set_value("4")
    at.number_input(key=KEYS["size"]).set_value(24)
    at.button[0].click().run()  # «Opprett klasse», the form's button
    assert not at.exception
    [session] = at.store().class_sessions()
    assert (session.school, session.grade, session.size, session.teacher_id) == (
        "Heggedal skole",
        "4",
        24,
        app.ids["lena"],
    )
    shown = texts(at)
    assert f"Klassekoden er {session.code}" in shown
    assert session.code in shown and f"/?klasse={session.code}" in shown
    (qr,) = [h.proto.body for h in at.get("html") if "<svg" in h.proto.body]  # drawn by the app
    assert 'role="img"' in qr and f"/?klasse={session.code}" in qr  # its text alternative
    assert "Hva klassene sa" not in shown  # a teacher gets no results tab


def test_a_teacher_sees_only_their_own_classes(app):
    mine, theirs = open_class(app, "lena"), open_class(app, "per")
    log_in_as(app, app.ids["lena"])
    at = app.switch_page("pages/klasser.py").run()
    shown = texts(at)
    assert mine.code in shown and theirs.code not in shown


def test_a_visitor_gets_the_login_not_the_classes(app):
    open_class(app)
    at = app.switch_page("pages/klasser.py").run()
    assert "Logg inn for ansatte" in texts(at) and "Klassekode" not in texts(at)


# -- the pupils ----------------------------------------------------------------------------


def test_an_unknown_code_gets_a_friendly_message(app):
    at = pupil(app, "XXXXXX")
    assert not at.exception
    assert "Vi fant ingen klasse med den koden" in texts(at)


def test_a_closed_class_says_so_kindly(app):
    session = open_class(app)
    store = app.store()
    classes.close_class(store, store.get_user(app.ids["lena"]), session.id)
    at = pupil(app, session.code)
    assert not at.exception
    assert "Klassen er stengt. Takk for at du ville være med!" in texts(at)
    assert not at.button  # nothing to send


def test_a_pupil_draws_the_way_to_school_marks_a_place_and_is_done(app):
    # 5. trinn: the two-step page (1.–4. trinn get one action per screen, test_pupil_steps.py)
    session = open_class(app, grade="5")
    at = pupil(app, session.code)
    assert not at.exception
    assert "1. Skoleveien din" in texts(at)
    key = f"pupil-{session.id}-school"
    drawn(at, session)
    at.radio(key=f"{key}-transport").set_value("bike")
    at.button(key=f"{key}-send").click().run()
    assert not at.exception
    assert "Veien er lagret" in texts(at) and "2. Merk steder" in texts(at)
    place = f"pupil-{session.id}-place"
    choose_middle(at, session)
    at.radio(key=f"{place}-label").set_value("unsafe_traffic")
    at.text_input(key=f"{place}-text").input("Bilene kjører fort her")
    at.button(key=f"{place}-send").click().run()
    assert not at.exception
    assert "Du har merket 1 sted." in texts(at)
    at.button(key=f"{place}-done").click().run()
    assert "3. Takk for at du var med!" in texts(at)
    frame = at.store().class_frame(CID)
    assert sorted(frame["part"]) == ["place", "school"]
    assert set(frame["transport"].dropna()) == {"bike"}
    assert set(frame["label"].dropna()) == {"unsafe_traffic"}
    assert frame["pupil"].nunique() == 1


def test_a_place_without_a_label_is_refused_with_a_message_and_nothing_stored(app):
    session = open_class(app)
    at = pupil(app, session.code)
    key = f"pupil-{session.id}-school"
    drawn(at, session)
    at.radio(key=f"{key}-transport").set_value("walk")
    at.button(key=f"{key}-send").click().run()
    place = f"pupil-{session.id}-place"
    choose_middle(at, session)
    at.button(key=f"{place}-send").click().run()
    assert "Velg hva slags sted det er." in texts(at)
    assert list(at.store().class_frame(CID)["part"]) == ["school"]


def test_older_pupils_get_their_words_and_the_class_view_speaks_the_classs_language(
    app,
):
    session = open_class(app, grade="vg1", lang="nn")
    at = pupil(app, session.code)
    assert not at.exception
    assert at.query_params["lang"] == "nn"
    assert "1. Skulevegen din" in texts(at)


def test_a_route_without_transport_is_refused_and_the_pupil_stays_on_step_one(app):
    session = open_class(app)
    at = pupil(app, session.code)
    key = f"pupil-{session.id}-school"
    drawn(at, session)
    at.button(key=f"{key}-send").click().run()
    assert "Velg hvordan du reiser." in texts(at)
    assert "1. Skoleveien din" in texts(at)
    at.button(key=f"{key}-send").click().run()  # still drawn: only the transport is missing
    assert "Tegn veien i kartet først." not in texts(at)
    assert len(at.store().class_frame(CID)) == 0


# -- the planner ---------------------------------------------------------------------------


def test_a_planner_sees_the_classes_results_and_publishes_one(app):
    from consultations.ratelimit import RateLimiter

    session = open_class(app)
    store = app.store()
    for k in range(6):
        classes.submit_route(store, session, ROUTE, "walk", pupil=f"p{k}", limiter=RateLimiter())
        classes.submit_place(
            store,
            session,
            59.82601,
            10.41401,
            "unsafe_traffic",
            "",
            pupil=f"p{k}",
            limiter=RateLimiter(),
        )
    log_in_as(app, app.ids["kari"])
    at = app.switch_page("pages/klasser.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Hva klassene sa" in shown and "Farlige steder flest elever nevnte" in shown
    assert [m.value for m in at.metric] == ["6", "6", "6"]
    crossing = at.dataframe[0].value
    assert crossing.iloc[0].tolist()[2:4] == ["6", 6]
    at.button(key=f"publish-class-{session.id}").click().run()
    assert not at.exception
    assert at.store().class_session(session.id).published
    assert "Resultatet fra Heggedal skole er publisert." in texts(at)


def test_residents_see_a_classs_summary_only_after_a_planner_published_it(app):
    from consultations.ratelimit import RateLimiter

    session = open_class(app)
    store = app.store()
    for k in range(6):
        classes.submit_route(store, session, ROUTE, "walk", pupil=f"p{k}", limiter=RateLimiter())
        classes.submit_place(
            store,
            session,
            59.82601,
            10.41401,
            "unsafe_traffic",
            "Ring 98765432",
            pupil=f"p{k}",
            limiter=RateLimiter(),
        )
    app.query_params["id"] = CID
    at = app.run()
    assert not at.exception
    assert "Barn og unges medvirkning" not in texts(at)
    classes.publish_class(store, store.get_user(app.ids["kari"]), session.id)
    at = app.run()
    shown = texts(at)
    assert "1 skoleklasse var med: 6 elever tegnet 6 veier og merket 6 steder." in shown
    assert "Gå: 6" in shown and "98765432" not in shown
