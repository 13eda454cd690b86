"""The consultation page on a phone: the map first.

On a narrow screen (≤ 640 px, where Streamlit stacks columns) the page leads with the
title, the frist and one call to action («Gi innspill i kartet», a link to the map), then the
map with the form; the background texts follow, folded, and the facts box comes last. The
order is CSS (``order`` in Streamlit's flex columns), so the page is one page for every
screen; the fold is the expander's own button, pressed once when the page first shows on a
narrow screen (a reader opens it again with one tap, and a wide screen never folds it).
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
@media (max-width: {NARROW_PX}px) {{
    .st-key-{COLUMNS} [data-testid="stHorizontalBlock"] > :nth-child(2) {{ order: -1; }}
    [data-testid="stLayoutWrapper"]:has(> .st-key-{FACTS}) {{ order: 1; }}
}}
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
    """The narrow-screen order and the fold (after the page's first elements)."""
    st.html(_CSS)
    st.html(_FOLD % (NARROW_PX, BACKGROUND), unsafe_allow_javascript=True)


def call_to_action(lang: str) -> None:
    """«Gi innspill i kartet»: a link to the map, big enough for a thumb."""
    label = t("phone_first.cta", lang)
    st.html(f'<p class="ki-cta"><a href="#{MAP_ANCHOR}">{escape_html(label)}</a></p>')
