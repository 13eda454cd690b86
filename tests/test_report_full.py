"""Done means (issue 11): a høring of 700 inputs — 15 from authorities with 3 innsigelser, 40
with personal data, 25 hidden from the web, 10 late, 5 marked as no merknad — gives a
merknadsbehandling whose body and annex name all 695 merknader and show none of the personal
data, read back from the .docx and from the PDF LibreOffice renders; the XLSX table agrees
with it row for row."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import docx
import pytest

from consultations.casework import review
from consultations.config import load_profile
from consultations.outputs.downloads import report_file
from consultations.outputs.export import Format, export
from consultations.model import (
    Channel,
    InputDraft,
    InputStatus,
    NotMerknad,
    Objection,
    Outcome,
    Response,
    SenderType,
    Stage,
)
from consultations.permissions import OPERATOR
from consultations.outputs.merknadsbehandling import build_report, docx_to_pdf
from consultations.store import Store
from consultations.participation.submission import register_input
from tests.conftest import (
    INSIDE,
    docx_text,
    make_consultation,
    need_office_tools,
    pdf_text,
    report_rows,
)

CLOSES = datetime(2026, 11, 20, 22, 59, tzinfo=UTC)  # 23:59 in Oslo
NOW = CLOSES + timedelta(days=10)
PHONES = [f"9{k:07d}" for k in range(20)]
EMAILS = [f"beboer{k}@eksempel.no" for k in range(20)]
ASKER = load_profile("asker")
REF = re.compile(r"KI-\d{6}")


def _build(store: Store) -> dict[str, list[int]]:
    c = make_consultation(
        "stor-hoering",
        plan_id="3203202601",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="26/4711",
        opens_at=CLOSES - timedelta(weeks=7),
        closes_at=CLOSES,
        announced_on=date(2026, 10, 1),
    )
    store.add_consultation(c)
    lat, lon = INSIDE
    categories = c.categories

    def rows(n, start, text, received):
        return [
            (
                categories[(start + k) % len(categories)],
                text(start + k),
                lat,
                lon,
                None,
                None,
                received + timedelta(minutes=k),
            )
            for k in range(n)
        ]

    plain = lambda k: f"Merknad nummer {k} om planforslaget ved kaia og byggehøyden der."
    personal = lambda k: (
        f"Merknad nummer {k}: ring meg på {PHONES[k % 20]}."
        if k % 2
        else f"Merknad nummer {k}: skriv til {EMAILS[k % 20]}."
    )
    in_time = CLOSES - timedelta(days=20)
    # 650 published web inputs in time, 40 of them with personal data; 25 hidden; 10 late
    store.bulk_add_inputs(c.id, rows(610, 0, plain, in_time), Channel.WEB, InputStatus.PUBLISHED)
    store.bulk_add_inputs(c.id, rows(40, 610, personal, in_time), Channel.WEB, InputStatus.PUBLISHED)
    store.bulk_add_inputs(c.id, rows(25, 650, plain, in_time), Channel.WEB, InputStatus.HIDDEN)
    store.bulk_add_inputs(c.id, rows(10, 675, plain, CLOSES + timedelta(days=2)), Channel.WEB, InputStatus.PUBLISHED)
    authorities = [
        register_input(
            store,
            c.id,
            InputDraft("Annet", f"Uttalelse nummer {k} fra myndigheten om planforslaget."),
            channel=Channel.LETTER,
            sender_type=SenderType.AUTHORITY,
            sender_name=f"Myndighet {k}",
            received_at=date(2026, 11, 10),
            actor=OPERATOR,
            now=NOW,
            objection=Objection.INNSIGELSE if k < 3 else None,
        ).id
        for k in range(15)
    ]
    frame = store.analysis_frame(c.id)
    ids = [int(i) for i in frame["id"]]
    assert len(ids) == 700
    web = ids[:685]
    spam = web[:5]
    review.mark_not_merknad(store, spam, NotMerknad.SPAM, "", OPERATOR)
    review.tag(store, web[5:205], "Byggehøyde", OPERATOR)
    review.respond(
        store, web[5:305], Response(0, "Byggehøyden.", "Høyden senkes med en etasje.", Outcome.PARTLY), OPERATOR
    )
    for k, input_id in enumerate(web[305:405]):
        review.respond(store, [input_id], Response(0, f"Svar {k}.", f"Vurdering {k}.", Outcome.NOTED), OPERATOR)
    review.respond(store, authorities[:3], Response(0, "Innsigelse.", "Imøtekommes.", Outcome.TAKEN), OPERATOR)
    return {"merknader": [i for i in ids if i not in spam], "spam": spam, "personal": web[610:650]}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("full") / "full.duckdb")
    ids = _build(store)
    data = build_report(store, "stor-hoering", profile=ASKER, now=NOW)
    yield store, ids, data
    store.close()


@pytest.fixture(scope="module")
def big_pdf(big):
    need_office_tools()
    return pdf_text(docx_to_pdf(big[2]))


def _split(text: str) -> tuple[str, str]:
    """The merknad tables and the annex (the first page also lists the points not assessed,
    issue 21)."""
    at = text.index("Vedlegg 1: Merknadene i full tekst")
    return text[text.index("Merknadene står etter") : at], text[at:]


def test_the_body_and_the_annex_of_the_docx_name_all_695_merknader_once_each_and_no_personal_data(big):
    store, ids, data = big
    document = docx.Document(io.BytesIO(data))
    text = docx_text(document)
    body, annex = _split(text)
    expected = sorted(f"KI-{i:06d}" for i in ids["merknader"])
    assert len(expected) == 695
    assert sorted(REF.findall(body)) == expected  # exactly once each, and nothing else
    assert sorted(REF.findall(annex)) == expected
    assert sorted(report_rows(document)) == expected
    for secret in (*PHONES, *EMAILS):
        assert secret not in text
    # masked in the body's excerpt (they are unanswered) and in the annex, the kind named
    assert text.count("[telefonnummer skjult]") == 2 * 20 and text.count("[e-postadresse skjult]") == 2 * 20
    assert "40 merknader inneholder personopplysninger" in text
    assert "25 merknader er skjult på nettsiden" in text
    assert "10 merknader kom inn etter fristen" in text
    assert "Innsigelser (3)" in text and "3 innsigelser er ikke løst" in text


def test_the_pdf_names_every_merknad_with_its_reference_and_dates_whole_and_no_personal_data(big, big_pdf):
    store, ids, data = big
    text = big_pdf
    body, annex = _split(text)
    expected = sorted(f"KI-{i:06d}" for i in ids["merknader"])
    assert sorted(REF.findall(body)) == expected
    assert sorted(REF.findall(annex)) == expected
    assert not re.search(r"KI-\d{0,5}\s*$", text, re.MULTILINE)  # no reference broken over two lines
    source = docx_text(docx.Document(io.BytesIO(data)))
    for day in set(re.findall(r"\d{2}\.\d{2}\.\d{4}", source)):
        assert text.count(day) == source.count(day), day  # every date whole, none wrapped
    # the column titles unbroken, in the merknad tables and in the politicians' summary
    # (a table's header repeats on every page it runs over: at least as often as written)
    for word in ("Kommunedirektørens", "Avsendergruppe", "orientering", "Privatpersoner"):
        assert text.count(word) >= source.count(word), word
    for secret in (*PHONES, *EMAILS):
        assert secret not in text


def test_the_xlsx_agrees_with_the_report_row_for_row(big):
    from openpyxl import load_workbook

    store, ids, data = big
    rows = report_rows(docx.Document(io.BytesIO(data)))
    sheet = load_workbook(io.BytesIO(export(store, "stor-hoering", Format.XLSX)), read_only=True)["Innspill"]
    table = list(sheet.values)
    header = list(table[0])
    # read-only sheets leave out a row's empty cells at its end
    records = [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in table[1:]]
    merknader = {r["referanse"]: r for r in records if r["ikke_merknad"] is None}
    assert sorted(merknader) == sorted(rows)
    assert sorted(r["referanse"] for r in records if r["ikke_merknad"] == "Søppel (spam)") == sorted(
        f"KI-{i:06d}" for i in ids["spam"]
    )
    for reference, row in rows.items():
        record = merknader[reference]
        assert row[5] == record["konklusjon_i_rapporten"], reference
        day = record["opprettet"][:10]
        assert row[1].split("\n")[0] == f"{day[8:10]}.{day[5:7]}.{day[:4]}", reference
        assert ("Etter fristen" in row[1]) == (record["etter_frist"] is not None), reference


def test_the_pdf_download_is_the_same_report_rendered_and_audited(big):
    need_office_tools()
    store, ids, _ = big
    data = report_file(store, "stor-hoering", include_names=False, profile=ASKER, actor=OPERATOR, pdf=True)
    assert data[:5] == b"%PDF-"
    entry = store.audit_entries(limit=1)[0]
    assert entry.action == "consultation.report" and '"format": "pdf"' in entry.after
