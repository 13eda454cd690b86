"""Validation runs on the server: every bad input gets a clear message and stores nothing."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from consultations.errors import InvalidInput
from consultations.model import InputDraft, InputStatus, Moderation, Status
from consultations.participation.submission import submit_input, support_input
from tests.conftest import INSIDE, NOW, OUTSIDE, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

CATEGORY = "Trafikk og trafikksikkerhet"
TEXT = "Det trengs et trygt fotgjengerfelt ved skolen."


def draft(**changes) -> InputDraft:
    fields = dict(category=CATEGORY, text=TEXT, lat=INSIDE[0], lon=INSIDE[1])
    fields.update(changes)
    return InputDraft(**fields)


def refused(store, consultation_id, d, key, now=NOW) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        submit_input(store, consultation_id, d, session="s1", now=now)
    assert info.value.key == key
    assert info.value.message()  # a sentence in bokmål, not a key
    assert store.all_inputs(consultation_id) == []
    return info.value


def test_valid_input_is_stored_published_with_working_crs_coordinates(store, consultation):
    stored = submit_input(store, consultation.id, draft(), session="s1", now=NOW)
    assert stored.status == InputStatus.PUBLISHED
    assert stored.reference.startswith("KI-")
    assert (stored.lat, stored.lon) == INSIDE
    assert 570_000 < stored.east < 590_000 and 6_620_000 < stored.north < 6_640_000
    assert store.all_inputs(consultation.id) == [stored]


def test_whole_area_input_needs_no_map(store, consultation):
    stored = submit_input(store, consultation.id, draft(lat=None, lon=None, whole_area=True), session="s", now=NOW)
    assert stored.lat is None and stored.east is None and not stored.has_location


def test_whole_area_ignores_a_pin_left_on_the_map(store, consultation):
    stored = submit_input(store, consultation.id, draft(whole_area=True), session="s", now=NOW)
    assert stored.lat is None


def test_missing_category_is_refused(store, consultation):
    refused(store, consultation.id, draft(category=None), "input.category_missing")


def test_unknown_category_is_refused(store, consultation):
    refused(store, consultation.id, draft(category="Hacking"), "input.category_unknown")


@pytest.mark.parametrize("text", ["kort", "123456789", "  a   b  "])
def test_too_short_text_is_refused(store, consultation, text):
    refused(store, consultation.id, draft(text=text), "input.text_short")


@pytest.mark.parametrize("text", ["", "   \n\t  ", None, "\x00\x01\x02"])
def test_empty_or_whitespace_text_is_refused(store, consultation, text):
    refused(store, consultation.id, draft(text=text), "input.text_empty")


def test_too_long_text_is_refused(store, consultation):
    error = refused(store, consultation.id, draft(text="a" * 2001), "input.text_long")
    assert "2001" in error.message() and "2000" in error.message()


def test_text_of_exactly_2000_characters_is_accepted(store, consultation):
    stored = submit_input(store, consultation.id, draft(text="å" * 2000), session="s", now=NOW)
    assert len(stored.text) == 2000


def test_control_characters_are_stripped_and_line_breaks_kept(store, consultation):
    text = "Første\x00 linje\x07\r\nandre\x1b linje\u0085 her"
    stored = submit_input(store, consultation.id, draft(text=text), session="s", now=NOW)
    assert stored.text == "Første linje\nandre linje her"


def test_pin_outside_plan_area_is_refused(store, consultation):
    error = refused(store, consultation.id, draft(lat=OUTSIDE[0], lon=OUTSIDE[1]), "input.outside_area")
    assert error.message().startswith("Punktet ligger utenfor planområdet")


@pytest.mark.parametrize(
    "lat, lon",
    [(math.nan, 10.41), (59.82, math.inf), (-math.inf, 10.4), ("abc", 10.4), (59.8, None), (91, 10)],
)
def test_non_finite_or_malformed_coordinates_are_refused(store, consultation, lat, lon):
    refused(store, consultation.id, draft(lat=lat, lon=lon), "input.bad_coordinates")


def test_no_pin_and_not_whole_area_is_refused(store, consultation):
    refused(store, consultation.id, draft(lat=None, lon=None), "input.location_missing")


def test_unknown_consultation_is_refused(store, consultation):
    refused(store, "finnes-ikke", draft(), "input.unknown_consultation")


def test_closed_consultation_refuses_input(store):
    c = make_consultation("closed", status=Status.CLOSED)
    store.add_consultation(c)
    refused(store, c.id, draft(), "input.closed")


def test_consultation_past_its_deadline_refuses_input(store, consultation):
    refused(store, consultation.id, draft(), "input.closed", now=NOW + timedelta(days=31))


def test_consultation_not_yet_open_refuses_input(store):
    c = make_consultation("later", opens_at=NOW + timedelta(days=2))
    store.add_consultation(c)
    refused(store, c.id, draft(), "input.not_open_yet")


def test_draft_consultation_refuses_input(store):
    c = make_consultation("draft", status=Status.DRAFT)
    store.add_consultation(c)
    refused(store, c.id, draft(), "input.closed")


@pytest.mark.parametrize("field, value", [("age_group", "200"), ("relation", "eier alt")])
def test_unknown_profile_answers_are_refused(store, consultation, field, value):
    refused(store, consultation.id, draft(**{field: value}), f"input.{field}_unknown")


def test_double_submission_of_the_same_form_stores_one_row(store, consultation):
    first = submit_input(store, consultation.id, draft(), session="s1", now=NOW)
    second = submit_input(store, consultation.id, draft(), session="s1", now=NOW)
    assert second.id == first.id
    assert len(store.all_inputs(consultation.id)) == 1


def test_same_text_from_another_session_is_a_new_input(store, consultation):
    submit_input(store, consultation.id, draft(), session="s1", now=NOW)
    submit_input(store, consultation.id, draft(), session="s2", now=NOW)
    assert len(store.all_inputs(consultation.id)) == 2


def test_pre_moderated_input_waits_for_a_planner(store):
    c = make_consultation("pre", moderation=Moderation.PRE)
    store.add_consultation(c)
    stored = submit_input(store, c.id, draft(), session="s", now=NOW)
    assert stored.status == InputStatus.PENDING
    assert store.published_inputs(c.id) == [] and store.map_points(c.id) == []


def test_support_is_counted_once_per_session(store, consultation):
    item = submit_input(store, consultation.id, draft(), session="author", now=NOW)
    assert support_input(store, consultation.id, item.id, session="a", now=NOW) is True
    assert support_input(store, consultation.id, item.id, session="a", now=NOW) is False
    assert support_input(store, consultation.id, item.id, session="b", now=NOW) is True
    assert store.get_input(item.id).supports == 2


def test_support_after_the_deadline_is_refused(store, consultation):
    item = submit_input(store, consultation.id, draft(), session="author", now=NOW)
    with pytest.raises(InvalidInput):
        support_input(store, consultation.id, item.id, session="a", now=NOW + timedelta(days=40))
    assert store.get_input(item.id).supports == 0


def test_support_for_an_input_of_another_consultation_is_refused(store, consultation):
    other = make_consultation("other")
    store.add_consultation(other)
    item = submit_input(store, other.id, draft(), session="author", now=NOW)
    with pytest.raises(InvalidInput):
        support_input(store, consultation.id, item.id, session="a", now=NOW)


def test_answers_to_the_consultations_questions_are_stored_with_the_input(store):
    from consultations.model import Question, QuestionKind

    c = make_consultation("q", questions=(Question("q1", QuestionKind.SCALE, "Hvor trygt føles det?"),))
    store.add_consultation(c)
    stored = submit_input(store, c.id, draft(answers={"q1": 2}), session="s", now=NOW)
    assert store.get_input(stored.id).answers == {"q1": 2}
    with pytest.raises(InvalidInput) as info:
        submit_input(store, c.id, draft(text="Et annet innspill", answers={"q1": 9}), session="s", now=NOW)
    assert info.value.key == "input.answer_invalid"
    assert len(store.all_inputs(c.id)) == 1


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("59.8261, 10.4139", (59.8261, 10.4139)),
        ("59,8261; 10,4139", (59.8261, 10.4139)),
        ("59.8261 10.4139", (59.8261, 10.4139)),
        ("59.8261,10.4139", (59.8261, 10.4139)),
        ("  59,8261   10,4139 ", (59.8261, 10.4139)),
        ("Borgen", None),
        ("59.8", None),
        ("1, 2, 3", None),
    ],
)
def test_typed_coordinates_are_read_the_ways_people_write_them(typed, expected):
    from consultations.geo import parse_coordinates

    assert parse_coordinates(typed) == expected
