"""Fiks Arkiv: a consultation's merknader handed to the municipality's Noark 5 archive, and
the archive's kvittering read back.

A merknad is a case document (pbl. § 12-12, arkivlova): each becomes an incoming journalpost
(type I) in the case folder the consultation's saksnummer names, with its sender as
korrespondansepart, its reference (``KI-…``) as the external key, and as documents a PDF of
its text and map position and the files the resident attached. The merknadsbehandling
report follows as an outgoing document (type N or X, as the profile says).

A letter staff registered goes as it came: the original file is the hoveddokument (H,
variantformat P «som mottatt», for the archive to convert), the app's PDF of it a vedlegg.
A letter postmottak already journalførte («allerede journalført som 25/4711-12») gets no
second journalpost: the merknadsbehandling refers to the existing one (kryssreferanse).
Skjerming follows the content, not the sender: a document whose text holds personal data
(fødselsnummer, phone, health, private circumstances: ``moderation``) is screened (offl.
§ 13 jf. fvl. § 13) and carries a masked public variant (variantformat O); a private
sender's name is screened only where the profile says so (``screen_private_names``, off
by default: a name on a planmerknad is public). Every journalpost is classed by the plan-ID
and, where known, the sender's gnr/bnr (the profile's ordningsprinsipper); the PDFs the app
draws are PDF/A-2b (``pdfa``), and so is the report's PDF when the profile asks for one.

The schema (KS, V1) lets one arkivmelding hold one mappe and one registrering, so a
consultation travels as a package: one zip, one folder per message, each folder exactly one
Fiks IO message — ``arkivmelding.xml`` and the files it references, ``antallFiler`` counting
those files (not ``arkivmelding.xml``, as the specification says). Every message is checked
against the schema before the zip is made. Residents' words reach the XML only through
lxml, which escapes them; their text itself travels in the PDF.

A kvittering is hostile until checked: parsed without entities, DTDs or network, validated
against the kvittering schema, and every reference it names must be one of the
consultation's merknader, or nothing is stored.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from lxml import etree

from ..casework import letters
from ..planning import planprocess
from ..config import Municipality
from ..errors import KartinnspillError
from .export import xml_safe
from ..i18n import DEFAULT_LANG, LOCAL_TZ, format_date, t
from ..model import (
    Attachment,
    Consultation,
    Input,
    Role,
    User,
    journalpost_label,
    reference,
)
from ..permissions import require
from ..casework.moderation import find_personal_data, mask_naming_kinds
from ..pdfa import pdfa_2b
from ..participation.receipt import a4_document, parse_reference
from .merknadsbehandling import ReportUnavailable, build_report, docx_to_pdf, pin_map_image
from .ordered_pool import ordered_map, usable_cores
from ..store import ArchiveRecord, Letter, Store
from ..word import language_tag

SCHEMAS = Path(__file__).parent.with_name("schemas") / "fiks-arkiv-v1"
MESSAGE_XSD = SCHEMAS / "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
RECEIPT_XSD = SCHEMAS / "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
RECEIPT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MESSAGE_FILE = "arkivmelding.xml"
RECEIPT_MAX_BYTES = 5_000_000  # a kvittering is a few kilobytes
_REPORT_KEY = "merknadsbehandling"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# The merknad PDFs are drawn by this many processes (the command's own and WORKERS - 1
# started for it; never more than the cores there are) once a package has POOL_FROM of
# them: ~60 ms of CPU each, 10 minutes for a 10,000-merknad kommuneplan on one core. Below
# that, starting a worker (~2 s of imports) costs more than it saves.
WORKERS = 2
POOL_FROM = 200


class InvalidArchive(KartinnspillError):
    """An archive package could not be made, or a kvittering was refused; nothing changed."""


@dataclass(frozen=True)
class Message:
    """One Fiks Arkiv message: ``arkivmelding.xml`` and the files it references."""

    folder: str
    xml: bytes
    files: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Package:
    consultation_id: str
    messages: tuple[Message, ...]
    input_ids: tuple[int, ...]  # the merknader it sends

    def zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for m in self.messages:
                _write_message(z, m)
        return buffer.getvalue()


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def check_message(xml: bytes) -> None:
    """Raise ``etree.DocumentInvalid`` unless ``xml`` is a valid V1 arkivmelding.opprett."""
    _schema(MESSAGE_XSD).assertValid(etree.fromstring(xml, _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# -- out: the package -------------------------------------------------------------------------


def package(
    store: Store,
    consultation_id: str,
    *,
    profile: Municipality,
    since: date | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> Package:
    """Every merknad of the consultation (with ``since``: those not sent to the archive
    before that day) and the merknadsbehandling report, as Fiks Arkiv messages, in memory
    (``write_package`` streams them into a zip instead). An input a planner marked as not a
    merknad is not a case document and stays out."""
    input_ids, messages = _messages(store, consultation_id, profile, since, lang, now or datetime.now(UTC))
    return Package(consultation_id, tuple(messages), tuple(input_ids))


def write_package(
    store: Store,
    consultation_id: str,
    target: BinaryIO,
    *,
    profile: Municipality,
    since: date | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
    workers: int = 0,
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """``package`` written into a zip on ``target`` one message at a time, each checked and
    then dropped: memory holds one merknad's files, not 10,000 (a kommuneplan). Returns the
    merknader sent and the messages' folders. ``InvalidArchive`` part way leaves a partial
    zip on ``target``: the caller discards it (``downloads.write_archive``). ``workers``
    (e.g. ``WORKERS``): draw the merknad PDFs in that many processes, this one included,
    when there are many; the package is the same, message for message and byte for byte."""
    now = now or datetime.now(UTC)
    input_ids, messages = _messages(store, consultation_id, profile, since, lang, now, workers)
    folders = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for m in messages:
            _write_message(z, m)
            folders.append(m.folder)
    return tuple(input_ids), tuple(folders)


def _messages(
    store: Store,
    consultation_id: str,
    profile: Municipality,
    since: date | None,
    lang: str,
    now: datetime,
    workers: int = 0,
) -> tuple[list[int], Iterator[Message]]:
    """The merknader the package sends, and its messages made one by one as they are read,
    each checked against the schema first (a package the archive would refuse is never
    made); the merknad PDFs drawn ahead in ``workers`` processes (``ordered_pool``)."""
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidArchive("archive.unknown_consultation", id=consultation_id)
    records = store.archive_records(c.id)
    cutoff = None if since is None else datetime.combine(since, time(), LOCAL_TZ)
    inputs = [
        i
        for i in store.all_inputs(c.id)
        if i.not_merknad is None  # spam, a test, a double registration: no case document
        and (cutoff is None or _not_sent_before(records.get(i.id), cutoff))
    ]
    own_frist = {p.input_id: p.frist for p in store.hearing_parties(c.id) if p.input_id is not None}
    registered = store.letters(c.id)
    attachments = store.attachments_of([i.id for i in inputs])

    journalfoert = []  # already journalført by postmottak: referred to, never sent again
    sent = []
    for item in inputs:
        letter = registered.get(item.id)
        if letter is not None and letter.journalpost:
            journalfoert.append(letter.journalpost)
        else:
            sent.append((item, letter, planprocess.missed_frist(item.created_at, c.closes_at, own_frist.get(item.id))))
    jobs = (
        _PdfJob(item, late, _attached(attachments.get(item.id, []), letter), bool(find_personal_data(item.text)))
        for item, letter, late in sent
    )
    workers = min(workers, usable_cores()) if len(sent) >= POOL_FROM else 0

    def made() -> Iterator[Message]:
        if not c.case_number:
            yield _case_folder(c, profile, lang)
        with ordered_map(_render, (c, profile, lang, now), jobs, workers=workers) as pdfs:
            for (item, letter, late), rendered in zip(sent, pdfs, strict=True):
                every = attachments.get(item.id, [])
                yield _merknad(store, c, item, late, profile, lang, letter, every, rendered=rendered)
        yield _report(store, c, profile, lang, now, journalfoert)  # the workers are gone by now

    def checked() -> Iterator[Message]:
        with closing(made()) as messages:  # a refused message shuts the workers down at once
            for m in messages:
                try:
                    check_message(m.xml)
                except etree.DocumentInvalid as exc:
                    raise InvalidArchive("archive.package_invalid", folder=m.folder, reason=str(exc)) from exc
                yield m

    return [i.id for i in inputs], checked()


def _write_message(z: zipfile.ZipFile, m: Message) -> None:
    z.writestr(f"{m.folder}/{MESSAGE_FILE}", m.xml)
    for name, data in m.files:
        z.writestr(f"{m.folder}/{name}", data)


def _not_sent_before(record: ArchiveRecord | None, cutoff: datetime) -> bool:
    return record is None or record.archived_at is None or record.archived_at >= cutoff


def case_reference(case_number: str) -> tuple[int, int] | None:
    """(saksår, sekvensnummer) from «24/1234» or «2024/1234»; ``None`` without one."""
    if not case_number:
        return None
    year, sequence = case_number.split("/")
    return (int(year) + 2000 if len(year) == 2 else int(year)), int(sequence)


class _Xml:
    """An arkivmelding under construction: elements in the message's namespace."""

    def __init__(self, profile: Municipality, files: int) -> None:
        self.root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "n5mdk": MDK, "xsi": XSI})
        self.el(self.root, "system", profile.archive.system)
        self.el(self.root, "antallFiler", files)

    @staticmethod
    def el(
        parent: etree._Element, name: str, text: object = None, xsi_type: str | None = None, ns: str = NS
    ) -> etree._Element:
        """An element of the message's own schema (``ns``: of the metadatakatalog, for the
        children of its types)."""
        e = etree.SubElement(parent, f"{{{ns}}}{name}")
        if xsi_type:
            e.set(f"{{{XSI}}}type", xsi_type)
        if text is not None:
            e.text = xml_safe(str(text).lower() if isinstance(text, bool) else str(text))
        return e

    def code(self, parent: etree._Element, name: str, code: str, description: str) -> None:
        e = self.el(parent, name)
        self.el(e, "kode", code, ns=MDK)
        self.el(e, "beskrivelse", description, ns=MDK)

    def key(self, parent: etree._Element, name: str, profile: Municipality, value: str, ns: str = NS) -> None:
        e = self.el(parent, name, ns=ns)
        self.el(e, "fagsystem", profile.archive.system, ns=MDK)
        self.el(e, "noekkel", value, ns=MDK)

    def parent_folder(self, parent: etree._Element, c: Consultation, profile: Municipality) -> None:
        """``referanseForelderMappe``: the case by its saksnummer, else by the consultation's
        own key (the case folder the package's first message creates)."""
        ref = self.el(parent, "referanseForelderMappe")
        case = case_reference(c.case_number)
        if case:
            number = self.el(ref, "saksnummer", ns=MDK)
            self.el(number, "saksaar", case[0], ns=MDK)
            self.el(number, "sakssekvensnummer", case[1], ns=MDK)
        else:
            self.key(ref, "referanseEksternNoekkel", profile, c.id, ns=MDK)

    def document(
        self,
        parent: etree._Element,
        number: int,
        title: str,
        main: bool,
        filename: str,
        stored_as: str,
        mime: str,
        data: bytes,
        lang: str,
        *,
        variant: str = "P",
        more: Sequence[Variant] = (),
        screening: Municipality | None = None,
    ) -> None:
        """A dokumentbeskrivelse with its file as ``variant`` (P: produksjonsformat, as
        received or written; A: arkivformat, PDF/A) and ``more`` variants of it (O: the
        masked public one); ``screening``: document-level skjerming by that profile."""
        d = self.el(parent, "dokumentbeskrivelse")
        self.code(d, "dokumentstatus", "F", t("archive.xml.document_final", lang))
        self.el(d, "tittel", title)
        role = ("H", t("archive.xml.main_document", lang)) if main else ("V", t("archive.xml.attachment", lang))
        self.code(d, "tilknyttetRegistreringSom", *role)
        self.el(d, "dokumentnummer", number)
        if screening is not None:
            self.screening(d, screening, screening.archive.content_screening_basis)
        for k, v in enumerate((Variant(variant, filename, stored_as, mime, data), *more), start=1):
            o = self.el(d, "dokumentobjekt")
            self.el(o, "versjonsnummer", 1)
            self.code(o, "variantformat", v.code, t(f"letters.archive.variant_{v.code}", lang))
            self.code(o, "format", v.stored_as.rsplit(".", 1)[-1].upper(), v.mime)
            self.el(o, "mimeType", v.mime)
            self.el(o, "filnavn", v.filename)
            self.el(o, "referanseDokumentfil", v.stored_as)
            self.el(o, "sjekksum", hashlib.sha256(v.data).hexdigest())
            self.el(o, "sjekksumAlgoritme", "SHA-256")
            self.el(o, "filstoerrelse", len(v.data))

    def screening(self, parent: etree._Element, profile: Municipality, basis: str) -> None:
        s = self.el(parent, "skjerming")
        self.code(s, "tilgangsrestriksjon", profile.archive.access_code, basis)
        self.el(s, "skjermingshjemmel", basis)

    def classes(self, parent: etree._Element, c: Consultation, profile: Municipality, prop: str | None) -> None:
        """Klassering by the plan-ID and, where known, the gnr/bnr (the profile's
        ordningsprinsipper, e.g. PLANID and GBNR)."""
        if c.plan_id:
            k = self.el(parent, "klassifikasjon")
            self.el(k, "klassifikasjonssystemID", profile.archive.plan_classification)
            self.el(k, "klasseID", c.plan_id)
            self.el(k, "tittel", planprocess.national_plan_id(profile.kommunenummer, c.plan_id))
        if prop and (numbers := _gnr_bnr(prop)):
            k = self.el(parent, "klassifikasjon")
            self.el(k, "klassifikasjonssystemID", profile.archive.property_classification)
            self.el(k, "klasseID", f"{numbers[0]}/{numbers[1]}")
            self.el(k, "tittel", f"{profile.kommunenummer}-{numbers[0]}/{numbers[1]}")

    def bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _case_folder(c: Consultation, profile: Municipality, lang: str) -> Message:
    """A consultation without saksnummer (early medvirkning): the case folder, found again
    by the consultation's own key."""
    x = _Xml(profile, 0)
    m = x.el(x.root, "mappe", xsi_type="saksmappe")
    x.el(m, "tittel", c.title)
    x.el(m, "offentligTittel", c.title)
    x.key(m, "referanseEksternNoekkel", profile, c.id)
    if c.plan_id:
        plan = x.el(m, "planident")
        x.el(plan, "planidentifikasjon", c.plan_id)
        x.el(plan, "kommunenummer", profile.kommunenummer)
    return Message("00-saksmappe", x.bytes(), ())


def _sender_is_person(item: Input) -> bool:
    return item.sender_type is None or item.sender_type.is_person


def _merknad(
    store: Store,
    c: Consultation,
    item: Input,
    late: datetime | None,
    profile: Municipality,
    lang: str,
    letter: Letter | None = None,
    every: Sequence[Attachment] | None = None,
    *,
    rendered: tuple[bytes, bytes | None],
) -> Message:
    """One merknad's message, with its PDF and masked public PDF as ``_render`` drew them."""
    ref = reference(item.id)
    original_id = letter.original_attachment_id if letter is not None else None
    every = store.attachments(item.id) if every is None else every
    original = next((a for a in every if a.id == original_id), None)
    attachments = [(a, store.attachment_content(a.id)) for a in every if a.id != original_id]
    rendered, public = rendered
    sensitive = public is not None  # screened by content, never for a name (``_PdfJob.sensitive``)
    more = []
    if public is not None:  # personal data in the text: the masked public variant (variantformat O)
        more.append(Variant("O", f"{ref}-offentlig.pdf", f"{ref}-offentlig.pdf", "application/pdf", public))
    files: list[tuple[str, bytes]] = []
    documents: list[tuple] = []  # (title, main, filename, stored_as, mime, data, variant, more, screened)
    if original is not None:  # the letter as received is the hoveddokument
        found = store.attachment_content(original.id)
        stored_as = f"{ref}-original.{_EXTENSIONS.get(original.media_type, 'bin')}"
        files.append((stored_as, found[1] if found else b""))
        documents.append(
            (
                t("letters.archive.original_title", lang, ref=ref),
                True,
                original.filename,
                stored_as,
                original.media_type,
                files[-1][1],
                "P",
                (),
                sensitive,
            )
        )
    files.append((f"{ref}.pdf", rendered))
    files.extend((v.stored_as, v.data) for v in more)
    documents.append(
        (
            t("archive.xml.merknad_title", lang, ref=ref),
            original is None,
            f"{ref}.pdf",
            f"{ref}.pdf",
            "application/pdf",
            rendered,
            "A",
            tuple(more),
            sensitive,
        )
    )
    for k, (a, found) in enumerate(attachments, start=1):
        stored_as = f"{ref}-vedlegg-{k}.{_EXTENSIONS.get(a.media_type, 'bin')}"
        files.append((stored_as, found[1] if found else b""))
        documents.append((a.filename, False, a.filename, stored_as, a.media_type, files[-1][1], "P", (), False))
    x = _Xml(profile, len(files))
    r = x.el(x.root, "registrering", xsi_type="journalpost")
    x.parent_folder(r, c, profile)
    person, named = _sender_is_person(item), bool(item.sender_name)
    screened = person and named and profile.archive.screen_private_names
    if screened:
        x.screening(r, profile, profile.archive.screening_basis)
    for k, (title, main, filename, stored_as, mime, data, variant, extra, secret) in enumerate(documents, start=1):
        x.document(
            r,
            k,
            title,
            main,
            filename,
            stored_as,
            mime,
            data,
            lang,
            variant=variant,
            more=extra,
            screening=profile if secret else None,
        )
    title = t("archive.xml.journalpost_title", lang, ref=ref, title=c.title)
    x.el(r, "tittel", title)
    x.el(r, "offentligTittel", title)  # never a name: the title says whose case, not who
    if late is not None:
        note = x.el(r, "merknad")
        x.el(note, "merknadstekst", t("archive.xml.late", lang, frist=format_date(late, lang)))
    if item.objection is not None:
        note = x.el(r, "merknad")
        kinds = [t(f"objection.kind.{item.objection.value}", lang)]
        if letter is not None and letter.also_advice:
            kinds.append(t("objection.kind.faglig_rad", lang))
        x.el(note, "merknadstekst", " + ".join(kinds))
    party = x.el(r, "korrespondansepart")
    x.code(party, "korrespondanseparttype", "EA", t("archive.xml.sender", lang))
    x.el(party, "korrespondansepartNavn", item.sender_name or _unnamed(item, lang))
    _postal(x, party, item.sender_address or "")
    if screened:
        x.el(party, "erSkjermet", True)
    if named:
        x.el(party, "erPersonnavn", person)
    x.classes(r, c, profile, item.sender_property)
    x.key(r, "referanseEksternNoekkel", profile, ref)
    x.code(r, "journalposttype", "I", t("archive.xml.incoming", lang))
    x.el(r, "dokumentetsDato", item.created_at.astimezone(LOCAL_TZ).date().isoformat())
    x.el(r, "mottattDato", item.created_at.astimezone(UTC).isoformat())
    x.el(r, "antallVedlegg", len(documents) - 1)
    return Message(ref, x.bytes(), tuple(files))


@dataclass(frozen=True)
class Variant:
    """One file of a document: its variantformat, names, type and content."""

    code: str  # P produksjonsformat, A arkivformat, O skjermet (masked)
    filename: str
    stored_as: str
    mime: str
    data: bytes


def _postal(x: _Xml, party: etree._Element, address: str) -> None:
    """The sender's address split as the archive keeps it: adresselinje, postnummer,
    poststed (an e-mail address as epostadresse); free text as address lines."""
    text = address.strip()
    if not text:
        return
    if "@" in text and " " not in text:
        x.el(party, "epostadresse", text)
        return
    postal = letters.parse_address(text)
    if postal is not None:
        x.el(party, "postadresse", postal.street)
        x.el(party, "postnummer", postal.postcode)
        x.el(party, "poststed", postal.place)
        return
    for line in text.splitlines():
        if line.strip():
            x.el(party, "postadresse", line.strip())


def _gnr_bnr(prop: str) -> tuple[int, int] | None:
    parts = prop.replace(" ", "").split("/")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return int(parts[0]), int(parts[1])
    return None


def _unnamed(item: Input, lang: str) -> str:
    if item.sender_type is not None and not item.sender_type.is_person:
        return t(f"sender_type.{item.sender_type.value}", lang)
    return t("archive.xml.unnamed", lang)


def _report(
    store: Store,
    c: Consultation,
    profile: Municipality,
    lang: str,
    now: datetime,
    journalfoert: Sequence[str] = (),
) -> Message:
    """The merknadsbehandling as it stands today, an outgoing (N or X) journalpost; with the
    profile's ``report_pdf``, its PDF/A-2b as the hoveddokument and the Word file beside it.
    It refers to the merknader postmottak already journalførte (``journalfoert``)."""
    data = build_report(store, c.id, include_names=False, profile=profile, lang=lang, now=now)
    stored_as = f"{c.id}-merknadsbehandling.docx"
    files = [(stored_as, data)]
    title = t("archive.xml.report_title", lang, title=c.title)
    pdf = None
    if profile.archive.report_pdf:
        try:
            pdf = docx_to_pdf(data)
        except ReportUnavailable:
            pdf = None  # no LibreOffice here: the Word file alone, as before
    x = _Xml(profile, 1 + (pdf is not None))
    r = x.el(x.root, "registrering", xsi_type="journalpost")
    x.parent_folder(r, c, profile)
    if pdf is not None:
        pdf_name = f"{c.id}-merknadsbehandling.pdf"
        files.append((pdf_name, pdf))
        word = Variant("P", stored_as, stored_as, _DOCX, data)
        x.document(r, 1, title, True, pdf_name, pdf_name, "application/pdf", pdf, lang, variant="A", more=(word,))
    else:
        x.document(r, 1, title, True, stored_as, stored_as, _DOCX, data, lang)
    x.el(r, "tittel", title)
    x.el(r, "offentligTittel", title)
    for number in journalfoert:
        _cross_reference(x, r, number)
    x.classes(r, c, profile, None)
    day = now.astimezone(LOCAL_TZ).date().isoformat()
    x.key(r, "referanseEksternNoekkel", profile, f"{c.id}/{_REPORT_KEY}/{day}")
    kind = profile.archive.report_type
    x.code(r, "journalposttype", kind, t(f"archive.xml.type_{kind}", lang))
    x.el(r, "dokumentetsDato", day)
    return Message(_REPORT_KEY, x.bytes(), tuple(files))


def _cross_reference(x: _Xml, r: etree._Element, number: str) -> None:
    """A kryssreferanse to a journalpost postmottak made («25/4711-12»)."""
    case, _, document = number.rpartition("-")
    year, sequence = case_reference(case) or (0, 0)
    k = x.el(r, "kryssreferanse")
    ref = x.el(k, "referanseTilRegistrering")
    sjp = x.el(ref, "saksJournalpostnummer", ns=MDK)
    x.el(sjp, "saksaar", year, ns=MDK)
    x.el(sjp, "sakssekvensnummer", sequence, ns=MDK)
    x.el(sjp, "journalpostnummer", int(document), ns=MDK)


@dataclass(frozen=True)
class _PdfJob:
    """What one merknad's PDFs are drawn from (sent to a worker process)."""

    item: Input
    late: datetime | None
    attachments: tuple[Attachment, ...]  # the files listed in it (not a letter's original)
    sensitive: bool  # personal data in the text: a masked public variant too


def _attached(every: Sequence[Attachment], letter: Letter | None) -> tuple[Attachment, ...]:
    original_id = letter.original_attachment_id if letter is not None else None
    return tuple(a for a in every if a.id != original_id)


def _render(shared: tuple[Consultation, Municipality, str, datetime], job: _PdfJob) -> tuple[bytes, bytes | None]:
    """A merknad's PDF and, when its text holds personal data, its masked public variant,
    both dated the package's moment (in a worker process or here: ``ordered_pool``)."""
    c, profile, lang, created = shared
    pdf = merknad_pdf(c, job.item, job.late, job.attachments, profile, lang, created=created)
    if not job.sensitive:
        return pdf, None
    return pdf, merknad_pdf(c, job.item, job.late, job.attachments, profile, lang, public=True, created=created)


def merknad_pdf(
    c: Consultation,
    item: Input,
    late: datetime | None,
    attachments: Sequence[Attachment],
    profile: Municipality,
    lang: str = DEFAULT_LANG,
    public: bool = False,
    created: datetime | None = None,
) -> bytes:
    """The merknad as the archive keeps it: who, when, where (with a small map drawn
    locally), the text in full, and the names of the attached files; as PDF/A-2b.
    ``public``: the variant for innsyn, personal data in the text masked and a private
    sender's address and gnr/bnr left out. ``created``: the PDF's date (the package's
    moment, so a package drawn in worker processes is the same byte for byte), else now."""
    ref = reference(item.id)
    if public:
        masked, _ = mask_naming_kinds(
            item.text, lambda kind: t("report11.masked", lang, kind=t(f"report11.pii.{kind}", lang))
        )
        item = replace(
            item, text=masked, **({"sender_address": None, "sender_property": None} if _sender_is_person(item) else {})
        )
    facts = _facts(c, item, late, attachments, lang)
    drawn = [t("receipt.text", lang), item.text, *(text for pair in facts for text in pair)]
    pdf = a4_document(t("archive.pdf.title", lang, ref=ref), profile.name, texts=drawn)
    if created is not None:
        pdf.set_creation_date(created)
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, t("archive.pdf.title", lang, ref=ref), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, profile.name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 5, value, new_x="LMARGIN", new_y="NEXT", markdown=False)
        pdf.ln(1)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 6, t("receipt.text", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, item.text, new_x="LMARGIN", new_y="NEXT", markdown=False)
    if item.has_location:  # its point (a drawn shape's too): the map drawn once, the dot moved
        pdf.ln(4)
        pdf.image(pin_map_image(c, item.lon, item.lat, item.category, profile.working_crs, lang), w=min(width, 110))
    return pdfa_2b(
        bytes(pdf.output()), title=t("archive.pdf.title", lang, ref=ref), author=profile.name, lang=language_tag(lang)
    )


def _facts(
    c: Consultation, item: Input, late: datetime | None, attachments: Sequence[Attachment], lang: str
) -> list[tuple[str, str]]:
    a = lambda key: t(f"archive.pdf.{key}", lang)
    lines = [(t("receipt.consultation", lang), c.title)]
    if c.case_number:
        lines.append((t("receipt.case_number", lang), c.case_number))
    lines.append((t("receipt.received", lang), format_date(item.created_at, lang, with_time=True)))
    if late is not None:
        lines.append((a("late"), format_date(late, lang)))
    lines.append((a("channel"), t(f"channel.{item.channel.value}", lang)))
    if item.sender_type is not None:
        lines.append((a("sender_type"), t(f"sender_type.{item.sender_type.value}", lang)))
    for key, value in (
        ("sender", item.sender_name),
        ("address", item.sender_address),
        ("property", item.sender_property),
    ):
        if value:
            lines.append((a(key), value))
    if item.objection is not None:
        lines.append((a("objection"), t(f"objection.kind.{item.objection.value}", lang)))
    lines.append((a("category"), item.category))
    where = f"{item.lat:.6f}, {item.lon:.6f} (WGS84)" if item.has_location else a("whole_area")
    lines.append((a("position"), where))
    names = ", ".join(x.filename for x in attachments) if attachments else t("receipt.no_attachments", lang)
    lines.append((t("receipt.attachments", lang), names))
    return lines


# -- back: the kvittering ---------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One journalpost the archive confirmed, by the external key it was sent with."""

    key: str
    year: int | None
    sequence: int | None
    number: int | None


@dataclass(frozen=True)
class CaseFolder:
    """The saksmappe the archive confirmed (``saksmappeKvittering``), by its external key."""

    key: str
    year: int | None
    sequence: int | None

    @property
    def case_number(self) -> str:
        """The saksnummer as planners write it, «26/1234»; empty when the archive gave none."""
        if self.year is None or self.sequence is None:
            return ""
        return f"{self.year % 100:02d}/{self.sequence}"


@dataclass(frozen=True)
class Receipt:
    case_folder: CaseFolder | None
    registrations: list[Registration]


def read_receipt(data: bytes) -> Receipt:
    """The saksmappe and journalposts an ``arkivmelding.opprett.kvittering`` confirms;
    ``InvalidArchive`` for anything that is not one, or that reports a failure."""
    if len(data) > RECEIPT_MAX_BYTES:
        raise InvalidArchive("archive.receipt_too_large")
    try:
        doc = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidArchive("archive.receipt_not_xml", reason=str(exc)) from None
    schema = _schema(RECEIPT_XSD)
    try:
        valid = schema.validate(doc)
    except etree.XMLSchemaValidateError as exc:  # an entity reference left unresolved (N7)
        raise InvalidArchive("archive.receipt_invalid", reason=str(exc)) from None
    if not valid:
        raise InvalidArchive("archive.receipt_invalid", reason=str(schema.error_log.last_error))
    ns = {"k": RECEIPT_NS, "m": MDK}
    for failed in ("k:mappeFeilet", "k:registreringFeilet"):
        if (found := doc.find(failed, ns)) is not None:
            raise InvalidArchive("archive.receipt_failed", reason=" ".join(found.itertext()).strip())
    out = []
    for reg in doc.findall("k:registreringKvittering", ns):
        key = reg.findtext("k:referanseEksternNoekkel/m:noekkel", None, ns)
        if key is None:
            raise InvalidArchive("archive.receipt_no_key")
        year, sequence, number = (
            _int(reg.findtext(f"k:{name}", None, ns))
            for name in ("journalaar", "journalsekvensnummer", "journalpostnummer")
        )
        out.append(Registration(key.strip(), year, sequence, number))
    return Receipt(_case_folder_receipt(doc.find("k:mappeKvittering", ns), ns), out)


def _case_folder_receipt(found: etree._Element | None, ns: dict[str, str]) -> CaseFolder | None:
    if found is None:
        return None
    key = found.findtext("k:referanseEksternNoekkel/m:noekkel", None, ns)
    if key is None:
        raise InvalidArchive("archive.receipt_no_key")
    year, sequence = (_int(found.findtext(f"k:{name}", None, ns)) for name in ("saksaar", "sakssekvensnummer"))
    return CaseFolder(key.strip(), year, sequence)


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def status_label(archived_at: object, year: object, sequence: object, number: object, lang: str) -> str:
    """The review table's archive column: the journalpost, or when it was sent, or nothing."""
    label = journalpost_label(year, sequence, number)
    if label:
        return label
    if archived_at is None or pd.isna(archived_at):
        return ""
    at = pd.Timestamp(archived_at).to_pydatetime()
    return t("archive.table.sent", lang, date=format_date(at if at.tzinfo else at.replace(tzinfo=UTC), lang))


def receipt_entries(
    store: Store, consultation_id: str, receipts: Sequence[bytes]
) -> tuple[list[tuple[int, int | None, int | None, int | None]], str | None]:
    """``(input_id, år, sekvensnummer, journalpostnummer)`` for every merknad the receipts
    confirm, and the saksnummer of the case folder the archive created for a consultation
    without one (else ``None``); refuses a reference the consultation does not have, a
    merknad without a journalpost number, and a case folder whose saksnummer differs from
    the one the consultation already has. The report's registrations are accepted."""
    c = store.get_consultation(consultation_id)
    if c is None:
        raise InvalidArchive("archive.unknown_consultation", id=consultation_id)
    ours = set(store.archive_records(c.id))
    entries = []
    case_number: str | None = None
    for data in receipts:
        found = read_receipt(data)
        if (folder := found.case_folder) is not None:
            if folder.key != c.id:
                raise InvalidArchive("archive.receipt_unknown_reference", reference=folder.key, id=c.id)
            if not folder.case_number:
                raise InvalidArchive("archive.receipt_no_case_number", id=c.id)
            if c.case_number and c.case_number != folder.case_number:
                raise InvalidArchive(
                    "archive.receipt_other_case", id=c.id, ours=c.case_number, theirs=folder.case_number
                )
            if not c.case_number:
                case_number = folder.case_number
        for reg in found.registrations:
            if reg.key.startswith(f"{c.id}/{_REPORT_KEY}/"):
                continue
            input_id = parse_reference(reg.key)
            if input_id is None or input_id not in ours:
                raise InvalidArchive("archive.receipt_unknown_reference", reference=reg.key, id=c.id)
            if reg.number is None and (reg.year is None or reg.sequence is None):
                raise InvalidArchive("archive.receipt_no_number", reference=reg.key)
            entries.append((input_id, reg.year, reg.sequence, reg.number))
    return entries, case_number


def receipt_details(entries: Sequence[tuple[int, int | None, int | None, int | None]]) -> str:
    return json.dumps({reference(i): [y, s, n] for i, y, s, n in entries})


def record_receipts(store: Store, consultation_id: str, receipts: Sequence[bytes], *, actor: User) -> int:
    """Read the archive's kvitteringer and store each merknad's journalpost — and, for a
    consultation that had none, the saksnummer of the case folder the archive created — all
    in one transaction or nothing; returns how many merknader got a journalpost."""
    who = require(store, actor, Role.PLANNER)
    entries, case_number = receipt_entries(store, consultation_id, receipts)
    store.set_journalposts(consultation_id, entries, who.username, receipt_details(entries), case_number=case_number)
    return len(entries)
