"""Barnetråkk on a phone (375 px, real touch events, Chromium): after the way to school, a
pupil taps a place on the map, says it is where they play in winter with friends, and how
they would like to travel — both stored once, with their details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from consultations.children import barnetrakk, classes
from consultations.model import Role
from consultations.store import Store
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.helpers import wait_for_map, wait_idle
from tests.conftest import make_consultation, staff

CID = "heggedal-skolevei"
PHONE = {"width": 375, "height": 812}


def test_a_pupil_on_a_phone_marks_where_they_play_and_how_they_would_travel(start_app, _browser):
    made: dict[str, object] = {}

    def prepare(db_path: Path) -> None:
        now = datetime.now(UTC)
        store = Store.open(db_path)
        store.add_consultation(
            make_consultation(
                CID, title="Heggedal: skoleveien", opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=30)
            )
        )
        made["class"] = classes.create_class(
            store,
            staff(store, "lena", Role.TEACHER),
            CID,
            school="Heggedal skole",
            grade="9",
            size=24,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(hours=2),
        )
        store.close()

    server = start_app(prepare=prepare)
    context = _browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="nb-NO", service_workers="block"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?klasse={made['class'].code}")
        # step 1: the way to school, drawn by taps (drawing starts with the map; «Ferdig» is
        # in the bar above it: tests/browser/test_touch_drawing.py); the transport is a tap too
        fl, _ = wait_for_map(page)
        wait_idle(page)
        expect(fl.get_by_role("button", name="Ferdig", exact=True)).to_be_visible()
        box = fl.locator("#map_div").bounding_box()
        for dx, dy in ((-0.2, 0.05), (0.0, 0.0), (0.2, -0.05)):
            fl.locator("#map_div").tap(position={"x": box["width"] * (0.5 + dx), "y": box["height"] * (0.5 + dy)})
            page.wait_for_timeout(300)
        fl.get_by_role("button", name="Ferdig", exact=True).tap()
        expect(page.get_by_text("Tegnet: strek").first).to_be_visible()
        page.get_by_text("Gå", exact=True).first.tap()  # its icon is an image beside the word
        wait_idle(page)
        page.get_by_role("button", name="Lagre veien").tap()
        expect(page.get_by_role("heading", name="Steder du leker, henger og unngår")).to_be_visible()

        # step 2: a tapped place becomes where I play, in winter, with friends
        fl, _ = wait_for_map(page)
        wait_idle(page)
        fl.locator("#map_div").tap()
        expect(page.get_by_text("Valgt punkt").first).to_be_visible()
        page.get_by_text("Her leker eller henger jeg", exact=True).tap()
        wait_idle(page)
        page.get_by_text("Vinter", exact=True).tap()
        page.get_by_text("Med venner", exact=True).tap()
        wait_idle(page)
        page.get_by_role("button", name="Lagre leke- eller unngå-plassen").tap()
        expect(page.get_by_text("Stedet er lagret. Takk!")).to_be_visible()
        wait_idle(page)
        page.get_by_text("Sykle", exact=True).last.tap()
        wait_idle(page)
        page.get_by_role("button", name="Lagre svaret").tap()
        expect(page.get_by_text("Svaret er lagret. Takk!")).to_be_visible()
    finally:
        context.close()
    server.stop()
    store = Store.open(server.db_path)
    try:
        rows = barnetrakk.frame(store, CID)
    finally:
        store.close()
    play = rows[rows["part"] == "play"]
    assert (list(play["season"]), list(play["company"])) == (["winter"], ["friends"])
    assert list(rows.loc[rows["part"] == "wish", "wished"]) == ["bike"]
