"""A planner writes «vi hørte – vi gjør» and records an activity on the review's Eksport
tab (early medvirkning), and sees the charts as SVG there."""

from __future__ import annotations

from tests.test_review_pages import CID, log_in, seeded  # noqa: F401  (fixture)


def test_a_planner_writes_a_follow_up_and_records_an_activity_on_the_eksport_tab(app):
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
