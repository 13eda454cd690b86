"""Spam and abuse: rate limits, repeated texts, link-heavy inputs held back."""

from __future__ import annotations

from consultations.errors import InvalidInput
from consultations.model import InputDraft, InputStatus
from consultations.ratelimit import DEFAULT_LIMITS, Limit, RateLimiter
from consultations.participation.submission import submit_input, support_input
from consultations.store import Store
from tests.conftest import INSIDE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

import pytest


def draft(text: str) -> InputDraft:
    return InputDraft("Annet", text, *INSIDE)


def test_a_session_over_its_limit_gets_a_friendly_message_and_nothing_is_stored(store, consultation):
    for k in range(DEFAULT_LIMITS.submit_per_session.burst):
        submit_input(store, consultation.id, draft(f"Innspill nummer {k}"), session="s", now=NOW)
    with pytest.raises(InvalidInput) as info:
        submit_input(store, consultation.id, draft("Ett innspill for mye"), session="s", now=NOW)
    assert info.value.key == "input.rate_limited" and "Vent litt" in info.value.message()
    assert len(store.all_inputs(consultation.id)) == DEFAULT_LIMITS.submit_per_session.burst
    # another resident is not affected
    submit_input(store, consultation.id, draft("Et annet menneske"), session="t", now=NOW)


def test_an_address_over_its_limit_is_refused_across_sessions(store, consultation):
    limiter = RateLimiter()
    for k in range(DEFAULT_LIMITS.submit_per_address.burst):
        submit_input(
            store,
            consultation.id,
            draft(f"Fra skolen nr {k}"),
            session=f"s{k}",
            address="10.0.0.7",
            now=NOW,
            limiter=limiter,
        )
    with pytest.raises(InvalidInput):
        submit_input(
            store,
            consultation.id,
            draft("En til fra skolen"),
            session="ny",
            address="10.0.0.7",
            now=NOW,
            limiter=limiter,
        )


def test_a_spent_bucket_refills_at_the_sustained_rate():
    clock = [0.0]
    limiter = RateLimiter(clock=lambda: clock[0])
    limit = Limit(burst=2, per_hour=60)  # one a minute after the burst
    assert limiter.allow([("k", limit)]) and limiter.allow([("k", limit)])
    assert not limiter.allow([("k", limit)])
    clock[0] = 59
    assert not limiter.allow([("k", limit)])
    clock[0] = 61
    assert limiter.allow([("k", limit)])
    assert not limiter.allow([("k", limit)])


def test_the_same_text_from_the_same_address_in_another_session_is_refused(store, consultation):
    submit_input(store, consultation.id, draft("Vi vil ha flere benker!"), session="a", address="1.2.3.4", now=NOW)
    with pytest.raises(InvalidInput) as info:
        submit_input(store, consultation.id, draft("Vi vil ha flere benker!"), session="b", address="1.2.3.4", now=NOW)
    assert info.value.key == "input.duplicate_text"
    # from elsewhere the same words are another resident's input (campaigns are grouped later)
    submit_input(store, consultation.id, draft("Vi vil ha flere benker!"), session="c", address="5.6.7.8", now=NOW)
    assert len(store.all_inputs(consultation.id)) == 2


def test_the_address_is_never_stored_raw(db_path):
    store = Store.open(db_path)  # DuckDB: the file is every byte the database holds
    consultation = make_consultation()
    store.add_consultation(consultation)
    submit_input(
        store, consultation.id, draft("Et innspill med adresse"), session="a", address="192.168.77.12", now=NOW
    )
    store.close()
    assert b"192.168.77.12" not in db_path.read_bytes()


def test_an_input_with_many_links_waits_for_a_planner(store, consultation):
    text = "Se https://a.example og https://b.example og www.c.example for mer!"
    stored = submit_input(store, consultation.id, draft(text), session="a", now=NOW)
    assert stored.status == InputStatus.PENDING
    two = submit_input(store, consultation.id, draft("Se https://a.example og www.b.example"), session="a", now=NOW)
    assert two.status == InputStatus.PUBLISHED


def test_supports_are_rate_limited_per_session(store, consultation):
    ids = [
        store.add_input(
            consultation_id=consultation.id,
            category="Annet",
            text=f"Innspill {k}",
            lat=None,
            lon=None,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            channel=__import__("consultations.model").model.Channel.WEB,
            status=InputStatus.PUBLISHED,
            session_hash=None,
            token=None,
            created_at=NOW,
        )[0].id
        for k in range(DEFAULT_LIMITS.support_per_session.burst + 1)
    ]
    for input_id in ids[:-1]:
        assert support_input(store, consultation.id, input_id, session="s", now=NOW)
    with pytest.raises(InvalidInput):
        support_input(store, consultation.id, ids[-1], session="s", now=NOW)
