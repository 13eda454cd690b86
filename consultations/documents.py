"""Documents residents can download with a consultation (plan maps, reports): PDF only."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from .errors import InvalidDocument

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CONSULTATION = 20
_SAFE = re.compile(r"[^A-Za-z0-9æøåÆØÅ._ -]+")


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
    return safe_filename(name)
