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

Photos (``check_photos``) go through the same decoding and cleaning, in every consultation
(early medvirkning and formal høring): JPEG, PNG or HEIC (phones), at most 1600 px on the
longer side, each with the resident's alt text, and a small JPEG thumbnail made once here.
Unlike attachments they are public with their input (``public.photos``): published inputs
only, hidden with them. They are stored with the attachments (a photo is the row with an
alt text), so planners download and the archive carries both alike.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pillow_heif
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

pillow_heif.register_heif_opener()  # HEIC, as iPhones save photos; only asked for by photos
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "heic", "heif")  # for the upload widget
PHOTO_MAX_SIDE = 1600  # px, the longer side of a stored photo
THUMB_SIDE = 240  # px: a popup or a list entry; ~5-10 kB as JPEG, sent as a data: URI
ALT_MAX = 150
_PHOTO_KINDS = {**{k: v for k, v in _KINDS.items() if k != "pdf"}, "heic": ((".heic", ".heif"), "image/jpeg")}
# an ISO-BMFF file: a box size, then «ftyp» and the brand a HEIC/HEIF picture has
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


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


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo fit to store and show: cleaned and resized, its alt text and its thumbnail."""

    filename: str
    media_type: str
    content: bytes
    alt_text: str
    thumbnail: bytes  # JPEG


def check_photos(photos: Sequence[tuple[str, bytes, str]]) -> list[CheckedPhoto]:
    """Every photo of one input checked (``(name, bytes, alt text)`` as uploaded), or
    ``InvalidInput`` naming the first refused and why."""
    if len(photos) > MAX_PER_INPUT:
        raise InvalidInput("photo.too_many", max=MAX_PER_INPUT)
    return [check_photo(name, data, alt) for name, data, alt in photos]


def check_photo(name: str, data: bytes, alt_text: str) -> CheckedPhoto:
    shown = _display_name(name)
    alt = " ".join((alt_text or "").split())
    if not alt:
        raise InvalidInput("photo.alt_missing", name=shown)
    if len(alt) > ALT_MAX:
        raise InvalidInput("photo.alt_long", name=shown, max=ALT_MAX)
    if not data:
        raise InvalidInput("attachment.empty", name=shown)
    if len(data) > MAX_BYTES:
        raise InvalidInput("attachment.too_large", name=shown, mb=MAX_BYTES // (1024 * 1024))
    suffix = PurePosixPath(shown.lower()).suffix
    by_name = next((k for k, (suffixes, _) in _PHOTO_KINDS.items() if suffix in suffixes), None)
    by_content = next((k for magic, k in _MAGIC if k != "pdf" and data.startswith(magic)), None)
    if by_content is None and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        by_content = "heic"
    if by_name is None or by_content is None:
        raise InvalidInput("photo.not_image", name=shown)
    if by_name != by_content:
        raise InvalidInput("attachment.mismatch", name=shown)
    picture = _clean_picture(shown, data, by_content, PHOTO_MAX_SIDE)
    kind = "jpeg" if by_content == "heic" else by_content  # a browser shows JPEG, not HEIC
    if by_content == "heic":
        shown = f"{PurePosixPath(shown).stem}.jpg"
    return CheckedPhoto(shown, _KINDS[kind][1], _encoded(picture, kind), alt, _thumbnail(picture))


def _thumbnail(picture: Image.Image) -> bytes:
    small = picture.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if small.mode in ("RGBA", "LA"):  # transparency onto white, as the page shows it
        flat = Image.new("RGB", small.size, "white")
        flat.paste(small, mask=small.getchannel("A"))
        small = flat
    elif small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=75, optimize=True)
    return out.getvalue()


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
    return _encoded(_clean_picture(name, data, kind), kind)


def _clean_picture(name: str, data: bytes, kind: str, max_side: int | None = None) -> Image.Image:
    """The picture's pixels alone in a new image, upright, at most ``max_side`` px."""
    fmt = {"jpeg": "JPEG", "png": "PNG", "heic": "HEIF"}[kind]
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
    if kind != "png" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")  # CMYK and others: as a browser would show them
    elif kind == "png" and upright.mode not in ("RGB", "RGBA", "L", "LA"):
        upright = upright.convert("RGBA")  # palette (with its transparency), 16-bit, 1-bit
    if max_side is not None and max(upright.size) > max_side:
        upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.new(upright.mode, upright.size)  # a new image: none of the old one's info
    clean.paste(upright)
    return clean


def _encoded(clean: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "png":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "JPEG", quality=90, optimize=True)
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
