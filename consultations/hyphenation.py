"""Soft hyphens in the long words of headings, for narrow screens.

On a phone a heading's long Norwegian compound («tettstedsutvikling») is wider than the line:
CSS ``overflow-wrap: break-word`` then breaks it at any letter, without a hyphen
(«tettstedsutviklin» / «g»), and ``hyphens: auto`` does nothing where the browser has no
Norwegian dictionary (Chromium on Linux and Android ships none for nb or nn). A soft hyphen
(U+00AD) is a break the browser may take, drawing a hyphen only there; elsewhere it is
invisible. Only the text a heading shows gets them: what is stored, sent, exported or put
in the page's title never does (see docs/phones.md for copying and screen readers).

The break points come from pyphen's LibreOffice dictionaries (``nb_NO``, ``nn_NO``, ``en_GB``).
"""

from __future__ import annotations

import re
from functools import cache

import pyphen

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit a phone's line even in a large heading; breaking them only
# makes headings harder to read.
MIN_LETTERS = 10
_LONG_WORD = re.compile(
    rf"[^\W\d_]{{{MIN_LETTERS},}}"
)  # letters only: no numbers, ids, codes
_DICTIONARIES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


@cache
def _dictionary(lang: str) -> pyphen.Pyphen:
    # at least three letters on each side: «ut-» alone at a line's end reads badly
    return pyphen.Pyphen(
        lang=_DICTIONARIES.get(lang, _DICTIONARIES["nb"]), left=3, right=3
    )


def soft_hyphens(text: str, lang: str) -> str:
    """``text`` with a soft hyphen at each break point of its long words, in ``lang``'s
    rules; for a heading's display only."""
    dictionary = _dictionary(lang)
    plain = text.replace(SOFT_HYPHEN, "")
    return _LONG_WORD.sub(
        lambda m: dictionary.inserted(m[0], hyphen=SOFT_HYPHEN), plain
    )


def without_soft_hyphens(text: str) -> str:
    return text.replace(SOFT_HYPHEN, "")
