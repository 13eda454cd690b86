"""What the merknadsbehandling says about its own privacy is what it contains (security
finding N9: docs/security/content.md said the Word report leaves out pending and hidden
inputs; the code rightly puts hidden ones in, masked, and pending ones after the frist —
and the report is a public attachment to the saksframlegg)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from consultations.model import InputStatus
from tests.conftest import docx_text, report_rows
from tests.helpers_report import CLOSES, HIDDEN_TEXT, NEIGHBOUR, PHONE, PRIVATE, _report
from tests.helpers_report import hearing  # noqa: F401  (a fixture)

MASKED_MARK = "Personopplysninger skjult i rapporten"


def _count(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else 0


def test_each_privacy_statement_of_the_report_counts_what_the_report_holds(store, hearing):
    c, ref, ids = hearing
    document = _report(store, c)
    text, rows = docx_text(document), report_rows(document)
    hidden = [ref[k] for k, i in ids.items() if store.get_input(i).status == InputStatus.HIDDEN]
    assert hidden and all(r in rows for r in hidden)  # hidden from the web, never from the case
    assert _count(r"(\d+) merknad(?:er)? er skjult på nettsiden", text) == len(hidden)
    masked = [r for r, row in rows.items() if MASKED_MARK in row[3]]
    assert masked and _count(r"(\d+) merknad(?:er)? inneholder personopplysninger", text) == len(masked)
    assert PHONE not in text.replace("\u00a0", " ")  # «skjult i rapporten» holds
    assert "Navn på privatpersoner er ikke tatt med" in text
    assert PRIVATE not in text and NEIGHBOUR not in text
    assert HIDDEN_TEXT in text


def test_the_waiting_statement_counts_the_pending_inputs_left_out_before_the_frist(store, hearing):
    c, ref, ids = hearing
    store.set_input_status([ids["hidden"], ids["crossing"]], InputStatus.PENDING, "planner")
    before = _report(store, c, now=CLOSES - timedelta(days=1))
    text = docx_text(before)
    left_out = [k for k in ("hidden", "crossing") if ref[k] not in report_rows(before)]
    assert _count(r"(\d+) innspill venter på moderering", text) == len(left_out) == 2
    after = _report(store, c, now=CLOSES + timedelta(minutes=1))
    assert all(ref[k] in report_rows(after) for k in ("hidden", "crossing"))
    assert "venter på moderering" not in docx_text(after)


def test_the_security_notes_say_what_the_report_does():
    """docs/security/content.md: hidden merknader in (masked), pending ones after the frist."""
    doc = (Path(__file__).resolve().parent.parent / "docs/security/content.md").read_text(encoding="utf-8")
    assert "leaves out pending and hidden inputs" not in doc
    assert "hidden inputs are in it" in doc and "pending inputs are in it once the frist has passed" in doc
