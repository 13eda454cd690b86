"""«Varsle meg» in a real browser, through a real SMTP server: a resident sends an input
asking for a receipt and to be notified, confirms the address by the link in the mail
that arrives, a planner publishes the answers, and the answer arrives by mail."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.helpers import (
    CATEGORY,
    choose_option,
    LOGIN_TITLE,
    PASSWORD,
    USERNAME,
    STEP_SEND,
    STEP_WHAT,
    phone_step,
    seed_with_planner,
    choose_by_typing,
    main,
    visible,
    wait_idle,
)
from tests.live_server import launch
from tests.smtp import MailServer

BORGEN = "borgen-tettstedsutvikling"
RESIDENT = "beboer@example.no"
WAIT_FOR_MAIL_S = 90.0  # the app's sender polls every second here; a busy machine is slow


def mails_to(server: MailServer, address: str, count: int):
    """The mails ``address`` got, once there are ``count`` of them (the app sends them in
    the background)."""
    deadline = time.monotonic() + WAIT_FOR_MAIL_S
    while time.monotonic() < deadline:
        found = server.to(address)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{address} got {len(server.to(address))} mails, expected {count}")


def test_a_resident_confirms_varsle_meg_and_gets_the_answer_by_mail(start_app, browser_page, tmp_path):
    smtp = MailServer(tmp_path).start()
    env = {
        "KARTINNSPILL_SMTP_URL": smtp.url,
        "KARTINNSPILL_MAIL_FROM": "postmottak@asker.kommune.no",
        "KARTINNSPILL_MAIL_POLL_SECONDS": "1",
    }
    server = start_app(prepare=seed_with_planner, env=env)
    page = browser_page
    try:
        page.goto(server.url)  # "/" first: a deep first visit after a start may meet «Page not found»
        visible(page.get_by_role("heading", name="Si din mening om planer i kommunen"))
        wait_idle(page)
        page.goto(f"{server.url}/?id={BORGEN}")
        wait_idle(page)
        choose_option(page, "Kategori", CATEGORY)
        text = f"Nettlesertest {uuid.uuid4().hex[:8]}: et trygt kryss ved skolen."
        page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
        page.get_by_text("Gjelder hele området", exact=True).click()
        page.get_by_text("Få e-post om innspillet (valgfritt)").click()
        page.get_by_role("textbox", name="E-postadresse", exact=True).fill(RESIDENT)
        page.get_by_text("Send meg kvittering", exact=True).click()
        page.get_by_text("Varsle meg når innspillene er behandlet", exact=True).click()
        page.get_by_role("button", name="Send innspill").click()
        expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()
        expect(page.get_by_text(re.compile(f"Vi har sendt en e-post til {RESIDENT}")).first).to_be_visible()

        receipt, confirmation = sorted(mails_to(smtp, RESIDENT, 2), key=lambda m: "Bekreft" in m["Subject"])
        reference = re.search(r"KI-\d{6}", receipt["Subject"]).group(0)
        assert text in receipt.get_body(("plain",)).get_content()
        link = next(w for w in confirmation.get_body(("plain",)).get_content().split() if "bekreft=" in w)
        parts = urlsplit(link)  # KARTINNSPILL_PUBLIC_URL is the municipality's; here the test server
        page.goto(f"{server.url}{parts.path}?{parts.query}")
        wait_idle(page)
        page.get_by_role("button", name="Bekreft e-postadressen").click()
        visible(page.get_by_text(re.compile("Adressen er bekreftet")))

        # After the deadline a planner has answered the input (the review's own tests drive
        # that form); the app is restarted on the same database file.
        server.stop()
        _close_and_answer(server.db_path, text)
        server = launch(server.db_path, server.log_path.with_name("streamlit-again.log"), env=env)
        server.wait_healthy()

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
        page.get_by_role("link", name="Gjennomgang og svar").first.click()  # a reload would log out
        page.wait_for_url(re.compile(r"/gjennomgang"))
        wait_idle(page)
        choose_by_typing(page, "Høring", "Borgen 2040")
        wait_idle(page)
        page.get_by_role("tab", name="Merknadsbehandling").click()
        wait_idle(page)
        toggle = main(page).get_by_text("Vis svarene for innbyggerne", exact=False)
        visible(toggle)
        toggle.click()
        wait_idle(page)

        answer = mails_to(smtp, RESIDENT, 3)[-1]
        assert answer["Subject"].startswith("Innspillet ditt er behandlet")
        body = answer.get_body(("plain",)).get_content()
        assert reference in body and "Vi lager et opphøyd gangfelt ved skolen." in body
        assert f"/?id={BORGEN}" in body
        assert answer["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    finally:
        server.stop()
        smtp.stop()


def _close_and_answer(db_path, text: str) -> None:
    from consultations.model import Outcome, Response, Status
    from consultations.casework.review import respond
    from consultations.store import Store

    store = Store.open(db_path)
    try:
        c = store.get_consultation(BORGEN)
        now = datetime.now(UTC)
        store.update_consultation(replace(c, status=Status.CLOSED, closes_at=now - timedelta(hours=1)), USERNAME)
        [item] = [i for i in store.all_inputs(BORGEN) if i.text == text]
        planner = next(u for u in store.users() if u.username == USERNAME)
        answer = Response(0, "Kryss ved skolen", "Vi lager et opphøyd gangfelt ved skolen.", Outcome.TAKEN)
        respond(store, [item.id], answer, planner)
    finally:
        store.close()


def test_on_a_phone_the_mail_fields_are_tapped_and_the_receipt_is_queued(start_app, _browser):
    """375 px, real touch events: the folded e-mail part opens, its consents tick, and the
    receipt and confirmation wait in the outbox (no relay set: nothing is sent)."""
    import duckdb

    from tests.browser.conftest import DEFAULT_TIMEOUT_MS

    context = _browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        locale="nb-NO",
        service_workers="block",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    app_server = start_app(prepare=seed_with_planner)  # seeded before: the first page is quick
    page = context.new_page()
    try:
        page.goto(app_server.url)
        visible(page.get_by_role("heading", level=1).first)
        wait_idle(page)
        page.goto(f"{app_server.url}/?id={BORGEN}")
        wait_idle(page)
        whole = page.get_by_text("Gjelder hele området", exact=True)
        whole.scroll_into_view_if_needed()
        whole.tap()  # where, «Neste», what, «Neste», send: one part at a time on a phone
        expect(page.get_by_role("checkbox", name="Gjelder hele området")).to_be_checked()
        wait_idle(page)
        phone_step(page, STEP_WHAT)
        box = page.get_by_role("combobox", name="Kategori", exact=True)
        box.tap()
        page.get_by_role("option", name=CATEGORY, exact=True).tap()
        expect(box).to_have_value(CATEGORY)
        text = f"Telefontest {uuid.uuid4().hex[:8]}: lys langs stien."
        page.get_by_role("textbox", name="Ditt innspill", exact=True).fill(text)
        phone_step(page, STEP_SEND)
        fold = page.get_by_text("Få e-post om innspillet (valgfritt)")
        fold.scroll_into_view_if_needed()
        fold.tap()
        page.get_by_role("textbox", name="E-postadresse", exact=True).fill("telefon@example.no")
        page.get_by_text("Send meg kvittering", exact=True).tap()
        page.get_by_text("Varsle meg når innspillene er behandlet", exact=True).tap()
        submit = page.get_by_role("button", name="Send innspill", exact=True)
        submit.scroll_into_view_if_needed()
        submit.tap()
        expect(page.get_by_text(re.compile(r"^\s*Takk")).first).to_be_visible()
    finally:
        context.close()
    app_server.stop()  # DuckDB: one process per file
    with duckdb.connect(str(app_server.db_path), read_only=True) as db:
        kinds = sorted(
            r[0]
            for r in db.execute(
                "SELECT kind FROM mail_outbox WHERE recipient = ? AND status = 'waiting'", ("telefon@example.no",)
            ).fetchall()
        )
    assert kinds == ["confirm", "receipt"]
