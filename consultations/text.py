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
    return json_in_script(json.dumps(value, ensure_ascii=False))


# «{{», «{%» and «{#» open a Jinja tag; in JSON they can only occur inside strings (an
# object's brace is followed by a key's quote, a space or «}»): written as \u007b, no
# template engine a map passes through can read a resident's text as a tag.
_TEMPLATE_TAG = re.compile(r"\{(?=[{%#])")


def json_in_script(text: str) -> str:
    """JSON text already written (e.g. stored GeoJSON) made safe for a <script>, as
    ``js_literal``: these characters can only occur inside JSON strings. ``$`` and the
    backtick too: no resident's «${…}» or `` ` `` ever stands in a script as written, so a
    template literal around it (folium's, security finding N2) could not run it either."""
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
        .replace("$", "\\u0024")
        .replace("`", "\\u0060")
    )
    return _TEMPLATE_TAG.sub(r"\\u007b", text)


# Only images the app serves itself (server.enableStaticServing) may appear in staff markdown:
# anything else would make every resident's browser fetch a third party's server.
_LOCAL_IMAGE = re.compile(r"\(\s*<?/?app/static/")
_RAW_IMG = re.compile(r"<img\b[^>]*>?", re.IGNORECASE)


def without_remote_images(markdown: str) -> str:
    """Staff markdown with every image that is not served by the app turned into a plain
    link (``![alt](https://…)`` → ``[alt](https://…)``) and raw ``<img>`` tags removed.

    Deliberately simple: an image is kept only when its alternative text is plain (no code
    span or HTML that could hide a bracket) and ``](`` is followed by ``/app/static/``; in
    every other case the ``!`` goes, which can never make an image."""
    markdown = _RAW_IMG.sub("", markdown)
    out, i = [], 0
    while (start := markdown.find("![", i)) != -1:
        out.append(markdown[i:start])
        end = _closing_bracket(markdown, start + 1)
        alt = markdown[start + 2 : end] if end else ""
        local = end and not any(c in alt for c in "`<") and _LOCAL_IMAGE.match(markdown, end + 1)
        out.append("![" if local else "[")
        i = start + 2
    out.append(markdown[i:])
    return "".join(out)


def _closing_bracket(text: str, opening: int) -> int | None:
    """The index of the ``]`` that closes the ``[`` at ``opening`` (backslash escapes and
    nested brackets respected), or ``None``."""
    depth, i = 0, opening
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def has_remote_images(markdown: str) -> bool:
    return without_remote_images(markdown) != markdown
