"""Embedding a consultation in the municipality's own web pages.

The municipality pastes ``snippet`` into its page: an ``<iframe>`` of the consultation with
``?embed=true`` (Streamlit then leaves out its own toolbar, and the page its back link) and
a few lines that give the frame the height of its content. The framed page tells its
height with ``postMessage`` (``height_script``), only to the origins allowed to frame it
(``KARTINNSPILL_FRAME_ANCESTORS``, the CSP's ``frame-ancestors``); the snippet only listens
to the app's own origin. Nothing else is exchanged.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from urllib.parse import quote

HEIGHT_MESSAGE = "kartinnspill:height"
START_HEIGHT_PX = 900  # until the page has told its height (or without JavaScript)


def embed_url(origin: str, consultation_id: str) -> str:
    return f"{origin}/?id={quote(consultation_id, safe='')}&embed=true"


def snippet(origin: str, consultation_id: str, title: str) -> str:
    """The HTML for the municipality's page: the frame with a ``title`` (WCAG 4.1.2: a
    screen reader names the frame by it) and the height listener."""
    url = html.escape(embed_url(origin, consultation_id), quote=True)
    listener = (
        'window.addEventListener("message", function (e) {\n'
        f'  if (e.origin !== {json.dumps(_origin_only(origin))} || !e.data || e.data.type !== "{HEIGHT_MESSAGE}") return;\n'
        '  document.querySelectorAll("iframe[data-kartinnspill]").forEach(function (f) {\n'
        '    if (f.contentWindow === e.source) f.style.height = Math.ceil(e.data.height) + "px";\n'
        "  });\n"
        "});"
    )
    return (
        f'<iframe src="{url}" title="{html.escape(title, quote=True)}" data-kartinnspill\n'
        f'        style="width:100%;height:{START_HEIGHT_PX}px;border:0" loading="lazy"></iframe>\n'
        f"<script>\n{listener}\n</script>"
    )


def _origin_only(address: str) -> str:
    """``https://host[:port]`` of an address (the app may live under a base path)."""
    scheme, _, rest = address.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def height_script(ancestors: Sequence[str]) -> str:
    """JavaScript for the framed page: the height of its content, each time it changes,
    to the parent page when that may frame it (one of ``ancestors``; a message to any other
    origin is dropped by the browser)."""
    return (
        "(function () {\n"
        "  var top = window.parent;\n"
        "  if (top === window || window.__kartinnspillHeight) return;\n"
        "  window.__kartinnspillHeight = true;\n"
        f"  var origins = {json.dumps(list(ancestors))};\n"
        "  var last = 0;\n"
        "  function tell() {\n"
        "    var block = document.querySelector('[data-testid=\"stMainBlockContainer\"]');\n"
        "    if (!block) return;\n"
        "    var height = Math.ceil(block.getBoundingClientRect().height) + 32;\n"
        "    if (Math.abs(height - last) < 2) return;\n"
        "    last = height;\n"
        f'    origins.forEach(function (o) {{ top.postMessage({{type: "{HEIGHT_MESSAGE}", height: height}}, o); }});\n'
        "  }\n"
        "  function watch() {\n"
        "    var block = document.querySelector('[data-testid=\"stMainBlockContainer\"]');\n"
        "    if (!block) { setTimeout(watch, 200); return; }\n"
        "    new ResizeObserver(tell).observe(block);\n"
        "    tell();\n"
        "  }\n"
        "  watch();\n"
        "})();"
    )
