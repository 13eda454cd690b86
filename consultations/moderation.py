"""Finding personal data in residents' text: fødselsnummer, D-nummer, phone, e-mail.

Inputs become public case documents, so the form warns before sending and public views
mask what is found. The rules are strict to keep false alarms rare: a fødselsnummer or
D-nummer counts only when its date part is a real day and both mod-11 control digits are
right; a phone number only in the forms Norwegians write one, and not as an amount (kr,
kroner, NOK, ,-) or an area (kvm, m2, m²).
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
    kind: str  # "fodselsnummer", "d_nummer", "phone", "email"
    span: tuple[int, int]


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


def find_personal_data(text: str) -> list[Finding]:
    """What in ``text`` looks like personal data, in order of position."""
    if not _CANDIDATE.search(text):
        return []
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

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


def mask_personal_data(text: str, replacement: str) -> str:
    """``text`` with every finding replaced by ``replacement``."""
    for finding in reversed(find_personal_data(text)):
        start, end = finding.span
        text = text[:start] + replacement + text[end:]
    return text


def mask_naming_kinds(text: str, label: Callable[[str], str]) -> tuple[str, tuple[str, ...]]:
    """``text`` with every finding replaced by ``label(kind)`` («[telefonnummer]»), and the
    kinds masked, each once in order of appearance: what a case document shows (a merknad
    with personal data is masked in the merknadsbehandling, never left out)."""
    findings = find_personal_data(text)
    for finding in reversed(findings):
        start, end = finding.span
        text = text[:start] + label(finding.kind) + text[end:]
    return text, tuple(dict.fromkeys(f.kind for f in findings))


def remove_personal_data(text: str) -> str:
    """``text`` without the findings (what the form offers before sending)."""
    return re.sub(r"[ \t]{2,}", " ", mask_personal_data(text, "")).strip()


ABUSE_LIST = Path(__file__).with_name("wordlists") / "abuse_nb.txt"


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
