"""A few rules on top of Streamlit's theme, for WCAG 2.1 AA: caption contrast (Streamlit
dims captions to 3.9:1), a visible focus ring on links and select boxes, and long Norwegian
words in headings hyphenated on small screens."""

from __future__ import annotations

import json
from functools import cache

import streamlit as st

from ..hyphenation import soft_hyphens
from ..i18n import t
from ..text import escape_markdown
from . import form_steps, framework_text, phone_first
from .language import document_language_js

_CSS = """
<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #5f5d5a; }
a:focus-visible,
[data-testid="stPageLink-NavLink"]:focus-visible,
[data-testid="stSidebarNavLink"]:focus-visible,
[data-testid="stExpander"] summary:focus-visible {
    outline: 3px solid #1f4e79;
    outline-offset: 2px;
}
/* Streamlit's inputs only darken a 1 px border on focus; a ring shows where you are. */
input:focus-visible, textarea:focus-visible,
[data-baseweb="select"] input:focus {
    outline: 3px solid #1f4e79 !important;
    outline-offset: 2px !important;
}
h1, h2, h3 { hyphens: auto; overflow-wrap: break-word; }
/* The published «vi hørte – vi gjør» table (ui/medvirkning.py) fits a 320 px phone: its
   columns share the width and long words break instead of widening the page. */
table.ki-heard { width: 100%; table-layout: fixed; }
table.ki-heard th, table.ki-heard td { overflow-wrap: anywhere; hyphens: auto; vertical-align: top; }
/* Phones: headings scale down with the screen (Streamlit's h1 is 44 px wide or narrow), so
   a long compound more often fits; the soft hyphens in titles (hyphenation.py) break the
   rest with a hyphen. */
/* Elements that only carry a script (this module's, the map name's, the phone fold) take no
   room, not even the column's gap between elements. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) { display: none; }
/* The foot of every resident page (frame.py): a line above its links, as st.divider drew it. */
.st-key-ki-foot { border-top: 1px solid rgba(49, 51, 63, 0.2); padding-top: 1.5rem; margin-top: 1.5rem; }
/* The consultation's facts box (ui/page_markup.py): the four facts in a row, under each
   other on a phone (where Streamlit stacks columns). */
.ki-facts-list { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.5rem 1.5rem; margin: 0 0 1rem; }
.ki-facts-list dd { margin: 0; overflow-wrap: anywhere; }
.ki-facts-box { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px); }
.ki-facts-box p { margin: 0 0 1rem; }
.ki-facts-box > :last-child { margin-bottom: 0; }
@media (max-width: 640px) {
    .ki-facts-list { grid-template-columns: minmax(0, 1fr); }
    /* The first screen of a phone starts under Streamlit's 60 px header (empty on the
       residents' pages), not 100 px below it. */
    [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; }
    h1 { font-size: clamp(1.625rem, 7vw, 2.75rem) !important; }
    h2 { font-size: clamp(1.375rem, 6vw, 2.25rem) !important; }
    h3 { font-size: clamp(1.25rem, 5.2vw, 1.75rem) !important; }
}
</style>
"""


# Map frames get a name screen readers announce (their title is the component's id).
_OWN_SCRIPT = (
    "(function () {"
    "window.kiMapName = %s;"
    "const label = () => document.querySelectorAll("
    "'iframe[title=\"streamlit_folium.st_folium\"]').forEach("
    "f => f.setAttribute('aria-label', window.kiMapName));"
    "label(); new MutationObserver(label).observe(document.body, {childList: true, subtree: true});"
    # Streamlit's <main> is a tab stop of its own (tabindex 0), one more Tab for nothing;
    # its skip link («Gå til hovedinnholdet») still lands there with tabindex -1.
    "const main = document.querySelector('[data-testid=\"stMain\"]');"
    "if (main && main.getAttribute('tabindex') === '0') main.setAttribute('tabindex', '-1');"
    # Copying a heading copies its text without the soft hyphens put in for phones
    # (hyphenation.py): pasted into a search or a letter, «tettstedsutvikling» stays one
    # word. Only a selection holding one is touched (it is then copied as plain text).
    "if (!window.kiCopyPlain) { window.kiCopyPlain = true;"
    "document.addEventListener('copy', e => {"
    "const text = String(document.getSelection());"
    "if (e.clipboardData && text.includes('\\u00ad')) {"
    "e.clipboardData.setData('text/plain', text.replace(/\\u00ad/g, '')); e.preventDefault(); }"
    "}); }"
    "})();"
)

# Every page's rules in one style sheet: this module's, the consultation page's on a phone
# (phone_first.py) and the form's parts (form_steps.py). Their selectors name only their
# own elements, so the other pages carry them unused.
_STYLESHEET = _CSS.replace("</style>", "") + phone_first.CSS + form_steps.CSS + "</style>"


@cache
def page_script(lang: str) -> str:
    """The app's scripts for every page in ``lang``, as one script element: the page's
    language (``<html lang>``), this module's, and Streamlit's own words in the page's
    language (framework_text.py). Each part runs on its own: one failing leaves the others be."""
    parts = (  # the short ones first: Streamlit's words walk the whole page
        document_language_js(lang),
        _OWN_SCRIPT % json.dumps(t("map.name", lang)),
        framework_text.script(lang),
    )
    return "<script>" + "".join(f"try {{ {part} }} catch (e) {{ console.error(e); }}" for part in parts) + "</script>"


def apply(lang: str) -> None:
    """Every page's style sheet and scripts: two elements a run (a page run's every element
    is work for the server, issue 26), the same for every session."""
    st.html(_STYLESHEET)  # only style: Streamlit puts it where it takes no room
    st.html(page_script(lang), unsafe_allow_javascript=True)


def heading(text: str, lang: str) -> str:
    """A heading's markdown: ``text`` escaped, with soft hyphens in its long words by the
    rules of ``lang``, the language the text is written in (``Consultation.written_in``)."""
    return escape_markdown(soft_hyphens(text, lang))


def map_name(name: str) -> None:
    """The name the maps of this page go by (the start page's overview map: after a formal
    høring's page, whose maps show «merknader»; the consultation page names its own in its
    one script, phone_first.apply)."""
    st.html(
        f"<script>window.kiMapName = {json.dumps(name)};</script>",
        unsafe_allow_javascript=True,
    )
