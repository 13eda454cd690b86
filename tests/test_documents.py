import io
import zlib

import numpy as np
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from consultations.planning.documents import MAX_BYTES, check_pdf, safe_filename
from consultations.errors import InvalidDocument
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)


def build_pdf(change=None, **save) -> bytes:
    """A one-page PDF written by qpdf, after ``change(pdf)`` has added to it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if change:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def pdf_with_object_stream(objects: dict[int, bytes], root: int, encode, filter_name: bytes) -> bytes:
    """A PDF whose objects all sit in one object stream, encoded by ``encode`` with
    ``filter_name``, indexed by a cross-reference stream — written by hand, as no
    library writes ASCIIHex object streams."""
    numbers = sorted(objects)
    offsets, body = [], b""
    for n in numbers:
        offsets.append(len(body))
        body += objects[n] + b"\n"
    header = b" ".join(b"%d %d" % (n, off) for n, off in zip(numbers, offsets)) + b"\n"
    packed = encode(header + body)
    objstm_no, xref_no = max(numbers) + 1, max(numbers) + 2
    out = b"%PDF-1.7\n"
    objstm_at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\nstream\n"
        % (objstm_no, len(numbers), len(header), filter_name, len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    index = {n: i for i, n in enumerate(numbers)}
    for n in range(1, xref_no + 1):
        if n in index:
            rows.append(b"\x02" + objstm_no.to_bytes(4, "big") + index[n].to_bytes(2, "big"))
        elif n == objstm_no:
            rows.append(b"\x01" + objstm_at.to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + xref_at.to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
        % (xref_no, xref_no + 1, root, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return out


PDF = build_pdf()


def test_a_pdf_is_accepted_under_its_own_safe_name():
    assert check_pdf("../../etc/Planbeskrivelse Borgen.pdf", PDF) == "Planbeskrivelse Borgen.pdf"
    assert safe_filename("C:\\Users\\kari\\plankart<1>.PDF") == "plankart_1_.pdf"


@pytest.mark.parametrize(
    "data, key",
    [
        (b"", "document.empty"),
        (b"<html>not a pdf</html>", "document.not_pdf"),
        (b"PK\x03\x04 a zip named .pdf", "document.not_pdf"),
    ],
)
def test_what_is_not_a_pdf_is_refused(data, key):
    with pytest.raises(InvalidDocument) as info:
        check_pdf("plan.pdf", data)
    assert info.value.key == key and info.value.message()


def test_too_large_and_too_many_are_refused():
    with pytest.raises(InvalidDocument):
        check_pdf("plan.pdf", PDF + b"0" * MAX_BYTES)
    with pytest.raises(InvalidDocument):
        check_pdf("plan.pdf", PDF, existing=20)


def test_documents_are_stored_and_listed_with_the_consultation(store, consultation):
    doc_id = store.add_document(consultation.id, "plan.pdf", PDF, "kari")
    (doc,) = store.documents(consultation.id)
    assert (doc.id, doc.filename, doc.size) == (doc_id, "plan.pdf", len(PDF))
    assert store.document_content(doc_id) == PDF
    store.delete_document(doc_id, "kari")
    assert store.documents(consultation.id) == []
    assert [e.action for e in store.audit_entries()] == ["document.delete", "document.add"]


def refusal(data: bytes) -> str:
    with pytest.raises(InvalidDocument) as info:
        check_pdf("plan.pdf", data)
    assert info.value.message() and info.value.message("en")
    return info.value.key


def test_javascript_in_an_asciihex_object_stream_is_refused():
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        4: b"<< /S /JavaScript /JS (app.launchURL('https://evil.example')) >>",
    }
    data = pdf_with_object_stream(objects, 1, lambda b: b.hex().encode() + b">", b"/ASCIIHexDecode")
    with pikepdf.open(io.BytesIO(data)) as pdf:  # a valid file, and the action is really there
        assert pdf.Root.OpenAction.S == Name.JavaScript and not pdf.get_warnings()
    assert refusal(data) == "pdf_check.javascript"


def test_embedded_files_without_a_type_entry_are_refused():
    def attach(pdf):
        payload = pdf.make_stream(b"MZ not a plan")  # no /Type /EmbeddedFile on purpose
        spec = Dictionary(F=String("readme.exe"), EF=Dictionary(F=payload))
        pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String("readme.exe"), spec])))

    assert refusal(build_pdf(attach, compress_streams=False)) == "pdf_check.attachment"


def test_javascript_in_a_flate_object_stream_over_two_megabytes_is_refused():
    noise = np.random.default_rng(1).bytes(2_500_000)  # incompressible: the stream stays big

    def hide(pdf):
        pdf.Root.Padding = pdf.make_indirect(String(noise))
        pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert(1)")))

    data = build_pdf(hide, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/OpenAction" not in data and len(data) > 2_500_000
    assert refusal(data) == "pdf_check.javascript"


@pytest.mark.parametrize(
    "add, key",
    [
        (
            lambda pdf: setattr(pdf.Root, "OpenAction", Dictionary(S=Name.Launch, F=String("cmd.exe"))),
            "pdf_check.action",
        ),
        (
            lambda pdf: setattr(
                pdf.pages[0].obj, "AA", Dictionary(O=Dictionary(S=Name.SubmitForm, F=String("https://x.example")))
            ),
            "pdf_check.action",
        ),
        (
            lambda pdf: setattr(pdf.Root, "OpenAction", Dictionary(S=Name.URI, URI=String("file:///etc/passwd"))),
            "pdf_check.action",
        ),
        (
            lambda pdf: setattr(pdf.Root, "Names", Dictionary(JavaScript=Dictionary(Names=Array()))),
            "pdf_check.javascript",
        ),
        (
            lambda pdf: setattr(
                pdf.pages[0].obj,
                "Annots",
                Array([Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=Array([0, 0, 9, 9]))]),
            ),
            "pdf_check.media",
        ),
        (
            lambda pdf: setattr(
                pdf.Root, "AcroForm", Dictionary(Fields=Array([Dictionary(FT=Name.Tx, T=String("navn"))]))
            ),
            "pdf_check.form",
        ),
        (
            lambda pdf: setattr(pdf.Root, "AcroForm", Dictionary(Fields=Array(), XFA=pdf.make_stream(b"<xdp/>"))),
            "pdf_check.form",
        ),
    ],
    ids=["launch", "page-open-submit", "file-uri", "javascript-names", "richmedia", "acroform-fields", "xfa"],
)
def test_actions_media_and_forms_are_refused(add, key):
    assert refusal(build_pdf(add)) == key


def test_links_to_web_pages_and_opening_at_a_page_are_accepted():
    def links(pdf):
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
        pdf.Root.AcroForm = Dictionary(Fields=Array())  # some producers always write one
        link = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([0, 0, 99, 20]),
            A=Dictionary(S=Name.URI, URI=String("https://www.asker.kommune.no/plan")),
        )
        pdf.pages[0].obj.Annots = Array([link])

    assert check_pdf("plan.pdf", build_pdf(links)) == "plan.pdf"


def test_encrypted_and_broken_pdfs_are_refused():
    encrypted = build_pdf(encryption=pikepdf.Encryption(owner="eier", user="", R=6))
    assert refusal(encrypted) == "pdf_check.encrypted"
    assert refusal(PDF[: len(PDF) // 2]) == "pdf_check.broken"
    assert refusal(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n") == "pdf_check.broken"


def test_a_compression_bomb_in_an_object_stream_is_refused(monkeypatch):
    from consultations.planning import documents

    monkeypatch.setattr(documents, "_MAX_INFLATED", 1024 * 1024)

    def pad(pdf):
        pdf.Root.Padding = pdf.make_indirect(String(b"0" * (4 * 1024 * 1024)))

    data = build_pdf(pad, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert len(data) < 1024 * 1024
    assert refusal(data) == "pdf_check.broken"


def test_a_fifteen_megabyte_plan_map_with_images_is_accepted():
    """Image data is incompressible bytes in which a byte search finds '/JS' or '/AA' by
    chance; the old check refused this file."""
    rng = np.random.default_rng(3)

    def plan_map(pdf):
        images = {}
        for n in range(3):  # three map sheets of 2400 x 700 RGB, as a scanner or CAD writes them
            pixels = rng.bytes(2400 * 700 * 3)
            images[f"/Im{n}"] = pdf.make_stream(
                pixels,
                Type=Name.XObject,
                Subtype=Name.Image,
                Width=2400,
                Height=700,
                ColorSpace=Name.DeviceRGB,
                BitsPerComponent=8,
            )
        page = pdf.pages[0]
        page.obj.Resources = Dictionary(XObject=Dictionary(images))
        page.obj.Contents = pdf.make_stream(
            b"".join(b"q 595 0 0 280 0 %d cm /Im%d Do Q " % (n * 280, n) for n in range(3))
        )

    data = build_pdf(plan_map, compress_streams=False)
    assert 14_000_000 < len(data) < MAX_BYTES
    assert check_pdf("Plankart Borgen.pdf", data) == "Plankart Borgen.pdf"
