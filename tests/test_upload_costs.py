"""A hostile upload costs the server milliseconds (security finding N1 and the PDF bomb).

Before: a 190 kB PNG declaring 7070×7060 RGBA (under the 50 MP cap) was decoded — ~650 MB,
2-6 s — also for a try the rate limit then refused; a 200,000-object PDF took qpdf 12 s;
a PDF whose page inflated to 400 MB passed. bench/hostile_upload_bench.py has the figures.
"""

from __future__ import annotations

import threading

import pikepdf
import pytest
from PIL import Image

from consultations.participation import attachments
from consultations.participation.attachments import MAX_PIXELS, check_attachment, check_photo
from consultations.errors import InvalidInput
from consultations.model import InputDraft, PlanType, Stage
from consultations.ratelimit import RateLimiter
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation
from tests.hostile_files import big_png, content_bomb_pdf, many_objects_pdf, small_pdf
from tests.helpers_photos import phone_jpeg


def refusal(call) -> str:
    with pytest.raises(InvalidInput) as exc:
        call()
    return exc.value.key


@pytest.fixture
def forbid_decoding(monkeypatch):
    """Call it once the test's files are made: from then on any decoding of pixels or
    parsing by qpdf fails the test."""

    def decoded(*_args, **_kwargs):
        raise AssertionError("the file was decoded")

    def forbid() -> None:
        monkeypatch.setattr(Image.Image, "load", decoded)
        monkeypatch.setattr(pikepdf, "open", decoded)

    return forbid


class Spent(RateLimiter):
    """A rate limit already reached."""

    def allow(self, checks):
        return False


def test_pillow_s_own_cap_is_lowered_to_what_a_phone_photo_needs():
    assert MAX_PIXELS <= 40_000_000 and Image.MAX_IMAGE_PIXELS == MAX_PIXELS


@pytest.mark.parametrize(
    "check", [lambda d: check_photo("bombe.png", d, "alt"), lambda d: check_attachment("bombe.png", d)]
)
def test_the_attack_png_is_refused_from_its_header_without_decoding(check, forbid_decoding):
    data = big_png()
    forbid_decoding()
    assert refusal(lambda: check(data)) == "attachment.too_many_pixels"


def test_a_pdf_of_200000_objects_is_refused_before_qpdf_reads_it(forbid_decoding):
    data = many_objects_pdf()
    assert len(data) < attachments.MAX_BYTES
    forbid_decoding()
    assert refusal(lambda: check_attachment("brev.pdf", data)) == "attachment.pdf_too_many_objects"


def test_a_pdf_whose_pages_inflate_past_the_cap_is_refused_and_a_plain_one_passes(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_PDF_CONTENT", 2 * 1024 * 1024)
    assert refusal(lambda: check_attachment("brev.pdf", content_bomb_pdf(3 * 1024 * 1024))) == "pdf_check.content_bomb"
    assert check_attachment("brev.pdf", content_bomb_pdf(1024 * 1024)).media_type == "application/pdf"
    assert check_attachment("brev.pdf", small_pdf()).media_type == "application/pdf"


def test_a_throttled_try_is_refused_before_its_photo_or_file_is_decoded(store, forbid_decoding):
    c = make_consultation(
        "formal",
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        plan_id="2024.07",
        case_number="24/1234",
    )
    store.add_consultation(c)
    draft = InputDraft(c.categories[0], "Et innspill om krysset ved skolen.", lat=INSIDE[0], lon=INSIDE[1])
    photo, letter = phone_jpeg((400, 300)), small_pdf()
    forbid_decoding()
    key = refusal(
        lambda: submit_input(
            store,
            c.id,
            draft,
            session="s",
            now=NOW,
            limiter=Spent(),
            photos=[("foto.jpg", photo, "Krysset")],
            files=[("brev.pdf", letter)],
        )
    )
    assert key == "input.rate_limited"


def test_the_cheap_checks_refuse_before_the_rate_limit_is_spent(store, consultation):
    """A file refused from its header takes no token: the resident may send again at once."""
    limiter = RateLimiter()
    draft = InputDraft(consultation.categories[0], "Et innspill om krysset ved skolen.", lat=INSIDE[0], lon=INSIDE[1])
    hostile = big_png()
    for n in range(12):  # more than the ten a session may send
        key = refusal(
            lambda: submit_input(
                store,
                consultation.id,
                draft,
                session="s",
                now=NOW,
                limiter=limiter,
                photos=[("bombe.png", hostile, "alt")],
            )
        )
        assert key == "attachment.too_many_pixels", n


def test_no_more_than_two_decode_at_once_and_a_long_wait_is_refused(monkeypatch):
    slots = threading.BoundedSemaphore(attachments.DECODERS)
    for _ in range(attachments.DECODERS):
        slots.acquire()
    monkeypatch.setattr(attachments, "_DECODING", slots)
    monkeypatch.setattr(attachments, "DECODE_WAIT_S", 0.01)
    assert refusal(lambda: check_photo("foto.jpg", phone_jpeg((400, 300)), "Krysset")) == "attachment.busy"
    slots.release()
    assert check_photo("foto.jpg", phone_jpeg((400, 300)), "Krysset").media_type == "image/jpeg"
