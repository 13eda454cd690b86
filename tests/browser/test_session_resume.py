"""A staff login cannot be taken over by resuming its Streamlit session from another
browser (issue 9, Low), in a real Chromium against the shipped server.

Streamlit lets a websocket resume a disconnected session for two minutes by sending the
session id as the third Sec-WebSocket-Protocol entry (the frontend does so after a
network drop; the id also appears in upload URLs). Here a planner logs in and closes the
tab; a second browser context — its own cookies, as another computer has — opens the
staff address with its frontend made to send the planner's session id, so the server
really resumes the planner's session (with the login token in its session state). The
login is bound to the planner's browser cookie, so the second browser sees the login with
the reason, and the planner's login record has ended.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    LOGIN_TITLE,
    PASSWORD,
    RESUME_SCRIPT,
    SLOW_MS,
    USERNAME,
    log_in,
    record_session_ids,
    seed_with_planner,
    wait_idle,
)

OTHER_BROWSER = "Innloggingen hører til en annen nettleser"


def test_a_staff_session_resumed_from_another_browser_is_not_logged_in(
    start_app, browser_page: Page, _browser, tmp_path: Path
):
    server = start_app(prepare=seed_with_planner)
    page = browser_page
    session_ids = record_session_ids(page)
    page.goto(server.url)
    wait_idle(page, SLOW_MS)
    log_in(page, server.url)
    cookies = {c["name"]: c for c in page.context.cookies()}
    ours = cookies["kartinnspill-browser"]
    assert ours["httpOnly"] and ours["sameSite"] == "Strict" and ours["path"] == "/"
    assert page.evaluate("document.cookie").find("kartinnspill-browser") == -1  # not for scripts
    assert session_ids, "the page never received its session id"
    stolen = session_ids[-1]
    page.close()  # the tab closes; Streamlit keeps the session resumable for two minutes

    other = _browser.new_context(locale="nb-NO", service_workers="block")
    try:
        other.add_init_script(RESUME_SCRIPT % json.dumps(stolen))
        thief = other.new_page()
        resumed = record_session_ids(thief)
        thief.goto(f"{server.url}/saksbehandling")
        main = thief.get_by_test_id("stMain")
        expect(main.get_by_text(OTHER_BROWSER)).to_be_visible(timeout=SLOW_MS)
        expect(main.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)
        expect(main.get_by_role("heading", name="Høringer", exact=True)).to_have_count(0)
        # it really was the planner's session that was resumed, not a new one
        assert resumed and set(resumed) == {stolen}, (resumed, stolen)
    finally:
        other.close()

    db = next(tmp_path.glob("kartinnspill-*.duckdb"))
    server.stop()
    with duckdb.connect(str(db), read_only=True) as conn:
        ended = conn.execute("SELECT count(*) FROM staff_sessions WHERE ended_at IS NULL").fetchone()
        audit = conn.execute("SELECT actor FROM audit_log WHERE action = 'login.other_browser'").fetchall()
    assert ended == (0,) and audit == [("kari",)]


def test_a_browser_that_refuses_the_cookie_cannot_log_in_and_is_told_why(start_app, _browser, tmp_path: Path):
    """Without the cookie a login could not be bound to the browser: refused before any
    password hash, with what to do; the resident pages work all the same.

    The responses are rewritten by Playwright, which Chromium then treats as not from the
    local network: its own Chromium, with that check off, so the page may open its websocket."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    server = start_app(prepare=seed_with_planner)
    chromium = _browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
    )
    try:
        _refused_login(server, chromium.new_context(locale="nb-NO").new_page(), tmp_path)
    finally:
        chromium.close()


def _refused_login(server, page: Page, tmp_path: Path) -> None:

    def without_cookies(route) -> None:  # as a browser that refuses the app's cookie
        response = route.fetch()
        page.context.clear_cookies(name="kartinnspill-browser")  # route.fetch shares the jar
        headers = {
            h["name"]: h["value"]
            for h in response.headers_array
            if h["name"].lower() not in ("set-cookie", "content-encoding", "content-length")
        }
        for h in response.headers_array:  # Streamlit's own (XSRF) cookie stays
            if h["name"].lower() == "set-cookie" and not h["value"].startswith("kartinnspill"):
                headers["set-cookie"] = h["value"]
        route.fulfill(status=response.status, headers=headers, body=response.body())

    page.route(re.compile(re.escape(server.url) + r"/.*"), without_cookies)
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Si din mening om planer i kommunen")).to_be_visible(timeout=SLOW_MS)
    wait_idle(page, SLOW_MS)
    page.goto(f"{server.url}/logg-inn")
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)
    wait_idle(page, SLOW_MS)
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill(USERNAME)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page.get_by_text("Tillat informasjonskapsler fra denne siden")).to_be_visible(timeout=SLOW_MS)
    assert "kartinnspill-browser" not in {c["name"] for c in page.context.cookies()}

    db = next(tmp_path.glob("kartinnspill-*.duckdb"))
    server.stop()
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM staff_sessions").fetchone() == (0,)
