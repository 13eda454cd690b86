"""A receipt by its own address, in a real Chromium: after sending a merknad the resident is
given an address to keep; it opens the receipt after a reload and in a fresh browser (a new
context: no cookies, no session — another device), and the KI number alone opens nothing."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import CASE_NUMBER, FORMAL, REF, choose_option, no_serious_axe, wait_for_map, wait_idle


def test_the_receipt_opens_by_its_address_after_a_reload_and_in_another_browser(
    app_server, browser_page: Page, _browser
):
    page = browser_page
    page.goto(f"{app_server.url}/?id={FORMAL}")
    wait_for_map(page)
    wait_idle(page)
    choose_option(page, "Kategori", "Annet")
    text = f"Nettlesertest {uuid.uuid4().hex[:12]}: kvitteringen skal finnes igjen."
    page.get_by_role("textbox", name="Din merknad", exact=True).fill(text)
    page.get_by_text("Gjelder hele området", exact=True).click()
    page.get_by_role("textbox", name="Navn", exact=True).fill("Kari Nordmann")
    page.get_by_role("textbox", name="Postadresse", exact=True).fill("Torget 1, 1384 Asker")
    wait_idle(page)
    page.get_by_role("button", name="Send merknad").click()
    expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()
    ref = REF.search(page.locator('[data-testid="stAlert"]').filter(has_text="Takk").first.inner_text()).group(0)
    expect(page.get_by_text(re.compile("^Ta vare på denne adressen"))).to_be_visible()  # told to keep it
    address = (
        page.locator('[data-testid="stCode"] code')
        .filter(has_text="/kvittering?kvittering=")
        .first.inner_text()
        .strip()
    )
    assert address.startswith(app_server.url) and ref not in address and ref.removeprefix("KI-") not in address

    page.get_by_role("link", name="Se og skriv ut kvitteringen").click()
    expect(page.get_by_role("heading", name="Kvittering for merknad")).to_be_visible()
    expect(page.locator(".ki-text").first).to_contain_text(ref)
    page.reload()  # a reload: still there
    expect(page.locator(".ki-text").nth(1)).to_have_text(text)

    other = _browser.new_context(viewport={"width": 375, "height": 812}, locale="nb-NO", service_workers="block")
    other.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        phone = other.new_page()
        phone.goto(address)  # another device: no cookie, no session
        expect(phone.get_by_role("heading", name="Kvittering for merknad")).to_be_visible()
        expect(phone.locator(".ki-text").first).to_contain_text(ref)
        expect(phone.locator(".ki-text").first).to_contain_text(CASE_NUMBER)
        expect(phone.locator(".ki-text").nth(1)).to_have_text(text)
        wait_idle(phone)
        no_serious_axe(phone, "a receipt by its address, 375 px")
        phone.goto(f"{app_server.url}/kvittering?ref={ref}")  # the KI number is not an address
        expect(phone.get_by_text(re.compile("^Vi fant ingen kvittering"))).to_be_visible()
        expect(phone.locator(".ki-text")).to_have_count(0)
    finally:
        other.close()
