"""The resident's form as a short sequence: where → what → send.

Three numbered parts, each a keyed container with its own heading: «1 av 3 · Hvor gjelder
det?» (the map, the place without a map, «Gjelder hele området»), «2 av 3 · Hva vil du si?»
(category, text, photos, about you) and «3 av 3 · Send» (notice, sender, e-mail, «Send»).

On a wide screen all three show, one after the other. On a phone (≤ 640 px) one is in view
at a time, with «Neste» and «Tilbake» under it. Which one is a mark on ``<body>``
(``data-ki-step``), set by the browser alone: every part stays on the page and in the
form, so nothing typed is lost when the page or the map reruns, and stepping costs the
server nothing. «Neste» moves the focus to the next part's heading (a screen reader reads
where it is). When the server refuses a sent form, the part the reason belongs to is shown.
"""

from __future__ import annotations

import json
from itertools import count

import streamlit as st

from ..i18n import t
from ..text import escape_html
from .phone_first import NARROW_PX

STEPS = (1, 2, 3)
_KEY = "ki-step-{n}"
OUTCOME = "ki-form-outcome"  # the container of the form's message
_COUNTER = count(1)

# Where a refusal sends the resident back to: the part holding the field it is about.
_WHERE_ERRORS = ("input.location_missing", "input.outside_area", "input.bad_coordinates", "drawing.")
_WHAT_ERRORS = (
    "input.category_",
    "input.text_",
    "input.duplicate_text",
    "input.age_group_",
    "input.relation_",
    "photo.",
    "questions.",
)

CSS = f"""
.ki-step-nav {{ display: none; }}
@media (max-width: {NARROW_PX}px) {{
    .ki-step-nav {{ display: flex; gap: 12px; margin: 8px 0 4px; flex-wrap: wrap; }}
    .ki-step-nav button {{
        min-height: 48px; min-width: 44px; padding: 10px 20px; border-radius: 8px;
        font: inherit; font-weight: 600; cursor: pointer;
        border: 2px solid #1f4e79; background: #fff; color: #1f4e79;
    }}
    .ki-step-nav button.ki-next {{ background: #1f4e79; color: #fff; }}
    .ki-step-nav button:focus-visible {{ outline: 3px solid #f0b400; outline-offset: 2px; }}
    body:not([data-ki-step="2"]) .st-key-{_KEY.format(n=2)},
    body:not([data-ki-step="3"]) .st-key-{_KEY.format(n=3)},
    body[data-ki-step="2"] .st-key-{_KEY.format(n=1)},
    body[data-ki-step="3"] .st-key-{_KEY.format(n=1)} {{ display: none; }}
    /* at the first part the form (parts 2 and 3) and its heading wait below */
    body:not([data-ki-step="2"]):not([data-ki-step="3"]) [data-testid="stForm"]:has(.st-key-{_KEY.format(n=2)}),
    body:not([data-ki-step="2"]):not([data-ki-step="3"]) .st-key-ki-form-heading {{ display: none; }}
}}
"""

# One listener for the page: a «Neste»/«Tilbake» button names the part it goes to (in the
# consultation page's one script, phone_first.apply; the rules above are in every page's
# style sheet, style.py).
SCRIPT = """
(function () {
  if (window.kiStep) return;
  window.kiStep = function (n, focus) {
    document.body.dataset.kiStep = String(n);
    if (!focus) return;
    const part = document.querySelector(".st-key-ki-step-" + n);
    const heading = part && part.querySelector("h1, h2, h3, h4, h5");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus({preventScroll: true});
    heading.scrollIntoView({block: "start"});
  };
  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest("[data-ki-goto]");
    if (!button) return;
    e.preventDefault();
    window.kiStep(button.dataset.kiGoto, true);
  });
})();
"""


def key(n: int) -> str:
    """The container key of part ``n`` (its CSS class is ``st-key-<key>``)."""
    return _KEY.format(n=n)


def heading(n: int, lang: str) -> None:
    """«2 av 3 · Hva vil du si?»: the part's number and question, a level-4 heading with no
    «link to this heading» (a markdown heading's link would be one more tab stop before the
    map)."""
    text = t("form_steps.heading", lang, step=n, steps=len(STEPS), title=t(f"form_steps.title_{n}", lang))
    st.html(f'<h4 class="ki-step-heading">{escape_html(text)}</h4>')


def nav(n: int, lang: str) -> None:
    """«Tilbake» and «Neste» under part ``n``, shown on a phone only (a wide screen shows
    every part)."""
    buttons = []
    if n > STEPS[0]:
        buttons.append(
            f'<button type="button" data-ki-goto="{n - 1}">{escape_html(t("form_steps.back", lang))}</button>'
        )
    if n < STEPS[-1]:
        label = t("form_steps.next", lang, title=t(f"form_steps.title_{n + 1}", lang))
        buttons.append(f'<button type="button" class="ki-next" data-ki-goto="{n + 1}">{escape_html(label)}</button>')
    st.html(f'<div class="ki-step-nav">{"".join(buttons)}</div>')


def step_of(error_key: str) -> int:
    """Which part a refusal's field is in: 1 where, 2 what, 3 send."""
    if error_key.startswith(_WHERE_ERRORS):
        return 1
    if error_key.startswith(_WHAT_ERRORS):
        return 2
    return 3


def show(n: int, outcome: bool = False) -> None:
    """Bring part ``n`` into view now (after a refusal or a sent form), and with
    ``outcome`` the form's message (thanks, or why not) under it. The script is new each
    time, so the browser runs it again."""
    scroll = (
        f'setTimeout(function () {{ const o = document.querySelector(".st-key-{OUTCOME}");'
        ' if (o) o.scrollIntoView({block: "center"}); }, 300);'
        if outcome
        else ""
    )
    st.html(
        f"<script>/* {next(_COUNTER)} */ if (window.kiStep) {{ window.kiStep({json.dumps(n)}, false); {scroll} }}</script>",
        unsafe_allow_javascript=True,
    )
