"""A resident adds a photo with its alt text to an input in a real Chromium; the input waits
for a planner (photos are pre-moderated by default, security N10), and once published its
thumbnail shows under it, decoded and described, with no GPS left in it."""

from __future__ import annotations

import io
import shutil
import uuid

import duckdb
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.helpers import choose_option, phone_photo, wait_for_map, wait_idle

BORGEN = "borgen-tettstedsutvikling"  # demo: early medvirkning, published at once


def test_resident_adds_a_photo_with_alt_text_and_sees_its_thumbnail_in_the_list(
    start_app, browser_page: Page, tmp_path
):
    app_server = start_app()
    page = browser_page
    page.goto(f"{app_server.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)

    choose_option(page, "Kategori", "Annet")
    text = f"Nettlesertest {uuid.uuid4().hex[:12]}: rekkverket ved gangbrua er ødelagt."
    page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
    page.get_by_text("Gjelder hele området", exact=True).click()
    page.get_by_text("Bilder (valgfritt)", exact=True).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(phone_photo(tmp_path / "rekkverk.jpg"))
    )
    expect(page.get_by_text("rekkverk.jpg").first).to_be_visible()
    alt = f"Ødelagt rekkverk {uuid.uuid4().hex[:6]}"
    page.get_by_role("textbox", name="Hva viser bilde 1? (påkrevd, høyst 150 tegn)").fill(alt)
    wait_idle(page)
    page.get_by_role("button", name="Send innspill").click()
    expect(page.get_by_text("Takk").first).to_be_visible()
    wait_idle(page)
    assert page.locator(f'.ki-photos img[alt="{alt}"]').count() == 0  # not public before a planner looked

    app_server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(app_server.db_path))
    try:
        ((content, stored_alt, status),) = con.execute(
            """SELECT a.content, a.alt_text, i.status FROM input_attachments a JOIN inputs i ON i.id = a.input_id
               WHERE i.text = ?""",
            [text],
        ).fetchall()
        con.execute("UPDATE inputs SET status = 'published' WHERE text = ?", [text])  # as a planner would
        con.execute("CHECKPOINT")  # all in the file that is copied below
    finally:
        con.close()
    assert stored_alt == alt and status == "pending"
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.size == (1600, 1200) and not stored.getexif()

    again = start_app(prepare=lambda db: shutil.copy(app_server.db_path, db))
    page.goto(f"{again.url}/?id={BORGEN}")
    wait_for_map(page)
    wait_idle(page)
    thumb = page.locator(f'.ki-photos img[alt="{alt}"]')
    expect(thumb).to_be_visible()
    width = thumb.evaluate("img => img.complete ? img.naturalWidth : -1")
    assert 0 < width <= 240  # decoded by the browser: the data: URI is allowed and whole
