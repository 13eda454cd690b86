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

import streamlit as st

from ..i18n import t
from ..text import escape_html

NARROW_PX = 640
MAP_ANCHOR = "kart"
FACTS = "ki-facts"
COLUMNS = "ki-columns"
BACKGROUND = "ki-background"

_CSS = f"""
<style>
/* the background's and the map's headings keep no «link to this heading» tab stops */
.st-key-{BACKGROUND} [data-testid="stHeaderActionElements"],
[data-testid="stHeaderActionElements"]:has(a[href="#{MAP_ANCHOR}"]) {{ display: none; }}
.ki-cta a {{
    display: inline-block; min-height: 44px; padding: 10px 18px; border-radius: 8px;
    background: #1f4e79; color: #fff !important; font-weight: 600; text-decoration: none;
}}
</style>
"""

# Fold the background texts once on a narrow screen (the expander's own toggle, so Streamlit
# knows it is folded); never again in this page's life, whatever the reader does next.
_FOLD = """
<script>(function () {
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
})();</script>
"""


def apply() -> None:
    """The map heading's and the call to action's style, and the fold on a narrow screen
    (after the page's first elements)."""
    st.html(_CSS)
    st.html(_FOLD % (NARROW_PX, BACKGROUND), unsafe_allow_javascript=True)


def call_to_action(lang: str) -> None:
    """«Gi innspill i kartet»: a link to the map, big enough for a thumb."""
    label = t("phone_first.cta", lang)
    st.html(f'<p class="ki-cta"><a href="#{MAP_ANCHOR}">{escape_html(label)}</a></p>')
