"""Finding personal data in residents' text: fødselsnummer, D-nummer, phone, e-mail, words
that tell of health or other private circumstances, and the sender's own name, address and
gnr/bnr where the text repeats them.

Inputs become public case documents, so the form warns before sending and public views
mask what is found. The rules are strict to keep false alarms rare: a fødselsnummer or
D-nummer counts only when its date part is a real day and both mod-11 control digits are
right; a phone number only in the forms Norwegians write one, and not as an amount (kr,
kroner, NOK, ,-) or an area (kvm, m2, m²).

Health (diagnoses, illness, medication, disability, pregnancy) is a special category (GDPR
art. 9) and, with welfare, child welfare and criminal matters, under duty of secrecy (fvl.
§ 13): those are found by the word lists in ``wordlists/`` (bokmål and nynorsk), whole
words only. A letter's sender is known from its registration or the web form (``Own``);
their name, street address and gnr/bnr are found wherever the text repeats them, so a
public view or the report that leaves the name out does not print it from the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Weights of the two control digits (Skatteetaten's published algorithm for fødselsnummer).
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Not part of a longer number, a date (12.03.2026) or a case number (24/12345).
_BIRTH_NUMBER = re.compile(r"(?<!\d)(?<!\d[.,/-])(\d{6})[ ]?(\d{5})(?!\d)(?![.,/-]\d)")
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)47[ -]?)?"
    r"(?:[2-9]\d{7}|[2-9]\d{2}[ -]\d{2}[ -]\d{3}|[2-9]\d[ -]\d{2}[ -]\d{2}[ -]\d{2})"
    r"(?![\d,.]\d|\w)"
)
_NOT_PHONE_AFTER = re.compile(r"\s*(?:kr\b|kroner|nok\b|,-|kvm|m2|m²|meter|mål\b)", re.IGNORECASE)
_NOT_PHONE_BEFORE = re.compile(r"(?:kr\.?|nok|gnr\.?|bnr\.?|planid|plan-id)\s*$", re.IGNORECASE)
# Every finding has an @ or eight digits with at most spaces/hyphens between: a cheap test
# that lets the common text (no such thing) skip the three searches.
_CANDIDATE = re.compile(r"@|\d(?:[ -]?\d){7}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Finding:
    # "fodselsnummer", "d_nummer", "phone", "email", "health", "circumstances",
    # "own_name", "own_address", "own_property"
    kind: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Own:
    """What the merknad's sender gave about themselves: their name, postal address
    («Gate 1, 1384 Asker») and gnr/bnr («12/345»); each may be missing."""

    name: str | None = None
    address: str | None = None
    property: str | None = None

    def __bool__(self) -> bool:
        return bool(self.name or self.address or self.property)


def _control_digits_ok(digits: str) -> bool:
    d = [int(c) for c in digits]
    k1 = 11 - sum(w * x for w, x in zip(_K1, d[:9], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != d[9]:
        return False
    k2 = 11 - sum(w * x for w, x in zip(_K2, d[:10], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return k2 != 10 and k2 == d[10]


def _birth_number_kind(digits: str) -> str | None:
    day, month = int(digits[:2]), int(digits[2:4])
    if not 1 <= month <= 12 or not _control_digits_ok(digits):
        return None
    if 1 <= day <= 31:
        return "fodselsnummer"
    if 41 <= day <= 71:  # D-nummer: day + 40
        return "d_nummer"
    return None


def find_personal_data(text: str, own: Own | None = None) -> list[Finding]:
    """What in ``text`` looks like personal data, in order of position; with ``own``, the
    sender's own name, address and gnr/bnr too."""
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    if own:
        for kind, pattern in _own_patterns(own.name, own.address, own.property):
            for match in pattern.finditer(text):
                if free(*match.span()):
                    findings.append(Finding(kind, match.span()))
                    taken.append(match.span())
    for kind, span in _vocabulary().find(text):
        if free(*span):
            findings.append(Finding(kind, span))
            taken.append(span)
    if not _CANDIDATE.search(text):
        return sorted(findings, key=lambda f: f.span)

    for match in _EMAIL.finditer(text):
        findings.append(Finding("email", match.span()))
        taken.append(match.span())
    for match in _BIRTH_NUMBER.finditer(text):
        kind = _birth_number_kind(match.group(1) + match.group(2))
        if kind and free(*match.span()):
            findings.append(Finding(kind, match.span()))
            taken.append(match.span())
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if not free(start, end):
            continue
        if _NOT_PHONE_AFTER.match(text, end) or _NOT_PHONE_BEFORE.search(text[:start]):
            continue
        findings.append(Finding("phone", (start, end)))
        taken.append((start, end))
    return sorted(findings, key=lambda f: f.span)


def has_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))


WORD_LISTS = {
    "health": Path(__file__).parent.with_name("wordlists") / "personal_health_nb_nn.txt",
    "circumstances": Path(__file__).parent.with_name("wordlists") / "personal_circumstances_nb_nn.txt",
}


@dataclass(frozen=True)
class _Vocabulary:
    """Every list as two patterns over the lowercased text, one group per kind: whole
    words laid out as a trie (``_trie``), and the few words that may sit inside another
    («*allergi*»), searched only when the text holds them at all. «*» at the end allows any
    ending, a space any white space. (An alternation of 170 words tried case-insensitively
    at every position cost ~0.7 ms for a 400-character text; this ~0.1 ms.)"""

    words: re.Pattern[str]
    inner: re.Pattern[str] | None
    cores: tuple[str, ...]  # what the inner words contain

    def find(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        lowered = text.lower()
        if len(lowered) != len(text):  # a character that lowercases to two: keep positions
            lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        found = [(m.lastgroup, m.span()) for m in self.words.finditer(lowered)]
        if self.inner is not None and any(core in lowered for core in self.cores):
            found += [(m.lastgroup, m.span()) for m in self.inner.finditer(lowered)]
        return found  # type: ignore[return-value]


@cache
def _vocabulary() -> _Vocabulary:
    whole_parts, inner_parts, cores = [], [], []
    for kind, path in WORD_LISTS.items():
        whole, inner = [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                (inner if word.startswith("*") else whole).append(word)
        whole_parts.append(f"(?P<{kind}>{_trie({w.rstrip('*'): w.endswith('*') for w in whole})})")
        if inner:
            alternatives = (r"\w*" + re.escape(w.strip("*")) + (r"\w*" if w.endswith("*") else "") for w in inner)
            inner_parts.append(f"(?P<{kind}>{'|'.join(alternatives)})")
            cores += [w.strip("*") for w in inner]
    edge = r"(?<![\w-])(?:{})(?!\w)"
    inner_pattern = re.compile(edge.format("|".join(inner_parts))) if inner_parts else None
    return _Vocabulary(re.compile(edge.format("|".join(whole_parts))), inner_pattern, tuple(cores))


def _trie(words: dict[str, bool]) -> str:
    """A pattern matching exactly ``words`` (each ``True``: with any ending), sharing
    their common beginnings so the engine decides on one character at a time."""
    tree: dict = {}
    for word, open_end in words.items():
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[None] = node.get(None, False) or open_end

    def pattern(node: dict) -> str:
        if node.get(None):  # any ending: covers every longer word below too
            return r"\w*"
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + pattern(child)
            for ch, child in sorted((k, v) for k, v in node.items() if k is not None)
        ]
        if None in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return pattern(tree)


_STREET = re.compile(r"^\s*([^\d,]*?\S)\s+(\d+)\s*([A-Za-z])?\b")
_NAME_PART_MIN = 3  # a given name or surname alone; shorter parts («Bo», «Li») match too much


@cache
def _own_patterns(name: str | None, address: str | None, prop: str | None) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The sender's name (whole, and each part of it as a capitalised word), street address
    (the street and house number, any case) and gnr/bnr («12/345», «gnr. 12 bnr. 345»,
    «gnr 12, bnr 345»), as patterns; the longest first."""
    found: list[tuple[str, re.Pattern[str]]] = []
    if name and (words := re.findall(r"[^\W\d_][\w'.-]*", name)):
        found.append(
            ("own_name", re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE))
        )
        parts = sorted({w.strip(".") for w in words if len(w.strip(".")) >= _NAME_PART_MIN}, key=len, reverse=True)
        if parts:  # a part alone only as a name: capitalised (Berg, not berg)
            capitalised = (re.escape(p[0].upper() + p[1:]) for p in parts)
            found.append(("own_name", re.compile(r"(?<!\w)(?:" + "|".join(capitalised) + r")s?(?!\w)")))
    if address and (street := _STREET.match(address)):
        road, number, letter = street.groups()
        road_words = r"\s+".join(map(re.escape, road.split()))
        tail = r"\s*" + re.escape(letter) if letter else r"(?:\s*[A-Za-z](?!\w))?"
        found.append(
            ("own_address", re.compile(r"(?<!\w)" + road_words + r"\s+" + number + tail + r"(?!\d)", re.IGNORECASE))
        )
    if prop and (numbers := re.fullmatch(r"\s*(\d{1,5})\s*/\s*(\d{1,5})(?:/.*)?", prop)):
        gnr, bnr = numbers.groups()
        found.append(
            (
                "own_property",
                re.compile(
                    r"(?<![\d/])(?:g(?:ard|ards|)\.?\s*(?:nr|nummer)\.?\s*|gnr\.?\s*(?:/\s*bnr\.?\s*)?|g/?bnr\.?\s*)?"
                    + gnr
                    + r"(?:\s*/\s*|\s*,?\s*(?:og\s+)?b(?:ruks)?\.?\s*(?:nr|nummer)\.?\s*|\s*-\s*)"
                    + bnr
                    + r"(?![\d])",
                    re.IGNORECASE,
                ),
            )
        )
    return tuple(found)


def mask_personal_data(text: str, replacement: str, own: Own | None = None) -> str:
    """``text`` with every finding replaced by ``replacement``."""
    for finding in reversed(find_personal_data(text, own)):
        start, end = finding.span
        text = text[:start] + replacement + text[end:]
    return text


def mask_naming_kinds(text: str, label: Callable[[str], str], own: Own | None = None) -> tuple[str, tuple[str, ...]]:
    """``text`` with every finding replaced by ``label(kind)`` («[telefonnummer]»), and the
    kinds masked, each once in order of appearance: what a case document shows (a merknad
    with personal data is masked in the merknadsbehandling, never left out)."""
    findings = find_personal_data(text, own)
    for finding in reversed(findings):
        start, end = finding.span
        text = text[:start] + label(finding.kind) + text[end:]
    return text, tuple(dict.fromkeys(f.kind for f in findings))


def remove_personal_data(text: str) -> str:
    """``text`` without the findings (what the form offers before sending)."""
    return re.sub(r"[ \t]{2,}", " ", mask_personal_data(text, "")).strip()


ABUSE_LIST = Path(__file__).parent.with_name("wordlists") / "abuse_nb.txt"


@cache
def _abuse_pattern() -> re.Pattern[str]:
    words = [
        line.strip()
        for line in ABUSE_LIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    alternatives = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def find_abuse(text: str) -> list[str]:
    """Words from the abuse list in ``text``: the input is flagged for a planner."""
    return [m.group(0) for m in _abuse_pattern().finditer(text)]


def flags(text: str) -> list[str]:
    """What a planner should look at: ``personal_data`` and/or ``abuse``."""
    found = []
    if has_personal_data(text):
        found.append("personal_data")
    if find_abuse(text):
        found.append("abuse")
    return found
