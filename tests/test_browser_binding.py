"""A staff login bound to one browser (issue 9, Low): the signed HttpOnly cookie the
middleware gives each browser, and the rule that a login record answers only to the
browser it was made in — a Streamlit session resumed elsewhere is not logged in.

The browser test (tests/browser/test_session_resume.py) resumes a real session from a
second Chromium context."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from consultations.auth import _token_hash, create_user, session_user, start_session
from consultations.browser import COOKIE, BrowserCookie, binding
from consultations.config import load_settings
from consultations.errors import InvalidUser
from consultations.http_policy import ResponsePolicy
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.pg import stored_bytes
from tests.helpers_http import streamlit_shell

PASSWORD = "riktig-hest-batteri"
T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)
SECRET = "s" * 40
COOKIES = BrowserCookie(SECRET.encode())


# -- the binding rule (core) -----------------------------------------------------------------


def test_a_login_used_from_another_browser_is_ended_and_audit_logged(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    mine, other = COOKIES.new(), COOKIES.new()
    token = start_session(store, kari, mine, now=T0)
    assert session_user(store, token, IDLE, mine, now=T0) == kari
    with pytest.raises(InvalidUser) as info:
        session_user(store, token, IDLE, other, now=T0)
    assert info.value.key == "login.other_browser" and "Logg inn igjen" in info.value.message()
    # ended for good: not even the browser it was made in gets it back
    assert session_user(store, token, IDLE, mine, now=T0) is None
    assert store.staff_session(_token_hash(token))[2] is not None
    entry = next(e for e in store.audit_entries() if e.action == "login.other_browser")
    assert (entry.actor, entry.object_id) == ("kari", "kari")


def test_a_login_asked_for_without_a_valid_cookie_is_ended(store):
    kari = create_user(store, "kari", "planner", PASSWORD)
    token = start_session(store, kari, COOKIES.new(), now=T0)
    with pytest.raises(InvalidUser) as info:
        session_user(store, token, IDLE, None, now=T0)
    assert info.value.key == "login.other_browser"
    assert store.staff_session(_token_hash(token))[2] is not None


def test_a_login_record_bound_to_no_browser_is_ended_on_its_first_use(store):
    """Records from before the binding (migration 15 leaves their browser empty)."""
    kari = create_user(store, "kari", "planner", PASSWORD)
    token = start_session(store, kari, COOKIES.new(), now=T0)
    with store._transaction() as cur:  # as a record made before migration 15 is
        cur.execute("UPDATE staff_sessions SET browser_hash = NULL")
    with pytest.raises(InvalidUser):
        session_user(store, token, IDLE, COOKIES.new(), now=T0)
    assert store.staff_session(_token_hash(token))[2] is not None


def test_the_store_keeps_only_a_hash_of_the_browser_cookie(store, store_location):
    cookie = COOKIES.new()
    start_session(store, create_user(store, "kari", "planner", PASSWORD), cookie, now=T0)
    store.close()
    data = stored_bytes(store_location)
    assert binding(cookie).encode() in data  # the database holds the record's binding ...
    assert cookie.split(".")[0].encode() not in data  # ... and nothing of the cookie itself


# -- the signed value --------------------------------------------------------------------------


def test_a_cookie_value_this_app_made_is_accepted():
    value = COOKIES.new()
    assert COOKIES.verified(value) == value
    assert COOKIES.new() != value  # random per browser


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),  # signature changed
        lambda v: "A" + v[1:] if v[0] != "A" else "B" + v[1:],  # random part changed
        lambda v: v.split(".")[0],  # no signature
        lambda v: v + ".x",  # extra part
        lambda v: "." + v.split(".")[1],  # no random part
        lambda v: BrowserCookie(b"another-secret" * 3).new(),  # signed with another secret
        lambda v: "",
    ],
)
def test_a_tampered_or_foreign_cookie_is_refused(tamper):
    assert COOKIES.verified(tamper(COOKIES.new())) is None
    assert COOKIES.verified(None) is None


# -- the middleware ----------------------------------------------------------------------------


def _policy(tmp_path, **env: str) -> ResponsePolicy:
    settings = load_settings(
        {"KARTINNSPILL_SECRET": SECRET, "KARTINNSPILL_DB": str(tmp_path / "app.duckdb"), **env},
        secrets_path=tmp_path / "none.toml",
    )
    return ResponsePolicy(streamlit_shell, settings=settings)


def _get(
    policy: ResponsePolicy,
    *,
    cookie: str | None = None,
    scheme: str = "http",
    fetch_site: str | None = None,
    path: str = "/rediger",
    peer: str = "127.0.0.1",
    proto: str | None = None,
) -> list[str]:
    """The Set-Cookie headers of the response to a GET of ``path`` from ``peer``."""
    headers = [(b"host", b"kart.asker.no")]
    if proto is not None:
        headers.append((b"x-forwarded-proto", proto.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    if fetch_site is not None:
        headers.append((b"sec-fetch-site", fetch_site.encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "scheme": scheme,
        "headers": headers,
        "client": (peer, 50000),
    }
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    # a thread of its own: after the browser tests, Playwright's loop runs in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, policy(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return [v.decode() for k, v in start["headers"] if k.lower() == b"set-cookie"]


def _ours(set_cookies: list[str]) -> list[str]:
    return [c for c in set_cookies if c.startswith(f"{COOKIE}=")]


def test_a_browser_without_the_cookie_gets_a_signed_httponly_strict_one_beside_streamlits(tmp_path):
    set_cookies = _get(_policy(tmp_path))
    assert any(c.startswith("_streamlit_xsrf=") for c in set_cookies)  # Streamlit's stays
    [ours] = _ours(set_cookies)
    value, *attributes = ours.split("; ")
    assert COOKIES.verified(value.removeprefix(f"{COOKIE}=")) is not None
    assert sorted(attributes) == ["HttpOnly", "Path=/", "SameSite=Strict"]  # no expiry, no Secure
    assert not any(a.lower().startswith(("expires", "max-age", "domain")) for a in attributes)


def test_over_https_the_cookie_is_also_secure(tmp_path):
    [ours] = _ours(_get(_policy(tmp_path), scheme="https"))
    assert "Secure" in ours.split("; ")


def test_https_at_a_trusted_proxy_makes_the_cookie_secure_and_an_untrusted_claim_does_not(
    tmp_path,
):
    policy = _policy(tmp_path, KARTINNSPILL_TRUSTED_PROXIES="10.0.0.5")
    [proxied] = _ours(_get(policy, peer="10.0.0.5", proto="https"))
    [claimed] = _ours(_get(policy, peer="203.0.113.7", proto="https"))
    assert "Secure" in proxied.split("; ") and "Secure" not in claimed.split("; ")


def test_a_valid_cookie_is_kept_and_a_tampered_one_replaced(tmp_path):
    policy = _policy(tmp_path)
    good = COOKIES.new()
    assert _ours(_get(policy, cookie=f"other=1; {COOKIE}={good}")) == []
    tampered = good[:-1] + ("0" if good[-1] != "0" else "1")
    [new] = _ours(_get(policy, cookie=f"{COOKIE}={tampered}"))
    assert COOKIES.verified(new.split("; ")[0].removeprefix(f"{COOKIE}=")) not in (None, tampered)


def test_a_cross_site_navigation_never_replaces_the_cookie(tmp_path):
    """SameSite=Strict withholds the cookie from a link in an e-mail: a new one would end
    the logins in the browser's other tabs. The page's same-origin requests set it."""
    policy = _policy(tmp_path)
    assert _ours(_get(policy, fetch_site="cross-site")) == []
    assert len(_ours(_get(policy, fetch_site="same-origin", path="/_stcore/host-config"))) == 1
