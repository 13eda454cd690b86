"""A staff login survives a reload, a new tab and a typed address (the browser's signed
cookie carries it, issue 22), and ends on logout in every tab; a teacher lands on /klasser,
not on a page her role may not see. In a real Chromium against the shipped server."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    LOGIN_TITLE,
    PASSWORD,
    SLOW_MS,
    log_in,
    no_serious_axe,
    seed_with_planner,
    wait_idle,
)


def test_a_planners_login_survives_a_reload_a_new_tab_and_a_typed_address_until_logout(start_app, browser_page: Page):
    server = start_app(prepare=seed_with_planner)
    page = browser_page
    page.goto(server.url)
    wait_idle(page, SLOW_MS)
    log_in(page, server.url)
    main = page.get_by_test_id("stMain")

    page.reload()
    expect(main.get_by_role("heading", name="Høringer", exact=True)).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_have_count(0)
    no_serious_axe(page, "a planner's start page after a reload")

    tab = page.context.new_page()  # a new tab, the address typed
    tab.goto(f"{server.url}/gjennomgang")
    wait_idle(tab)
    expect(tab.get_by_role("heading", name=LOGIN_TITLE)).to_have_count(0)
    expect(tab.get_by_role("button", name="Logg ut")).to_be_visible(timeout=SLOW_MS)
    no_serious_axe(tab, "/gjennomgang typed into a new tab")

    tab.get_by_role("button", name="Logg ut").click()  # the logout ends it in every tab
    expect(tab.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)
    page.reload()
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)


def _seed_with_teacher(db_path: Path) -> None:
    from consultations.auth import create_user
    from consultations.demo import seed_demo
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        seed_demo(store)
        create_user(store, "lena", "teacher", PASSWORD)
    finally:
        store.close()


def test_a_teacher_lands_on_the_classes(start_app, browser_page: Page):
    server = start_app(prepare=_seed_with_teacher)
    page = browser_page
    page.goto(f"{server.url}/logg-inn")
    expect(page.get_by_role("heading", name=LOGIN_TITLE)).to_be_visible(timeout=SLOW_MS)
    wait_idle(page, SLOW_MS)
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill("lena")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(re.compile(r"/klasser(\?|$)"))
    expect(page.get_by_role("heading", name="Skoleklasser (barnetråkk)")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_text(re.compile("krever rollen"))).to_have_count(0)
