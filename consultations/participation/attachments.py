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
import threading
import unicodedata
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pikepdf
import pillow_heif
from PIL import Image, ImageOps

from ..planning.documents import active_content
from ..errors import InvalidInput
from ..model import Attachment, Role, User
from ..permissions import require
from ..store import Store

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_INPUT = 3
# A phone photo has 12-24 megapixels (a 48 MP sensor saves 12 MP unless told otherwise);
# decoded as RGBA 40 MP is ~160 MB. More is refused from the header, before any decoding
# (a 190 kB PNG declared 7070×7060 RGBA: ~650 MB and 2-6 s to decode; security N1).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own bomb check, for any other caller too
# A resident's letter or scan as PDF has tens to a few thousand objects; a 200,000-object
# file took qpdf 12 s to check. Counted in the raw bytes before qpdf parses anything.
MAX_PDF_OBJECTS = 20_000
# What a PDF's page content may inflate to (all pages together): a 400 kB file whose page
# inflated to 400 MB made the planner's viewer pay. Inflated with this cap while checking.
MAX_PDF_CONTENT = 64 * 1024 * 1024
_INFLATE_STEP = 1024 * 1024
# Decoding at once in this process (each at most MAX_PIXELS: ~160 MB): more wait, and a
# wait longer than DECODE_WAIT_S is refused («try again»), so a crowd of hostile uploads
# cannot take more memory than this and never queues forever.
DECODERS = 2
DECODE_WAIT_S = 20.0
_DECODING = threading.BoundedSemaphore(DECODERS)
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
    precheck_attachments(files)
    return [check_attachment(name, data) for name, data in files]


def precheck_attachments(files: Sequence[tuple[str, bytes]]) -> None:
    """What costs milliseconds (count, sizes, kinds, an image's size from its header, a
    PDF's object count): asked before the rate limit and before anything is decoded."""
    if len(files) > MAX_PER_INPUT:
        raise InvalidInput("attachment.too_many", max=MAX_PER_INPUT)
    for name, data in files:
        _attachment_kind(name, data)


def _attachment_kind(name: str, data: bytes) -> tuple[str, str]:
    """The file's shown name and kind, by the cheap checks alone (``precheck_attachments``)."""
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
    if by_content == "pdf":
        if _pdf_object_count(data) > MAX_PDF_OBJECTS:
            raise InvalidInput("attachment.pdf_too_many_objects", name=shown, max=MAX_PDF_OBJECTS)
    else:
        _check_header_size(shown, data, by_content)
    return shown, by_content


def check_attachment(name: str, data: bytes) -> CheckedFile:
    shown, kind = _attachment_kind(name, data)
    media_type = _KINDS[kind][1]
    if kind == "pdf":
        with _decoding(shown):
            feature = active_content(data) or _content_bomb(data)
        if feature:
            raise InvalidInput(f"pdf_check.{feature}", name=shown)
        return CheckedFile(shown, media_type, data)
    return CheckedFile(shown, media_type, _clean_image(shown, data, kind))


_SIZE = re.compile(rb"/Size\s+(\d{1,9})")


def _pdf_object_count(data: bytes) -> int:
    """The objects a PDF has or says it has, from its bytes alone (a few ms for 10 MB):
    the objects written in the file (each ends with ``endobj``) and the largest ``/Size``
    its trailers or cross-reference streams declare (objects packed in object streams
    count through the latter)."""
    declared = max((int(m) for m in _SIZE.findall(data)), default=0)
    return max(declared, data.count(b"endobj"))


def _content_bomb(data: bytes) -> str | None:
    """``content_bomb`` when the pages' content streams together inflate past
    ``MAX_PDF_CONTENT`` (inflated with that cap, never whole), else None."""
    left = MAX_PDF_CONTENT
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                contents = page.obj.get("/Contents")
                streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
                for stream in streams:
                    if not isinstance(stream, pikepdf.Stream):
                        continue
                    left -= _inflated_size(stream, left)
                    if left < 0:
                        return "content_bomb"
    except (pikepdf.PdfError, zlib.error, ValueError):
        return "broken"
    return None


def _inflated_size(stream: pikepdf.Stream, cap: int) -> int:
    """The stream's decoded size, counted up to ``cap`` + 1 (FlateDecode inflated piecewise
    under the cap; other filters, which cannot grow data as much, decoded by qpdf)."""
    filters = stream.get("/Filter", pikepdf.Array())
    filters = [filters] if isinstance(filters, pikepdf.Name) else list(filters)
    if filters and filters[0] == pikepdf.Name.FlateDecode:
        inflater, pending, size = zlib.decompressobj(), stream.read_raw_bytes(), 0
        while pending and size <= cap:  # a megabyte at a time: never the whole in memory
            size += len(inflater.decompress(pending, _INFLATE_STEP))
            pending = inflater.unconsumed_tail
        return size
    if not filters:
        return len(stream.read_raw_bytes())
    return len(stream.read_bytes())


def _check_header_size(shown: str, data: bytes, kind: str) -> None:
    """An image's pixel count from its header (Pillow reads no pixels to open a file)."""
    fmt = {"jpeg": "JPEG", "png": "PNG", "heic": "HEIF"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("attachment.too_many_pixels", name=shown, mp=MAX_PIXELS // 1_000_000) from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidInput("attachment.broken", name=shown) from None
    if width * height > MAX_PIXELS:
        raise InvalidInput("attachment.too_many_pixels", name=shown, mp=MAX_PIXELS // 1_000_000)


class _decoding:
    """One of ``DECODERS`` decoding slots, for a file named ``shown``; refused when none
    is free within ``DECODE_WAIT_S``."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def __enter__(self) -> None:
        if not _DECODING.acquire(timeout=DECODE_WAIT_S):
            raise InvalidInput("attachment.busy", name=self.shown)

    def __exit__(self, *exc: object) -> None:
        _DECODING.release()


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
    precheck_photos(photos)
    return [check_photo(name, data, alt) for name, data, alt in photos]


def precheck_photos(photos: Sequence[tuple[str, bytes, str]]) -> None:
    """The cheap checks of ``check_photos`` (as ``precheck_attachments``)."""
    if len(photos) > MAX_PER_INPUT:
        raise InvalidInput("photo.too_many", max=MAX_PER_INPUT)
    for name, data, alt in photos:
        _photo_kind(name, data, alt)


def check_photo(name: str, data: bytes, alt_text: str) -> CheckedPhoto:
    shown, by_content, alt = _photo_kind(name, data, alt_text)
    kind = "jpeg" if by_content == "heic" else by_content  # a browser shows JPEG, not HEIC
    with _decoding(shown):
        picture = _clean_picture(shown, data, by_content, PHOTO_MAX_SIDE)
        content, thumbnail = _encoded(picture, kind), _thumbnail(picture)
    if by_content == "heic":
        shown = f"{PurePosixPath(shown).stem}.jpg"
    return CheckedPhoto(shown, _KINDS[kind][1], content, alt, thumbnail)


def _photo_kind(name: str, data: bytes, alt_text: str) -> tuple[str, str, str]:
    """A photo's shown name, kind and alt text, by the cheap checks alone."""
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
    _check_header_size(shown, data, by_content)
    return shown, by_content, alt


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
    with _decoding(name):
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
