"""The merknadsbehandling report (.docx) read back with python-docx: every merknad in it
whatever its public status (personal data masked), grouped as a saksframlegg, group answers
once, the annex complete; and the command line's report options."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import docx

from consultations.casework import review
from consultations.model import InputStatus
from consultations.outputs.merknadsbehandling import Order
from tests.conftest import (
    docx_text,
    report_rows,
    report_tables,
    staff,
)
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_report import (
    ASKER,
    AUTHORITY,
    CLOSES,
    HIDDEN_TEXT,
    NEIGHBOUR,
    ORGANISATION,
    PHONE,
    PRIVATE,
    SPAM_TEXT,
    _report,
)
from tests.helpers_report import hearing  # noqa: F401  (a fixture)


def _headings(document, level):
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def _annex(document) -> str:
    text = docx_text(document)
    return text[text.index("Vedlegg 1: Merknadene i full tekst") :]


def _tables(document):
    """The report's tables without the first page's lists of point numbers (issue 21)."""
    return [t for t in document.tables if not t.rows[0].cells[0].text.startswith("KI-")]


def _body(document) -> str:
    text = docx_text(document)
    return text[text.index("Merknadene står etter avsendergruppe") : text.index("Vedlegg 1: Merknadene i full tekst")]


def test_hidden_inputs_and_inputs_with_personal_data_are_in_the_report_masked_with_the_kind_named(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c)
    rows = report_rows(document)
    assert ref["hidden"] in rows and ref["phone"] in rows
    phone = rows[ref["phone"]]
    assert phone[3] == "Lavere bygg.\nPersonopplysninger skjult i rapporten: telefonnummer."
    assert phone[4] == "Ikke ring [telefonnummer skjult]."  # a planner's words are masked too
    assert "Bygget må bli to etasjer lavere. Ring meg på [telefonnummer skjult]." in _annex(document)
    text = docx_text(document)
    assert PHONE not in text and "912 34 567" not in text.replace("\u00a0", " ")
    assert HIDDEN_TEXT in _annex(document)
    assert "2 merknader er skjult på nettsiden (moderering)" in text
    assert "holdt utenfor rapporten etter saksbehandlers valg" not in text


def test_an_input_marked_as_no_merknad_stays_out_and_is_counted_by_reason_in_the_annex(store, hearing):
    c, ref, ids = hearing
    document = _report(store, c)
    text = docx_text(document)
    assert ref["spam"] not in text and SPAM_TEXT not in text
    annex = _annex(document)
    assert "Vedlegg 2: Innspill som ikke er merknader" in annex
    counts = {row.cells[0].text: row.cells[1].text for row in document.tables[-1].rows}
    assert counts == {"Grunn": "Antall", "Søppel (spam)": "1"}
    review.restore_merknad(store, [ids["spam"]], staff(store, "planner"))  # reversible
    assert ref["spam"] in report_rows(_report(store, c))


def test_pending_inputs_are_counted_before_the_frist_and_in_the_report_once_it_has_passed(store, hearing):
    c, ref, ids = hearing
    store.set_input_status([ids["hidden"]], InputStatus.PENDING, "planner")
    before = _report(store, c, now=CLOSES - timedelta(days=1))
    assert ref["hidden"] not in docx_text(before)
    assert "1 innspill venter på moderering. Fristen er ikke ute" in docx_text(before)
    after = _report(store, c, now=CLOSES + timedelta(minutes=1))
    assert ref["hidden"] in report_rows(after) and "venter på moderering" not in docx_text(after)


def test_the_body_is_grouped_as_a_saksframlegg_authorities_with_innsigelser_first_neighbours_before_private_persons(
    store, hearing
):
    c, ref, _ = hearing
    document = _report(store, c)
    assert _headings(document, 2) == [
        "1. Regionale og statlige myndigheter (2 merknader)",
        "3. Organisasjoner, lag og velforeninger (1 merknad)",
        "5. Privatpersoner (7 merknader)",
    ]
    level3 = _headings(document, 3)
    assert level3[0] == "Innsigelse (1)"
    tables = report_tables(document)
    assert [row[0] for row in tables[0]] == [ref["objection"]]
    assert "Innsigelse (opprettholdt – mekling)" in tables[0][0][2] and AUTHORITY in tables[0][0][2]
    order = [row[0] for rows in tables for row in rows if len(row) == 6]
    # private persons: under their theme first (Skolevei), then by category, neighbours first
    bolig = next(rows for heading, rows in zip(level3, tables, strict=True) if heading.startswith("Kategori: Bolig"))
    assert [row[0] for row in bolig] == [ref["neighbour"], ref["phone"]]
    assert (
        order.index(ref["objection"])
        < order.index(ref["advice"])
        < order.index(ref["club"])
        < order.index(ref["speed"])
    )


def test_every_merknad_reference_is_once_in_the_body_and_once_in_the_annex(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c)
    body, annex = _body(document), _annex(document)
    for name, reference in ref.items():
        expected = 0 if name == "spam" else 1
        assert body.count(reference) == expected, name
        assert annex.count(reference) == expected, name


def test_a_group_answer_is_printed_once_below_the_merknader_it_covers_with_the_duplicate_answered_through_its_original(
    store, hearing
):
    c, ref, _ = hearing
    document = _report(store, c)
    tables = dict(zip(_headings(document, 3), report_tables(document), strict=True))
    skolevei = tables["Tema: Skolevei (3 merknader)"]
    assert [row[0] for row in skolevei] == [ref["speed"], ref["crossing"], skolevei[2][0], ref["private"]]
    for row in skolevei[:2]:
        assert row[4] == "Se felles vurdering F1 under." and row[5] == "Delvis tatt til følge"
    group = skolevei[2]
    assert len(group) == 1 and group[0].startswith("Felles vurdering F1 (3 merknader) – Kommunedirektørens vurdering")
    assert "Fartsdemping vurderes.\nEndring i planen: Ny fartshump." in group[0]
    assert "Kommunedirektørens forslag: Delvis tatt til følge" in group[0]
    # the duplicate has no theme: under its category, it refers to the answer above
    (copy,) = tables["Kategori: Trafikk og trafikksikkerhet (1 merknad)"]
    assert copy[0] == ref["copy"] and copy[3] == "Bilene kjører for fort forbi skolen!"
    assert copy[4:] == ["Se felles vurdering F1 ovenfor.", "Delvis tatt til følge"]
    assert docx_text(document).count("Fartsdemping vurderes.") == 1


def test_a_merknad_answered_alone_shows_summary_assessment_change_and_proposal_in_its_row(store, hearing):
    c, ref, _ = hearing
    rows = report_rows(_report(store, c))
    club = rows[ref["club"]]
    assert club[1] == (CLOSES - timedelta(days=2)).strftime("%d.%m.%Y")
    assert club[2] == f"Organisasjon, lag eller velforening: {ORGANISATION}"
    assert club[3:] == ["Sykkelparkering.", "Tas inn.", "Tatt til følge"]
    assert rows[ref["advice"]][5] == "Ikke vurdert" and rows[ref["advice"]][4] == ""  # issue 21: each point marked


def test_a_late_merknad_is_marked_with_the_frist_it_missed(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c)
    rows = report_rows(document)
    assert rows[ref["neighbour"]][1] == "25.11.2026\nEtter fristen 24.11.2026"
    assert "Etter fristen" not in rows[ref["club"]][1]
    assert "1 merknad kom inn etter fristen" in docx_text(document)


def test_private_names_only_for_the_internal_version_and_authorities_and_organisations_always_named(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c)
    text = docx_text(document)
    assert PRIVATE not in text and NEIGHBOUR not in text
    rows = report_rows(document)
    assert rows[ref["private"]][2] == "Privatperson" and rows[ref["speed"]][2] == "Privatperson"
    named = report_rows(_report(store, c, include_names=True))
    assert named[ref["private"]][2] == f"Privatperson: {PRIVATE}"
    assert named[ref["neighbour"]][2] == f"Nabo: {NEIGHBOUR}"


def test_the_summary_table_for_politicians_comes_first_and_counts_outcomes_per_sender_group(store, hearing):
    c, _, _ = hearing
    document = _report(store, c)
    assert _headings(document, 1)[0] == "Oversikt for politisk behandling"
    table = [[cell.text for cell in row.cells] for row in _tables(document)[0].rows]
    assert table[0] == [
        "Avsendergruppe",
        "Tatt til følge",
        "Delvis tatt til følge",
        "Ikke tatt til følge",
        "Tatt til orientering",
        "Ikke behandlet",
        "Sum",
    ]
    assert table[1] == ["Regionale og statlige myndigheter", "0", "0", "0", "0", "2", "2"]
    assert table[2] == ["Organisasjoner, lag og velforeninger", "1", "0", "0", "0", "0", "1"]
    assert table[3] == ["Privatpersoner", "0", "3", "1", "1", "2", "7"]
    assert table[4] == ["Sum", "1", "3", "1", "1", "4", "10"]


def test_the_header_states_saksnummer_kunngjoring_counts_by_group_and_channel_late_ones_and_innsigelser(store, hearing):
    c, _, _ = hearing
    document = _report(store, c)
    tables = _tables(document)
    facts = {row.cells[0].text: row.cells[1].text for row in tables[1].rows}
    assert facts["Plan-ID"] == "3203202501" and facts["Saksnummer"] == "24/1234"
    assert facts["Kunngjort"] == "01.10.2026 Budstikka" and facts["Planfase"] == "Offentlig ettersyn"
    by_group = [[cell.text for cell in row.cells] for row in tables[2].rows]
    assert by_group[0] == ["Avsendergruppe", "Nettskjema", "Brev", "Sum"]
    assert by_group[-1] == ["Sum", "5", "5", "10"]
    figures = {row.cells[0].text: row.cells[1].text for row in tables[3].rows}
    assert figures == {"Merknader": "10", "Etter fristen": "1", "Innsigelser": "1 (1 opprettholdt – mekling)"}
    assert "1 innsigelse er ikke løst" in docx_text(document)


def test_supports_are_mentioned_only_in_the_annex(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c)
    assert "2 personer støtter dette." in _annex(document)
    assert "støtter dette" not in _body(document)
    assert all("støtte" not in cell for row in report_rows(document).values() for cell in row)


def test_by_category_the_planners_themes_give_way_to_categories(store, hearing):
    c, ref, _ = hearing
    document = _report(store, c, order=Order.CATEGORY)
    level3 = _headings(document, 3)
    assert not any(h.startswith("Tema:") for h in level3)
    assert "Kategori: Trafikk og trafikksikkerhet (3 merknader)" in level3


def test_the_column_titles_come_from_the_municipality_profile(store, hearing):
    c, _, _ = hearing
    profile = replace(
        ASKER, assessment_title=(("nb", "Rådmannens vurdering"),), proposal_title=(("nb", "Rådmannens forslag"),)
    )
    document = _report(store, c, profile=profile)
    headers = [[cell.text for cell in t.rows[0].cells] for t in document.tables]
    assert ["Nr", "Mottatt", "Avsender", "Merknad", "Rådmannens vurdering", "Rådmannens forslag"] in headers
    assert "Konklusjon" not in docx_text(document)


def test_a_consultation_without_inputs_still_gives_a_report(store, consultation):
    text = docx_text(_report(store, consultation))
    assert "Ingen innspill å behandle." in text and "Ingen innspill har stedfesting" in text


# -- the command line -------------------------------------------------------------------------


def _cli(store_location, *args):
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env={"KARTINNSPILL_DB": str(store_location), "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )


def test_cli_writes_the_merknadsbehandling_with_names_only_on_request_and_refuses_stdout(
    store, hearing, store_location, tmp_path
):
    c, ref, _ = hearing
    store.close()
    out = tmp_path / "merknader.docx"
    done = _cli(store_location, "report", "--consultation", c.id, "--out", str(out))  # formal: merknadsbehandling
    assert done.returncode == 0, done.stderr
    assert PRIVATE not in docx_text(docx.Document(out)) and ref["club"] in report_rows(docx.Document(out))
    done = _cli(
        store_location, "report", "--consultation", c.id, "--out", str(out), "--include-names", "--order", "category"
    )
    assert done.returncode == 0 and PRIVATE in docx_text(docx.Document(out))
    for args in (("--consultation", c.id, "--out", "-"), ("--consultation", "nope", "--out", str(out))):
        done = _cli(store_location, "report", *args)
        assert done.returncode == 2 and len(done.stderr.decode().strip().splitlines()) == 1


def test_cli_writes_the_medvirkningsrapport_for_an_early_phase_consultation_by_default(
    store, consultation, store_location, tmp_path
):
    import docx

    store.close()
    for args in (("--kind", "medvirkning"), ()):  # an early-phase consultation defaults to it
        out = tmp_path / f"rapport{len(args)}.docx"
        done = _cli(store_location, "report", "--consultation", consultation.id, "--out", str(out), *args)
        assert done.returncode == 0, done.stderr.decode()
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
        assert "Medvirkningsrapport" in text
    out = tmp_path / "merknader.docx"
    done = _cli(
        store_location, "report", "--consultation", consultation.id, "--out", str(out), "--kind", "merknadsbehandling"
    )
    assert done.returncode == 0 and out.exists()


def test_cli_writes_the_pdf_when_the_out_file_ends_in_pdf(store, hearing, store_location, tmp_path):
    from tests.conftest import need_office_tools, pdf_text

    need_office_tools()
    c, ref, _ = hearing
    store.close()
    out = tmp_path / "merknader.pdf"
    done = _cli(store_location, "report", "--consultation", c.id, "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = pdf_text(out.read_bytes())
    body = text[text.index("Merknadene står etter") :]  # the first page also lists points not assessed (issue 21)
    assert all(body.count(ref[name]) == 2 for name in ref if name != "spam")  # body and annex
    assert ref["spam"] not in text and PHONE not in text


def test_cli_without_libreoffice_refuses_a_pdf_in_one_line_and_writes_nothing(store, hearing, store_location, tmp_path):
    c, _, _ = hearing
    store.close()
    out = tmp_path / "merknader.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "consultations", "report", "--consultation", c.id, "--out", str(out)],
        env={"KARTINNSPILL_DB": str(store_location), "PATH": str(tmp_path)},  # no soffice on this path
        capture_output=True,
    )
    assert done.returncode == 2 and not out.exists()
    assert (
        done.stderr.decode().strip()
        == "PDF krever LibreOffice (soffice), som ikke er installert her. Lag Word-filen i stedet."
    )
