"""Cleaning residents' text on the way in, and the one escaping path on the way out.

Residents' text is data, never markup: everything user-written reaches HTML through
``escape_html`` and Streamlit markdown through ``escape_markdown``.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

# Control characters (Unicode category Cc) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Every ASCII punctuation character may be backslash-escaped in CommonMark.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:^=&\"'])")


def clean_text(text: str) -> str:
    """Normalise line ends and Unicode form, drop control characters, trim the ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    """Text that Streamlit's markdown shows exactly as typed (links, images, HTML inert)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    # Keep the resident's line breaks without letting them start markdown blocks.
    return escaped.replace("\n", "  \n")


def excerpt(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def js_literal(value: object) -> str:
    """JSON for embedding in a <script>: no sequence in it can close the tag."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
