"""Files a resident sends with a merknad in a formal høring: PDF, JPEG and PNG.

An upload is hostile until parsed. What a file is, is decided by its content and its name
together (never by the browser's MIME type): both must say PDF, JPEG or PNG, and the same
one. A PDF is read with qpdf like the consultation documents (``documents.active_content``)
and refused, never rewritten, when it has anything that runs or opens something. An image
is decoded by Pillow (only its JPEG and PNG decoders) after its pixel count is checked
against a cap — a 10 MB PNG can declare a picture of billions of pixels — and then
re-encoded from the pixels alone, so EXIF (GPS position, camera, time) and every other
metadata chunk stay behind. What does not decode is refused.

Attachments are kept in the store with their merknad and shown to planners only; residents
never see others' files on the web (a merknad is a case document, and a photo or a letter
may name people).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, ImageOps

from .documents import active_content
from .errors import InvalidInput
from .model import Attachment, Role, User
from .permissions import require
from .store import Store

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_INPUT = 3
# A 48-megapixel phone photo is the largest a resident plausibly sends; decoded as RGBA
# that is ~200 MB. More than this is refused before Pillow allocates anything.
MAX_PIXELS = 50_000_000
EXTENSIONS = ("pdf", "jpg", "jpeg", "png")  # for the upload widget
# kind → (the names it may have, its media type, the start of its content)
_KINDS = {
    "pdf": ((".pdf",), "application/pdf"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "png": ((".png",), "image/png"),
}
_MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"))
_SAFE = re.compile(r"[^A-Za-z0-9æøåÆØÅ._ -]+")


@dataclass(frozen=True)
class CheckedFile:
    """An attachment fit to store: a safe name, its media type and its (cleaned) bytes."""

    filename: str
    media_type: str
    content: bytes


def check_attachments(files: Sequence[tuple[str, bytes]]) -> list[CheckedFile]:
    """Every file of one merknad checked (``(name, bytes)`` as uploaded), or
    ``InvalidInput`` naming the first file refused and why."""
    if len(files) > MAX_PER_INPUT:
        raise InvalidInput("attachment.too_many", max=MAX_PER_INPUT)
    return [check_attachment(name, data) for name, data in files]


def check_attachment(name: str, data: bytes) -> CheckedFile:
    shown = _display_name(name)
    if not data:
        raise InvalidInput("attachment.empty", name=shown)
    if len(data) > MAX_BYTES:
        raise InvalidInput("attachment.too_large", name=shown, mb=MAX_BYTES // (1024 * 1024))
    suffix = PurePosixPath(shown.lower()).suffix
    by_name = next((k for k, (suffixes, _) in _KINDS.items() if suffix in suffixes), None)
    by_content = next((k for magic, k in _MAGIC if _starts(data, magic, k)), None)
    if by_name is None or by_content is None:
        raise InvalidInput("attachment.not_allowed", name=shown)
    if by_name != by_content:
        raise InvalidInput("attachment.mismatch", name=shown)
    media_type = _KINDS[by_content][1]
    if by_content == "pdf":
        if feature := active_content(data):
            raise InvalidInput(f"pdf_check.{feature}", name=shown)
        return CheckedFile(shown, media_type, data)
    return CheckedFile(shown, media_type, _clean_image(shown, data, by_content))


def _starts(data: bytes, magic: bytes, kind: str) -> bool:
    # a PDF may have a little junk before its header, as readers allow (documents.check_pdf)
    return data[:1024].lstrip().startswith(magic) if kind == "pdf" else data.startswith(magic)


def _display_name(name: str) -> str:
    """The file's own name without any path, in characters safe in a download header."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _SAFE.sub("_", unicodedata.normalize("NFC", base)).strip(" _") or "vedlegg"
    stem, dot, ext = base.rpartition(".")
    return f"{stem[:100]}.{ext[:5]}" if dot and stem else base[:100]


def _clean_image(name: str, data: bytes, kind: str) -> bytes:
    """The picture re-encoded from its pixels: turned upright as the camera said, with no
    EXIF, GPS, XMP, comments or text chunks. ``InvalidInput`` when it does not decode or
    is too large a picture."""
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput("attachment.too_many_pixels", name=name, mp=MAX_PIXELS // 1_000_000)
                img.load()
                upright = ImageOps.exif_transpose(img)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit, reached before ours while opening (above ~179 megapixels)
        raise InvalidInput("attachment.too_many_pixels", name=name, mp=MAX_PIXELS // 1_000_000) from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidInput("attachment.broken", name=name) from None
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")  # CMYK and others: as a browser would show them
    elif fmt == "PNG" and upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")  # palette (with its transparency), 16-bit, 1-bit
    clean = Image.new(upright.mode, upright.size)  # a new image: none of the old one's info
    clean.paste(upright)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


# -- planners ----------------------------------------------------------------------------


def for_input(store: Store, input_id: int, actor: User) -> list[Attachment]:
    """The files sent with an input, for a planner."""
    require(store, actor, Role.PLANNER)
    return store.attachments(input_id)


def download(store: Store, attachment_id: int, actor: User) -> tuple[Attachment, bytes]:
    """One file for a planner to download; ``InvalidInput`` when it is gone."""
    require(store, actor, Role.PLANNER)
    found = store.attachment_content(attachment_id)
    if found is None:
        raise InvalidInput("attachment.gone")
    return found
