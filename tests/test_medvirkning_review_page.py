"""A planner writes «vi hørte – vi gjør» on the review's responses tab and publishes it
(mailed to followers), records an activity on the Eksport tab or in the builder, and sees
the charts as SVG (early medvirkning)."""

from __future__ import annotations

from tests.helpers_review import CID, log_in
from tests.helpers_review import seeded  # noqa: F401  (a fixture: the conftest's app runs on it)


def test_a_planner_writes_a_follow_up_and_records_an_activity_on_the_review_page(app):
    at = log_in(app)
    svg = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert svg.count("<svg") >= 4  # the four charts
    key = f"heard-{CID}-0"
    at.selectbox(key=f"{key}-kind").set_value("ikke_fulgt_opp")
    next(b for b in at.button if b.key == f"{key}-save").click().run()
    assert "Skriv hvorfor temaet ikke følges opp." in [e.value for e in at.error]
    assert at.store().follow_ups(CID) == {}
    at.text_input(key=f"{key}-reason").input("Utenfor planområdet")
    next(b for b in at.button if b.key == f"{key}-save").click().run()
    assert not at.exception and "Oppfølgingen er lagret." in [e.value for e in at.success]
    assert at.store().follow_ups(CID)["category:Annet"]["reason"] == "Utenfor planområdet"
    new = f"activity-{CID}-new"
    at.text_input(key=f"{new}-place").input("Borgen skole")
    at.selectbox(key=f"{new}-kind").set_value("skolebesok")
    at.number_input(key=f"{new}-attended").set_value(25)
    next(b for b in at.button if b.key == f"{new}-add").click().run()
    assert not at.exception
    assert [(a[2], a[3], a[4]) for a in at.store().activities(CID)] == [("Borgen skole", "skolebesok", 25)]


def test_vi_horte_vi_gjor_is_written_and_published_on_the_responses_tab_and_mailed_to_followers(app):
    from consultations import mail
    from consultations.mail_model import MailKind

    store = app.store()
    follower = mail.follow_consultation(store, store.get_consultation(CID), "folger@example.no", "nb")
    mail.confirm(store, follower.token)
    at = log_in(app)
    key = f"heard-{CID}-0"
    responses_tab = at.tabs[2]
    assert responses_tab.label == "Merknadsbehandling"
    assert [s.key for s in responses_tab.selectbox if s.key == f"{key}-kind"]  # on the responses tab
    assert not [s.key for s in at.tabs[3].selectbox if (s.key or "").startswith("heard-")]  # and only there
    at.selectbox(key=f"{key}-kind").set_value("senere_fase")
    at.text_area(key=f"{key}-text").input("Tas med i detaljreguleringen")
    next(b for b in at.button if b.key == f"{key}-save").click().run()
    assert not at.exception
    at.toggle(key=f"heard-{CID}-publish").set_value(True).run()
    assert not at.exception
    assert any("1 e-post til dem som følger saken" in s.value for s in at.success)
    [sent] = [e for e in store.outbox() if e.kind == MailKind.FEEDBACK]
    assert sent.recipient == "folger@example.no" and "Tas med i detaljreguleringen" in sent.text


def test_the_builder_records_how_the_medvirkning_was_run(app):
    from tests.conftest import log_in as log_in_as_kari

    at = app
    at.query_params["id"] = CID
    at = log_in_as_kari(at, "pages/rediger.py")
    assert not at.exception
    new = f"activity-{CID}-new"
    at.text_input(key=f"{new}-place").input("Borgen bibliotek")
    at.selectbox(key=f"{new}-kind").set_value("apen_kontordag")
    next(b for b in at.button if b.key == f"{new}-add").click().run()
    assert not at.exception
    assert [(a[2], a[3]) for a in at.store().activities(CID)] == [("Borgen bibliotek", "apen_kontordag")]
