"""The formal resident form, the receipt page and the privacy notice under AppTest."""

from __future__ import annotations

import re


import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP

FORMAL = "asker-sentrum-omraderegulering"  # offentlig ettersyn, saksnummer 24/4711
EARLY = "borgen-tettstedsutvikling"


@pytest.fixture
def app(demo_app) -> AppTest:
    return demo_app  # the demo data, one fresh copy per test (tests/conftest.py)


def open_consultation(at: AppTest, cid: str) -> AppTest:
    at.query_params["id"] = cid
    return at.run()


def labels(widgets) -> list[str]:
    return [w.label for w in widgets]


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_formal_form_asks_who_sends_offers_attachments_and_takes_10000_characters(app):
    at = open_consultation(app, FORMAL)
    assert not at.exception
    assert {"Navn", "Postadresse", "Gnr/bnr"} <= set(labels(at.text_input))
    (text,) = [a for a in at.text_area if a.label == "Din merknad"]
    assert text.max_chars == 10_000 and "10000" in text.help
    (uploader,) = [u.proto for u in at.get("file_uploader") if u.proto.multiple_files]  # the photos have a slot each
    assert uploader.max_upload_size_mb == 10 and uploader.multiple_files
    assert set(uploader.type) == {".pdf", ".jpg", ".jpeg", ".png"}
    notice = captions(at)
    assert "offentleglova" in notice and "aldri på nettsiden" in notice
    assert "artikkel 6 nr. 1 bokstav c og e" in notice and "§ 5-1" in notice and "arkivlova" in notice


def test_early_medvirkning_form_stays_anonymous_and_short(app):
    at = open_consultation(app, EARLY)
    assert not at.exception
    assert not {"Navn", "Postadresse", "Gnr/bnr"} & set(labels(at.text_input))
    assert not [u for u in at.get("file_uploader") if u.proto.multiple_files]  # photos only (test_photos_pages)
    (text,) = [a for a in at.text_area if a.label == "Ditt innspill"]
    assert text.max_chars == 2000
    assert "Ikke skriv personopplysninger som navn" in captions(at)


def fill_formal(at: AppTest, text: str) -> AppTest:
    at.selectbox(key=f"form-{FORMAL}-category").set_value("Annet")
    at.text_area(key=f"form-{FORMAL}-text").set_value(text)
    at.checkbox(key=f"form-{FORMAL}-whole_area").check()
    at.text_input(key=f"form-{FORMAL}-sender_name").set_value("Kari Nordmann")
    at.text_input(key=f"form-{FORMAL}-sender_address").set_value("Torget 1, 1384 Asker")
    at.button(key=f"FormSubmitter:form-{FORMAL}-Send merknad").click()
    return at.run()


def test_a_named_merknad_gets_a_receipt_and_the_name_stays_off_the_public_page(app):
    text = "Merknad fra apptest: torget trenger flere benker og trær."
    at = fill_formal(open_consultation(app, FORMAL), text)
    assert not at.exception
    stored = [i for i in app.store().all_inputs(FORMAL) if i.text == text]
    assert [(i.sender_name, i.sender_address) for i in stored] == [("Kari Nordmann", "Torget 1, 1384 Asker")]
    ref = stored[0].reference
    assert any(ref in s.value for s in at.success)
    link = [p for p in at.get("page_link") if "kvittering" in p.proto.page]
    # the receipt's own address: a token, not the reference (receipt.issue_address)
    assert link and re.fullmatch(r"kvittering=[A-Za-z0-9_-]{32}", link[0].proto.query_string)
    page = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.get("html")] if hasattr(e, "value"))
    page += " ".join(e.proto.body for e in at.get("html"))
    assert text in page and "Kari Nordmann" not in page and "Torget 1" not in page

    at.query_params.clear()
    at.query_params["ref"] = ref
    at.switch_page("pages/kvittering.py").run()
    assert not at.exception
    shown = " ".join(e.proto.body for e in at.get("html"))
    assert ref in shown and "24/4711" in shown and text in shown
    assert [b.label for b in at.get("download_button")] == ["Last ned kvitteringen som PDF"]


def test_another_browser_session_is_told_there_is_no_receipt(app):
    text = "Merknad fra apptest: en annen økt skal ikke se denne."
    fill_formal(open_consultation(app, FORMAL), text)
    (stored,) = [i for i in app.store().all_inputs(FORMAL) if i.text == text]
    other = AppTest.from_file(APP, default_timeout=30)  # same app and store, a new session
    other.query_params["ref"] = stored.reference
    other.switch_page("pages/kvittering.py").run()
    assert not other.exception
    assert [i.value for i in other.info] == [
        "Vi fant ingen kvittering. Åpne den med adressen du fikk da du sendte merknaden."
    ]
    assert text not in " ".join(e.proto.body for e in other.get("html"))
    assert not other.get("download_button")


def test_the_privacy_page_says_what_is_public_and_on_what_legal_basis(app):
    app.switch_page("pages/personvern.py")
    at = app.run()
    body = " ".join(m.value for m in at.markdown)
    assert "Merknader i formelle høringer" in body
    assert "offentleglova" in body and "vises aldri på nettsiden" in body
    assert "artikkel 6 nr. 1 bokstav c og e" in body and "§ 5-1" in body and "arkivlova" in body
    assert "I tidlig medvirkning (idéfase, stedsanalyse, innspillsrunde) ber vi ikke om navn" in body
