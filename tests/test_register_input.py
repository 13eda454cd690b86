"""Inputs that came by e-mail, letter or meeting: registered by staff, counted like web inputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from consultations.errors import InvalidInput
from consultations.model import Channel, InputDraft, InputStatus, Moderation, SenderType, Status
from consultations.participation.submission import register_input, submit_input
from tests.conftest import APP, BORGEN, INSIDE, NOW, OUTSIDE, folium_args, make_consultation, staff

CATEGORY = "Trafikk og trafikksikkerhet"
TEXT = "Brev fra velforeningen: fotgjengerfelt ved skolen trengs snarest."
RECEIVED = NOW - timedelta(days=2)


def draft(**changes) -> InputDraft:
    fields = dict(category=CATEGORY, text=TEXT)
    fields.update(changes)
    return InputDraft(**fields)


def register(store, consultation_id, d=None, **changes):
    kwargs = dict(
        channel=Channel.LETTER,
        sender_type=SenderType.ORGANISATION,
        sender_name="Borgen vel",
        received_at=RECEIVED,
        actor=staff(store),
        now=NOW,
    )
    kwargs.update(changes)
    return register_input(store, consultation_id, d or draft(), **kwargs)


def refused(store, consultation_id, key, d=None, **changes) -> None:
    staff(store)  # the account exists before the attempt
    before = store.audit_entries()
    with pytest.raises(InvalidInput) as info:
        register(store, consultation_id, d, **changes)
    assert info.value.key == key
    assert info.value.message() and info.value.message() != key  # a sentence in bokmål
    assert store.all_inputs(consultation_id) == []
    assert store.audit_entries() == before


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.LETTER, Channel.MEETING])
def test_each_other_channel_is_stored_with_its_channel(store, consultation, channel):
    stored = register(store, consultation.id, channel=channel)
    assert stored.channel == channel and stored.status == InputStatus.PUBLISHED
    assert store.all_inputs(consultation.id) == [stored]


@pytest.mark.parametrize("sender_type", list(SenderType))
def test_each_sender_type_and_the_name_are_kept(store, consultation, sender_type):
    stored = register(store, consultation.id, sender_type=sender_type, sender_name="  Ola Nordmann ")
    assert stored.sender_type == sender_type and stored.sender_name == "Ola Nordmann"


def test_the_input_dates_from_when_it_was_received(store, consultation):
    stored = register(store, consultation.id)
    assert stored.created_at == RECEIVED
    assert stored.reference.startswith("KI-")


def test_without_a_pin_it_concerns_the_whole_area_and_the_name_may_be_left_out(store, consultation):
    stored = register(store, consultation.id, sender_name="  ")
    assert not stored.has_location and stored.east is None and stored.sender_name is None


def test_registered_inputs_count_everywhere_web_inputs_count(store, consultation):
    submit_input(store, consultation.id, draft(whole_area=True), session="s", now=NOW)
    located = register(store, consultation.id, draft(lat=INSIDE[0], lon=INSIDE[1]))
    whole = register(store, consultation.id, channel=Channel.EMAIL)
    (listing,) = store.listings()
    assert (listing.published_inputs, listing.total_inputs) == (3, 3)
    assert {i.id for i in store.published_inputs(consultation.id)} >= {located.id, whole.id}
    assert store.count_published(consultation.id) == 3
    assert [p.input_id for p in store.map_points(consultation.id)] == [located.id]
    assert 570_000 < located.east < 590_000 and 6_620_000 < located.north < 6_640_000


def test_a_letter_after_the_deadline_is_registered_in_a_closed_consultation(store):
    c = make_consultation(status=Status.CLOSED, closes_at=NOW - timedelta(days=5))
    store.add_consultation(c)
    stored = register(store, c.id, received_at=NOW - timedelta(days=1))
    assert stored.status == InputStatus.PUBLISHED


def test_pre_moderated_consultation_keeps_the_input_pending(store):
    c = make_consultation(moderation=Moderation.PRE)
    store.add_consultation(c)
    assert register(store, c.id).status == InputStatus.PENDING
    assert store.published_inputs(c.id) == []


def test_registration_is_in_the_audit_log_with_the_staff_member(store, consultation):
    stored = register(store, consultation.id, channel=Channel.MEETING)
    entry = store.audit_entries()[0]
    assert (entry.actor, entry.action, entry.object_id) == ("kari", "input.register.meeting", str(stored.id))
    assert json.loads(entry.after)["consultation"] == consultation.id
    assert "Borgen vel" not in (entry.after or "")


def test_web_channel_is_refused(store, consultation):
    refused(store, consultation.id, "input.register_web", channel=Channel.WEB)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ARCHIVED])
def test_draft_or_archived_consultation_is_refused(store, status):
    c = make_consultation(status=status)
    store.add_consultation(c)
    refused(store, c.id, "input.register_status")


def test_unknown_consultation_is_refused(store):
    with pytest.raises(InvalidInput) as info:
        register(store, "finnes-ikke")
    assert info.value.key == "input.unknown_consultation"


def test_received_in_the_future_is_refused(store, consultation):
    refused(store, consultation.id, "input.received_future", received_at=NOW + timedelta(hours=1))


def test_received_before_the_consultation_opened_is_refused(store, consultation):
    early = consultation.opens_at - timedelta(minutes=1)
    with pytest.raises(InvalidInput) as info:
        register(store, consultation.id, received_at=early)
    assert info.value.key == "input.received_before_opening"
    assert "17.11.2026" in info.value.message()  # the opening day, Norwegian time
    assert store.all_inputs(consultation.id) == []


@pytest.mark.parametrize(
    "changes, key",
    [
        (dict(text="   "), "input.text_empty"),
        (dict(text="For kort"), "input.text_short"),
        (dict(text="x" * 1_000_001), "input.text_long"),
        (dict(category=None), "input.category_missing"),
        (dict(category="Ukjent"), "input.category_unknown"),
        (dict(lat=OUTSIDE[0], lon=OUTSIDE[1]), "input.outside_area"),
        (dict(lat=float("nan"), lon=10.4), "input.bad_coordinates"),
    ],
)
def test_the_web_forms_text_category_and_place_rules_hold(store, consultation, changes, key):
    refused(store, consultation.id, key, draft(**changes))


def test_a_very_long_sender_name_is_refused(store, consultation):
    refused(store, consultation.id, "input.sender_name_long", sender_name="x" * 201)


def test_naive_received_time_is_a_programming_error(store, consultation):
    with pytest.raises(ValueError):
        register(store, consultation.id, received_at=RECEIVED.replace(tzinfo=None))


def test_validation_of_web_inputs_is_unchanged(store, consultation):
    # a registered input needs no pin, a web input still does
    with pytest.raises(InvalidInput) as info:
        submit_input(store, consultation.id, draft(), session="s", now=NOW)
    assert info.value.key == "input.location_missing"


# -- the resident page never shows the sender's name -----------------------------------


def test_sender_name_never_reaches_the_resident_page(demo_db, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from consultations.store import Store
    from consultations.ui import context

    db = tmp_path / "app.duckdb"
    db.write_bytes(demo_db.read_bytes())
    store = Store.open(db)
    c = store.get_consultation(BORGEN)
    point = c.area.representative_point()
    name = "Hemmelig Avsendersen"
    stored = register(
        store,
        BORGEN,
        draft(lat=point.y, lon=point.x),
        sender_name=name,
        received_at=datetime.now(UTC) - timedelta(minutes=1),
        now=None,
    )
    store.close()
    monkeypatch.setenv("KARTINNSPILL_DB", str(db))
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=30)
        at.query_params["id"] = BORGEN
        at.run()
        assert not at.exception
        blocks = [h.proto.body for h in at.get("html")]  # the input list: a block an input
        shown = " ".join([*(str(e.value) for e in at.markdown), *(e.value for e in at.caption), *blocks])
        assert stored.reference in shown  # the input is listed …
        (args,) = folium_args(at)
        assert f"{stored.id}]" in args["script"]  # … and on the map
        assert name not in shown and name not in args["script"]  # … without its sender
    finally:
        context._store.clear()
