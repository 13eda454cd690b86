"""Streamlit's own words in the user's language.

Streamlit 1.67 has no setting for the language of its interface: the file uploader's
«Upload» and «200MB per file», «Press Enter to submit form», «Choose an option», «No
results», «Skip to main content», the aria-labels of its buttons and the date picker's
words are English literals in its frontend bundle (static/static/js/*.js), and the date
picker takes month and day names and the first day of the week from the browser's locale
(``navigator.language``; see ``st.date_input``'s docstring). What this module does:

- an observer in the page replaces each of those texts, where it appears (text, aria-label,
  placeholder, title), with the text of our locale files: the bundle stays as shipped, and
  a Streamlit upgrade that renames a string shows English again, which the browser test
  (tests/browser/test_framework_words.py) catches;
- the page's locale (``navigator.language``) is set to the page's language before the
  widgets mount, and a ``languagechange`` tells those mounted already, so the calendar is
  Norwegian (Monday first) even in a browser set to English.
"""

from __future__ import annotations

import json
from functools import cache

from ..i18n import LANGUAGES, t

# Streamlit's texts, each with the key that says it in our locale files (framework.*).
EXACT: dict[str, str] = {
    "Skip to main content": "skip",
    "Upload": "upload",
    "Add files": "upload",
    "Browse files": "upload",
    "Drag and drop file here": "drop_one",
    "Drag and drop a file here": "drop_one",
    "Drag and drop files here": "drop_many",
    "file upload": "dropzone",
    "Only one file is allowed.": "only_one",
    "Error uploading file": "upload_error",
    "Error deleting file": "delete_error",
    "Click to retry upload": "retry",
    "Press Enter to submit form": "enter_submit",
    "Press Enter to apply": "enter_apply",
    "Press Ctrl+Enter to submit form": "ctrl_enter_submit",
    "Press Ctrl+Enter to apply": "ctrl_enter_apply",
    "Press ⌘+Enter to submit form": "cmd_enter_submit",
    "Press ⌘+Enter to apply": "cmd_enter_apply",
    "Choose an option": "choose_one",
    "Choose options": "choose_many",
    "No results": "no_results",
    "Clear all": "clear_all",
    "Select all": "select_all",  # the multiselect's first option (locales/*/touch.toml)
    "Clear value": "clear",
    "Open": "open",
    "Show password": "show_password",
    "Hide password": "hide_password",
    "Link to heading": "heading_link",
    "Choose date": "choose_date",
    "Previous month": "previous_month",
    "Next month": "next_month",
    "Sidebar": "sidebar",
    "Collapse sidebar": "collapse_sidebar",
    "Expand sidebar": "expand_sidebar",
    "App pages": "app_pages",
    "Main menu": "main_menu",
    "Rerun": "rerun",
    "Stop": "stop",
    "Running...": "running",
    "Print": "print",
    "Clear cache": "clear_cache",
    "About": "about",
    "Settings": "settings",
    "Connecting": "connecting",
    "Connection error": "connection_error",
    "Page not found": "page_not_found",
    "Add row": "add_row",
    "Show/hide columns": "columns",
    "Download as CSV": "download_csv",
    "Search": "search",
    "Fullscreen": "fullscreen",
    "Close": "close",
    "Error": "error",
}
# Texts with a part that varies: (pattern, key); the key's text has {label}.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Help for (?<label>.+)$", "help_for"),
    (r"^Limit (?<label>\S+) per file$", "per_file"),
    (r"^(?<label>\d+\s?[KMG]?B) per file$", "per_file"),
    (r"^day, (?<label>.+)$", "segment_day"),
    (r"^month, (?<label>.+)$", "segment_month"),
    (r"^year, (?<label>.+)$", "segment_year"),
    (r"^hour, (?<label>.+)$", "segment_hour"),
    (r"^minute, (?<label>.+)$", "segment_minute"),
    (r"^Choose date, (?<label>.+)$", "choose_date_in"),
    (r"^Selected Date: (?<label>.+)$", "selected_date"),
    (r"^Selected Time: (?<label>.+)$", "selected_time"),
    (r"^Remove (?<label>.+)$", "remove"),
    (r"^Cancel upload of (?<label>.+)$", "cancel_upload"),
    (r"^File is larger than (?<label>.+)$", "too_large"),
)


def texts(lang: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The replacements for ``lang``: exact texts, and (JavaScript regex, replacement with
    ``$<label>``). The texts of every other language map too, so a language switch in
    the same page turns what was already translated (only texts of more than one word:
    a single word such as «Søk» may be someone's own text in another language)."""
    exact = {english: t(f"framework.{key}", lang) for english, key in EXACT.items()}
    for other in LANGUAGES:
        for key in set(EXACT.values()) if other != lang else ():
            if " " in (said := t(f"framework.{key}", other)):
                exact.setdefault(said, t(f"framework.{key}", lang))
    exact = {source: target for source, target in exact.items() if source != target}
    patterns = [(pattern, t(f"framework.{key}", lang, label="$<label>")) for pattern, key in PATTERNS]
    return exact, patterns


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_SCRIPT = r"""(function () {
const exact = %(exact)s, patterns = %(patterns)s.map(([p, r]) => [new RegExp(p), r]);
const locale = %(locale)s, months = %(months)s;
// The date field reads its value out as «November 29, 2026» whatever the locale.
const usDate = /\b(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2}), (\d{4})\b/;
const dated = (s) => months ? s.replace(usDate, (m, mo, d, y) => `${d}. ${months[mo]} ${y}`) : s;
try {
  for (const [name, value] of [["language", locale], ["languages", [locale]]]) {
    Object.defineProperty(navigator, name, {get: () => value, configurable: true});
  }
  window.dispatchEvent(new Event("languagechange"));
} catch (e) {}
const turn = (text) => {
  const core = text.trim();
  if (!core) return null;
  let out = Object.prototype.hasOwnProperty.call(exact, core) ? exact[core] : null;
  for (let i = 0; out === null && i < patterns.length; i++) {
    if (patterns[i][0].test(core)) out = dated(core.replace(patterns[i][0], patterns[i][1]));
  }
  return out === null ? null : text.replace(core, out);
};
const ATTRS = ["aria-label", "placeholder", "title"];
// What residents wrote (every input's text goes out in a .ki-text block, photos in
// .ki-photos: ui/safe.py) is never rewritten: «Remove the fence …» stays as it was sent.
const OWN = "script,style,textarea,.ki-text,.ki-photos";
const fixElement = (el) => {
  for (const name of ATTRS) {
    const value = el.getAttribute(name);
    const turned = value && turn(value);
    if (turned !== null && turned !== undefined && turned !== value) el.setAttribute(name, turned);
  }
};
const fix = (node) => {
  if (node.nodeType === Node.TEXT_NODE) {
    const parent = node.parentElement;
    if (parent && parent.closest(OWN)) return;
    const turned = turn(node.nodeValue);
    if (turned !== null && turned !== node.nodeValue) node.nodeValue = turned;
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE || node.closest(OWN)) return;
  fixElement(node);
  node.querySelectorAll("[aria-label],[placeholder],[title]").forEach(fixElement);
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) fix(walker.currentNode);
};
if (window.kiFrameworkWords) window.kiFrameworkWords.disconnect();
const observer = new MutationObserver((mutations) => {
  for (const m of mutations) {
    if (m.type === "childList") m.addedNodes.forEach(fix);
    else if (m.type === "characterData") fix(m.target);
    else if (m.target.nodeType === Node.ELEMENT_NODE) fixElement(m.target);
  }
});
observer.observe(document.body, {
  childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS,
});
window.kiFrameworkWords = observer;
fix(document.body);
})();"""


def _js(value: object) -> str:
    """JSON for inside a <script> element. No «<» at all: nothing can close the element,
    and Streamlit's sanitiser (DOMPurify) drops a script whose text has «<» before a
    letter or «/» — as the «(?<label>» of the patterns would."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


@cache
def script(lang: str) -> str:
    """The script that puts Streamlit's words in ``lang`` on the page and sets the browser's
    locale to it (for the page's one script, ``style.apply``): the same for every session,
    so written once per language."""
    exact, patterns = texts(lang)
    return _SCRIPT % {
        "exact": _js(exact),
        "patterns": _js(patterns),
        "locale": _js(t("framework.locale", lang)),
        "months": _js(None if lang == "en" else dict(zip(_MONTHS, t("date.months", lang).split(), strict=True))),
    }
