"""No English from Streamlit on a Norwegian page, in a browser set to English (the worst
case: the date picker follows the browser's locale), on a resident page and on the
builder (date inputs, file uploader)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import PASSWORD, USERNAME, seed_with_planner

BORGEN = "borgen-tettstedsutvikling"
SLOW_MS = 30_000
# Streamlit's English, as its 1.67 bundle writes it (exact texts, and the start of texts
# with a part that varies).
ENGLISH = (
    "Skip to main content",
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "Press Enter",
    "Press Ctrl+Enter",
    "Choose an option",
    "Choose options",
    "No results",
    "Help for ",
    "Show password",
    "Link to heading",
    "Choose date",
    "Previous month",
    "Next month",
    "Selected Date",
    "Selected Time",
    "day, ",
    "month, ",
    "year, ",
    "hour, ",
    "minute, ",
    "Collapse sidebar",
    "App pages",
    "Sidebar",
    "Add row",
    "Show/hide columns",
    "Download as CSV",
    "Running",
    "file upload",
    "Open",
    "Clear value",
    "January",
    "November",
    "December",
    "Sunday",
    "Monday",
    "Tuesday",
)
# Every text node outside scripts and styles, and every aria-label, placeholder and title.
_SHOWN = """() => {
  const out = [];
  const skip = (el) => el.closest('script,style,noscript,[data-testid="stIconMaterial"],iframe');
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const v = w.currentNode.nodeValue.trim();
    if (v && !skip(w.currentNode.parentElement)) out.push(v);
  }
  document.querySelectorAll('[aria-label],[placeholder],[title]').forEach((el) => {
    for (const a of ['aria-label', 'placeholder', 'title']) {
      const v = el.getAttribute(a);
      if (v && a !== 'title' || (v && !v.startsWith('streamlit_'))) out.push(v);
    }
  });
  return out;
}"""


def wait_idle(page: Page) -> None:
    page.wait_for_timeout(300)
    page.locator(
        '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
    ).wait_for(state="attached", timeout=DEFAULT_TIMEOUT_MS)


def english_on(page: Page) -> list[str]:
    page.wait_for_timeout(500)  # the observer runs after each change; let it finish
    shown = page.evaluate(_SHOWN)
    return sorted({s for s in shown for e in ENGLISH if s == e.strip() or s.startswith(e) or (len(e) > 6 and e in s)})


def _english_browser(_browser):
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


def test_norwegian_resident_page_shows_no_english_from_streamlit_in_an_english_browser(start_app, _browser):
    server = start_app()
    context = _english_browser(_browser)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/?id={BORGEN}")
        expect(page.get_by_role("button", name="Send innspill")).to_be_visible(timeout=SLOW_MS)
        wait_idle(page)
        # A select box searched for something that is not there says «Ingen treff».
        page.get_by_role("combobox", name="Kategori", exact=True).click()
        page.keyboard.type("zzzz")
        expect(page.get_by_text("Ingen treff")).to_be_visible()
        assert english_on(page) == []
        page.keyboard.press("Escape")
        # A text field in the form explains Enter in Norwegian.
        page.get_by_role("textbox", name="Ditt innspill").fill("Et innspill om trafikk")
        expect(page.get_by_text("Trykk Ctrl+Enter for å sende skjemaet")).to_be_visible()
        assert english_on(page) == []
        assert page.evaluate("document.documentElement.lang") == "nb"
    finally:
        context.close()


def test_builder_date_picker_and_uploader_show_no_english_in_an_english_browser(start_app, _browser):
    server = start_app(prepare=seed_with_planner)
    context = _english_browser(_browser)
    try:
        page = context.new_page()
        # "/" first: the first deep visit after a start meets Streamlit's "Page not found".
        page.goto(server.url)
        wait_idle(page)
        assert english_on(page) == []
        page.goto(f"{server.url}/logg-inn")
        wait_idle(page)
        page.get_by_role("textbox", name="Brukernavn", exact=True).fill(USERNAME)
        page.get_by_label("Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logg inn", exact=True).click()
        page.wait_for_url(re.compile(r"/saksbehandling(\?|$)"))
        wait_idle(page)
        page.get_by_test_id("stMain").get_by_role("link", name="Ny høring").click()
        page.wait_for_url(re.compile(r"/rediger(\?|$)"))
        expect(page.get_by_text("Last opp", exact=True).first).to_be_visible(timeout=SLOW_MS)
        wait_idle(page)
        assert english_on(page) == []
        # The calendar: Norwegian month and weekday names, Monday first.
        page.get_by_role("button", name=re.compile(r"^Velg dato")).nth(1).click()
        grid = page.get_by_role("grid").first
        expect(grid).to_be_visible()
        headers = [h.strip().lower() for h in grid.locator("th").all_inner_texts()]
        assert headers and headers[0].startswith("m"), headers  # mandag
        assert english_on(page) == []
    finally:
        context.close()


RESIDENT_TEXT = "Remove the old fence by the school path, it blocks the way"


def _seed_with_an_english_input(db_path):
    from datetime import UTC, datetime

    from consultations.demo import seed_demo
    from consultations.model import InputDraft
    from consultations.store import Store
    from consultations.participation.submission import submit_input

    store = Store.open(db_path)
    try:
        seed_demo(store)
        draft = InputDraft("Annet", RESIDENT_TEXT, whole_area=True)
        submit_input(store, BORGEN, draft, session="english-resident", now=datetime.now(UTC))
    finally:
        store.close()


def test_what_a_resident_wrote_is_never_rewritten_as_streamlits_words(start_app, _browser):
    server = start_app(prepare=_seed_with_an_english_input)
    context = _english_browser(_browser)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/?id={BORGEN}")
        expect(page.get_by_role("button", name="Send innspill")).to_be_visible(timeout=SLOW_MS)
        wait_idle(page)
        page.wait_for_timeout(500)  # the observer has run over the list
        expect(page.get_by_text(RESIDENT_TEXT)).to_be_visible()  # not «Fjern the old fence …»
    finally:
        context.close()
