"""Per-address limits that fit a school class but not a script, and supports a new tab
cannot repeat. Time is an injected clock, never the wall clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultations.addresses import client_address
from consultations.config import load_profile
from consultations.errors import ConfigError, InvalidInput
from consultations.model import Channel, InputDraft, InputStatus
from consultations.ratelimit import Limit, Limits, RateLimiter
from consultations.participation.submission import submit_input, support_input
from tests.conftest import INSIDE, NOW

ASKER = load_profile("asker").limits


def draft(text: str) -> InputDraft:
    return InputDraft("Annet", text, *INSIDE)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_class_of_30_sending_at_once_all_get_through_and_so_does_the_next_class(store, consultation):
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for lesson in range(2):
        for pupil in range(30):
            submit_input(
                store,
                consultation.id,
                draft(f"Klasse {lesson}, elev {pupil}: flere benker"),
                session=f"elev-{lesson}-{pupil}",
                address="10.20.30.40",
                now=NOW,
                limiter=limiter,
                limits=ASKER,
            )
        clock.now += 45 * 60  # the next lesson
    assert len(store.all_inputs(consultation.id)) == 60


def test_a_sustained_flood_from_one_address_is_refused(store, consultation):
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    accepted = refused = 0
    for k in range(360):  # a script: one input every 10 seconds for an hour, new session each
        try:
            submit_input(
                store,
                consultation.id,
                draft(f"Automatisk innspill nummer {k}"),
                session=f"bot-{k}",
                address="198.51.100.66",
                now=NOW,
                limiter=limiter,
                limits=ASKER,
            )
            accepted += 1
        except InvalidInput as exc:
            assert exc.key == "input.rate_limited"
            refused += 1
        clock.now += 10
    # the burst, then the sustained rate for the hour — everything else refused, not stored
    assert accepted <= ASKER.submit_per_address.burst + ASKER.submit_per_address.per_hour + 1
    assert refused >= 360 - accepted and refused > 200
    assert len(store.all_inputs(consultation.id)) == accepted


def test_a_loopback_peer_is_limited_like_any_address(store, consultation):
    address = client_address("127.0.0.1", [], ())
    limiter = RateLimiter(clock=Clock())
    limits = Limits(submit_per_address=Limit(burst=3, per_hour=1))
    for k in range(3):
        submit_input(
            store,
            consultation.id,
            draft(f"Fra localhost {k}"),
            session=f"s{k}",
            address=address,
            now=NOW,
            limiter=limiter,
            limits=limits,
        )
    with pytest.raises(InvalidInput) as info:
        submit_input(
            store,
            consultation.id,
            draft("Fra localhost igjen"),
            session="ny",
            address=address,
            now=NOW,
            limiter=limiter,
            limits=limits,
        )
    assert info.value.key == "input.rate_limited"


def _published(store, consultation, text="Et innspill å støtte") -> int:
    stored, _ = store.add_input(
        consultation_id=consultation.id,
        category="Annet",
        text=text,
        lat=None,
        lon=None,
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=None,
        created_at=NOW,
    )
    return stored.id


def test_a_new_session_from_the_same_address_cannot_support_the_same_input_twice_the_same_day(store, consultation):
    input_id = _published(store, consultation)
    assert support_input(store, consultation.id, input_id, session="tab-1", address="10.9.8.7", now=NOW)
    with pytest.raises(InvalidInput) as info:
        support_input(
            store, consultation.id, input_id, session="tab-2", address="10.9.8.7", now=NOW + timedelta(hours=2)
        )
    assert info.value.key == "input.already_supported_from_address"
    assert store.get_input(input_id).supports == 1
    # another address, and the same address on another day, count
    assert support_input(store, consultation.id, input_id, session="tab-3", address="10.9.8.8", now=NOW)
    assert support_input(
        store, consultation.id, input_id, session="tab-4", address="10.9.8.7", now=NOW + timedelta(days=1)
    )
    assert store.get_input(input_id).supports == 3


def test_the_address_day_rule_holds_in_the_database_itself(store, consultation):
    input_id = _published(store, consultation)
    day = NOW.date()
    assert store.add_support(input_id, "session-a", address_hash="addr", day=day)
    with store._transaction() as cur:  # a second writer that skips the store's check
        import duckdb

        with pytest.raises(duckdb.ConstraintException):
            cur.execute(
                "INSERT INTO supports (input_id, session_hash, created_at, address_hash, day) "
                "VALUES (?, 'session-b', ?, 'addr', ?)",
                (input_id, NOW.replace(tzinfo=None), day),
            )


def test_the_same_session_supporting_again_is_still_just_already_supported(store, consultation):
    input_id = _published(store, consultation)
    assert support_input(store, consultation.id, input_id, session="s", address="10.9.8.7", now=NOW)
    assert not support_input(store, consultation.id, input_id, session="s", address="10.9.8.7", now=NOW)


def test_the_profile_sets_burst_and_sustained_rate_and_leaves_the_rest_at_defaults():
    limits = Limits.from_profile({"submit_per_address": {"burst": 90, "per_hour": 30}})
    assert limits.submit_per_address == Limit(burst=90, per_hour=30)
    assert limits.submit_per_session == Limits().submit_per_session
    assert ASKER.submit_per_address.burst >= 30


def test_a_profile_with_a_bad_limit_is_refused(tmp_path, monkeypatch):
    from consultations import config

    (tmp_path / "bad.toml").write_text(
        (config.PROFILES / "asker.toml")
        .read_text(encoding="utf-8")
        .replace("submit_per_address = { burst = 60", "submit_per_address = { burst = 0"),
        encoding="utf-8",
    )
    monkeypatch.setattr(config, "PROFILES", tmp_path)
    with pytest.raises(ConfigError) as info:
        config.load_profile("bad")
    assert info.value.key == "config.limits_invalid"
