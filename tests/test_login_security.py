"""Staff logins under attack (issue 9): back-off instead of locks, no hash for a refused
try, bounded audit rows, login records with an idle timeout, own password change, common
passwords refused, and OIDC accounts bound to the provider's subject."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from consultations import auth
from consultations.auth import (
    THROTTLES,
    OidcRefusal,
    change_password,
    check_login,
    create_user,
    oidc_user,
    session_user,
    start_session,
)
from consultations.browser import BrowserCookie
from consultations.config import load_settings
from consultations.errors import ConfigError, InvalidUser
from consultations.model import User
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

PASSWORD = "riktig-hest-batteri"
WRONG = "feil-passord-her"
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BROWSER = BrowserCookie(b"k" * 32).new()  # the signed cookie of the browser that logs in
ISSUER = "https://login.asker.kommune.no"


class CountingHasher(PasswordHasher):
    verified = 0

    def verify(self, hash, password):  # noqa: A002 (argon2's own name)
        CountingHasher.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hashes(monkeypatch):
    """Counts argon2 verifications. The real ones take 64 MiB and ~0.5 s each on a busy
    2-core machine; these tests make dozens, so they hash with argon2 at its cheapest."""
    CountingHasher.verified = 0
    cheap = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("kartinnspill-no-such-user"))
    return CountingHasher


def fail(store, n, username="kari", at=T0, **where):
    """``n`` wrong passwords, each as soon as the back-off allows; returns the time after."""
    for _ in range(n):
        at += auth.login_wait(store, username, now=at, **where)
        assert check_login(store, username, WRONG, now=at, **where) is None
    return at


# -- throttling ---------------------------------------------------------------------------


def test_backoff_waits_nothing_for_the_free_tries_then_doubles_per_failure_up_to_its_cap():
    pair = THROTTLES["pair"]
    assert [pair.wait(n).total_seconds() for n in range(pair.free + 4)] == [0] * pair.free + [1, 2, 4, 8]
    assert pair.wait(pair.free + 40) == pair.cap == timedelta(minutes=15)
    assert THROTTLES["user"].wait(10_000) == timedelta(minutes=1)


def test_a_throttled_try_is_refused_before_any_hash_and_writes_nothing(store, hashes):
    create_user(store, "kari", "planner", PASSWORD)
    at = fail(store, THROTTLES["pair"].free, address="203.0.113.9")
    rows, checked = store.audit_entries(), hashes.verified
    with pytest.raises(InvalidUser) as info:  # even the right password, right now
        check_login(store, "kari", PASSWORD, address="203.0.113.9", now=at)
    assert info.value.key == "login.wait" and info.value.params == {"seconds": 1}
    assert "Vent 1 sekunder" in info.value.message()
    assert hashes.verified == checked and store.audit_entries() == rows
    # once the wait has passed, the right password works
    assert check_login(store, "kari", PASSWORD, address="203.0.113.9", now=at + timedelta(seconds=1))


def test_each_further_failure_doubles_the_wait(store):
    where = {"address": "203.0.113.9"}
    at = fail(store, THROTTLES["pair"].free + 3, **where)
    assert auth.login_wait(store, "kari", now=at, **where) == timedelta(seconds=8)


def test_an_attacker_cannot_lock_the_owner_out_from_another_address(store):
    create_user(store, "kari", "planner", PASSWORD)
    at = fail(store, THROTTLES["pair"].free + 2, address="198.51.100.66")
    assert check_login(store, "kari", PASSWORD, address="203.0.113.9", now=at) is not None


def test_guessing_one_username_from_many_addresses_makes_its_owner_wait_at_most_a_minute(store):
    create_user(store, "kari", "planner", PASSWORD)
    at = T0
    for n in range(20):  # a botnet: a new address for every guess
        at = fail(store, 1, at=at, address=f"198.51.100.{n}")
    wait = auth.login_wait(store, "kari", address="203.0.113.9", now=at)
    assert timedelta(0) < wait <= timedelta(minutes=1)


def test_spraying_many_usernames_from_one_address_is_throttled(store):
    at = T0
    for n in range(THROTTLES["address"].free):
        at = fail(store, 1, username=f"bruker{n}", at=at, address="198.51.100.66")
    with pytest.raises(InvalidUser) as info:
        check_login(store, "en-ny-bruker", WRONG, address="198.51.100.66", now=at)
    assert info.value.key == "login.wait"
    # another address (the municipality's office) is not affected
    assert check_login(store, "en-ny-bruker", WRONG, address="203.0.113.9", now=at) is None


def test_spraying_usernames_in_one_session_without_an_address_is_throttled(store):
    at = T0
    for n in range(THROTTLES["session"].free):
        at = fail(store, 1, username=f"bruker{n}", at=at, session="økt-1")
    with pytest.raises(InvalidUser):
        check_login(store, "en-ny-bruker", WRONG, session="økt-1", now=at)
    assert check_login(store, "en-ny-bruker", WRONG, session="økt-2", now=at) is None


def test_a_good_login_clears_the_username_but_not_a_spraying_address(store):
    create_user(store, "kari", "planner", PASSWORD)
    at = fail(store, THROTTLES["pair"].free - 1, address="198.51.100.66")
    assert check_login(store, "kari", PASSWORD, address="198.51.100.66", now=at)
    assert store.login_failures([("user", "kari")], at - timedelta(hours=1)) == {}
    assert len(store.login_failures(auth._throttle_keys(store, "x", "198.51.100.66", None)[2:], T0)) == 1


def test_failures_are_forgotten_an_hour_after_the_last_one(store):
    at = fail(store, THROTTLES["pair"].free + 5, address="198.51.100.66")
    later = at + auth.FORGET_AFTER + timedelta(seconds=1)
    assert auth.login_wait(store, "kari", address="198.51.100.66", now=later) == timedelta(0)


def test_repeated_failures_of_one_username_and_address_are_one_audit_row_with_a_count(store):
    at = fail(store, 12, address="198.51.100.66")
    fail(store, 2, at=at, address="203.0.113.9")
    rows = [e for e in store.audit_entries() if e.action == "login.failed"]
    assert len(rows) == 2
    counts = {json.loads(e.after)["address"]: json.loads(e.after)["failures"] for e in rows}
    assert counts == {"198.51.100.66": 12, "203.0.113.9": 2}
    assert {e.object_id for e in rows} == {"kari"}


# -- login records and the idle timeout ---------------------------------------------------------


def test_a_login_record_lasts_while_used_and_ends_after_the_idle_time(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    idle = timedelta(minutes=30)
    token = start_session(store, kari, BROWSER, now=T0)
    assert session_user(store, token, idle, BROWSER, now=T0 + timedelta(minutes=29)) == kari
    still_used = T0 + timedelta(minutes=58)
    assert session_user(store, token, idle, BROWSER, now=still_used) == kari
    with pytest.raises(InvalidUser) as info:
        session_user(store, token, idle, BROWSER, now=T0 + timedelta(minutes=89))
    assert info.value.key == "login.expired" and "30 minutter" in info.value.message()
    ended = T0 + timedelta(minutes=90)
    assert session_user(store, token, idle, BROWSER, now=ended) is None  # ended for good
    assert session_user(store, "a-guessed-token", idle, BROWSER, now=T0) is None


def test_a_deactivated_account_loses_its_open_login_at_once(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    token = start_session(store, kari, BROWSER, now=T0)
    store.update_user(kari.id, "ada", active=False)
    assert session_user(store, token, timedelta(minutes=30), BROWSER, now=T0) is None


def test_the_store_keeps_only_a_hash_of_the_login_token(store, store_location):
    from tests.pg import stored_bytes

    token = start_session(store, create_user(store, "kari", "planner", PASSWORD), BROWSER, now=T0)
    store.close()
    everything = stored_bytes(store_location)
    assert b"kari" in everything and token.encode() not in everything


def test_idle_minutes_come_from_the_settings_and_a_bad_value_is_refused(tmp_path):
    none = tmp_path / "none.toml"
    assert load_settings({}, none).staff_idle_minutes == 30
    assert load_settings({"KARTINNSPILL_STAFF_IDLE_MINUTES": "10"}, none).staff_idle_minutes == 10
    for bad in ("0", "ti", "100000"):
        with pytest.raises(ConfigError) as info:
            load_settings({"KARTINNSPILL_STAFF_IDLE_MINUTES": bad}, none)
        assert info.value.key == "config.idle_invalid"


# -- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize("common", ["1q2w3e4r5t", "qwertyuiop", "QWERTYUIOP", "1234567890"])
def test_one_of_the_most_common_passwords_is_refused_for_a_new_user(store, common):
    with pytest.raises(InvalidUser) as info:
        create_user(store, "kari", "planner", common)
    assert info.value.key == "user.password_common" and store.users() == []


def test_the_common_password_list_has_a_thousand_entries_and_names_its_source():
    text = auth.COMMON_PASSWORDS.read_text(encoding="utf-8")
    assert len(auth._common_passwords()) == 1000
    assert "Django" in text and "BSD-3-Clause" in text


def test_own_password_change_needs_the_current_one_and_ends_the_other_logins(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    idle = timedelta(minutes=30)
    here = start_session(store, kari, BROWSER, now=T0)
    elsewhere = start_session(store, kari, BROWSER, now=T0)
    new = "ny-lang-setning-med-ord"
    change_password(store, kari, PASSWORD, new, new, here, now=T0)
    assert check_login(store, "kari", new, now=T0) == kari
    assert check_login(store, "kari", PASSWORD, now=T0) is None
    assert session_user(store, here, idle, BROWSER, now=T0) == kari
    assert session_user(store, elsewhere, idle, BROWSER, now=T0) is None
    entry = next(e for e in store.audit_entries() if e.action == "user.password")
    assert entry.actor == "kari" and new not in str(store.audit_entries())


@pytest.mark.parametrize(
    "current, new, repeat, key",
    [
        (WRONG, "ny-lang-setning-med-ord", "ny-lang-setning-med-ord", "password.current_wrong"),
        (PASSWORD, "ny-lang-setning-med-ord", "ny-lang-setning-med-orD", "password.mismatch"),
        (PASSWORD, PASSWORD, PASSWORD, "password.same"),
        (PASSWORD, "kort", "kort", "user.password_short"),
        (PASSWORD, "qwertyuiop", "qwertyuiop", "user.password_common"),
    ],
)
def test_a_bad_password_change_is_refused_and_the_old_password_stays(store, current, new, repeat, key):
    kari = create_user(store, "kari", "planner", PASSWORD)
    token = start_session(store, kari, BROWSER, now=T0)
    with pytest.raises(InvalidUser) as info:
        change_password(store, kari, current, new, repeat, token, now=T0)
    assert info.value.key == key and info.value.message()
    assert check_login(store, "kari", PASSWORD, now=T0) == kari
    assert "user.password" not in [e.action for e in store.audit_entries()]


def test_an_oidc_user_has_no_password_to_change(store):
    ola = create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    with pytest.raises(InvalidUser) as info:
        change_password(store, ola, "", "ny-lang-setning-med-ord", "ny-lang-setning-med-ord", "x")
    assert info.value.key == "password.no_local"


# -- OIDC ---------------------------------------------------------------------------------------


def claims(email="ola@asker.kommune.no", sub="sub-ola", verified=True, iss=ISSUER, **more):
    c = {"is_logged_in": True, "iss": iss, "sub": sub, "email": email, **more}
    if verified is not None:
        c["email_verified"] = verified
    return c


def test_a_verified_email_finds_the_user_and_binds_the_row_to_the_subject(store):
    ola = create_user(store, "ola", "planner", email="ola@asker.kommune.no")
    assert oidc_user(store, claims(email="OLA@asker.kommune.no")) == ola
    assert store.oidc_binding(ola.id) == (ISSUER, "sub-ola")
    assert store.audit_entries()[0].action == "user.oidc_bind"
    # afterwards the subject decides, whatever e-mail the provider now sends
    assert oidc_user(store, claims(email="ola.nordmann@privat.no", verified=False)) == ola


@pytest.mark.parametrize("flag", [False, None, "false", "yes"])
def test_an_unverified_email_gets_no_role(store, flag):
    ola = create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    result = oidc_user(store, claims(verified=flag))
    assert result == OidcRefusal("login.oidc_unverified", {"email": "ola@asker.kommune.no"})
    assert store.oidc_binding(ola.id) is None


def test_an_issuer_named_in_the_settings_counts_as_verifying_every_address(store, tmp_path):
    ola = create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    settings = load_settings(
        {"KARTINNSPILL_OIDC_VERIFIED_ISSUERS": f" {ISSUER} , https://annen.example"},
        tmp_path / "none.toml",
    )
    assert settings.oidc_verified_issuers == (ISSUER, "https://annen.example")
    assert oidc_user(store, claims(verified=None), settings.oidc_verified_issuers) == ola
    assert isinstance(oidc_user(store, claims(verified=None, iss="https://x.example", sub="s2")), OidcRefusal)


def test_another_account_claiming_the_same_email_cannot_take_over_a_bound_row(store):
    ola = create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    assert oidc_user(store, claims()) == ola
    result = oidc_user(store, claims(sub="sub-mallory"))
    assert result == OidcRefusal("login.oidc_bound_elsewhere", {"email": "ola@asker.kommune.no"})
    assert oidc_user(store, claims(iss="https://other-tenant.example")) != ola
    assert store.oidc_binding(ola.id) == (ISSUER, "sub-ola")


def test_a_token_without_subject_or_for_a_deactivated_user_gets_no_role(store):
    ola = create_user(store, "ola", "admin", email="ola@asker.kommune.no")
    assert oidc_user(store, claims(sub="")).key == "login.oidc_no_subject"
    assert oidc_user(store, {"is_logged_in": False}).key == "login.oidc_logged_out"
    assert oidc_user(store, claims()) == ola
    store.update_user(ola.id, "ada", active=False)
    assert oidc_user(store, claims()).key == "login.no_access"
    assert not isinstance(oidc_user(store, claims()), User)
