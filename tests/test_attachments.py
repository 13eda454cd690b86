"""Attachments to a formal merknad: PDF, JPEG and PNG only, by content and name; PDFs
checked like consultation documents, pictures decoded and re-encoded without metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
import pytest
from PIL import Image

from consultations.participation import attachments
from consultations.participation.attachments import MAX_BYTES, check_attachment
from consultations.errors import InvalidInput
from consultations.model import InputDraft, PlanType, Role, Stage
from consultations.permissions import NotAllowed
from consultations.participation.submission import submit_input
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

GPS_IFD = 0x8825


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    img = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kamerafabrikk"  # Make
    exif[GPS_IFD] = {1: "N", 2: (59.0, 49.0, 34.0), 3: "E", 4: (10.0, 24.0, 50.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), comment=b"hemmelig kommentar")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Kari Nordmann, Borgenveien 2")
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf(javascript: bool = False) -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    if javascript:
        doc.Root.OpenAction = doc.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny file whose header claims a picture of ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def refused(name: str, data: bytes) -> str:
    with pytest.raises(InvalidInput) as exc:
        check_attachment(name, data)
    return exc.value.key


def test_a_photo_is_stored_without_exif_gps_or_comment_and_still_shows():
    cleaned = check_attachment("foto.JPG", jpeg_with_gps())
    assert cleaned.media_type == "image/jpeg" and cleaned.filename == "foto.JPG"
    with Image.open(io.BytesIO(cleaned.content)) as img:
        assert img.format == "JPEG" and img.size == (40, 20)
        assert not img.getexif() and "exif" not in img.info and "comment" not in img.info
    assert b"Kamerafabrikk" not in cleaned.content and b"hemmelig" not in cleaned.content


def test_a_photo_the_camera_held_sideways_is_stored_upright():
    cleaned = check_attachment("foto.jpg", jpeg_with_gps((40, 20), orientation=6))
    with Image.open(io.BytesIO(cleaned.content)) as img:
        assert img.size == (20, 40)


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency():
    cleaned = check_attachment("kart.png", png_with_text())
    assert b"Kari Nordmann" not in cleaned.content
    with Image.open(io.BytesIO(cleaned.content)) as img:
        assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0


def test_a_plain_pdf_is_kept_as_it_was_sent():
    data = pdf()
    cleaned = check_attachment("brev.pdf", data)
    assert (cleaned.content, cleaned.media_type) == (data, "application/pdf")


def test_a_pdf_with_javascript_is_refused_as_documents_are():
    assert refused("brev.pdf", pdf(javascript=True)) == "pdf_check.javascript"


@pytest.mark.parametrize(
    "name, data, key",
    [
        ("bilde.png", jpeg_with_gps(), "attachment.mismatch"),  # JPEG content, PNG name
        ("brev.jpg", pdf(), "attachment.mismatch"),
        ("brev.pdf", png_with_text(), "attachment.mismatch"),
        ("tegning.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "attachment.not_allowed"),
        ("bilde.png", b"GIF89a\x01\x00\x01\x00", "attachment.not_allowed"),  # a GIF in disguise
        ("program.exe", b"MZ\x90\x00", "attachment.not_allowed"),
        ("bilde", png_with_text(), "attachment.not_allowed"),  # no extension
        ("tom.pdf", b"", "attachment.empty"),
        ("ødelagt.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "attachment.broken"),
    ],
)
def test_only_pdf_jpeg_and_png_by_both_content_and_name(name, data, key):
    assert refused(name, data) == key


@pytest.mark.parametrize("side", [8_000, 20_000])  # 64 megapixels (our cap), 400 (Pillow's)
def test_a_picture_declaring_too_many_pixels_is_refused_before_decoding(side):
    assert refused("bombe.png", png_declaring(side, side)) == "attachment.too_many_pixels"


def test_a_file_over_10_mb_is_refused():
    assert refused("stor.pdf", b"%PDF-1.7\n" + b"0" * MAX_BYTES) == "attachment.too_large"


def test_a_path_in_the_file_name_is_dropped():
    assert check_attachment("C:\\Users\\kari\\..\\foto «1».png", png_with_text()).filename == "foto _1_.png"


def test_planners_download_attachments_and_a_deactivated_account_cannot(store):
    c = make_consultation(
        "formal",
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        plan_id="2024.07",
        case_number="24/1234",
    )
    store.add_consultation(c)
    draft = InputDraft("Annet", "Se vedlagt kart over stien.", whole_area=True)
    sent = pdf()  # once: qpdf's file /ID depends on the clock, so two pdf() calls may differ
    stored = submit_input(store, c.id, draft, session="s", now=NOW, files=[("kart.pdf", sent)])
    kari = staff(store, "kari", Role.PLANNER)
    (listed,) = attachments.for_input(store, stored.id, kari)
    meta, content = attachments.download(store, listed.id, kari)
    assert (meta.filename, content) == ("kart.pdf", sent)
    store.update_user(kari.id, "ola", active=False)
    with pytest.raises(NotAllowed):
        attachments.download(store, listed.id, kari)
