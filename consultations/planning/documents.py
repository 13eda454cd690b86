"""Documents residents can download with a consultation (plan maps, reports): PDF only.

A PDF is read with qpdf (through pikepdf), not searched as bytes: a byte search misses
names inside ASCIIHex or large compressed object streams and trips over image data, so it
let hostile files through and refused ordinary plan maps. Every object qpdf finds is
checked for what could run or open something when a resident opens the file. Such files
are refused, never rewritten: the document residents download must be the very file the
case handler filed in the archive (see docs/security/content.md for the list).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib
from pathlib import PurePosixPath

import pikepdf

from .. import mail
from . import planprocess
from ..errors import InvalidDocument
from ..model import Document, DocumentKind, Role, Status, User
from ..permissions import require
from ..store import Store

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CONSULTATION = 20
_SAFE = re.compile(r"[^A-Za-z0-9æøåÆØÅ._ -]+")
_MAX_INFLATED = 32 * 1024 * 1024  # per object stream; more is a decompression bomb
# Actions that only move inside the document, show or hide its layers, or open a web page.
_HARMLESS_ACTIONS = {"/GoTo", "/Named", "/SetOCGState", "/URI"}
_WEB_SCHEMES = ("http://", "https://", "mailto:")
_MEDIA_ANNOTATIONS = {"/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}


def safe_filename(name: str) -> str:
    """The file's own name, without any path, in characters safe in a download header."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _SAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" ._") or "dokument"
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    return f"{stem[:100]}.pdf"


def check_pdf(name: str, data: bytes, existing: int = 0) -> str:
    """The name to store a PDF under; ``InvalidDocument`` when it is not one, too big,
    encrypted, damaged, or has content that runs or opens something."""
    if existing >= MAX_PER_CONSULTATION:
        raise InvalidDocument("document.too_many", max=MAX_PER_CONSULTATION)
    if not data:
        raise InvalidDocument("document.empty")
    if len(data) > MAX_BYTES:
        raise InvalidDocument("document.too_large", mb=MAX_BYTES // (1024 * 1024))
    safe = safe_filename(name)
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise InvalidDocument("document.not_pdf", name=safe)
    if feature := active_content(data):
        raise InvalidDocument(f"pdf_check.{feature}", name=safe)
    return safe


def active_content(data: bytes) -> str | None:
    """What in the PDF would run or open something (``javascript``, ``action``,
    ``attachment``, ``media``, ``form``), or why it cannot be checked (``encrypted``,
    ``broken``); ``None`` for a plain document."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if pdf.is_encrypted:
                return "encrypted"  # even without a password: content we cannot vouch for
            if not _object_streams_are_bounded(pdf):
                return "broken"
            found = _scan(pdf)
            # A file whose cross-reference table qpdf had to rebuild may show a reader other
            # objects than the ones checked here; minor repairs (a page without resources) pass.
            damaged = any("damaged" in w or "reconstruct" in w for w in pdf.get_warnings())
            return found or ("broken" if damaged else None)
    except pikepdf.PasswordError:
        return "encrypted"
    except (pikepdf.PdfError, RecursionError, ValueError):
        return "broken"


def _object_streams_are_bounded(pdf: pikepdf.Pdf) -> bool:
    """Whether every object stream inflates to a sane size — checked before qpdf unpacks
    them, since it would unpack a 20 MB deflate bomb to gigabytes in memory."""
    streams = {e.obj_stream_number for e in pdf.get_xref_table().values() if e.type == 2}
    for number in streams:
        stream = pdf.get_object(number, 0)
        if not isinstance(stream, pikepdf.Stream):
            return False
        filters = stream.get("/Filter", pikepdf.Array())
        filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters)
        if filters == [pikepdf.Name.FlateDecode]:
            inflater = zlib.decompressobj()
            try:
                inflater.decompress(stream.read_raw_bytes(), _MAX_INFLATED)
            except zlib.error:
                return False
            if inflater.unconsumed_tail:
                return False
        elif not set(filters) <= {pikepdf.Name.ASCIIHexDecode, pikepdf.Name.ASCII85Decode}:
            return False  # filters that may grow the data have no place in an object stream
    return True


def _scan(pdf: pikepdf.Pdf) -> str | None:
    """The first active feature in any object of the file (also unreferenced ones)."""
    root = pdf.Root
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and len(acroform.get("/Fields", ())) > 0:
        return "form"  # fill-in fields can submit data; an empty AcroForm is harmless
    for obj in pdf.objects:
        pending = [obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj]
        while pending:
            item = pending.pop()
            if isinstance(item, pikepdf.Array):
                pending.extend(v for v in item if _direct_container(v))
            elif isinstance(item, pikepdf.Dictionary):
                if found := _dictionary_feature(item):
                    return found
                pending.extend(v for _, v in item.items() if _direct_container(v))
    return None


def _direct_container(value: object) -> bool:
    """An array or dictionary written inside its parent (indirect ones are scanned as
    objects of their own, so shared and cyclic references are visited once)."""
    return isinstance(value, (pikepdf.Array, pikepdf.Dictionary)) and not value.is_indirect


def _dictionary_feature(d: pikepdf.Dictionary) -> str | None:
    keys = set(d.keys())
    if keys & {"/JS", "/JavaScript"}:
        return "javascript"
    if keys & {"/EmbeddedFiles", "/EF"} or d.get("/Type") == pikepdf.Name.EmbeddedFile:
        return "attachment"
    subtype = d.get("/Subtype")
    if subtype == pikepdf.Name.FileAttachment:
        return "attachment"
    if keys & {"/RichMediaContent", "/RichMediaSettings"} or str(subtype) in _MEDIA_ANNOTATIONS:
        return "media"
    if "/XFA" in keys:
        return "form"
    actions = [d[k] for k in ("/A", "/OpenAction", "/Next") if k in keys]
    if d.get("/Type") == pikepdf.Name.Action:
        actions.append(d)
    additional = d.get("/AA")
    if isinstance(additional, pikepdf.Dictionary):
        actions.extend(v for _, v in additional.items())
    for action in actions:
        if found := _action_feature(action):
            return found
    return None


def _action_feature(action: object) -> str | None:
    if isinstance(action, pikepdf.Array):
        # A destination ([page /Fit]) or a chain of actions (/Next).
        for item in action:
            if isinstance(item, pikepdf.Dictionary) and "/S" in item and (found := _action_feature(item)):
                return found
        return None
    if not isinstance(action, pikepdf.Dictionary):
        return None  # a named destination
    kind = str(action.get("/S", ""))
    if kind == "/JavaScript":
        return "javascript"
    if kind not in _HARMLESS_ACTIONS:
        return "action"  # Launch, GoToR, GoToE, SubmitForm, ImportData, Rendition, …
    if kind == "/URI":
        uri = bytes(action.get("/URI", b"")).decode("latin-1").strip().lower()
        if not uri.startswith(_WEB_SCHEMES):
            return "action"  # file:, smb:, javascript: addresses
    return None


# -- staff commands (the builder's document section) -------------------------------------


def add_document(
    store: Store,
    consultation_id: str,
    name: str,
    data: bytes,
    actor: User,
    kind: DocumentKind = DocumentKind.ANNET,
) -> str:
    """Attach a PDF to a consultation; returns the name it is stored under. A plankart,
    bestemmelser, planbeskrivelse or planprogram has one slot: a new one replaces the old,
    and so does an other document with the same name. A planner's action, checked against
    the account as it is now; ``InvalidDocument`` stores nothing."""
    who = require(store, actor, Role.PLANNER)
    if store.get_consultation(consultation_id) is None:
        raise InvalidDocument("consultation_form.unknown", id=consultation_id)
    kind = DocumentKind(kind)
    present = store.documents(consultation_id)
    replaced = next((d for d in present if _same_slot(d, kind, safe_filename(name))), None)
    stored_name = check_pdf(name, data, existing=len(present) - (replaced is not None))
    with store.atomic():  # with «Følg høringen»'s notice (mail.py)
        store.add_document(consultation_id, stored_name, data, who.username, kind, replaces=replaced)
        consultation = store.get_consultation(consultation_id)
        if consultation is not None and consultation.status == Status.PUBLISHED:
            mail.document_added(store, consultation, stored_name)
    return stored_name


def _same_slot(doc: Document, kind: DocumentKind, filename: str) -> bool:
    if kind in planprocess.SLOT_KINDS:
        return doc.kind == kind
    return doc.kind == DocumentKind.ANNET and doc.filename == filename


def delete_document(store: Store, document_id: int, actor: User) -> None:
    """Remove a document residents could download (a planner's action). A document the
    plan process requires stays while the consultation is published: replace it instead."""
    who = require(store, actor, Role.PLANNER)
    doc = store.document(document_id)
    if doc is None:
        return
    c = store.get_consultation(doc.consultation_id)
    if (
        c is not None
        and c.status == Status.PUBLISHED
        and doc.kind in planprocess.required_documents(c.plan_type, c.stage)
    ):
        raise InvalidDocument("required_documents.keep_while_published")
    store.delete_document(document_id, who.username)
