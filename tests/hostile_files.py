"""Hostile uploads the second attack used (issue 20, N1 and the PDF bomb), made small and
in streaming fashion: the tests and bench/hostile_upload_bench.py share them."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def big_png(width: int = 7070, height: int = 7060, rgba: bool = True) -> bytes:
    """A PNG declaring ``width`` × ``height`` pixels of nothing (7070×7060 RGBA: ~190 kB on
    disk, ~200 MB decoded, 50 MP: under the old cap). Written row by row, never held whole."""
    channels = 4 if rgba else 3
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if rgba else 2, 0, 0, 0)
    deflate = zlib.compressobj(9)
    row = b"\x00" * (1 + width * channels)  # filter byte + the pixels
    parts = [deflate.compress(row) for _ in range(height)]
    parts.append(deflate.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; 1 is the catalogue) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj " % number + body + b" endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page_objects(content: bytes, filters: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d%s >>\nstream\n" % (len(content), filters) + content + b"\nendstream",
    ]


def many_objects_pdf(count: int = 200_000) -> bytes:
    """A one-page PDF with ``count`` small extra objects (~8 MB at 200,000: under the
    10 MB limit)."""
    objects = _page_objects(b"BT ET")
    objects += [b"<<>>"] * count
    return _pdf(objects)


def content_bomb_pdf(inflated: int = 400 * 1024 * 1024) -> bytes:
    """A one-page PDF whose page content inflates to ``inflated`` bytes (400 MB from ~400 kB)."""
    deflate = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    parts = [deflate.compress(block) for _ in range(inflated // len(block))]
    parts.append(deflate.flush())
    return _pdf(_page_objects(b"".join(parts), b" /Filter /FlateDecode"))


def small_pdf() -> bytes:
    return _pdf(_page_objects(b"BT /F1 12 Tf 72 720 Td (Merknad) Tj ET"))
