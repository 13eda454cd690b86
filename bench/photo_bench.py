"""What a phone photo costs: checking (decode, clean, resize, re-encode), the stored
sizes, and the thumbnail each published photo adds to the map's popups and the list.

    python -m bench.photo_bench [--size 4032 3024]
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image

from consultations.participation.attachments import check_photo


def phone_photo(width: int, height: int, fmt: str) -> bytes:
    """A photo-like picture (smooth gradients with noise, so it compresses like one)."""
    rng = np.random.default_rng(14)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)], axis=-1)
    pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, nargs=2, default=[4032, 3024], metavar=("WIDTH", "HEIGHT"))
    size = tuple(parser.parse_args().size)
    for fmt, name in (("JPEG", "IMG.jpg"), ("HEIF", "IMG.heic")):
        data = phone_photo(*size, fmt)
        start = time.perf_counter()
        photo = check_photo(name, data, "Ødelagt rekkverk")
        took = time.perf_counter() - start
        print(
            f"{fmt} {size[0]}×{size[1]} {len(data) / 1e6:.1f} MB: checked in {took:.2f} s; "
            f"stored {len(photo.content) / 1e3:.0f} kB, thumbnail {len(photo.thumbnail) / 1e3:.1f} kB "
            f"({len(photo.thumbnail) * 4 // 3 / 1e3:.1f} kB as a data: URI)"
        )


if __name__ == "__main__":
    main()
