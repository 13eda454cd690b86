"""Soft hyphens in the long words of headings, for narrow screens.

On a phone a heading's long Norwegian compound («tettstedsutvikling») is wider than the line:
CSS ``overflow-wrap: break-word`` then breaks it at any letter, without a hyphen
(«tettstedsutviklin» / «g»), and ``hyphens: auto`` does nothing where the browser has no
Norwegian dictionary (Chromium on Linux and Android ships none for nb or nn). A soft hyphen
(U+00AD) is a break the browser may take, drawing a hyphen only there; elsewhere it is
invisible. Only the text a heading shows gets them: what is stored, sent, exported or put
in the page's title never does (see docs/phones.md for copying and screen readers).

Norwegian compounds break at their joints only («stasjons-området», never «sta-sjonsområdet»),
found with the hunspell dictionary (``compounds.joints``); a part still too long for a line,
and a word that is no known compound, get pyphen's break points from its LibreOffice
dictionaries (``nb_NO``, ``nn_NO``, ``en_GB``), which know syllables, not compounds.
"""

from __future__ import annotations

import re
from functools import cache

import pyphen

from . import compounds

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit a phone's line even in a large heading; breaking them only
# makes headings harder to read.
MIN_LETTERS = 10
_LONG_WORD = re.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")  # letters only: no numbers, ids, codes
_DICTIONARIES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


@cache
def _dictionary(lang: str) -> pyphen.Pyphen:
    # at least three letters on each side: «ut-» alone at a line's end reads badly
    return pyphen.Pyphen(lang=_DICTIONARIES.get(lang, _DICTIONARIES["nb"]), left=3, right=3)


def soft_hyphens(text: str, lang: str) -> str:
    """``text`` with a soft hyphen at each break point of its long words, in ``lang``'s
    rules; for a heading's display only."""
    plain = text.replace(SOFT_HYPHEN, "")
    return _LONG_WORD.sub(lambda m: _word(m[0], lang), plain)


def _word(word: str, lang: str) -> str:
    dictionary = _dictionary(lang)
    cuts = compounds.joints(word, lang) if lang in ("nb", "nn") or lang not in _DICTIONARIES else ()
    if not cuts:
        return dictionary.inserted(word, hyphen=SOFT_HYPHEN)
    parts = [word[a:b] for a, b in zip((0, *cuts), (*cuts, len(word)), strict=True)]
    # a part still longer than a line may hold breaks at its syllables
    return SOFT_HYPHEN.join(
        dictionary.inserted(part, hyphen=SOFT_HYPHEN) if len(part) >= compounds.SPLIT_AGAIN else part for part in parts
    )


def without_soft_hyphens(text: str) -> str:
    return text.replace(SOFT_HYPHEN, "")
