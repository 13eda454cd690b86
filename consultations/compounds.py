"""Where a Norwegian compound is joined: «stasjons|området», «tettsteds|utvikling».

A compound is split into parts that are words of the language's hunspell dictionary
(Debian's ``hunspell-no``: ``/usr/share/hunspell/nb_NO.dic`` and ``nn_NO.dic``), each but the
last with its joint letter («s», «e») or none, the last as the word or an inflected form
(«-en», «-et», «-ene», …). Of the ways to split a word, the one with the fewest parts wins
(«tettsteds|utvikling», not «tett|steds|ut|vik|ling»); a part that is long itself is split
again the same way. A joint letter stays with the part before it («Heggedals|veien», not
«Heggedal|sveien»).

The dictionary is held as a sorted array of 64-bit hashes of its words (2.6 MB for
bokmål instead of 38 MB as a set of strings), read from the word list once per version of
it and kept in the temporary directory, where later processes load it in milliseconds.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zlib
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

DICTIONARIES = Path("/usr/share/hunspell")
_FILES = {"nb": "nb_NO.dic", "nn": "nn_NO.dic"}
MIN_PART = 3  # letters of a word in a part («vei» in «skole|veien»); a part has one more
SPLIT_AGAIN = 14  # a part this long (letters) is split again; shorter ones fit a phone's line
_JOINTS = ("s", "e", "")
_ENDINGS = ("", "e", "en", "et", "a", "er", "ene", "ne", "t", "s", "ens", "ets", "es", "ers", "enes", "ane", "ar")
_VERBAL = ("ing", "inga", "ingen", "inger", "ingene", "ingar", "ingane")  # «parkere» → «parkering»

log = logging.getLogger(__name__)


def _hash(word: str) -> int:
    """64 bits of two checksums (C code, fast): the same in every process, so the array can
    be kept on disk; a false «known» is one in billions."""
    data = word.encode()
    return ((zlib.crc32(data) << 32) | zlib.adler32(data)) - (1 << 63)


@cache
def _words(lang: str) -> np.ndarray | None:
    path = DICTIONARIES / _FILES.get(lang, _FILES["nb"])
    if not path.exists():
        log.warning("%s is missing (Debian package hunspell-no): headings break at syllables only", path)
        return None
    # read once per dictionary version, then kept (2.6 MB): the first page need not wait
    stat = path.stat()
    kept = Path(tempfile.gettempdir()) / f"kartinnspill-{path.stem}-{stat.st_size}-{int(stat.st_mtime)}.npy"
    try:
        return np.load(kept)
    except (OSError, ValueError):
        pass
    hashes = []
    with path.open(encoding="iso-8859-1") as lines:
        next(lines)  # the word count
        for line in lines:
            word = line.split("/", 1)[0].strip().lower()
            if len(word) >= MIN_PART and word.isalpha():
                hashes.append(_hash(word))
    words = np.unique(np.array(hashes, dtype=np.int64))
    part = kept.with_name(f"{kept.stem}.{os.getpid()}.npy")
    try:
        np.save(part, words)
        os.replace(part, kept)  # whole or not at all: another process may read it now
    except OSError as exc:
        log.warning("could not keep the word list in %s: %s", kept, exc)
    return words


def available(lang: str) -> bool:
    """Whether the dictionary for ``lang`` is installed."""
    return _words(lang) is not None


class _Lexicon:
    def __init__(self, words: np.ndarray):
        self.words = words

    @lru_cache(maxsize=20_000)
    def known(self, word: str) -> bool:
        h = _hash(word)
        i = int(np.searchsorted(self.words, h))
        return i < len(self.words) and int(self.words[i]) == h

    def _stem(self, part: str, endings: tuple[str, ...]) -> bool:
        for ending in endings:
            stem = part[: len(part) - len(ending)] if ending else part
            if part.endswith(ending) and len(stem) >= MIN_PART and self.known(stem):
                return True
        return False

    def first(self, part: str) -> bool:
        """A part before a joint: a word, with or without its joint letter."""
        return self._stem(part, _JOINTS)

    def last(self, part: str) -> bool:
        """The last part: a word or an inflected form of one."""
        if self._stem(part, _ENDINGS):
            return True
        for ending in _ENDINGS[1:]:  # a doubled last consonant: «programm|et», «stoff|et»
            stem = part[: len(part) - len(ending)]
            if part.endswith(ending) and len(stem) > MIN_PART and stem[-1] == stem[-2] and self.known(stem[:-1]):
                return True
        return any(part.endswith(e) and self.known(part[: len(part) - len(e)] + "e") for e in _VERBAL)


@cache
def _lexicon(lang: str) -> _Lexicon | None:
    words = _words(lang)
    return None if words is None else _Lexicon(words)


def joints(word: str, lang: str) -> tuple[int, ...]:
    """The positions in ``word`` where its compound parts meet (empty for a word that is
    not a compound, or not known)."""
    lexicon = _lexicon(lang)
    if lexicon is None or not word.isalpha():
        return ()
    word = word.lower()
    if len(word) < SPLIT_AGAIN and lexicon.last(word):
        return ()  # a known word that fits a line: «stasjonene», not «stas|jonene»
    return _joints(lexicon, word)


@lru_cache(maxsize=4_096)
def _joints(lexicon: _Lexicon, word: str) -> tuple[int, ...]:
    n = len(word)

    @cache
    def rest(i: int) -> tuple[int, int, int, tuple[int, ...]] | None:
        """The best split of word[i:] into parts: (parts, joint letters put right,
        -shortest part, cuts); the smallest wins."""
        found = [(1, 0, -(n - i), ())] if i and n - i >= MIN_PART + 1 and lexicon.last(word[i:]) else []
        for j in range(i + MIN_PART + 1, n - MIN_PART):
            if lexicon.first(word[i:j]) and (after := rest(j)) is not None:
                # «heggedal|sveien» where «heggedals|veien» reads too: a joint letter goes left
                moved = int(word[j] == "s" and lexicon.first(word[i : j + 1]) and rest(j + 1) is not None)
                found.append((after[0] + 1, after[1] + moved, max(-(j - i), after[2]), (j, *after[3])))
        return min(found) if found else None

    best = rest(0)
    if best is None:
        return ()
    out: list[int] = []
    for start, end in zip((0, *best[3]), (*best[3], n), strict=True):
        if end - start >= SPLIT_AGAIN:  # a long part is split again, the same way
            out.extend(start + k for k in _joints(lexicon, word[start:end]))
        if end < n:
            out.append(end)
    return tuple(sorted(set(out)))
