"""A staff login carried across a reload, a new tab or a typed address by the browser's
signed cookie (issue 22): a new session in the same browser gets a login record of its own;
another browser gets nothing; the login still ends on logout (in every tab), idle timeout
and deactivation. Browser test: tests/browser/test_staff_login_reload.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consultations.auth import (
    create_user,
    end_browser_sessions,
    resume_session,
    session_user,
    start_session,
)
from consultations.browser import BrowserCookie
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

PASSWORD = "riktig-hest-batteri"
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)
COOKIES = BrowserCookie(b"s" * 40)


def test_a_new_tab_in_the_same_browser_carries_the_login_on_with_a_record_of_its_own(
    store,
):
    kari = create_user(store, "kari", "planner", PASSWORD)
    mine = COOKIES.new()
    first = start_session(store, kari, mine, now=T0)
    resumed = resume_session(store, IDLE, mine, now=T0 + timedelta(minutes=5))
    assert resumed is not None
    token, user = resumed
    assert user == kari and token != first
    assert session_user(store, token, IDLE, mine, now=T0 + timedelta(minutes=6)) == kari
    assert session_user(store, first, IDLE, mine, now=T0 + timedelta(minutes=6)) == kari  # the first tab goes on


def test_no_login_for_another_browser_a_forged_cookie_or_a_browser_that_never_logged_in(
    store,
):
    kari = create_user(store, "kari", "planner", PASSWORD)
    start_session(store, kari, COOKIES.new(), now=T0)
    assert resume_session(store, IDLE, COOKIES.new(), now=T0) is None
    assert resume_session(store, IDLE, None, now=T0) is None  # no verified cookie


def test_logout_ends_the_login_in_every_tab_of_the_browser(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    mine = COOKIES.new()
    first = start_session(store, kari, mine, now=T0)
    token, _ = resume_session(store, IDLE, mine, now=T0)
    end_browser_sessions(store, mine, now=T0 + timedelta(minutes=1))
    assert resume_session(store, IDLE, mine, now=T0 + timedelta(minutes=2)) is None
    for t in (first, token):
        assert session_user(store, t, IDLE, mine, now=T0 + timedelta(minutes=2)) is None


def test_an_idle_login_is_not_carried_on_and_ends(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    mine = COOKIES.new()
    first = start_session(store, kari, mine, now=T0)
    assert resume_session(store, IDLE, mine, now=T0 + IDLE + timedelta(seconds=1)) is None
    assert session_user(store, first, IDLE, mine, now=T0 + IDLE + timedelta(seconds=2)) is None  # ended


def test_a_deactivated_account_is_not_carried_on(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    mine = COOKIES.new()
    start_session(store, kari, mine, now=T0)
    store.update_user(kari.id, "admin", active=False)
    assert resume_session(store, IDLE, mine, now=T0) is None


def test_a_residents_browser_without_a_login_asks_the_store_nothing_of_its_own(store, monkeypatch):
    """Every page view of a resident asks whether her browser carries a staff login: one
    read of the browsers with a login per data version answers it for all (issue 26);
    only a browser among them asks for its own record."""
    kari = create_user(store, "kari", "planner", PASSWORD)
    asked = []
    own = store.latest_staff_session_of_browser
    monkeypatch.setattr(store, "latest_staff_session_of_browser", lambda h: asked.append(h) or own(h))
    residents = [COOKIES.new() for _ in range(20)]
    assert all(resume_session(store, IDLE, r, now=T0) is None for r in residents)
    assert asked == []
    mine = COOKIES.new()
    start_session(store, kari, mine, now=T0)  # a write: the next view reads the browsers again
    assert resume_session(store, IDLE, mine, now=T0 + timedelta(minutes=1)) is not None
    assert len(asked) == 1
    assert resume_session(store, IDLE, residents[0], now=T0 + timedelta(minutes=1)) is None
    assert len(asked) == 1
    end_browser_sessions(store, mine, now=T0 + timedelta(minutes=2))
    assert resume_session(store, IDLE, mine, now=T0 + timedelta(minutes=3)) is None
    assert len(asked) == 1  # ended: not among the browsers with a login any more
