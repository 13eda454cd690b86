"""Parties and authorities in the core, on a real DuckDB file: the authorities in the profile,
innsigelse and faglig råd with their status, høringsinstanser with their own frist and
answer, merknader received after the frist, and how exports and the Word report carry them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import docx
import pytest

from consultations.planning import hearing_parties, objections, planprocess
from consultations import permissions
from consultations.config import load_profile
from consultations.errors import InvalidInput
from consultations.outputs.export import Format, export, missed_frists
from consultations.planning.hearing_parties import InvalidParty
from consultations.model import (
    Channel,
    InputDraft,
    InputStatus,
    Objection,
    ObjectionStatus,
    PlanType,
    SenderType,
    Stage,
    public_sender_name,
)
from consultations.permissions import NotAllowed
from consultations.outputs.merknadsbehandling import build_report
from consultations.store import Store
from consultations.participation.submission import register_input
from tests.conftest import NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

STATSFORVALTEREN = "Statsforvalteren i Oslo og Viken"
NEIGHBOUR = "Nils Naboen"
CATEGORY = "Strandsone og fjord"
# A formal høring: offentlig ettersyn of a detaljregulering, frist 20 November 2026 23:59.
CLOSES = datetime(2026, 11, 20, 22, 59, tzinfo=UTC)


@pytest.fixture
def hearing(store):
    c = make_consultation(
        "test-kai",
        plan_type=PlanType.DETALJREGULERING,
        plan_id="2024.07",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="24/1234",
        closes_at=CLOSES,
        opens_at=CLOSES - timedelta(weeks=7),
        announced_on=date(2026, 10, 1),
    )
    store.add_consultation(c)
    return c


def letter(store, c, sender_type, name, *, received, objection=None, channel=Channel.EMAIL, text=None):
    return register_input(
        store,
        c.id,
        InputDraft(CATEGORY, text or f"Merknad fra {name} til planforslaget."),
        channel=channel,
        sender_type=sender_type,
        sender_name=name,
        received_at=received,
        actor=staff(store),
        now=NOW,
        objection=objection,
    )


# -- the authorities in the profile ----------------------------------------------------------


def test_the_asker_profile_lists_the_regional_and_state_authorities_with_akershus_from_2024():
    profile = load_profile("asker")
    for name in (
        STATSFORVALTEREN,
        "Akershus fylkeskommune",
        "Statens vegvesen",
        "Riksantikvaren",
        "Direktoratet for mineralforvaltning",
        "Sametinget",
        "Bane NOR",
        "Avinor",
        "Forsvarsbygg",
        "Mattilsynet",
        "Kystverket",
    ):
        assert name in profile.authorities
    assert any("NVE" in a for a in profile.authorities)
    assert not any("Viken fylkeskommune" in a for a in profile.authorities)
    assert (STATSFORVALTEREN, SenderType.AUTHORITY) in profile.hearing_parties


def test_a_profile_with_an_unknown_sender_type_for_a_hearing_party_is_refused(tmp_path, monkeypatch):
    from consultations import config
    from consultations.errors import ConfigError

    text = (config.PROFILES / "asker.toml").read_text(encoding="utf-8")
    (tmp_path / "test.toml").write_text(
        text.replace('sender_type = "annen_kommune" }', 'sender_type = "nabokommune" }', 1), encoding="utf-8"
    )
    monkeypatch.setattr(config, "PROFILES", tmp_path)
    with pytest.raises(ConfigError) as info:
        load_profile("test")
    assert info.value.key == "config.hearing_parties_invalid" and "nabokommune" in info.value.message()


def test_names_of_authorities_and_organisations_are_public_names_of_private_persons_are_not():
    for kind in (
        SenderType.AUTHORITY,
        SenderType.MUNICIPALITY,
        SenderType.ORGANISATION,
        SenderType.BUSINESS,
        SenderType.INTERNAL,
    ):
        assert public_sender_name(kind.value, "Navn") == "Navn"
    for kind in (SenderType.PRIVATE, SenderType.LANDOWNER, SenderType.NEIGHBOUR):
        assert public_sender_name(kind.value, "Navn") is None
    assert public_sender_name(None, "Navn") is None


# -- innsigelse and faglig råd ---------------------------------------------------------------


def test_a_statsforvalteren_letter_registered_as_innsigelse_is_open_and_counted(store, hearing):
    stored = letter(
        store,
        hearing,
        SenderType.AUTHORITY,
        STATSFORVALTEREN,
        received=CLOSES - timedelta(days=3),
        objection=Objection.INNSIGELSE,
    )
    assert (stored.objection, stored.objection_status) == (Objection.INNSIGELSE, ObjectionStatus.OPEN)
    assert objections.unresolved(store.all_inputs(hearing.id)) == [stored]
    assert objections.overview(store)[hearing.id][0] == 1
    assert json.loads(store.audit_entries()[0].after)["objection"] == "innsigelse"


def test_a_private_persons_letter_cannot_be_an_innsigelse_and_nothing_is_stored(store, hearing):
    with pytest.raises(InvalidInput) as info:
        letter(
            store,
            hearing,
            SenderType.NEIGHBOUR,
            NEIGHBOUR,
            received=CLOSES - timedelta(days=3),
            objection=Objection.INNSIGELSE,
        )
    assert info.value.key == "objection.not_authority" and "innsigelse" in info.value.message()
    assert store.all_inputs(hearing.id) == []


def test_another_municipality_may_raise_an_innsigelse(store, hearing):
    stored = letter(
        store, hearing, SenderType.MUNICIPALITY, "Bærum kommune", received=CLOSES, objection=Objection.INNSIGELSE
    )
    assert stored.objection == Objection.INNSIGELSE


def test_a_planner_marks_a_merknad_as_faglig_raad_then_innsigelse_and_moves_its_status_audited(store, hearing):
    kari = staff(store)
    stored = letter(store, hearing, SenderType.AUTHORITY, "Kystverket", received=CLOSES)
    advice = objections.mark(store, stored.id, Objection.ADVICE, kari)
    assert (advice.objection, advice.objection_status) == (Objection.ADVICE, None)
    assert objections.unresolved([advice]) == []
    raised = objections.mark(store, stored.id, Objection.INNSIGELSE, kari)
    assert raised.objection_status == ObjectionStatus.OPEN
    evidence = {"settled_on": date(2026, 11, 2), "reference": "25/4711-31", "note": "Drøftingsmøte."}
    maintained = objections.set_status(store, stored.id, ObjectionStatus.MAINTAINED, kari, **evidence)
    assert objections.unresolved([maintained]) == [maintained]  # opprettholdt → mekling: still standing
    assert objections.mark(store, stored.id, Objection.INNSIGELSE, kari).objection_status == ObjectionStatus.MAINTAINED
    met = objections.set_status(store, stored.id, ObjectionStatus.MET, kari, **evidence)
    assert objections.unresolved([met]) == [] and objections.overview(store)[hearing.id][0] == 0
    # the status moves with its evidence (points.set_status), audited with the change
    entry = next(e for e in store.audit_entries() if e.action == "point.innsigelse_status")
    assert (entry.actor, entry.object_id) == ("kari", str(stored.id))
    assert json.loads(entry.before)["status"] == "opprettholdt" and json.loads(entry.after)["status"] == "imotekommet"
    assert json.loads(entry.after)["reference"] == "25/4711-31"


def test_faglig_raad_has_no_status_to_move(store, hearing):
    stored = letter(store, hearing, SenderType.AUTHORITY, "NVE", received=CLOSES, objection=Objection.ADVICE)
    before = store.audit_entries()
    with pytest.raises(InvalidInput) as info:
        objections.set_status(store, stored.id, ObjectionStatus.WITHDRAWN, staff(store))
    assert info.value.key == "objection.not_innsigelse"
    assert store.audit_entries() == before


def test_a_hidden_innsigelse_is_not_counted_as_unresolved(store, hearing):
    stored = letter(
        store, hearing, SenderType.AUTHORITY, STATSFORVALTEREN, received=CLOSES, objection=Objection.INNSIGELSE
    )
    store.set_input_status([stored.id], InputStatus.HIDDEN, "kari", reason="Feilregistrert")
    assert objections.overview(store)[hearing.id][0] == 0
    assert objections.unresolved(store.all_inputs(hearing.id)) == []


def test_the_command_line_marks_an_innsigelse_as_the_operator(store, hearing):
    stored = letter(store, hearing, SenderType.AUTHORITY, STATSFORVALTEREN, received=CLOSES)
    marked = objections.mark_innsigelse(store, stored.id, permissions.OPERATOR)
    assert marked.objection_status == ObjectionStatus.OPEN
    assert store.audit_entries()[0].actor == "cli"


def test_a_deactivated_planner_cannot_mark_an_innsigelse(store, hearing):
    stored = letter(store, hearing, SenderType.AUTHORITY, STATSFORVALTEREN, received=CLOSES)
    kari = staff(store)
    store.update_user(kari.id, "ola", active=False)
    with pytest.raises(NotAllowed):
        objections.mark(store, stored.id, Objection.INNSIGELSE, kari)
    assert store.get_input(stored.id).objection is None


# -- late merknader --------------------------------------------------------------------------


def test_a_merknad_received_after_the_frist_missed_it_and_one_at_the_frist_did_not():
    assert planprocess.missed_frist(CLOSES + timedelta(minutes=1), CLOSES) == CLOSES
    assert planprocess.missed_frist(CLOSES, CLOSES) is None
    own = CLOSES + timedelta(days=14)
    assert planprocess.missed_frist(CLOSES + timedelta(days=3), CLOSES, own) is None
    assert planprocess.missed_frist(own + timedelta(hours=1), CLOSES, own) == own


def test_a_neighbours_letter_received_after_the_frist_keeps_its_received_date_and_is_late(store, hearing):
    late = letter(store, hearing, SenderType.NEIGHBOUR, NEIGHBOUR, received=date(2026, 11, 23), channel=Channel.LETTER)
    in_time = letter(store, hearing, SenderType.NEIGHBOUR, "Nabo To", received=date(2026, 11, 20))
    assert late.created_at.date() == date(2026, 11, 23)
    frame = store.analysis_frame(hearing.id)
    missed = dict(zip(frame["id"], missed_frists(frame, hearing), strict=True))
    assert missed == {late.id: CLOSES, in_time.id: None}


# -- høringsinstanser ------------------------------------------------------------------------


def test_the_list_is_prefilled_from_the_profile_sent_on_the_kunngjoring_and_only_once(store, hearing):
    profile = load_profile("asker")
    kari = staff(store)
    assert hearing_parties.prefill(store, hearing.id, profile.hearing_parties, kari) == len(profile.hearing_parties)
    assert hearing_parties.prefill(store, hearing.id, profile.hearing_parties, kari) == 0
    parties = store.hearing_parties(hearing.id)
    assert [p.name for p in parties] == [n for n, _ in profile.hearing_parties]
    assert {p.sent_on for p in parties} == {date(2026, 10, 1)}
    assert hearing_parties.unanswered(parties) == parties
    assert objections.overview(store)[hearing.id][1] == len(parties)
    assert store.audit_entries()[0].action == "hearing_party.add"


def test_a_registered_letter_from_a_hoeringsinstans_becomes_its_answer(store, hearing):
    kari = staff(store)
    hearing_parties.add(store, hearing.id, STATSFORVALTEREN, SenderType.AUTHORITY, actor=kari)
    waiting = hearing_parties.add(store, hearing.id, "Statens vegvesen", SenderType.AUTHORITY, actor=kari)
    stored = letter(store, hearing, SenderType.AUTHORITY, STATSFORVALTEREN.upper(), received=CLOSES)
    party = hearing_parties.link_by_name(store, stored, kari)
    assert party is not None and party.input_id == stored.id
    assert hearing_parties.unanswered(store.hearing_parties(hearing.id)) == [waiting]
    other = letter(store, hearing, SenderType.NEIGHBOUR, NEIGHBOUR, received=CLOSES)
    assert hearing_parties.link_by_name(store, other, kari) is None


def test_an_own_longer_frist_moves_to_a_working_day_and_makes_a_later_answer_in_time(store, hearing):
    kari = staff(store)
    party = hearing_parties.add(
        store,
        hearing.id,
        "Riksantikvaren",
        SenderType.AUTHORITY,
        sent_on=date(2026, 10, 1),
        frist=date(2026, 12, 5),
        actor=kari,
    )  # Saturday
    assert party.frist == datetime(2026, 12, 7, 23, 59, tzinfo=planprocess.LOCAL_TZ)
    answer = letter(store, hearing, SenderType.AUTHORITY, "Riksantikvaren", received=date(2026, 11, 26))
    hearing_parties.link_answer(store, party.id, answer.id, kari)
    frame = store.analysis_frame(hearing.id)
    assert missed_frists(frame, hearing) == [None]


def test_an_own_frist_no_later_than_the_consultations_is_refused(store, hearing):
    with pytest.raises(InvalidParty) as info:
        hearing_parties.add(
            store, hearing.id, "Kystverket", SenderType.AUTHORITY, frist=date(2026, 11, 20), actor=staff(store)
        )
    assert info.value.key == "hearing.frist_not_longer" and "20.11.2026" in info.value.message()
    assert store.hearing_parties(hearing.id) == []


@pytest.mark.parametrize(
    "name, sender_type, key",
    [
        ("  ", SenderType.AUTHORITY, "hearing.name_missing"),
        ("x" * 201, SenderType.AUTHORITY, "hearing.name_long"),
        ("Kystverket", None, "hearing.sender_type_missing"),
        ("statsforvalteren i oslo og viken", SenderType.AUTHORITY, "hearing.name_taken"),
    ],
)
def test_a_bad_hoeringsinstans_is_refused_with_the_reason_and_nothing_changes(store, hearing, name, sender_type, key):
    kari = staff(store)
    hearing_parties.add(store, hearing.id, STATSFORVALTEREN, SenderType.AUTHORITY, actor=kari)
    before = (store.hearing_parties(hearing.id), store.audit_entries())
    with pytest.raises(InvalidParty) as info:
        hearing_parties.add(store, hearing.id, name, sender_type, actor=kari)
    assert info.value.key == key and info.value.message() != key
    assert (store.hearing_parties(hearing.id), store.audit_entries()) == before


def test_an_answer_must_be_an_input_of_the_consultation_and_of_one_hoeringsinstans_only(store, hearing):
    kari = staff(store)
    first = hearing_parties.add(store, hearing.id, "Bane NOR", SenderType.AUTHORITY, actor=kari)
    second = hearing_parties.add(store, hearing.id, "Avinor", SenderType.AUTHORITY, actor=kari)
    answer = letter(store, hearing, SenderType.AUTHORITY, "Bane NOR", received=CLOSES)
    elsewhere = make_consultation("annen")
    store.add_consultation(elsewhere)
    foreign = letter(store, elsewhere, SenderType.AUTHORITY, "Avinor", received=NOW - timedelta(days=1))
    hearing_parties.link_answer(store, first.id, answer.id, kari)
    for party, input_id, key in (
        (second, answer.id, "hearing.answer_taken"),
        (second, foreign.id, "hearing.answer_other_consultation"),
    ):
        with pytest.raises(InvalidParty) as info:
            hearing_parties.link_answer(store, party.id, input_id, kari)
        assert info.value.key == key
    assert store.hearing_party(second.id).input_id is None


def test_edits_and_removal_are_audited_and_a_deleted_answer_unlinks(store, hearing, ola):
    kari = staff(store)
    party = hearing_parties.add(store, hearing.id, "Mattilsynet", SenderType.AUTHORITY, actor=kari)
    edited = hearing_parties.edit(store, party.id, sent_on=date(2026, 10, 2), frist=None, actor=kari)
    assert store.hearing_party(party.id) == edited and edited.sent_on == date(2026, 10, 2)
    answer = letter(store, hearing, SenderType.AUTHORITY, "Mattilsynet", received=CLOSES)
    hearing_parties.link_answer(store, party.id, answer.id, kari)
    from consultations.casework.retention import delete_input

    delete_input(store, answer.id, "Feil høring", ola)
    assert store.hearing_party(party.id).input_id is None
    hearing_parties.remove(store, party.id, kari)
    assert store.hearing_parties(hearing.id) == []
    assert [e.action for e in store.audit_entries()[:1]] == ["hearing_party.delete"]


def test_a_database_of_schema_8_gets_the_new_columns_and_table(tmp_path):
    import duckdb

    from consultations.store import SCHEMA_VERSION_TABLE, MIGRATIONS

    path = tmp_path / "old.duckdb"
    conn = duckdb.connect(str(path))
    conn.execute(SCHEMA_VERSION_TABLE)
    for version in range(1, 9):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", (version,))
    conn.close()
    store = Store.open(path)
    try:
        assert store.schema_version() >= 9
        store.add_consultation(make_consultation())
        assert store.hearing_parties("test-borgen") == []
    finally:
        store.close()


# -- exports and the Word report ---------------------------------------------------------------


@pytest.fixture
def registered(store, hearing):
    kari = staff(store)
    hearing_parties.add(store, hearing.id, STATSFORVALTEREN, SenderType.AUTHORITY, actor=kari)
    objection = letter(
        store,
        hearing,
        SenderType.AUTHORITY,
        STATSFORVALTEREN,
        received=CLOSES - timedelta(days=1),
        objection=Objection.INNSIGELSE,
    )
    hearing_parties.link_by_name(store, objection, kari)
    late = letter(
        store,
        hearing,
        SenderType.NEIGHBOUR,
        NEIGHBOUR,
        received=date(2026, 11, 24),
        channel=Channel.LETTER,
        text="Naboen ber om lavere bygg ved kaia og mer sol på ettermiddagen.",
    )
    return objection, late


def _csv(data: bytes) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    return {row["referanse"]: row for row in rows}


def test_the_export_has_the_authoritys_name_the_innsigelse_and_the_frist_a_late_merknad_missed(
    store, hearing, registered
):
    objection, late = registered
    rows = _csv(export(store, hearing.id, Format.CSV))
    first, second = rows[objection.reference], rows[late.reference]
    assert (first["virksomhet"], first["innsigelse"], first["innsigelse_status"]) == (
        STATSFORVALTEREN,
        "Innsigelse",
        "åpen",
    )
    assert first["etter_frist"] == ""
    assert second["etter_frist"] == "2026-11-20T23:59:00+01:00"
    assert second["virksomhet"] == "" and NEIGHBOUR not in json.dumps(rows)  # a private person: only on request
    named = _csv(export(store, hearing.id, Format.CSV, include_names=True))
    assert named[late.reference]["avsender"] == NEIGHBOUR


def test_the_word_report_marks_the_late_merknad_with_its_frist_and_names_the_authority(store, hearing, registered):
    objection, late = registered
    document = docx.Document(io.BytesIO(build_report(store, hearing.id, profile=load_profile("asker"))))
    rows = {
        cells[0]: cells for table in document.tables for cells in ([c.text for c in row.cells] for row in table.rows)
    }
    assert "Etter fristen 20.11.2026" in rows[late.reference][1]  # digits: a date never wraps
    assert "Etter fristen" not in rows[objection.reference][1]
    assert STATSFORVALTEREN in rows[objection.reference][2] and "Innsigelse (åpen)" in rows[objection.reference][2]
    assert NEIGHBOUR not in rows[late.reference][2]
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "1 merknad kom inn etter fristen" in paragraphs and "1 innsigelse er ikke løst" in paragraphs
