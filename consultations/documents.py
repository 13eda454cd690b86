"""Documents residents can download with a consultation (plan maps, reports): PDF only."""

from __future__ import annotations

import re
import unicodedata
import zlib
from pathlib import PurePosixPath

from .errors import InvalidDocument
from .model import Role, User
from .permissions import require
from .store import Store

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CONSULTATION = 20
_SAFE = re.compile(r"[^A-Za-z0-9æøåÆØÅ._ -]+")
# PDF features that run code or open things when the file is opened; refused outright.
_ACTIVE = re.compile(rb"/(?:JavaScript|JS|OpenAction|AA|Launch|EmbeddedFile|RichMedia|XFA)\b")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_SCAN_COMPRESSED_MAX = 2 * 1024 * 1024  # larger streams are images and fonts
_MAX_INFLATED = 32 * 1024 * 1024  # per scanned stream; more is a decompression bomb


def safe_filename(name: str) -> str:
    """The file's own name, without any path, in characters safe in a download header."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _SAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" ._") or "dokument"
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    return f"{stem[:100]}.pdf"


def check_pdf(name: str, data: bytes, existing: int = 0) -> str:
    """The name to store a PDF under; ``InvalidDocument`` when it is not one or too big."""
    if existing >= MAX_PER_CONSULTATION:
        raise InvalidDocument("document.too_many", max=MAX_PER_CONSULTATION)
    if not data:
        raise InvalidDocument("document.empty")
    if len(data) > MAX_BYTES:
        raise InvalidDocument("document.too_large", mb=MAX_BYTES // (1024 * 1024))
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise InvalidDocument("document.not_pdf", name=safe_filename(name))
    if has_active_content(data):
        raise InvalidDocument("document.active_content", name=safe_filename(name))
    return safe_filename(name)


def has_active_content(data: bytes) -> bool:
    """Whether the PDF asks to run JavaScript, launch or embed things — also when the
    name is spelled with #xx escapes or hidden in a compressed (Flate) object stream."""
    if _ACTIVE.search(_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)):
        return True
    for match in _STREAM.finditer(data):
        if len(match.group(1)) > _SCAN_COMPRESSED_MAX:
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(match.group(1), _MAX_INFLATED)
        except zlib.error:
            continue  # not Flate-compressed, or not compressed at all
        if inflater.unconsumed_tail:
            return True  # a decompression bomb is not a plan document
        if _ACTIVE.search(_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), inflated)):
            return True
    return False


# -- staff commands (the builder's document section) -------------------------------------


def add_document(store: Store, consultation_id: str, name: str, data: bytes, actor: User) -> str:
    """Attach a PDF to a consultation; returns the name it is stored under. A planner's
    action, checked against the account as it is now; ``InvalidDocument`` stores nothing."""
    who = require(store, actor, Role.PLANNER)
    if store.get_consultation(consultation_id) is None:
        raise InvalidDocument("consultation_form.unknown", id=consultation_id)
    stored_name = check_pdf(name, data, existing=len(store.documents(consultation_id)))
    store.add_document(consultation_id, stored_name, data, who.username)
    return stored_name


def delete_document(store: Store, document_id: int, actor: User) -> None:
    """Remove a document residents could download (a planner's action)."""
    who = require(store, actor, Role.PLANNER)
    store.delete_document(document_id, who.username)
