"""The consultation page on a phone: the map first.

The page leads with the title, the frist and one call to action («Gi innspill i kartet», a
link to the map), then the map with the form, then the background texts and the facts box.
That is the page's own order on every screen (a wide one shows the background beside the
map, a narrow one — ≤ 640 px, where Streamlit stacks columns — below it), so what a phone
shows first is also what a keyboard and a screen reader reach first (WCAG 1.3.2, 2.4.3):
no CSS ``order`` moves anything. On a narrow screen the background texts are folded: the
expander's own button, pressed once when the page first shows (a reader opens it again with
one tap, and a wide screen never folds it).
"""

from __future__ import annotations

import json
from functools import cache

import streamlit as st

from ..i18n import t
from ..text import escape_html

NARROW_PX = 640
MAP_ANCHOR = "kart"
BACKGROUND = "ki-background"

CSS = f"""
/* the background's and the map's headings keep no «link to this heading» tab stops */
.st-key-{BACKGROUND} [data-testid="stHeaderActionElements"],
[data-testid="stHeaderActionElements"]:has(a[href="#{MAP_ANCHOR}"]) {{ display: none; }}
.ki-cta a {{
    display: inline-block; min-height: 44px; padding: 10px 18px; border-radius: 8px;
    background: #1f4e79; color: #fff !important; font-weight: 600; text-decoration: none;
}}
"""

# Fold the background texts once on a narrow screen (the expander's own toggle, so Streamlit
# knows it is folded); never again in this page's life, whatever the reader does next.
_FOLD = """
(function () {
  if (window.innerWidth > %d || window.kiFolded) return;
  const fold = () => {
    const summary = document.querySelector(".st-key-%s details[open] > summary");
    if (!summary) return false;
    window.kiFolded = true; summary.click(); return true;
  };
  if (fold()) return;
  const watch = new MutationObserver(() => { if (fold()) watch.disconnect(); });
  watch.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => watch.disconnect(), 10000);
})();
"""


@cache
def _script(lang: str, map_name: str, also: str) -> str:
    """The page's one script: the name its maps go by (a formal høring's map shows
    «merknader»), the fold on a narrow screen, and ``also``. The language in a comment:
    a switch of language runs it again after the app's own script (style.py), which names
    the maps in the new language too."""
    parts = (f"window.kiMapName = {json.dumps(map_name)};", _FOLD % (NARROW_PX, BACKGROUND), also)
    body = "".join(f"try {{ {part} }} catch (e) {{ console.error(e); }}" for part in parts if part)
    return f"<script>/* {json.dumps(lang)} */ {body}</script>"


def apply(lang: str, map_name: str, cta: bool, also: str = "") -> None:
    """The consultation page's own element, after its title and frist: the call to action
    («Gi innspill i kartet», a link to the map, big enough for a thumb) while it takes
    input, and the page's one script (``_script``; ``also``: another part's, e.g. the
    form's, form_steps.SCRIPT). Its style is in every page's style sheet (style.py)."""
    link = f'<p class="ki-cta"><a href="#{MAP_ANCHOR}">{escape_html(t("phone_first.cta", lang))}</a></p>' if cta else ""
    st.html(link + _script(lang, map_name, also), unsafe_allow_javascript=True)
