"""A planner's afternoon in a real browser: log in, hide an input with a reason, answer
another, download the Word report."""

from __future__ import annotations

import io
import re

import duckdb
from playwright.sync_api import expect

from tests.browser.helpers import (
    LOGIN_TITLE,
    PASSWORD,
    USERNAME,
    choose_by_typing,
    fill_and_commit,
    main,
    seed_with_planner,
    visible,
    wait_idle,
)

BORGEN = "borgen-tettstedsutvikling"


def _select_row(page, row: int) -> None:
    """Tick a row of the inputs table (a canvas grid): click its row-marker column."""
    grid = main(page).get_by_test_id("stDataFrame").first
    visible(grid)
    box = grid.bounding_box()
    header, height = 35, 35  # Streamlit's default header and row heights
    page.mouse.click(box["x"] + 18, box["y"] + header + height * row + height / 2)
    wait_idle(page)


def test_planner_hides_one_input_answers_another_and_downloads_the_report(start_app, browser_page):
    server = start_app(prepare=seed_with_planner)
    page = browser_page
    page.goto(server.url)
    visible(page.get_by_role("heading", name="Si din mening om planer i kommunen"))
    wait_idle(page)
    page.goto(f"{server.url}/logg-inn")
    visible(page.get_by_role("heading", name=LOGIN_TITLE))
    wait_idle(page)
    page.get_by_role("textbox", name="Brukernavn", exact=True).fill(USERNAME)
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.wait_for_url(re.compile(r"/saksbehandling(\?|$)"))
    wait_idle(page)
    page.get_by_role("link", name="Gjennomgang og svar").first.click()
    page.wait_for_url(re.compile(r"/gjennomgang"))
    wait_idle(page)
    choose_by_typing(page, "Høring", "Borgen 2040")
    wait_idle(page)

    # Hide the first input in the table, with a reason.
    _select_row(page, 0)
    reason = main(page).get_by_role("textbox", name=re.compile("Grunn til å skjule"))
    visible(reason)
    fill_and_commit(page, reason, "Nettlesertest: usaklig")
    main(page).get_by_role("button", name="Skjul", exact=True).click()
    visible(page.get_by_text("1 innspill er skjult."))
    wait_idle(page)

    # Answer another input in the Merknadsbehandling tab.
    page.get_by_role("tab", name="Merknadsbehandling").click()
    wait_idle(page)
    summary = main(page).get_by_role("textbox", name=re.compile("Sammendrag av innspillet"))
    visible(summary.first)
    fill_and_commit(page, summary.first, "Ønsker tryggere skolevei.")
    assessment = main(page).get_by_role("textbox", name=re.compile("Administrasjonens vurdering"))
    fill_and_commit(page, assessment.first, "Tas med i det videre arbeidet med trafikksikkerhet.")
    main(page).get_by_text("Delvis tatt til følge", exact=True).first.click()
    wait_idle(page)
    main(page).get_by_role("button", name="Lagre svaret").first.click()
    visible(page.get_by_text(re.compile(r"av \d+ besvart")).first)
    wait_idle(page)

    # Download the report.
    page.get_by_role("tab", name="Eksport").click()
    wait_idle(page)
    with page.expect_download() as download:
        main(page).get_by_role("button", name="Rapport (Word)", exact=True).click()
    data = open(download.value.path(), "rb").read()
    assert data[:2] == b"PK", "a .docx is a zip file"
    from docx import Document

    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for table in doc.tables for row in table.rows for cell in row.cells
    )
    assert "Delvis tatt til følge" in text and "Tas med i det videre arbeidet" in text

    server.stop()
    with duckdb.connect(str(server.db_path), read_only=True) as db:
        hidden = db.execute(
            "SELECT count(*) FROM inputs WHERE status = 'hidden' AND hidden_reason = ?",
            ("Nettlesertest: usaklig",),
        ).fetchone()[0]
        answered = db.execute("SELECT count(*) FROM responses WHERE outcome = 'delvis_tatt_til_folge'").fetchone()[0]
        actions = {r[0] for r in db.execute("SELECT action FROM audit_log WHERE actor = ?", (USERNAME,)).fetchall()}
    assert hidden == 1 and answered >= 1
    assert {"input.hidden", "response.save"} <= actions
