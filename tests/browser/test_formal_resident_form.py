"""A resident sends a named merknad with an attachment in a formal høring, in a real
Chromium, and gets the receipt: on screen and as a PDF."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import duckdb
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.helpers import CASE_NUMBER, FORMAL, REF, choose_option, wait_for_map, wait_idle
from tests.conftest import pdf_lines


def photo_with_gps(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 50.0, 1.0), 3: "E", 4: (10.0, 26.0, 4.0)}
    Image.new("RGB", (64, 48), (120, 160, 90)).save(path, "JPEG", exif=exif.tobytes())
    return path


def test_resident_sends_a_named_merknad_with_a_photo_and_gets_the_receipt(app_server, browser_page: Page, tmp_path):
    page = browser_page
    page.goto(f"{app_server.url}/?id={FORMAL}")
    wait_for_map(page)
    wait_idle(page)

    choose_option(page, "Kategori", "Annet")
    text = f"Nettlesertest {uuid.uuid4().hex[:12]}: torget trenger trær (og benker) – æøå."
    page.get_by_role("textbox", name="Din merknad", exact=True).fill(text)
    page.get_by_text("Gjelder hele området", exact=True).click()
    page.get_by_role("textbox", name="Navn", exact=True).fill("Kari Nordmann")
    page.get_by_role("textbox", name="Postadresse", exact=True).fill("Torget 1, 1384 Asker")
    # the attachments field takes several files; the photo slots one each
    page.locator('[data-testid="stFileUploaderDropzoneInput"][multiple]').set_input_files(
        str(photo_with_gps(tmp_path / "torget.jpg"))
    )
    expect(page.get_by_text("torget.jpg").first).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Send merknad").click()

    thanks = page.get_by_text(re.compile(r"^\s*Takk")).first
    expect(thanks).to_be_visible()
    ref = REF.search(page.locator('[data-testid="stAlert"]').filter(has_text="Takk").first.inner_text()).group(0)
    page.get_by_role("link", name="Se og skriv ut kvitteringen").click()

    expect(page.get_by_role("heading", name="Kvittering for merknad")).to_be_visible()
    receipt = page.locator(".ki-text")
    expect(receipt.first).to_contain_text(ref)
    expect(receipt.first).to_contain_text(CASE_NUMBER)
    expect(receipt.first).to_contain_text("torget.jpg")
    expect(receipt.nth(1)).to_have_text(text)
    with page.expect_download() as download:
        page.get_by_role("button", name="Last ned kvitteringen som PDF").click()
    data = Path(download.value.path()).read_bytes()
    lines = pdf_lines(data)
    assert ref in lines and CASE_NUMBER in lines and text in lines and "torget.jpg" in lines

    app_server.stop()  # DuckDB: one process per file
    con = duckdb.connect(str(app_server.db_path), read_only=True)
    try:
        (row,) = con.execute("SELECT id, sender_name, sender_address FROM inputs WHERE text = ?", [text]).fetchall()
        files = con.execute(
            "SELECT filename, media_type, content FROM input_attachments WHERE input_id = ?", [row[0]]
        ).fetchall()
    finally:
        con.close()
    assert row[1:] == ("Kari Nordmann", "Torget 1, 1384 Asker")
    assert [(f[0], f[1]) for f in files] == [("torget.jpg", "image/jpeg")]
    with Image.open(io.BytesIO(files[0][2])) as stored:
        assert not stored.getexif()  # the GPS position stayed behind
