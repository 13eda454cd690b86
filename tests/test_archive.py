"""Issue 13: every merknad to the municipality's archive (Fiks Arkiv arkivmelding out,
kvittering back), and nothing deleted that the archive must keep. Real DuckDB files; every
message is checked with lxml against KS's V1 schema."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from consultations.outputs import archive, downloads
from consultations.casework import retention
from consultations.errors import Conflict
from consultations.outputs.export import Format, export
from consultations.model import (
    Channel,
    Objection,
    SenderType,
    reference,
)
from consultations.permissions import OPERATOR
from consultations.store import ArchivedInput, Store
from tests.conftest import NOW, make_consultation, pdf_lines, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)
from tests.helpers_archive import CID, PROFILE, add, formal, messages, png, receipt, run

# the schemas as KS publishes them, in the shared folder beside the checkout when there
SHARED = next(
    (
        p / "shared/standards/fiks-arkiv/V1"
        for p in Path(__file__).resolve().parents
        if (p / "shared/standards/fiks-arkiv/V1").is_dir()
    ),
    Path("/nonexistent"),
)
NS = {"a": archive.NS, "m": archive.MDK}


def schema() -> etree.XMLSchema:
    """The schema as KS publishes it (the shared copy when there, else the one shipped)."""
    folder = SHARED if SHARED.is_dir() else archive.SCHEMAS
    return etree.XMLSchema(etree.parse(str(folder / archive.MESSAGE_XSD.name)))


def package(store: Store, **kw) -> dict[str, dict[str, bytes]]:
    kw.setdefault("now", NOW)
    return messages(downloads.archive_file(store, CID, profile=kw.pop("profile", PROFILE), actor=OPERATOR, **kw))


def xml(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["arkivmelding.xml"])


@pytest.fixture
def case(store: Store):
    """A formal høring with every kind of merknad the package must carry."""
    c = formal(closes_at=NOW - timedelta(days=1))
    store.add_consultation(c)
    ids = {
        "pin": add(store),
        "whole": add(store, "Hele planen er for høy.", where=None),
        "photo": add(store, "Se bildet av kaikanten.", attachments=[("kaikant.png", "image/png", png())]),
        "named": add(
            store,
            "Ring meg på 912 34 567, hilsen Kari <b>&</b> Nordmann.",
            sender_type=SenderType.NEIGHBOUR,
            sender_name="Kari <b>&</b> Nordmann",
            sender_address="Kaiveien 1\n3470 Slemmestad",
            sender_property="12/345",
        ),
        "authority": add(
            store,
            "Statsforvalteren fremmer innsigelse.",
            channel=Channel.LETTER,
            sender_type=SenderType.AUTHORITY,
            sender_name="Statsforvalteren i Oslo og Viken",
            objection=Objection.INNSIGELSE,
        ),
        "late": add(store, "Kom litt for sent, beklager.", at=NOW + timedelta(hours=2)),
    }
    return c, ids


# -- out: the arkivmelding ---------------------------------------------------------------------


def test_every_message_of_a_formal_package_validates_against_the_fiks_arkiv_v1_schema(store, case):
    _, ids = case
    folders = package(store)
    assert set(folders) == {*(reference(i) for i in ids.values()), "merknadsbehandling"}
    check = schema()
    for folder, files in folders.items():
        doc = xml(files)
        assert check.validate(doc), (folder, check.error_log.last_error)
        referenced = doc.xpath("//a:referanseDokumentfil/text()", namespaces=NS)
        # antallFiler: every file of the message, not arkivmelding.xml itself (the spec's rule)
        assert int(doc.findtext("a:antallFiler", namespaces=NS)) == len(files) - 1 == len(referenced)
        assert set(referenced) == set(files) - {"arkivmelding.xml"}
        case_ref = doc.find("a:registrering/a:referanseForelderMappe/m:saksnummer", NS)
        assert (
            case_ref.findtext("m:saksaar", namespaces=NS),
            case_ref.findtext("m:sakssekvensnummer", namespaces=NS),
        ) == ("2024", "1234")


def test_each_merknad_is_an_incoming_journalpost_with_its_reference_received_date_and_documents(store, case):
    _, ids = case
    folders = package(store)
    doc = xml(folders[reference(ids["photo"])])
    reg = doc.find("a:registrering", NS)
    assert reg.findtext("a:journalposttype/m:kode", namespaces=NS) == "I"
    assert reg.findtext("a:referanseEksternNoekkel/m:noekkel", namespaces=NS) == reference(ids["photo"])
    received = store.get_input(ids["photo"]).created_at
    assert datetime.fromisoformat(reg.findtext("a:mottattDato", namespaces=NS)) == received
    roles = reg.xpath("a:dokumentbeskrivelse/a:tilknyttetRegistreringSom/m:kode/text()", namespaces=NS)
    assert roles == ["H", "V"]
    assert reg.xpath("a:dokumentbeskrivelse/a:dokumentobjekt/a:filnavn/text()", namespaces=NS)[1] == "kaikant.png"
    assert folders[reference(ids["photo"])][f"{reference(ids['photo'])}-vedlegg-1.png"] == png()
    late = xml(folders[reference(ids["late"])]).findtext("a:registrering/a:merknad/a:merknadstekst", namespaces=NS)
    assert late.startswith("Mottatt etter fristen")


def test_a_private_persons_name_is_screened_as_the_profile_says_and_an_authoritys_is_not(store, case):
    _, ids = case
    # names are screened only where the profile asks (issue 21: off by default)
    folders = package(store, profile=replace(PROFILE, archive=replace(PROFILE.archive, screen_private_names=True)))
    named = xml(folders[reference(ids["named"])]).find("a:registrering", NS)
    party = named.find("a:korrespondansepart", NS)
    # the resident's markup is text: lxml escaped it and it reads back exactly
    assert party.findtext("a:korrespondansepartNavn", namespaces=NS) == "Kari <b>&</b> Nordmann"
    assert b"<b>" not in folders[reference(ids["named"])]["arkivmelding.xml"]
    assert party.findtext("a:erSkjermet", namespaces=NS) == "true"
    assert party.findtext("a:erPersonnavn", namespaces=NS) == "true"
    assert named.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) == PROFILE.archive.screening_basis
    assert "Nordmann" not in named.findtext("a:offentligTittel", namespaces=NS)
    authority = xml(folders[reference(ids["authority"])]).find("a:registrering", NS)
    assert authority.find("a:skjerming", NS) is None
    assert authority.findtext("a:korrespondansepart/a:erPersonnavn", namespaces=NS) == "false"
    anonymous = xml(folders[reference(ids["pin"])]).find("a:registrering/a:korrespondansepart", NS)
    assert anonymous.findtext("a:korrespondansepartNavn", namespaces=NS) == "Innbygger (uten navn)"

    again = xml(package(store)[reference(ids["named"])]).find("a:registrering", NS)
    assert again.find("a:skjerming", NS) is None
    assert again.find("a:korrespondansepart/a:erSkjermet", NS) is None


def test_the_merknadsbehandling_goes_as_an_outgoing_document_of_the_type_the_profile_says(store, case):
    folders = package(store)
    report = xml(folders["merknadsbehandling"]).find("a:registrering", NS)
    assert report.findtext("a:journalposttype/m:kode", namespaces=NS) == "N"
    assert folders["merknadsbehandling"][f"{CID}-merknadsbehandling.docx"][:2] == b"PK"
    as_x = replace(PROFILE, archive=replace(PROFILE.archive, report_type="X"))
    report = xml(package(store, profile=as_x)["merknadsbehandling"]).find("a:registrering", NS)
    assert report.findtext("a:journalposttype/m:kode", namespaces=NS) == "X"


def test_an_early_consultation_without_saksnummer_creates_its_case_folder_found_by_its_own_key(store):
    store.add_consultation(make_consultation(CID))  # idéfase, no saksnummer, no plan-ID
    first = add(store)
    folders = package(store)
    check = schema()
    assert all(check.validate(xml(files)) for files in folders.values())
    case_folder = xml(folders["00-saksmappe"]).find("a:mappe", NS)
    assert case_folder.findtext("a:referanseEksternNoekkel/m:noekkel", namespaces=NS) == CID
    parent = xml(folders[reference(first)]).find("a:registrering/a:referanseForelderMappe", NS)
    assert parent.findtext("m:referanseEksternNoekkel/m:noekkel", namespaces=NS) == CID


def test_the_merknad_pdf_holds_the_text_in_full_and_a_map_only_where_there_is_a_position(store, case):
    _, ids = case
    folders = package(store)

    def images(pdf: bytes) -> int:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            return sum(len(page.get_images()) for page in doc.pages)

    with_pin = folders[reference(ids["pin"])][f"{reference(ids['pin'])}.pdf"]
    assert "Promenaden må gå helt ut på kaia." in " ".join(pdf_lines(with_pin))
    assert images(with_pin) == 1
    whole = folders[reference(ids["whole"])][f"{reference(ids['whole'])}.pdf"]
    assert images(whole) == 0
    assert "Hele planområdet (ingen punkt)" in pdf_lines(whole)


def test_since_sends_only_the_merknader_not_yet_sent_to_the_archive(store, case):
    _, ids = case
    package(store, now=NOW)
    new = add(store, "Et nytt brev etter første sending.", at=NOW + timedelta(days=1), channel=Channel.LETTER)
    later = NOW + timedelta(days=2)
    folders = package(store, since=later.date(), now=later)
    assert set(folders) == {reference(new), "merknadsbehandling"}
    records = store.archive_records(CID)
    assert records[new].archived_at == later and records[ids["pin"]].archived_at == NOW  # the first time counts
    assert [e.action for e in store.audit_entries()[:2]] == ["consultation.archive", "consultation.archive"]


def test_the_package_needs_an_active_planner_and_marks_nothing_otherwise(store, case):
    from consultations.model import Role, User
    from consultations.permissions import NotAllowed

    gone = User(id=999, username="borte", email=None, role=Role.PLANNER, active=True)
    with pytest.raises(NotAllowed):
        downloads.archive_file(store, CID, profile=PROFILE, actor=gone)
    assert all(r.archived_at is None for r in store.archive_records(CID).values())


def test_an_input_marked_as_not_a_merknad_is_not_sent_to_the_archive_nor_marked_as_sent(store, case):
    from consultations.model import NotMerknad
    from consultations.casework.review import mark_not_merknad

    _, ids = case
    spam = add(store, "Kjøp billige klokker her, klikk nå!")
    mark_not_merknad(store, [spam], NotMerknad.SPAM, "reklame", staff(store))
    folders = package(store)
    assert reference(spam) not in folders
    assert {reference(i) for i in ids.values()} <= set(folders)  # every merknad still goes
    records = store.archive_records(CID)
    assert records[spam].archived_at is None and records[ids["pin"]].archived_at == NOW


# -- back: the kvittering --------------------------------------------------------------------


def test_a_receipt_round_trip_sets_the_journalpost_numbers_shown_to_planners_and_in_exports(store, case):
    _, ids = case
    package(store)
    k = etree.XMLSchema(etree.parse(str(archive.RECEIPT_XSD)))
    receipts = [receipt(reference(i), 2026, 400 + n, n + 1) for n, i in enumerate(ids.values())]
    receipts.append(receipt(f"{CID}/merknadsbehandling/2026-11-27", 2026, 499, 9))
    assert all(k.validate(etree.fromstring(r)) for r in receipts)
    assert archive.record_receipts(store, CID, receipts, actor=staff(store)) == len(ids)
    record = store.archive_records(CID)[ids["pin"]]
    assert (record.journal_year, record.journal_sequence, record.journalpost_number) == (2026, 400, 1)
    frame = store.analysis_frame(CID)
    row = frame[frame["id"] == ids["pin"]].iloc[0]
    assert (
        archive.status_label(
            row["archived_at"], row["journal_year"], row["journal_sequence"], row["journalpost_number"], "nb"
        )
        == "2026/400"
    )
    csv = export(store, CID, Format.CSV, crs=25832).decode("utf-8-sig")
    assert "24/1234-1 · 2026/400" in csv
    assert store.audit_entries()[0].action == "consultation.archive_receipt"


@pytest.mark.parametrize(
    "bad, key",
    [
        (b"<arkivmeldingKvittering", "archive.receipt_not_xml"),
        (b'<?xml version="1.0"?><kvittering>ok</kvittering>', "archive.receipt_invalid"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "archive.receipt_invalid",
        ),
        (receipt("KI-999999"), "archive.receipt_unknown_reference"),
        (receipt("annen-hoering"), "archive.receipt_unknown_reference"),
    ],
)
def test_a_receipt_that_does_not_validate_or_names_a_foreign_reference_is_refused_and_nothing_changes(
    store, case, bad, key
):
    _, ids = case
    package(store)
    kari = staff(store)
    before = (store.archive_records(CID), store.audit_entries())
    good = receipt(reference(ids["pin"]))
    with pytest.raises(archive.InvalidArchive) as info:
        archive.record_receipts(store, CID, [good, bad], actor=kari)
    assert info.value.key == key and info.value.message() != key
    assert (store.archive_records(CID), store.audit_entries()) == before


def test_a_receipt_without_journalpost_number_is_refused(store, case):
    _, ids = case
    with pytest.raises(archive.InvalidArchive) as info:
        archive.record_receipts(store, CID, [receipt(reference(ids["pin"]), None, None, None)], actor=staff(store))
    assert info.value.key == "archive.receipt_no_number"


def case_folder_receipt(key: str = CID, year: int | None = 2026, seq: int | None = 1234) -> bytes:
    """A kvittering as the archive sends it for a saksmappe it created."""
    k = archive.RECEIPT_NS
    numbers = "".join(
        f"<{name}>{value}</{name}>"
        for name, value in (("saksaar", year), ("sakssekvensnummer", seq))
        if value is not None
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="{k}" xmlns:m="{archive.MDK}"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>{uuid.uuid5(uuid.NAMESPACE_URL, key)}</systemID>
    <referanseEksternNoekkel><m:fagsystem>Kartinnspill</m:fagsystem><m:noekkel>{key}</m:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    {numbers}
  </mappeKvittering>
</arkivmeldingKvittering>""".encode()


def test_the_receipt_for_a_new_case_folder_writes_its_saksnummer_onto_the_consultation_audited(store):
    store.add_consultation(make_consultation(CID))  # idéfase, no saksnummer
    first = add(store)
    assert "00-saksmappe" in package(store)
    folder = case_folder_receipt()
    assert etree.XMLSchema(etree.parse(str(archive.RECEIPT_XSD))).validate(etree.fromstring(folder))
    assert archive.record_receipts(store, CID, [folder, receipt(reference(first))], actor=staff(store)) == 1
    assert store.get_consultation(CID).case_number == "26/1234"
    entry = next(e for e in store.audit_entries() if e.action == "consultation.case_number_from_archive")
    assert (entry.object_id, entry.before, entry.after) == (CID, None, "26/1234")
    # the next package files into the case by its saksnummer, and makes no new folder
    later = package(store, now=NOW + timedelta(days=1))
    assert "00-saksmappe" not in later
    parent = xml(later["merknadsbehandling"]).find("a:registrering/a:referanseForelderMappe", NS)
    assert parent.findtext("m:saksnummer/m:saksaar", namespaces=NS) == "2026"


@pytest.mark.parametrize(
    "folder, key",
    [
        (case_folder_receipt(key="annen-hoering"), "archive.receipt_unknown_reference"),
        (case_folder_receipt(year=None, seq=None), "archive.receipt_no_case_number"),
    ],
)
def test_a_case_folder_receipt_for_another_consultation_or_without_saksnummer_changes_nothing(store, folder, key):
    store.add_consultation(make_consultation(CID))
    first = add(store)
    package(store)
    kari = staff(store)
    before = (store.get_consultation(CID), store.archive_records(CID), store.audit_entries())
    with pytest.raises(archive.InvalidArchive) as info:
        archive.record_receipts(store, CID, [folder, receipt(reference(first))], actor=kari)
    assert info.value.key == key and info.value.message() != key
    assert (store.get_consultation(CID), store.archive_records(CID), store.audit_entries()) == before


def test_a_case_folder_receipt_naming_another_saksnummer_than_the_consultations_is_refused(store, case):
    before = store.get_consultation(CID)
    with pytest.raises(archive.InvalidArchive) as info:
        archive.record_receipts(store, CID, [case_folder_receipt(year=2026, seq=9)], actor=staff(store))
    assert info.value.key == "archive.receipt_other_case"
    assert store.get_consultation(CID) == before


def test_a_case_folder_receipt_naming_the_consultations_own_saksnummer_changes_nothing_on_it(store, case):
    archive.record_receipts(store, CID, [case_folder_receipt(year=2024, seq=1234)], actor=staff(store))
    assert store.get_consultation(CID).case_number == "24/1234"
    assert all(e.action != "consultation.case_number_from_archive" for e in store.audit_entries())


# -- the command line ------------------------------------------------------------------------


def test_archive_and_archive_receipt_on_the_command_line(store_location, tmp_path, monkeypatch, capsys):
    db = store_location
    monkeypatch.setenv("KARTINNSPILL_DB", str(db))
    monkeypatch.setenv("KARTINNSPILL_SECRET", "test-secret-" + "x" * 32)
    monkeypatch.chdir(tmp_path)
    store = Store.open(db)
    store.add_consultation(formal())
    first = add(store)
    store.close()
    code, out, err = run(capsys, "archive", "--consultation", CID, "--out", str(tmp_path / "a.zip"))
    assert code == 0 and "1 merknad" in err
    assert set(messages((tmp_path / "a.zip").read_bytes())) == {reference(first), "merknadsbehandling"}
    (tmp_path / "bad.xml").write_bytes(receipt("KI-424242"))
    (tmp_path / "good.xml").write_bytes(receipt(reference(first)))
    code, out, err = run(
        capsys, "archive-receipt", "--consultation", CID, str(tmp_path / "good.xml"), str(tmp_path / "bad.xml")
    )
    assert code == 2 and "KI-424242" in err
    code, out, err = run(capsys, "archive-receipt", "--consultation", CID, str(tmp_path / "good.xml"))
    assert code == 0 and "1 merknad har fått journalpostnummer" in out
    store = Store.open(db)
    assert store.archive_records(CID)[first].journalpost_number == 5
    store.close()


# -- deletion under archive law ---------------------------------------------------------------


def test_deleting_an_archived_merknad_anonymises_the_apps_copy_and_keeps_its_journalpost(store, case):
    from consultations.model import Role

    _, ids = case
    item = ids["named"]
    package(store)
    archive.record_receipts(store, CID, [receipt(reference(item), 2026, 401, 4)], actor=staff(store))
    admin = staff(store, "ada", Role.ADMIN)
    done = retention.delete_input(store, item, "Innbyggerens ønske, e-post 12.11.", admin)
    assert done == retention.Deletion.ANONYMISED
    kept = store.get_input(item)
    assert kept is not None
    assert "912 34 567" not in kept.text and "Nordmann" not in kept.text and "Ring meg på" in kept.text
    assert (kept.sender_name, kept.sender_address, kept.sender_property, kept.age_group, kept.relation) == (None,) * 5
    record = store.archive_records(CID)[item]
    assert (record.journal_year, record.journal_sequence, record.journalpost_number) == (2026, 401, 4)
    assert record.anonymised_at is not None
    assert store.audit_entries()[0].action == "input.anonymise"


def test_a_merknad_not_yet_archived_is_still_deleted_for_good(store, case):
    from consultations.model import Role

    _, ids = case
    done = retention.delete_input(store, ids["pin"], "Innbyggerens ønske", staff(store, "ada", Role.ADMIN))
    assert done == retention.Deletion.DELETED and store.get_input(ids["pin"]) is None


def test_the_store_never_deletes_an_archived_merknad_whoever_asks(store, case):
    _, ids = case
    package(store)
    with pytest.raises(ArchivedInput):
        store.delete_input(ids["pin"], "cli", "direct")
    assert store.get_input(ids["pin"]) is not None
    with pytest.raises(Conflict):
        store.delete_consultation(CID, "cli")  # a consultation with inputs is never deleted
    assert len(store.all_inputs(CID)) == len(ids)


def test_anonymising_a_consultation_keeps_archived_merknader_and_their_journalpost_numbers(store, case):
    _, ids = case
    package(store)
    archive.record_receipts(store, CID, [receipt(reference(ids["pin"]), 2026, 402, 6)], actor=staff(store))
    store.anonymise(CID, "cli")
    assert len(store.all_inputs(CID)) == len(ids)
    record = store.archive_records(CID)[ids["pin"]]
    assert (record.journal_year, record.journal_sequence, record.journalpost_number) == (2026, 402, 6)
    assert store.get_input(ids["named"]).sender_name is None


def test_the_shipped_schemas_are_ks_files_unchanged():
    if not SHARED.is_dir():
        pytest.skip("the shared standards folder is not on this machine")
    for path in archive.SCHEMAS.glob("*.xsd"):
        assert path.read_bytes() == (SHARED / path.name).read_bytes(), path.name


def test_the_case_number_gives_year_and_sequence():
    assert archive.case_reference("24/1234") == (2024, 1234)
    assert archive.case_reference("2023/77") == (2023, 77)
    assert archive.case_reference("") is None


# -- issue 21: letters as received, journalført letters, skjerming by content, klassering ----


def _letter(store: Store, text: str, **kw):
    from consultations.model import InputDraft
    from consultations.participation.submission import register_input

    fields = dict(
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name="Kari Nordmann",
        received_at=(NOW - timedelta(days=3)).date(),
        actor=staff(store),
        now=NOW,
    )
    fields.update(kw)
    return register_input(store, CID, InputDraft("Annet", text), **fields)


def _variants(doc: etree._Element) -> list[list[str]]:
    return [
        d.xpath("a:dokumentobjekt/a:variantformat/m:kode/text()", namespaces=NS)
        for d in doc.findall("a:registrering/a:dokumentbeskrivelse", NS)
    ]


def test_a_registered_letters_original_is_the_hoveddokument_and_the_apps_pdf_a_vedlegg(store, case):
    from tests.conftest import one_page_pdf

    original = one_page_pdf("Originalbrevet")
    item = _letter(
        store,
        "Brevet ber om lavere bygg.",
        original=("brev 14.11.pdf", original),
        attachments=[("skisse.png", png())],
        sender_address="Kaiveien 3, 3470 Slemmestad",
    )
    files = package(store)[reference(item.id)]
    doc = xml(files)
    reg = doc.find("a:registrering", NS)
    assert reg.xpath("a:dokumentbeskrivelse/a:tilknyttetRegistreringSom/m:kode/text()", namespaces=NS) == [
        "H",
        "V",
        "V",
    ]
    names = reg.xpath("a:dokumentbeskrivelse/a:dokumentobjekt/a:filnavn/text()", namespaces=NS)
    assert names[0] == "brev 14.11.pdf" and names[2] == "skisse.png"
    assert files[f"{reference(item.id)}-original.pdf"] == original  # as received, byte for byte
    assert _variants(doc) == [["P"], ["A"], ["P"]]  # the original marked as received, ours as arkivformat
    assert reg.findtext("a:antallVedlegg", namespaces=NS) == "2"
    with pikepdf.open(io.BytesIO(files[f"{reference(item.id)}.pdf"])) as rendered:
        meta = rendered.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert "/OutputIntents" in rendered.Root
    assert schema().validate(doc), schema().error_log.last_error


def test_a_letter_already_journalfoert_gets_no_new_journalpost_and_the_report_refers_to_it(store, case):
    item = _letter(
        store,
        "Brevet er journalført av postmottak.",
        journalpost="25/4711-12",
        sender_type=SenderType.ORGANISATION,
        sender_name="Slemmestad vel",
    )
    folders = package(store)
    assert reference(item.id) not in folders
    report = xml(folders["merknadsbehandling"])
    assert schema().validate(report), schema().error_log.last_error
    cross = report.find("a:registrering/a:kryssreferanse/a:referanseTilRegistrering/m:saksJournalpostnummer", NS)
    assert cross.findtext("m:saksaar", namespaces=NS) == "2025"
    assert cross.findtext("m:sakssekvensnummer", namespaces=NS) == "4711"
    assert cross.findtext("m:journalpostnummer", namespaces=NS) == "12"
    assert store.archive_records(CID)[item.id].archived_at is not None  # it counts as sent all the same


def test_skjerming_follows_the_content_with_a_masked_public_variant_never_a_name_alone(store, case):
    _, ids = case
    folders = package(store)
    named = xml(folders[reference(ids["named"])])  # a neighbour's merknad with a phone number
    reg = named.find("a:registrering", NS)
    assert reg.find("a:skjerming", NS) is None  # the name is not screened (the profile's default)
    (rendered,) = reg.findall("a:dokumentbeskrivelse", NS)
    assert (
        rendered.findtext("a:skjerming/a:skjermingshjemmel", namespaces=NS) == PROFILE.archive.content_screening_basis
    )
    assert _variants(named) == [["A", "O"]]
    public = folders[reference(ids["named"])][f"{reference(ids['named'])}-offentlig.pdf"]
    full = folders[reference(ids["named"])][f"{reference(ids['named'])}.pdf"]
    assert "912 34 567" in " ".join(pdf_lines(full)) and "912 34 567" not in " ".join(pdf_lines(public))
    assert "Kaiveien 1" not in " ".join(pdf_lines(public))  # a private sender's address left out
    plain = xml(folders[reference(ids["pin"])])
    assert plain.find(".//a:skjerming", NS) is None and _variants(plain) == [["A"]]
    health = _letter(store, "Jeg har astma og trenger grøntområdet.")
    again = xml(package(store)[reference(health.id)])
    assert again.find("a:registrering/a:dokumentbeskrivelse/a:skjerming", NS) is not None


def test_klassering_by_the_plan_id_and_the_senders_gnr_bnr_and_the_postal_address_split(store, case):
    _, ids = case
    folders = package(store)
    named = xml(folders[reference(ids["named"])]).find("a:registrering", NS)
    classes = [
        (k.findtext("a:klassifikasjonssystemID", namespaces=NS), k.findtext("a:klasseID", namespaces=NS))
        for k in named.findall("a:klassifikasjon", NS)
    ]
    assert classes == [("PLANID", "3203-2024007"), ("GBNR", "12/345")]
    party = named.find("a:korrespondansepart", NS)
    assert [party.findtext(f"a:{n}", namespaces=NS) for n in ("postadresse", "postnummer", "poststed")] == [
        "Kaiveien 1",
        "3470",
        "Slemmestad",
    ]
    pin = xml(folders[reference(ids["pin"])]).find("a:registrering", NS)
    assert pin.xpath("a:klassifikasjon/a:klassifikasjonssystemID/text()", namespaces=NS) == ["PLANID"]
    report = xml(folders["merknadsbehandling"]).find("a:registrering", NS)
    assert report.findtext("a:klassifikasjon/a:klasseID", namespaces=NS) == "3203-2024007"
