"""Photos as a phone saves them (large, with the camera's make and a GPS position) and the text
of an input sent with them: shared by the photo, photo moderation and upload cost tests."""

from __future__ import annotations

import io

from PIL import Image


GPS_IFD = 0x8825
CATEGORY = "Trafikk og trafikksikkerhet"
TEXT = "Rekkverket ved gangbrua er ødelagt og barna går der hver dag."


def phone_jpeg(size=(4000, 3000)) -> bytes:
    """A photo as a phone saves it: large, with the camera's make and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Kamerafabrikk"
    exif[GPS_IFD] = {1: "N", 2: (59.0, 49.0, 34.0), 3: "E", 4: (10.0, 24.0, 50.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def phone_heic(size=(2000, 1000)) -> bytes:
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (59.0, 49.0, 34.0), 3: "E", 4: (10.0, 24.0, 50.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 10)).save(out, "HEIF", exif=exif.tobytes())
    return out.getvalue()
