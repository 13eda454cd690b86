import pytest

from consultations.documents import MAX_BYTES, check_pdf, safe_filename
from consultations.errors import InvalidDocument

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


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


@pytest.mark.parametrize(
    "body",
    [
        b"1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj 2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj",
        b"1 0 obj << /Type /Catalog /Names << /J#61vaScript 3 0 R >> >> endobj",
        b"1 0 obj << /Type /Annot /AA << /E 4 0 R >> >> endobj",
        b"1 0 obj << /Type /Filespec /EF << /F 5 0 R >> /EmbeddedFile 5 0 R >> endobj",
    ],
)
def test_a_pdf_with_javascript_or_actions_is_refused(body):
    with pytest.raises(InvalidDocument) as info:
        check_pdf("plan.pdf", b"%PDF-1.7\n" + body + b"\n%%EOF\n")
    assert info.value.key == "document.active_content"


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    import zlib

    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.launchURL('x')) >>")
    pdf = b"%PDF-1.7\n4 0 obj << /Type /ObjStm /Filter /FlateDecode >> stream\n" + hidden + b"\nendstream\nendobj\n%%EOF\n"
    with pytest.raises(InvalidDocument):
        check_pdf("plan.pdf", pdf)


def test_a_compression_bomb_in_a_pdf_is_refused(monkeypatch):
    import zlib

    from consultations import documents

    monkeypatch.setattr(documents, "_MAX_INFLATED", 1024 * 1024)
    bomb = zlib.compress(b"0" * (4 * 1024 * 1024))
    pdf = b"%PDF-1.7\n4 0 obj << /Filter /FlateDecode >> stream\n" + bomb + b"\nendstream\nendobj\n%%EOF\n"
    with pytest.raises(InvalidDocument):
        check_pdf("plan.pdf", pdf)
