"""Merknadspunkter (issue 21): a merknad split into points, each assessed on its own; an
innsigelse's status moved only with its evidence; felles vurdering on points; points without
a vurdering visible in the report and on the command line; the spreadsheet round trip. The
store part runs on DuckDB and PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta

import docx
import openpyxl
import pytest

from consultations.planning import objections
from consultations.casework import points, review
from consultations.errors import InvalidInput
from consultations.outputs.export import Format, export
from consultations.model import (
    ObjectionStatus,
    Outcome,
    PointKind,
    Response,
    SenderType,
)
from consultations.casework.points_sheet import COLUMNS, SHEET, SheetRefused, import_responses
from consultations.outputs.merknadsbehandling import build_report
from tests.conftest import NOW, formal_hearing, docx_text, report_tables
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

CLOSES = NOW - timedelta(days=3)
SF = "Statsforvalteren i Oslo og Viken"
LETTER = "Vi fremmer innsigelse om støy og om naturmangfold, og gir faglig råd om lekeareal."
NEIGHBOUR_LETTER = "Eiendomsgrensen i plankartet er feil. Byggene blir også for høye."
EVIDENCE = {"settled_on": date(2026, 11, 20), "reference": "25/4711-31", "note": "Bekreftet i brev."}


@pytest.fixture
def hearing(store):
    c, kari, letter = formal_hearing(store, "3203202501", CLOSES)

    ids = {
        "sf": letter(LETTER, SenderType.AUTHORITY, SF, objection="innsigelse"),
        "neighbour": letter(NEIGHBOUR_LETTER, SenderType.NEIGHBOUR, "Nils Nabo"),
        "other": letter("Byggene i B2 er for høye for strøket.", SenderType.NEIGHBOUR, "Ola Nabo"),
    }
    return c, ids, kari


def _split_sf(store, ids, kari):
    """Statsforvalteren's letter as three points: støy (a), naturmangfold (b), lekeareal (c)."""
    sf = ids["sf"]
    points.edit(store, sf, "a", points.PointEdit("Støy fra terminalen.", "Støy", "innsigelse"), kari)
    points.split(store, sf, kari)
    points.edit(store, sf, "b", points.PointEdit("Naturmangfold i strandsonen.", "Natur", "innsigelse"), kari)
    points.split(store, sf, kari)
    points.edit(store, sf, "c", points.PointEdit("Lekeareal.", "Barn og unge", "faglig_rad"), kari)
    return sf


# -- the store and the rules -------------------------------------------------------------------


def test_a_merknad_answered_before_points_existed_reads_as_one_point_and_keeps_its_answer_when_split(store, hearing):
    c, ids, kari = hearing
    review.respond(
        store, [ids["other"]], Response(0, "Høyder.", "Høyden vurderes.", Outcome.PARTLY, "B2 lavere."), kari
    )
    (only,) = store.merknad_points(c.id)[ids["other"]]
    assert (only.letter, only.stored, only.outcome, only.assessment) == ("a", False, Outcome.PARTLY, "Høyden vurderes.")
    new = points.split(store, ids["other"], kari)
    a, b = store.merknad_points(c.id)[ids["other"]]
    assert new.letter == "b" and (a.stored, a.outcome, a.summary, a.plan_change) == (
        True,
        Outcome.PARTLY,
        "Høyder.",
        "B2 lavere.",
    )
    assert not b.assessed
    # the merknad counts as answered only when every point is
    assert ids["other"] not in store.responses(c.id)
    assert review.progress(store.responses(c.id), store.all_inputs(c.id)) == (0, 3)
    points.edit(
        store,
        ids["other"],
        "b",
        points.PointEdit("Sol.", assessment="Sol er utredet.", outcome="tatt_til_orientering"),
        kari,
    )
    merged = store.responses(c.id)[ids["other"]]
    assert (
        merged.outcome == Outcome.PARTLY
        and "a) Høyden vurderes." in merged.assessment
        and "b) Sol er utredet." in merged.assessment
    )


def test_innsigelse_and_faglig_raad_are_per_point_and_the_merknad_shows_the_most_pressing_status(store, hearing):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    kinds = [(p.letter, p.kind, p.status) for p in store.merknad_points(c.id)[sf]]
    assert kinds == [
        ("a", PointKind.INNSIGELSE, ObjectionStatus.OPEN),
        ("b", PointKind.INNSIGELSE, ObjectionStatus.OPEN),
        ("c", PointKind.ADVICE, None),
    ]
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    assert store.get_input(sf).objection_status == ObjectionStatus.OPEN  # b still open
    points.set_status(store, sf, "b", ObjectionStatus.MAINTAINED, date(2026, 11, 21), "25/4711-35", "Mekling.", kari)
    assert store.get_input(sf).objection_status == ObjectionStatus.MAINTAINED
    assert objections.overview(store)[c.id][0] == 1


def test_only_an_authority_or_a_municipality_may_have_an_innsigelse_point_and_a_refusal_stores_nothing(store, hearing):
    c, ids, kari = hearing
    before = store.count_audit()
    with pytest.raises(points.InvalidPoint) as info:
        points.edit(store, ids["neighbour"], "a", points.PointEdit("Grense.", kind="innsigelse"), kari)
    assert info.value.key == "points.error.not_authority"
    assert store.count_audit() == before and not store.merknad_points(c.id)[ids["neighbour"]][0].stored


@pytest.mark.parametrize(
    ("missing", "key"),
    [
        ("settled_on", "points.error.date_missing"),
        ("reference", "points.error.reference_missing"),
        ("note", "points.error.note_missing"),
    ],
)
def test_an_innsigelse_status_changes_only_with_date_reference_and_note(store, hearing, missing, key):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    before = (store.count_audit(), store.merknad_points(c.id)[sf])
    evidence = {**EVIDENCE, missing: None}
    with pytest.raises(points.InvalidPoint) as info:
        points.set_status(store, sf, "a", ObjectionStatus.MET, **evidence, actor=kari)
    assert info.value.key == key
    assert (store.count_audit(), store.merknad_points(c.id)[sf]) == before
    assert store.status_changes(c.id) == []


def test_a_status_change_is_recorded_with_its_evidence_and_audited_in_the_same_transaction(store, hearing):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    (change,) = store.status_changes(c.id)
    assert (
        change.letter,
        change.before,
        change.after,
        change.settled_on,
        change.reference,
        change.note,
        change.actor,
    ) == ("a", ObjectionStatus.OPEN, ObjectionStatus.MET, date(2026, 11, 20), "25/4711-31", "Bekreftet i brev.", "kari")
    entry = next(e for e in store.audit_entries() if e.action == "point.innsigelse_status")
    assert json.loads(entry.after) == {
        "point": "a",
        "status": "imotekommet",
        "date": "2026-11-20",
        "reference": "25/4711-31",
        "note": "Bekreftet i brev.",
    }
    with pytest.raises(points.InvalidPoint) as info:  # a faglig råd has no status
        points.set_status(store, sf, "c", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    assert info.value.key == "points.error.not_innsigelse"


def test_the_plan_cannot_be_adopted_alone_while_an_innsigelse_is_open_or_maintained(store, hearing):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    inputs = store.all_inputs(c.id)
    assert points.adoption_blocked(store.merknad_points(c.id), inputs)
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    points.set_status(store, sf, "b", ObjectionStatus.MAINTAINED, **EVIDENCE, actor=kari)
    assert [p.letter for p in points.standing(store.merknad_points(c.id), inputs)] == ["b"]
    points.set_status(store, sf, "b", ObjectionStatus.WITHDRAWN, **EVIDENCE, actor=kari)
    assert not points.adoption_blocked(store.merknad_points(c.id), inputs)


def test_a_felles_vurdering_attaches_to_points_and_leaves_the_neighbours_other_claim_unassessed(store, hearing):
    c, ids, kari = hearing
    points.edit(store, ids["neighbour"], "a", points.PointEdit("Eiendomsgrensen i plankartet er feil."), kari)
    points.split(store, ids["neighbour"], kari)
    points.edit(store, ids["neighbour"], "b", points.PointEdit("Byggehøyder."), kari)
    n = points.answer_group(
        store,
        [(ids["neighbour"], "b"), (ids["other"], "a")],
        "Høydene senkes i B2.",
        Outcome.PARTLY,
        "B2 to etasjer lavere.",
        kari,
    )
    assert n == 2
    found = store.merknad_points(c.id)
    a, b = found[ids["neighbour"]]
    assert not a.assessed and b.outcome == Outcome.PARTLY and b.group_id is not None
    assert found[ids["other"]][0].group_id == b.group_id
    assert ids["neighbour"] not in store.responses(c.id)  # not «delvis tatt til følge» as a whole
    with pytest.raises(review.InvalidReview) as info:  # a whole-merknad answer no longer reaches a split one
        review.respond(store, [ids["neighbour"]], Response(0, "x", "y", Outcome.NOTED), kari)
    assert info.value.key == "points.error.split_answer"
    unassessed = points.unassessed(found, store.all_inputs(c.id))
    assert [(p.input_id, p.letter) for p in unassessed] == [(ids["sf"], "a"), (ids["neighbour"], "a")]


def test_a_vurdering_and_its_forslag_come_together(store, hearing):
    _, ids, kari = hearing
    for edit, key in (
        (points.PointEdit("x", assessment="Vurdert."), "points.error.outcome_missing"),
        (points.PointEdit("x", outcome="tatt_til_folge"), "points.error.assessment_missing"),
    ):
        with pytest.raises(points.InvalidPoint) as info:
            points.edit(store, ids["other"], "a", edit, kari)
        assert info.value.key == key


def test_a_split_letter_is_not_marked_or_moved_as_a_whole(store, hearing):
    _, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    with pytest.raises(InvalidInput) as info:
        objections.set_status(store, sf, ObjectionStatus.MET, kari, **EVIDENCE)
    assert info.value.key == "points.error.split_status"
    with pytest.raises(InvalidInput) as info:
        objections.mark(store, sf, None, kari)
    assert info.value.key == "points.error.split_mark"


# -- the report -----------------------------------------------------------------------------------


def _report(store, c):
    return docx.Document(io.BytesIO(build_report(store, c.id, now=NOW)))


def test_the_report_numbers_points_within_their_merknad_marks_and_lists_the_unassessed_and_says_the_plan_cannot_be_adopted(
    store, hearing
):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    points.edit(
        store,
        sf,
        "a",
        points.PointEdit(
            "Støy fra terminalen.",
            "Støy",
            "innsigelse",
            "Skjerming i § 7.",
            "tatt_til_folge",
            "Støyskjerm langs kaia.",
            True,
        ),
        kari,
    )
    document = _report(store, c)
    text = docx_text(document)
    first = text[: text.index("Oversikt for politisk behandling")]
    ref = f"KI-{sf:06d}"
    assert "Planen kan ikke vedtas av kommunestyret alene: 1 innsigelse står fortsatt" in first and f"{ref} b" in first
    assert "pbl. § 5-4, § 11-16 og § 12-13" in first
    assert "4 punkter er ikke vurdert" in first
    assert (
        f"{ref} b\n{ref} c\n" in first
        and f"KI-{ids['neighbour']:06d}" in first
        and f"{ref} a" not in first.split("vurdert")[1]
    )
    rows = {row[0]: row for table in report_tables(document) for row in table if len(row) == 6}
    assert [k for k in rows if k.startswith(ref)] == [f"{ref} a", f"{ref} b", f"{ref} c"]
    assert rows[f"{ref} a"][5] == "Tatt til følge" and rows[f"{ref} b"][5] == "Ikke vurdert"
    assert "Innsigelse (imøtekommet)\n20.11.2026, ref. 25/4711-31" in rows[f"{ref} a"][2] and SF in rows[f"{ref} a"][2]
    assert rows[f"{ref} c"][2] == "Faglig råd" and rows[f"{ref} c"][1] == ""
    log = text[text.index("Innsigelser: status og dokumentasjon") :]
    assert f"{ref} a\nåpen → imøtekommet\n20.11.2026\n25/4711-31\nBekreftet i brev." in log
    changes = text[text.index("Endringer i planforslaget etter offentlig ettersyn") :]
    assert f"{ref} a\nStøyskjerm langs kaia.\nKrever begrenset høring / nytt offentlig ettersyn: ja" in changes


def test_a_felles_vurdering_on_points_is_printed_once_below_the_points_it_covers(store, hearing):
    c, ids, kari = hearing
    points.edit(store, ids["neighbour"], "a", points.PointEdit("Grensen er feil."), kari)
    points.split(store, ids["neighbour"], kari)
    points.answer_group(
        store, [(ids["neighbour"], "b"), (ids["other"], "a")], "Høydene senkes.", Outcome.PARTLY, "", kari
    )
    document = _report(store, c)
    cells = [cell for table in report_tables(document) for row in table for cell in row]
    assert sum("Høydene senkes." in cell for cell in cells) == 1
    rows = {row[0]: row for table in report_tables(document) for row in table if len(row) == 6}
    neighbour = f"KI-{ids['neighbour']:06d}"
    assert rows[f"{neighbour} a"][5] == "Ikke vurdert"
    assert rows[f"{neighbour} b"][4].startswith("Se felles vurdering F1")


def _cli(location, *args, actor=None):
    env = {"KARTINNSPILL_DB": str(location), "PATH": "/usr/bin:/bin", "KARTINNSPILL_TILES": "none"}
    if actor:
        env["KARTINNSPILL_ACTOR"] = actor
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
        check=False,
    )


def test_cli_report_warns_once_per_unassessed_point_and_exits_0(store, hearing, store_location, tmp_path):
    c, ids, kari = hearing
    _split_sf(store, ids, kari)
    store.close()
    done = _cli(store_location, "report", "--consultation", c.id, "--out", str(tmp_path / "m.docx"))
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("Ikke vurdert:")]
    sf = f"KI-{ids['sf']:06d}"
    assert warnings == [
        f"Ikke vurdert: {sf} a (Støy fra terminalen.)",
        f"Ikke vurdert: {sf} b (Naturmangfold i strandsonen.)",
        f"Ikke vurdert: {sf} c (Lekeareal.)",
        f"Ikke vurdert: KI-{ids['neighbour']:06d} (Eiendomsgrensen i plankartet er feil. Byggene blir også…)",
        f"Ikke vurdert: KI-{ids['other']:06d} (Byggene i B2 er for høye for strøket.)",
    ]


# -- the spreadsheet round trip --------------------------------------------------------------------


def _sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb, wb[SHEET]


def _xlsx(store, c) -> bytes:
    return export(store, c.id, Format.XLSX)


def test_the_xlsx_export_has_one_row_per_point_with_exactly_the_agreed_columns(store, hearing):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    _, ws = _sheet(_xlsx(store, c))
    rows = [[v if v is not None else "" for v in r] for r in ws.iter_rows(values_only=True)]
    assert (
        tuple(rows[0])
        == COLUMNS
        == (
            "referanse",
            "punkt",
            "sammendrag",
            "tema",
            "type",
            "innsigelse_status",
            "avklart_dato",
            "avklart_referanse",
            "vurdering",
            "forslag",
            "endring_i_planen",
            "krever_ny_horing",
        )
    )
    ref = f"KI-{sf:06d}"
    assert rows[1] == [
        ref,
        "a",
        "Støy fra terminalen.",
        "Støy",
        "innsigelse",
        "imotekommet",
        "2026-11-20",
        "25/4711-31",
        "",
        "",
        "",
        "nei",
    ]
    assert rows[2][:6] == [ref, "b", "Naturmangfold i strandsonen.", "Natur", "innsigelse", "apen"]
    assert rows[3][4:6] == ["faglig_rad", ""]
    assert [r[0] for r in rows[4:]] == [f"KI-{ids['neighbour']:06d}", f"KI-{ids['other']:06d}"]


def _edited(store, c, change) -> bytes:
    wb, ws = _sheet(_xlsx(store, c))
    change(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(ws, ref, letter):
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == ref and ws.cell(r, 2).value == letter)


def test_import_responses_applies_the_sheet_splits_on_a_new_letter_and_moves_a_status_with_evidence(
    store, hearing, store_location, tmp_path
):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    ref, neighbour = f"KI-{sf:06d}", f"KI-{ids['neighbour']:06d}"

    def change(ws):
        r = _row_of(ws, ref, "b")
        ws.cell(r, 6).value, ws.cell(r, 7).value, ws.cell(r, 8).value = "opprettholdt", "2026-11-22", "25/4711-40"
        ws.cell(r, 9).value, ws.cell(r, 10).value = "Mekling.", "ikke_tatt_til_folge"
        ws.append(
            [
                neighbour,
                "b",
                "Byggehøyder.",
                "Høyder",
                "merknad",
                "",
                "",
                "",
                "Høyden senkes.",
                "delvis_tatt_til_folge",
                "B2 lavere.",
                "ja",
            ]
        )

    path = tmp_path / "svar.xlsx"
    path.write_bytes(_edited(store, c, change))
    store.close()
    done = _cli(store_location, "import-responses", "--consultation", c.id, str(path), actor="ingrid")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{ref} b: endret vurdering, forslag; innsigelse opprettholdt (2026-11-22, 25/4711-40)",
        f"{neighbour} b: nytt punkt",
    ]
    from consultations.store import Store

    again = Store.open(store_location)
    try:
        found = again.merknad_points(c.id)
        b = found[sf][1]
        assert (b.status, b.settled_reference, b.outcome) == (
            ObjectionStatus.MAINTAINED,
            "25/4711-40",
            Outcome.NOT_TAKEN,
        )
        assert [p.letter for p in found[ids["neighbour"]]] == ["a", "b"] and found[ids["neighbour"]][1].new_hearing
        (change_row,) = again.status_changes(c.id)
        assert change_row.actor == "ingrid" and change_row.note == "Fra regnearket svar.xlsx, rad 3."
        assert {e.actor for e in again.audit_entries() if e.action.startswith("point.")} >= {"ingrid"}
    finally:
        again.close()


def test_import_responses_refuses_a_status_change_without_date_naming_row_and_column_and_changes_nothing(
    store, hearing, store_location, tmp_path
):
    c, ids, kari = hearing
    sf = _split_sf(store, ids, kari)
    ref = f"KI-{sf:06d}"

    def change(ws):
        ws.cell(_row_of(ws, ref, "a"), 9).value = "Ny vurdering."
        ws.cell(_row_of(ws, ref, "a"), 10).value = "tatt_til_folge"
        r = _row_of(ws, ref, "b")
        ws.cell(r, 6).value, ws.cell(r, 8).value = "imotekommet", "25/4711-41"  # no avklart_dato

    path = tmp_path / "svar.xlsx"
    path.write_bytes(_edited(store, c, change))
    before = (store.count_audit(), store.merknad_points(c.id))
    store.close()
    done = _cli(store_location, "import-responses", "--consultation", c.id, str(path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "Rad 3, kolonne avklart_dato: Oppgi datoen for myndighetens brev eller møtet som endrer statusen. "
        "Ingenting er endret."
    )
    from consultations.store import Store

    again = Store.open(store_location)
    try:
        assert (again.count_audit(), again.merknad_points(c.id)) == before
    finally:
        again.close()


def test_import_responses_refuses_unknown_references_wrong_codes_and_a_sheet_without_the_columns(store, hearing):
    c, _, kari = hearing

    def bad(column, value):
        def change(ws):
            ws.cell(2, COLUMNS.index(column) + 1).value = value

        return _edited(store, c, change)

    for column, value, where in (
        ("referanse", "KI-999999", "kolonne referanse"),
        ("type", "klage", "kolonne type"),
        ("krever_ny_horing", "kanskje", "kolonne krever_ny_horing"),
        ("forslag", "vedtatt", "kolonne forslag"),
    ):
        with pytest.raises(SheetRefused) as info:
            import_responses(store, c.id, bad(column, value), kari, "x.xlsx")
        assert f"Rad 2, {where}:" in info.value.message(), column
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    wb.active.append(["referanse", "punkt"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SheetRefused) as info:
        import_responses(store, c.id, out.getvalue(), kari, "x.xlsx")
    assert info.value.key == "points.import.columns"
    with pytest.raises(SheetRefused) as info:
        import_responses(store, c.id, b"not a workbook", kari, "x.xlsx")
    assert info.value.key == "points.import.not_xlsx"
    assert not any(p.stored for ps in store.merknad_points(c.id).values() for p in ps)


def test_an_unchanged_sheet_changes_nothing(store, hearing):
    c, ids, kari = hearing
    _split_sf(store, ids, kari)
    before = store.count_audit()
    assert import_responses(store, c.id, _xlsx(store, c), kari, "x.xlsx") == []
    assert store.count_audit() == before


def test_the_demo_shows_a_split_statsforvalteren_letter_with_evidence_a_faglig_raad_and_the_changes(demo_db, tmp_path):
    from consultations.store import Store

    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())  # the demo the run seeded once, with its own time
    store = Store.open(path)
    try:
        cid = "slemmestad-detaljregulering-kai"
        letter = next(i for i in store.all_inputs(cid) if i.sender_name == SF)
        found = store.merknad_points(cid)[letter.id]
        assert [(p.letter, p.kind.value, p.status.value if p.status else None) for p in found] == [
            ("a", "innsigelse", "imotekommet"),
            ("b", "innsigelse", "opprettholdt"),
            ("c", "faglig_rad", None),
        ]
        assert found[0].settled_reference and found[0].settled_note and found[0].settled_on
        text = docx_text(docx.Document(io.BytesIO(build_report(store, cid))))
        assert "Planen kan ikke vedtas av kommunestyret alene" in text
        changes = text[text.index("Endringer i planforslaget etter offentlig ettersyn") :]
        assert f"{letter.reference} a" in changes and "Krever begrenset høring / nytt offentlig ettersyn: ja" in changes
    finally:
        store.close()


def test_a_database_from_before_migration_21_keeps_every_answer_and_innsigelse_as_point_a(
    store, hearing, store_location
):
    from consultations.store import Store
    from tests.pg import execute_raw

    c, ids, kari = hearing
    review.respond(store, [ids["other"]], Response(0, "Høyder.", "Vurdert.", Outcome.NOT_TAKEN, "Ingen."), kari)
    objections.set_status(store, ids["sf"], ObjectionStatus.MAINTAINED, kari, **EVIDENCE)
    store.close()
    # back to schema 20: the answer and the marking as the columns held them then
    for sql in (
        "DROP TABLE merknad_points",
        "DROP TABLE innsigelse_status_changes",
        "DROP SEQUENCE point_group_seq",
        "DROP SEQUENCE status_change_id_seq",
        "DELETE FROM schema_version WHERE version = 21",
    ):
        execute_raw(store_location, sql)
    again = Store.open(store_location)
    try:
        assert again.schema_version() >= 21
        found = again.merknad_points(c.id)
        (other,) = found[ids["other"]]
        assert (other.letter, other.summary, other.assessment, other.outcome, other.plan_change) == (
            "a",
            "Høyder.",
            "Vurdert.",
            Outcome.NOT_TAKEN,
            "Ingen.",
        )
        (sf,) = found[ids["sf"]]
        assert (sf.kind, sf.status) == (PointKind.INNSIGELSE, ObjectionStatus.MAINTAINED)
        points.split(again, ids["other"], kari)  # the first point write keeps it as stored point «a»
        assert again.merknad_points(c.id)[ids["other"]][0].assessment == "Vurdert."
    finally:
        again.close()
