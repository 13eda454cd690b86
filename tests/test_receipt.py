"""The receipt («kvittering») of a web merknad: only for the browser session that sent it,
with the reference, the saksnummer, the time, the text and the attachment names, on screen
and as a PDF made here."""

from __future__ import annotations

import io
from datetime import date

import pikepdf
import pytest
from PIL import Image

from consultations.planning.documents import active_content
from consultations.model import Channel, InputDraft, SenderType
from consultations.participation.receipt import facts, parse_reference, receipt_for, receipt_pdf
from consultations.participation.submission import register_input
from tests.conftest import NOW, pdf_lines
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_receipt import HOSTILE, send
from tests.helpers_receipt import formal  # noqa: F401  (a fixture)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def test_the_sending_session_gets_its_receipt_with_reference_case_number_time_and_files(store, formal):
    stored = send(store, formal, files=[("situasjonsplan.png", png())])
    receipt = receipt_for(store, stored.id, "min-økt")
    assert receipt is not None
    assert (receipt.reference, receipt.case_number, receipt.text) == (stored.reference, "24/1234", HOSTILE)
    assert receipt.received_at == NOW and receipt.attachments == ("situasjonsplan.png",)
    shown = dict(facts(receipt, "nb"))
    assert shown["Referansenummer"] == stored.reference and shown["Saksnummer"] == "24/1234"
    assert shown["Mottatt"] == "27. november 2026 kl. 13:00"  # Norwegian time
    assert shown["Vedlegg"] == "situasjonsplan.png"


def test_no_other_session_gets_a_receipt_whatever_reference_it_tries(store, formal):
    stored = send(store, formal)
    assert receipt_for(store, stored.id, "en-annen-økt") is None
    assert receipt_for(store, stored.id + 1, "min-økt") is None  # not there: the same answer


def test_a_registered_letter_has_no_web_receipt(store, formal, kari):
    letter = register_input(
        store,
        formal.id,
        InputDraft("Annet", "Brev fra naboen om støy."),
        channel=Channel.LETTER,
        sender_type=SenderType.NEIGHBOUR,
        sender_name="Ola",
        received_at=date(2026, 11, 20),
        actor=kari,
        now=NOW,
    )
    assert receipt_for(store, letter.id, "") is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("KI-000123", 123),
        ("ki-000123 ", 123),
        ("KI-1", 1),
        ("KI-", None),
        ("123", None),
        ("KI-12a", None),
        ("KI-٣", None),
        ("KI-" + "9" * 12, None),
    ],
)
def test_only_a_reference_like_KI_000123_is_read(value, expected):
    assert parse_reference(value) == expected


def test_the_pdf_shows_the_receipt_and_the_text_exactly_as_typed(store, formal):
    stored = send(store, formal, files=[("situasjonsplan.png", png())])
    data = receipt_pdf(receipt_for(store, stored.id, "min-økt"), "Asker kommune", "nb")
    lines = pdf_lines(data)
    assert lines[0] == "Kvittering for merknad"
    for expected in (
        stored.reference,
        "24/1234",
        "27. november 2026 kl. 13:00",
        "situasjonsplan.png",
        "Kari Nordmann",
        HOSTILE,
    ):
        assert expected in lines
    assert active_content(data) is None  # nothing in the text became an action or a script


def test_a_merknad_of_10000_characters_is_printed_whole_over_several_pages(store, formal):
    words = [f"ord{i}" for i in range(1, 1500)]
    text = " ".join(words)[:10_000]
    stored = send(store, formal, text=text)
    data = receipt_pdf(receipt_for(store, stored.id, "min-økt"), "Asker kommune", "en")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 3
    assert "".join(pdf_lines(data)).replace(" ", "").count(text.replace(" ", "")) == 1
