"""A pupil's path through a school class (barnetråkk) on a tablet, in a real Chromium:
/?klasse=CODE opens the class view, the way to school is drawn on the map (the bar above it: «Ferdig»), a place
is marked on the map with a label, and «Ferdig» ends with the thank-you screen — the
route and the place are in the database once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from consultations.children import classes
from consultations.model import Role
from consultations.store import Store
from tests.browser.helpers import no_serious_axe, pin_map_centre, wait_for_map, wait_idle
from tests.conftest import make_consultation, staff

CID = "heggedal-skolevei"
TABLET = {"width": 768, "height": 1024}


def test_a_pupil_on_a_tablet_draws_the_way_marks_a_place_and_is_done(start_app, browser_page: Page):
    made: dict[str, object] = {}

    def prepare(db_path: Path) -> None:
        now = datetime.now(UTC)
        store = Store.open(db_path)
        store.add_consultation(
            make_consultation(
                CID, title="Heggedal: skoleveien", opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=30)
            )
        )
        teacher = staff(store, "lena", Role.TEACHER)
        made["class"] = classes.create_class(
            store,
            teacher,
            CID,
            school="Heggedal skole",
            grade="6",
            size=24,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(hours=2),
        )
        store.close()

    server = start_app(prepare=prepare)
    session = made["class"]
    page = browser_page
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/?klasse={session.code}")
    expect(page.get_by_role("heading", name="1. Skoleveien din")).to_be_visible()

    # step 1: draw the way — drawing starts with the map: three clicks, then «Ferdig» above it
    fl, _ = wait_for_map(page)
    wait_idle(page)
    expect(fl.get_by_role("button", name="Ferdig", exact=True)).to_be_visible()
    box = fl.locator("#map_div").bounding_box()
    assert box is not None
    for dx, dy in ((-0.15, 0.05), (0.0, 0.0), (0.15, -0.05)):
        fl.locator("#map_div").click(position={"x": box["width"] * (0.5 + dx), "y": box["height"] * (0.5 + dy)})
        page.wait_for_timeout(300)
    fl.get_by_role("button", name="Ferdig", exact=True).click()
    expect(page.get_by_text("Tegnet: strek").first).to_be_visible()
    page.get_by_text("Sykle", exact=True).click()  # its icon is an image beside the word
    wait_idle(page)
    page.get_by_role("button", name="Lagre veien").click()
    expect(page.get_by_role("heading", name="2. Merk steder")).to_be_visible()
    expect(page.get_by_text("Veien er lagret. Bra!")).to_be_visible()

    # step 2: a place on the map, with a label and a few words
    fl, _ = wait_for_map(page)
    wait_idle(page)
    pin_map_centre(page, fl)
    # each label's icon is the app's own image beside the word (no emoji font needed)
    expect(page.locator('img[src="/app/static/icons/label-unsafe_traffic.svg"]')).to_be_visible()
    page.get_by_text("Utrygt: trafikk", exact=True).click()
    wait_idle(page)
    page.get_by_role("textbox", name="Hvorfor? (frivillig)").fill("Bilene kjører fort over fotgjengerfeltet")
    no_serious_axe(page, "an older pupil's place step")
    page.get_by_role("button", name="Lagre stedet").click()
    expect(page.get_by_text("Du har merket 1 sted.")).to_be_visible()

    # step 3
    wait_idle(page)
    page.get_by_role("button", name="Ferdig", exact=True).click()
    expect(page.get_by_role("heading", name="3. Takk for at du var med!")).to_be_visible()

    server.stop()
    store = Store.open(server.db_path)
    try:
        frame = store.class_frame(CID)
    finally:
        store.close()
    assert sorted(frame["part"]) == ["place", "school"]
    assert set(frame["transport"].dropna()) == {"bike"}
    assert set(frame["label"].dropna()) == {"unsafe_traffic"}
    route = frame[frame["part"] == "school"].iloc[0]
    assert route["measure"] > 0 and '"LineString"' in route["drawing"]
