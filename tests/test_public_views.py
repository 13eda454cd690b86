"""What residents may see of an input: one core function (``consultations.participation.public``) behind
the consultation map, the list of inputs and «Slik ble innspillene behandlet»."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from consultations.participation import public
from consultations.model import InputDraft, Outcome, Response
from consultations.casework.review import hide, mark_duplicates, publish, publish_responses, respond
from consultations.store import Store
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, app_on_copy_of, make_consultation, staff

PHONE = "Ring meg på 912 34 567 om stien bak skolen."
HIDDEN = "Skjult tekst om naboen som ingen skal lese."
ANSWER = Response(0, "Sti bak skolen", "Stien tas med i planen", Outcome.TAKEN)


def _send(store: Store, cid: str, text: str, when: datetime, session: str) -> int:
    draft = InputDraft("Annet", text, *INSIDE)
    return submit_input(store, cid, draft, session=session, now=when).id


@pytest.fixture
def world(store: Store):
    """A closed consultation (real time: the pages judge it by the clock) with a published
    input holding a phone number, a hidden one, a published duplicate of the hidden one
    that carries its answer, and a plain published one; responses published."""
    now = datetime.now(UTC)
    c = make_consultation("stien", opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1))
    store.add_consultation(c)
    sent = now - timedelta(days=5)
    ids = {
        name: _send(store, c.id, text, sent + timedelta(minutes=k), f"s{k}")
        for k, (name, text) in enumerate(
            [
                ("phone", PHONE),
                ("hidden", HIDDEN),
                ("copy", "Samme som det andre innspillet om naboen."),
                ("plain", "Flere benker langs stien, takk."),
            ]
        )
    }
    kari = staff(store)
    publish(store, [ids["phone"]], kari)  # personal data waits for a planner (issue 21)
    mark_duplicates(store, c.id, [ids["copy"]], ids["hidden"], kari)
    respond(store, [ids["hidden"]], ANSWER, kari)
    respond(store, [ids["phone"]], ANSWER, kari)
    hide(store, [ids["hidden"]], "Personangrep", kari)
    store.add_support(ids["plain"], "økt-1")
    store.add_support(ids["plain"], "økt-2")
    publish_responses(store, c, True, kari, now)
    return c, ids


def test_residents_see_only_published_inputs_with_personal_data_masked_in_list_map_and_outcomes(store, world):
    c, ids = world
    listed = public.inputs(store, c.id, "nb")
    points = public.map_points(store, c.id, "nb")
    outcomes = public.outcomes(store, c.id, "nb")
    assert {i.id for i in listed} == {p.input_id for p in points} == {o.input.id for o in outcomes}
    assert ids["hidden"] not in {i.id for i in listed}
    texts = [i.text for i in listed] + [p.text for p in points] + [o.input.text for o in outcomes]
    assert not any("912 34 567" in text or HIDDEN in text for text in texts)
    assert sum("personopplysning fjernet" in text for text in texts) == 3


def test_a_public_input_carries_no_sender_or_moderation_field():
    fields = {f.name for f in dataclasses.fields(public.PublicInput)}
    assert not fields & {
        "sender_name",
        "sender_address",
        "sender_property",
        "hidden_reason",
        "status",
        "duplicate_of",
        "answers",
        "age_group",
        "relation",
    }


def test_an_unpublished_input_has_no_public_view(store, world):
    _c, ids = world
    hidden = store.get_input(ids["hidden"])
    assert public.public_input(hidden, "nb") is None


def test_the_outcomes_give_a_duplicate_no_answer_through_its_hidden_original(store, world):
    c, ids = world
    by_id = {o.input.id: o for o in public.outcomes(store, c.id, "en")}
    assert by_id[ids["copy"]].response is None and by_id[ids["copy"]].via is None
    assert by_id[ids["phone"]].response.outcome == Outcome.TAKEN
    assert "[personal data removed]" in by_id[ids["phone"]].input.text


def test_the_consultation_page_shows_neither_hidden_text_nor_personal_data_anywhere(
    store, world, db_path, tmp_path, monkeypatch
):
    from consultations.ui import context

    c, _ids = world
    store.close()
    at = app_on_copy_of(db_path, tmp_path, monkeypatch)
    at.query_params["id"] = c.id
    at.run()
    try:
        assert not at.exception
        page = " ".join(
            [m.value for m in at.markdown] + [x.value for x in at.caption] + [h.proto.body for h in at.get("html")]
        )
        (map_args,) = [
            json.loads(e.proto.json_args) for e in at.get("component_instance") if "st_folium" in e.proto.component_name
        ]
        for shown in (page, map_args["script"]):
            assert "912 34 567" not in shown and "Skjult tekst om naboen" not in shown
            assert "personopplysning fjernet" in shown
        # the outcomes section lists the published inputs, the list too: each masked once
        assert page.count("personopplysning fjernet") >= 2
        assert "Stien tas med i planen" in page
    finally:
        context._store.clear()


def test_supports_are_shown_as_people_who_support_it(store, world, db_path, tmp_path, monkeypatch):
    from consultations.ui import context

    c, _ids = world
    store.close()
    at = app_on_copy_of(db_path, tmp_path, monkeypatch)
    at.query_params["id"] = c.id
    at.run()
    try:
        lines = [h.proto.body for h in at.get("html") if 'class="ki-meta"' in h.proto.body]  # the list's
        assert any(" · 2 personer støtter dette</p>" in line for line in lines)
        assert not any("Støttet av" in line for line in lines)
    finally:
        context._store.clear()


def test_one_consultation_is_public_exactly_when_it_is_among_the_public_ones(store):
    from consultations.model import Status

    now = datetime.now(UTC)
    for cid, status in (("utkast", Status.DRAFT), ("apen", Status.PUBLISHED), ("arkiv", Status.ARCHIVED)):
        store.add_consultation(make_consultation(cid, status=status))
    listed = {c.id for c in public.consultations(store, now)}
    assert listed == {"apen"}
    for cid in ("utkast", "apen", "arkiv", "finnes-ikke"):
        assert public.is_public(store, cid, now) == (cid in listed)
