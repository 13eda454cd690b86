"""A grade-3 pupil's whole path by touch, one action per screen (issue 22), in a real
Chromium with a touch screen (``has_touch``, taps through ``page.touchscreen``) on a phone
(375×812) and a tablet (768×1024): how I travel → draw my way (four taps, «Angre» once,
«Ferdig») → what kind of place → tap it on the map → why → done → how I would like to
travel → thank you. Every screen shows one question and one button forward, its buttons
and options are at least 44 px high, and axe-core finds nothing serious or critical on it;
the way is stored with the four points tapped."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import SLOW_MS, no_serious_axe, tap_map, wait_for_map, wait_idle

CID = "heggedal-skolevei"
PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}

# The screen in the page's main part: its visible questions (h2), its primary buttons, the
# things it asks for (option groups, text fields, maps; not the language choice), and anything tappable under 44 px.
_SCREEN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    // a folded expander's content keeps its boxes (content-visibility): checkVisibility knows
    const shown = (e) => e.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
        && e.getBoundingClientRect().height > 0;
    const all = (sel) => Array.from(main.querySelectorAll(sel)).filter(shown);
    const small = all('button, [role="radiogroup"] > label').filter((e) => e.getBoundingClientRect().height < 44)
        .map((e) => (e.textContent || "").trim().slice(0, 40) + " " + Math.round(e.getBoundingClientRect().height));
    return {
        questions: all("h2").map((h) => h.textContent.trim()),
        primary: all('[data-testid^="stBaseButton-primary"]').map((b) => b.textContent.trim()),
        asks: all('[role="radiogroup"], input[type="text"]:not([role="combobox"]), iframe[title="streamlit_folium.st_folium"]')
            .map((e) => e.getAttribute("aria-label") || e.getAttribute("role") || e.tagName),
        small,
    };
}"""


def _one_action(page: Page, question: str, forward: str | None) -> None:
    """The screen asks ``question`` and nothing else, with ``forward`` its one primary
    button; everything tappable is at least 44 px high; axe-core finds nothing serious."""
    expect(page.get_by_role("heading", name=question, level=2)).to_be_visible(timeout=SLOW_MS)
    if forward:
        expect(page.get_by_role("button", name=forward, exact=True)).to_be_visible(timeout=SLOW_MS)
    wait_idle(page)
    page.wait_for_timeout(300)  # a map's frame takes its height after it has drawn
    screen = page.evaluate(_SCREEN)
    assert screen["questions"] == [question], screen
    assert screen["primary"] == ([forward] if forward else []), screen
    assert len(screen["asks"]) <= 1, screen
    assert not screen["small"], screen
    no_serious_axe(page, question)


def _tap(page: Page, name: str) -> None:
    wait_idle(page)
    page.get_by_role("button", name=name, exact=True).tap()


@pytest.fixture
def grade_3(start_app):
    made: dict[str, object] = {}

    def prepare(db_path: Path) -> None:
        from consultations.children import classes
        from consultations.model import Role
        from consultations.store import Store
        from tests.conftest import make_consultation, staff

        now = datetime.now(UTC)
        store = Store.open(db_path)
        try:
            store.add_consultation(
                make_consultation(
                    CID,
                    title="Heggedal: skoleveien",
                    opens_at=now - timedelta(days=5),
                    closes_at=now + timedelta(days=30),
                )
            )
            made["code"] = classes.create_class(
                store,
                staff(store, "lena", Role.TEACHER),
                CID,
                school="Heggedal skole",
                grade="3",
                size=24,
                opens_at=now - timedelta(minutes=5),
                closes_at=now + timedelta(hours=2),
            ).code
        finally:
            store.close()

    server = start_app(prepare=prepare)
    return server, made["code"]


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_grade_3_pupil_goes_the_whole_way_by_touch_one_action_per_screen(_browser, grade_3, viewport):
    server, code = grade_3
    context = _browser.new_context(viewport=viewport, has_touch=True, locale="nb-NO", service_workers="block")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/?klasse={code}")

        _one_action(page, "Hvordan kommer du til skolen?", "Neste")
        bike = page.locator('img[src="/app/static/icons/bike.svg"]')  # the app's own icon beside the word
        expect(bike).to_be_visible()
        page.get_by_text("Sykle", exact=True).tap()
        _tap(page, "Neste")

        _one_action(page, "Tegn veien din til skolen", "Lagre veien")
        fl, _ = wait_for_map(page)
        finish = fl.get_by_role("button", name="Ferdig", exact=True)
        expect(finish).to_be_visible()  # drawing from the start: no tool to find first
        vertices = fl.locator(".leaflet-marker-pane .leaflet-editing-icon")
        tap_map(page, [(-0.2, 0.1), (-0.07, -0.05), (0.07, 0.08)])
        expect(vertices).to_have_count(3)  # the second tap did not end the line
        fl.get_by_role("button", name="Angre", exact=True).tap()
        expect(vertices).to_have_count(2)
        tap_map(page, [(0.07, 0.08), (0.2, -0.04)])
        expect(vertices).to_have_count(4)
        finish.tap()
        expect(page.get_by_text(re.compile(r"^Tegnet: strek, "))).to_be_visible(timeout=SLOW_MS)
        _tap(page, "Lagre veien")

        _one_action(page, "Hva slags sted vil du vise oss?", "Neste")
        expect(page.get_by_text("Veien er lagret. Bra!")).to_be_visible()
        page.get_by_text("Utrygt: trafikk", exact=True).tap()
        _tap(page, "Neste")

        _one_action(page, "Trykk på kartet der stedet er", "Neste")
        wait_for_map(page)
        chosen = page.get_by_text("Valgt punkt").first
        for attempt in range(3):  # a tap lost while the map's frame is laid out again is tapped again
            tap_map(page, [(0.0, 0.0)])
            try:
                expect(chosen).to_be_visible(timeout=10_000)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        _tap(page, "Neste")

        _one_action(page, "Vil du si hvorfor?", "Lagre stedet")
        field = page.get_by_role("textbox", name="Vil du si hvorfor?")
        field.fill("Bilene kjører fort")
        _tap(page, "Tilbake")  # back to the map and forward again: the words are still there
        _one_action(page, "Trykk på kartet der stedet er", "Neste")
        _tap(page, "Neste")
        expect(field).to_have_value("Bilene kjører fort", timeout=SLOW_MS)
        _tap(page, "Lagre stedet")

        _one_action(page, "Vil du vise oss et sted til?", "Ja, et sted til")
        expect(page.get_by_text("Du har merket 1 sted.")).to_be_visible()
        _tap(page, "Nei, jeg er ferdig")

        _one_action(page, "Hvordan vil du helst komme deg til skolen?", "Ferdig")
        page.get_by_text("Gå", exact=True).tap()
        _tap(page, "Ferdig")
        _one_action(page, "Takk!", None)
    finally:
        context.close()

    server.stop()  # DuckDB: one process per file
    from consultations.store import Store

    store = Store.open(server.db_path)
    try:
        frame = store.class_frame(CID)
    finally:
        store.close()
    assert sorted(frame["part"]) == ["place", "school", "wish"]
    school = frame[frame["part"] == "school"].iloc[0]
    assert school["transport"] == "bike"
    assert len(json.loads(school["drawing"])["coordinates"]) == 4  # the four points tapped
    place = frame[frame["part"] == "place"].iloc[0]
    assert place["label"] == "unsafe_traffic" and place["text"] == "Bilene kjører fort"
