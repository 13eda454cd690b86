"""The #27 parts under AppTest: a pupil registers a play place and the wished travel mode
in the place step; residents see the published «vi hørte – vi gjør» table on the Borgen
page; a planner writes a follow-up on the review's Eksport tab."""

from __future__ import annotations

import pytest

from tests.helpers_classes import CID, choose_middle, drawn, open_class, pupil, texts
from tests.helpers_classes import app, class_db  # noqa: F401  (fixtures)


def test_a_pupil_marks_where_they_play_with_season_and_company_and_how_they_would_travel(app):  # noqa: F811
    # 5. trinn: the place step's page (1.–4. trinn answer one screen at a time, test_pupil_steps.py)
    session = open_class(app, grade="5")
    at = pupil(app, session.code)
    key = f"pupil-{session.id}-school"
    drawn(at, session)
    at.radio(key=f"{key}-transport").set_value("car")
    at.button(key=f"{key}-send").click().run()
    assert "Steder du leker, henger og unngår" in texts(at)
    choose_middle(at, session)
    b = f"pupil-{session.id}-barnetrakk"
    at.radio(key=f"{b}-kind").set_value("play").run()
    at.radio(key=f"{b}-season").set_value("winter")
    at.button(key=f"{b}-send").click().run()  # no company chosen: refused, nothing stored
    assert "Velg hvem du er der med." in texts(at)
    at.radio(key=f"{b}-company").set_value("friends")
    at.button(key=f"{b}-send").click().run()
    assert not at.exception and "Stedet er lagret" in texts(at)
    at.radio(key=f"{b}-wish").set_value("bike")
    at.button(key=f"{b}-wish-send").click().run()
    assert "Svaret er lagret" in texts(at)
    from consultations.children import barnetrakk

    rows = barnetrakk.frame(at.store(), CID)
    play = rows[rows["part"] == "play"]
    assert list(play["season"]) == ["winter"] and list(play["company"]) == ["friends"]
    assert list(rows.loc[rows["part"] == "wish", "wished"]) == ["bike"]


@pytest.fixture
def demo(demo_app):
    return demo_app


def test_residents_see_the_published_table_on_the_borgen_page(demo):
    demo.query_params["id"] = "borgen-tettstedsutvikling"
    at = demo.run()
    assert not at.exception
    assert "Vi hørte – vi gjør" in [h.value for h in at.subheader]
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "Fartsnivå og krysningspunkter" in html and "Ikke fulgt opp" in html
