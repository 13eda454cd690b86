"""Letters stay private (issue 21): registered letters from private senders and anything with
personal data wait for a planner; health, private circumstances and the sender's own name,
address and gnr/bnr are masked in public views and the report; the registration's new
facts (original letter, postal address, journalpost, faglig råd beside an innsigelse); the
import's new fields; the six-week rule; the report's facts and Word hygiene; the
varslingsliste."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import openpyxl
import pikepdf
import pytest

from consultations import cli
from consultations.planning.planprocess import next_working_day
from consultations.planning import lifecycle
from consultations.participation import public
from consultations.casework import review
from consultations.config import load_profile
from consultations.errors import InvalidConsultation, InvalidInput
from consultations.i18n import LOCAL_TZ
from consultations.planning.lifecycle import ConsultationForm
from consultations.model import (
    Channel,
    Identification,
    InputDraft,
    InputStatus,
    Moderation,
    Objection,
    PlanType,
    SenderType,
    Stage,
)
from consultations.casework.moderation import Own, find_personal_data, flags, mask_naming_kinds
from consultations.outputs.merknadsbehandling import build_report, docx_to_pdf
from consultations.store import CaseFacts, FirstDecision, Store
from consultations.participation.submission import register_input, submit_input
from tests.conftest import (
    BORGEN_SQUARE,
    INSIDE,
    NOW,
    docx_text,
    make_consultation,
    need_office_tools,
    one_page_pdf,
    staff,
)

ASKER = load_profile("asker")
CLOSES = NOW + timedelta(days=30)


def formal(cid: str = "kaia", **changes):
    fields = dict(
        plan_type=PlanType.DETALJREGULERING,
        plan_id="2025.14",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="25/4711",
        announced_on=(NOW - timedelta(days=10)).date(),
        opens_at=NOW - timedelta(days=10),
        closes_at=CLOSES,
        title="Detaljregulering Kaia",
    )
    fields.update(changes)
    return make_consultation(cid, **fields)


def letter(store, cid, text, sender_type=SenderType.PRIVATE, name="Kari Nordmann", **kw):
    return register_input(
        store,
        cid,
        InputDraft("Annet", text),
        channel=Channel.LETTER,
        sender_type=sender_type,
        sender_name=name,
        received_at=(NOW - timedelta(days=1)).date(),
        actor=staff(store),
        now=NOW,
        **kw,
    )


# -- letters stay private -------------------------------------------------------------------


@pytest.mark.parametrize("moderation", list(Moderation))
@pytest.mark.parametrize("sender_type", [SenderType.PRIVATE, SenderType.LANDOWNER, SenderType.NEIGHBOUR])
def test_a_letter_from_a_private_sender_waits_for_a_planner_in_every_moderation_mode(store, sender_type, moderation):
    store.add_consultation(formal(moderation=moderation))
    item = letter(store, "kaia", "Jeg ønsker lavere bygg mot sjøen.", sender_type)
    assert item.status == InputStatus.PENDING
    assert public.inputs(store, "kaia", "nb") == []


def test_a_letter_from_an_organisation_or_authority_is_public_at_once_in_post_moderation(store):
    store.add_consultation(formal())
    club = letter(store, "kaia", "Velforeningen ønsker sykkelparkering.", SenderType.ORGANISATION, "Kaia vel")
    authority = letter(store, "kaia", "Faglig råd om overvann.", SenderType.AUTHORITY, "NVE")
    assert club.status == authority.status == InputStatus.PUBLISHED


def test_anything_with_personal_data_is_never_published_by_itself_from_any_channel(store):
    store.add_consultation(formal())
    web = submit_input(
        store, "kaia", InputDraft("Annet", "Jeg har astma og trenger grøntområdet.", *INSIDE), session="s1", now=NOW
    )
    org = letter(store, "kaia", "Vårt medlem sitter i rullestol og kommer ikke frem.", SenderType.ORGANISATION, "Vel")
    phone = submit_input(
        store, "kaia", InputDraft("Annet", "Ring meg på 912 34 567 om stien.", *INSIDE), session="s2", now=NOW
    )
    plain = submit_input(
        store, "kaia", InputDraft("Annet", "Flere benker langs stien, takk.", *INSIDE), session="s3", now=NOW
    )
    assert [i.status for i in (web, org, phone)] == [InputStatus.PENDING] * 3
    assert plain.status == InputStatus.PUBLISHED


# -- finding and masking ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Jeg har astma og tåler ikke mer støv.", "health"),
        ("Sønnen min har ADHD og trenger en trygg skolevei.", "health"),
        ("Eg er sjukmeld og går mykje tur her.", "health"),  # nynorsk
        ("Min kone er gravid og vi trenger en trygg vei.", "health"),
        ("Jeg bruker rullator og kommer ikke opp bakken.", "health"),
        ("Jeg tar blodtrykksmedisin og må gå tur hver dag.", "health"),
        ("Han har pollenallergi og bjørkene må bort.", "health"),
        ("Familien har kontakt med barnevernet.", "circumstances"),
        ("Jeg er uføretrygdet og har ikke råd til å flytte.", "health"),
        ("Jeg får sosialhjelp fra NAV.", "circumstances"),
        ("Naboen er straffedømt for vold.", "circumstances"),
    ],
)
def test_health_and_private_circumstances_are_found_and_masked(text, kind):
    found = find_personal_data(text)
    assert kind in {f.kind for f in found}
    masked, kinds = mask_naming_kinds(text, lambda k: f"[{k}]")
    assert kind in kinds and f"[{kind}]" in masked
    assert "personal_data" in flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sykkelveien langs sjøen må bli bredere.",
        "Det nye sykehjemmet bør ligge nær bussen.",
        "Det er en blind sving ved skolen.",
        "Trafikken er lammet hver morgen.",
        "Sykehuset trenger bedre parkering.",
        "Vi trenger sykkelparkering ved stasjonen.",
        "Behandlingen av planen tar for lang tid.",
        "Bekreft at kunngjøringen stemmer.",
        "Trappene er for bratte for barnevogn og rullator.",
        "Stien må være tilgjengelig for rullestolbrukere.",
    ],
)
def test_everyday_planning_words_are_not_taken_for_health(text):
    assert find_personal_data(text) == []


def test_the_senders_own_name_address_and_gnr_bnr_are_found_in_every_usual_form():
    own = Own("Kari Nordmann", "Bakkeveien 12 B, 1384 Asker", "12/345")
    text = (
        "Hilsen Kari Nordmann, Bakkeveien 12B. Familien Nordmanns hage på gnr. 12 bnr. 345 "
        "(gnr/bnr 12/345, også skrevet 12 / 345). Naboen på 112/345 er en annen."
    )
    masked, kinds = mask_naming_kinds(text, lambda k: f"[{k}]", own)
    assert set(kinds) == {"own_name", "own_address", "own_property"}
    for leak in ("Kari", "Nordmann", "Bakkeveien", "bnr. 345"):
        assert leak not in masked
    assert re.search(r"(?<!\d)12 ?/ ?345", masked) is None
    assert "112/345" in masked  # another property stays


# The hidden corpus: realistic letters as staff type them in and residents send them, each
# with what must never reach a public view or the report (without --include-names).
CORPUS = [
    dict(
        name="Ola Hansen",
        address="Strandveien 4, 3470 Slemmestad",
        prop="41/220",
        text="Til Asker kommune. Jeg, Ola Hansen, eier av gnr. 41 bnr. 220 i Strandveien 4, protesterer mot "
        "høyden. Jeg har KOLS og trenger lys og luft. Med hilsen Ola Hansen",
        secrets=("Ola", "Hansen", "Strandveien 4", "41 bnr. 220", "KOLS"),
    ),
    dict(
        name="Anne-Lise Berg",
        address="Bakkeveien 12, 1384 Asker",
        prop=None,
        text="Vi i Bakkeveien 12 er bekymret. Mannen min er uføretrygdet og datteren vår er gravid. "
        "Ring Anne-Lise på 934 56 789. Vennlig hilsen Anne-Lise Berg",
        secrets=("Anne-Lise", "Berg", "Bakkeveien 12", "uføretrygdet", "gravid", "934 56 789"),
    ),
    dict(
        name="Per Olsen",
        address="Kaiveien 2, 3470 Slemmestad",
        prop="12/3",
        text="Eg, Per Olsen, er sjukmeld med depresjon og går tur på kaia kvar dag. Olsen-familien på 12/3 "
        "ønskjer benkar. Fødselsnummer 01019010046.",
        secrets=("Per", "Olsen", "12/3", "sjukmeld", "depresjon", "01019010046"),
    ),
]


def test_hidden_corpus_nothing_personal_reaches_public_views_or_the_report(store):
    store.add_consultation(
        formal(
            closes_at=NOW - timedelta(hours=1),
            opens_at=NOW - timedelta(days=50),
            announced_on=(NOW - timedelta(days=50)).date(),
        )
    )
    planner = staff(store)
    ids = []
    for k, case in enumerate(CORPUS):
        item = register_input(
            store,
            "kaia",
            InputDraft("Annet", case["text"], *INSIDE),
            channel=Channel.LETTER,
            sender_type=SenderType.NEIGHBOUR if k else SenderType.LANDOWNER,
            sender_name=case["name"],
            received_at=(NOW - timedelta(days=5)).date(),
            actor=planner,
            now=NOW,
            sender_address=case["address"],
            sender_property=case["prop"],
        )
        assert item.status == InputStatus.PENDING
        ids.append(item.id)
    review.publish(store, ids, planner)  # a planner published them: masking must still hold
    shown = [i.text for i in public.inputs(store, "kaia", "nb")] + [
        p.text for p in public.map_points(store, "kaia", "nb")
    ]
    shown += [o.input.text for o in public.outcomes(store, "kaia", "nb")]
    assert len(shown) == 3 * len(CORPUS)
    report = docx_text(docx.Document(io.BytesIO(build_report(store, "kaia", profile=ASKER, now=NOW))))
    for case in CORPUS:
        for secret in case["secrets"]:
            word = re.compile(r"(?<!\w)" + re.escape(secret) + r"(?!\w)")
            assert not any(word.search(text) for text in shown), secret
            assert not word.search(report), secret
    assert "Navn på privatpersoner er ikke tatt med" in report  # and now it is true
    named = docx_text(
        docx.Document(io.BytesIO(build_report(store, "kaia", profile=ASKER, now=NOW, include_names=True)))
    )
    assert "Ola Hansen" in named and "Strandveien 4" in named  # the internal version has them


def test_a_web_merknads_own_name_and_address_are_masked_in_public_views(store):
    store.add_consultation(formal())
    draft = InputDraft(
        "Annet",
        "Jeg, Kari Nordmann i Borgenveien 2, vil ha lavere bygg.",
        *INSIDE,
        sender_name="Kari Nordmann",
        sender_address="Borgenveien 2, 1388 Borgen",
    )
    item = submit_input(store, "kaia", draft, session="s", now=NOW, identification=Identification.MAY)
    assert item.status == InputStatus.PUBLISHED  # a name is no special personal data
    (shown,) = public.inputs(store, "kaia", "nb")
    (point,) = public.map_points(store, "kaia", "nb")
    for text in (shown.text, point.text):
        assert "Kari" not in text and "Nordmann" not in text and "Borgenveien 2" not in text


# -- registration ----------------------------------------------------------------------------


def test_a_registered_letter_keeps_its_original_address_journalpost_and_both_kinds(store):
    store.add_consultation(formal())
    item = letter(
        store,
        "kaia",
        "Innsigelse til støy og faglig råd om lekeareal.",
        SenderType.AUTHORITY,
        "Statsforvalteren i Oslo og Viken",
        objection=Objection.INNSIGELSE,
        also_advice=True,
        original=("brev.pdf", one_page_pdf("Brev")),
        attachments=[("kart.pdf", one_page_pdf("Kart"))],
        sender_address="Postboks 325, 1502 Moss",
        journalpost=" 25/4711-12 ",
    )
    first, second = store.attachments(item.id)
    assert (first.filename, second.filename) == ("brev.pdf", "kart.pdf")
    found = store.letter(item.id)
    assert (found.journalpost, found.original_attachment_id, found.also_advice) == ("25/4711-12", first.id, True)
    assert item.objection == Objection.INNSIGELSE and item.sender_address == "Postboks 325, 1502 Moss"
    advice = letter(store, "kaia", "Faglig råd om overvann.", SenderType.AUTHORITY, "NVE", also_advice=True)
    assert advice.objection == Objection.ADVICE and store.letter(advice.id) is None


def test_a_letter_with_both_an_innsigelse_and_a_faglig_raad_has_a_point_for_each(store):
    from consultations.model import ObjectionStatus, PointKind

    store.add_consultation(formal())
    item = letter(
        store,
        "kaia",
        "Innsigelse til støy og faglig råd om lekeareal.",
        SenderType.AUTHORITY,
        "Statsforvalteren i Oslo og Viken",
        objection=Objection.INNSIGELSE,
        also_advice=True,
    )
    points = store.input_points(item.id)
    assert [(p.letter, p.kind, p.status) for p in points] == [
        ("a", PointKind.INNSIGELSE, ObjectionStatus.OPEN),
        ("b", PointKind.ADVICE, None),
    ]
    assert store.get_input(item.id).objection == Objection.INNSIGELSE  # still an innsigelse letter
    alone = letter(
        store,
        "kaia",
        "Innsigelse til høyden.",
        SenderType.AUTHORITY,
        "Statens vegvesen",
        objection=Objection.INNSIGELSE,
    )
    assert not [p for p in store.input_points(alone.id) if p.stored]  # one point, read from the merknad


@pytest.mark.parametrize(
    "changes, key",
    [
        (dict(sender_address="Gate 1, Asker"), "letters.address_no_postcode"),
        (dict(sender_address="Gate 1, 138 Asker"), "letters.address_no_postcode"),
        (dict(journalpost="4711-12"), "letters.journalpost_invalid"),
        (dict(original=("brev.exe", b"MZ...")), "attachment.not_allowed"),
    ],
)
def test_a_bad_address_journalpost_or_original_is_refused_and_nothing_stored(store, changes, key):
    store.add_consultation(formal())
    with pytest.raises(InvalidInput) as info:
        letter(store, "kaia", "Et brev om planen.", **changes)
    assert info.value.key == key and info.value.message() != key
    assert store.all_inputs("kaia") == [] and store.letters("kaia") == {}


def _cli(db: Path | str, *argv: str) -> subprocess.CompletedProcess:
    env = {"KARTINNSPILL_DB": str(db), "KARTINNSPILL_TILES": "none", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "consultations", *argv], capture_output=True, env=env, timeout=300, check=False
    )


def test_register_input_takes_faglig_raad_sender_address_and_journalpost(db_path, tmp_path, capsys, monkeypatch):
    store = Store.open(db_path)
    now = datetime.now(UTC)
    store.add_consultation(formal(opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=40)))
    store.close()
    monkeypatch.setenv("KARTINNSPILL_DB", str(db_path))
    text = tmp_path / "brev.txt"
    text.write_text("To innsigelser og ett faglig råd om lekeareal.", encoding="utf-8")
    received = (datetime.now(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    base = [
        "register-input",
        "--consultation",
        "kaia",
        "--channel",
        "letter",
        "--received",
        received,
        "--text-file",
        str(text),
    ]
    code = cli.main(
        [
            *base,
            "--sender-type",
            "offentlig_myndighet",
            "--sender-name",
            "Statsforvalteren",
            "--innsigelse",
            "--faglig-raad",
            "--journalpost",
            "25/4711-12",
            "--sender-address",
            "Postboks 325, 1502 Moss",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and out.strip().startswith("KI-")
    assert cli.main([*base, "--sender-type", "privatperson", "--sender-address", "Gate 1, Asker"]) == 2
    _, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "firesifret postnummer" in err
    store = Store.open(db_path)
    (item,) = store.all_inputs("kaia")
    assert item.objection == Objection.INNSIGELSE and item.sender_address == "Postboks 325, 1502 Moss"
    assert store.letter(item.id).also_advice and store.letter(item.id).journalpost == "25/4711-12"
    store.close()


# -- import --------------------------------------------------------------------------------


def _import_file(folder: Path, **changes) -> Path:
    today = datetime.now(LOCAL_TZ).date()
    data = {
        "id": "vollen-brygge",
        "title": "Detaljregulering Vollen brygge",
        "summary": "Til offentlig ettersyn.",
        "plan_type": "detaljregulering",
        "stage": "offentlig_ettersyn",
        "plan_id": "2025.14",
        "case_number": "25/4711",
        "announced": (today + timedelta(days=1)).isoformat(),
        "opens": (today + timedelta(days=1)).isoformat(),
        "closes": next_working_day(today + timedelta(days=60)).isoformat(),
        "area": json.loads(json.dumps(BORGEN_SQUARE.__geo_interface__)),
        "categories": ["Annet"],
    }
    data.update(changes)
    path = folder / "horing.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_import_takes_hearing_parties_proposer_first_decision_and_neighbours(db_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KARTINNSPILL_DB", str(db_path))
    path = _import_file(
        tmp_path,
        hearing_parties=["Statens vegvesen", {"name": "Vollen vel", "sender_type": "organisasjon"}],
        proposer={"name": "Vollen Brygge AS", "consultant": "Plankontoret AS", "recipient": "kommunen"},
        first_decision={"body": "Utvalg for teknikk og miljø", "date": "2026-09-10", "case": "26/88"},
        neighbours_notified=42,
    )
    assert cli.main(["import-consultation", str(path)]) == 0
    store = Store.open(db_path)
    parties = {p.name: p.sender_type for p in store.hearing_parties("vollen-brygge")}
    assert parties == {"Statens vegvesen": SenderType.AUTHORITY, "Vollen vel": SenderType.ORGANISATION}
    assert store.get_consultation("vollen-brygge").proposer.name == "Vollen Brygge AS"
    facts = store.case_facts("vollen-brygge")
    assert facts.first_decision == FirstDecision("Utvalg for teknikk og miljø", date(2026, 9, 10), "26/88")
    assert facts.neighbours_notified == 42
    store.close()


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(first_decision={"body": "PLUTV", "date": "10.09.2026"}), "first_decision.date"),
        (dict(first_decision="PLUTV 10.09"), "first_decision må være et objekt"),
        (dict(hearing_parties="Statens vegvesen"), "hearing_parties må være en liste"),
        (dict(proposer={"navn": "X"}), "proposer må være et objekt"),
    ],
)
def test_import_refuses_a_malformed_new_field_and_stores_nothing(
    db_path, tmp_path, capsys, monkeypatch, changes, expected
):
    monkeypatch.setenv("KARTINNSPILL_DB", str(db_path))
    assert cli.main(["import-consultation", str(_import_file(tmp_path, **changes))]) == 2
    _, err = capsys.readouterr()
    assert expected in err and len(err.strip().splitlines()) == 1
    store = Store.open(db_path)
    assert store.listings() == []
    store.close()


# -- six weeks -------------------------------------------------------------------------------


def _form(stage=Stage.OFFENTLIG_ETTERSYN, plan_type=PlanType.DETALJREGULERING, weeks=4, **changes) -> ConsultationForm:
    opens = datetime(2026, 9, 1, 0, 0, tzinfo=LOCAL_TZ)
    fields = dict(
        id="kort",
        title="Kort høring",
        summary="Oppsummering.",
        body="",
        plan_type=plan_type,
        plan_id="2025.14",
        stage=stage,
        opens_at=opens.astimezone(UTC),
        closes_at=(opens + timedelta(weeks=weeks, hours=23)).astimezone(UTC),
        area=BORGEN_SQUARE,
        categories=["Annet"],
        case_number="25/4711",
        announced_on=opens.date(),
    )
    fields.update(changes)
    return ConsultationForm(**fields)


def _one_merknad(store, cid):
    """A published consultation with one merknad (the report of an empty one is not asked here)."""
    from dataclasses import replace

    from consultations.model import Status

    store.update_consultation(replace(store.get_consultation(cid), status=Status.PUBLISHED), "kari")
    store.add_input(
        consultation_id=cid,
        category="Annet",
        text="Et brev om planen.",
        lat=None,
        lon=None,
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.LETTER,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=None,
        created_at=store.get_consultation(cid).opens_at + timedelta(days=1),
    )


@pytest.mark.parametrize(
    "stage, plan_type, paragraph",
    [
        (Stage.OFFENTLIG_ETTERSYN, PlanType.DETALJREGULERING, "§§ 11-14 og 12-10"),
        (Stage.ANDRE_GANGS_ETTERSYN, PlanType.KOMMUNEPLANENS_AREALDEL, "§§ 11-14 og 12-10"),
        (Stage.PLANPROGRAM, PlanType.OMRADEREGULERING, "§ 4-1"),
    ],
)
def test_a_period_shorter_than_six_weeks_is_refused_naming_the_paragraph(store, stage, plan_type, paragraph):
    planner = staff(store)
    before = store.audit_entries()
    with pytest.raises(InvalidConsultation) as info:
        lifecycle.save(store, _form(stage, plan_type, weeks=5), planner)
    assert info.value.key == "letters.frist_short" and paragraph in info.value.message()
    assert store.get_consultation("kort") is None and store.audit_entries() == before


def test_a_shorter_period_with_a_reason_is_saved_audited_and_printed_in_the_report(store):
    planner = staff(store)
    reason = "Begrenset endring etter mekling; avtalt med Statsforvalteren."
    c, warnings = lifecycle.save(store, _form(weeks=4, short_frist_reason=reason), planner)
    assert store.case_facts(c.id).short_frist_reason == reason
    assert any(e.action == "consultation.facts" and reason in (e.after or "") for e in store.audit_entries())
    assert ("plan_process.warn_short", {"paragraph": "§§ 11-14 og 12-10", "earliest": "13.10.2026"}) in warnings
    _one_merknad(store, c.id)
    text = docx_text(docx.Document(io.BytesIO(build_report(store, c.id, profile=ASKER, now=NOW))))
    assert reason in text


def test_a_frist_moved_past_a_holiday_shows_both_dates_and_asks_to_confirm(store):
    planner = staff(store)
    opens = datetime(2026, 11, 30, tzinfo=LOCAL_TZ)
    form = _form(
        opens_at=opens.astimezone(UTC),
        announced_on=opens.date(),
        closes_at=datetime(2027, 1, 24, 23, 59, tzinfo=LOCAL_TZ).astimezone(UTC),  # a Sunday
        frist_confirmed=date(2027, 1, 25),
    )  # staff confirmed the day that holds (tests/test_moved_frist.py)
    c, warnings = lifecycle.save(store, form, planner)
    assert ("merk21.frist_moved_confirmed", {"announced": "24.01.2027", "valid": "25.01.2027"}) in warnings
    assert store.case_facts(c.id).announced_frist == date(2027, 1, 24)
    _one_merknad(store, c.id)
    text = docx_text(docx.Document(io.BytesIO(build_report(store, c.id, profile=ASKER, now=NOW))))
    assert "kunngjort frist 24.01.2027, gjelder 25.01.2027" in text


# -- the report -----------------------------------------------------------------------------


@pytest.fixture
def reported(store):
    """A formal høring with høringsinstanser (one answered), the 1. gangs vedtak, neighbours
    notified, and a letter with two files."""
    from consultations.planning import hearing_parties

    c = formal(
        closes_at=NOW - timedelta(hours=1),
        opens_at=NOW - timedelta(days=50),
        announced_on=(NOW - timedelta(days=50)).date(),
    )
    store.add_consultation(c)
    planner = staff(store)
    store.set_case_facts(c.id, CaseFacts(FirstDecision("Utvalg for plan", date(2026, 9, 10), "26/88"), "", 37), "kari")
    for name in ("Statens vegvesen", "Akershus fylkeskommune"):
        hearing_parties.add(store, c.id, name, SenderType.AUTHORITY, actor=planner)
    item = letter(
        store,
        c.id,
        "Vegvesenet ber om bredere fortau.",
        SenderType.AUTHORITY,
        "Statens vegvesen",
        original=("brev fra SVV.pdf", one_page_pdf("Brev")),
        attachments=[("profil.pdf", one_page_pdf("P"))],
        journalpost="25/4711-7",
    )
    hearing_parties.link_by_name(store, item, planner)
    return c, item


def test_the_report_prints_the_hearings_facts_and_each_merknads_files(store, reported):
    c, _ = reported
    text = docx_text(docx.Document(io.BytesIO(build_report(store, c.id, profile=ASKER, now=NOW))))
    assert "3203 2025.14" in text
    assert "Utvalg for plan, 10.09.2026, sak 26/88" in text
    assert "Høringsinstanser varslet\n2" in text and "Høringsinstanser som har svart\n1" in text
    assert "Høringsinstanser som ikke har svart\n1: Akershus fylkeskommune" in text
    assert "Naboer varslet per brev\n37" in text
    assert "Vedlegg: brev fra SVV.pdf, profil.pdf" in text and "Journalført som 25/4711-7" in text


@pytest.mark.parametrize("lang, tag", [("nb", "nb-NO"), ("nn", "nn-NO")])
def test_the_word_report_has_its_language_author_title_header_and_page_numbers(store, reported, lang, tag):
    c, _ = reported
    document = docx.Document(io.BytesIO(build_report(store, c.id, profile=ASKER, now=NOW, lang=lang)))
    props = document.core_properties
    assert props.author == "Asker kommune" and props.last_modified_by == "Asker kommune"
    assert "Detaljregulering Kaia" in props.title and props.language == tag
    assert "python-docx" not in (props.author, props.comments, props.last_modified_by)
    assert props.created.year == NOW.year and props.modified.year == NOW.year
    assert f'w:val="{tag}"' in document.styles.element.xml and "en-US" not in document.styles.element.xml
    for section in document.sections:  # every section shows the first one's header and footer
        assert "25/4711" in section.header.paragraphs[0].text and "3203 2025.14" in section.header.paragraphs[0].text
        footer = section.footer.paragraphs[0]
        assert footer.text.startswith("side") and " av " in footer.text
        codes = "".join(footer._p.xpath(".//w:instrText/text()"))
        assert "PAGE" in codes and "NUMPAGES" in codes


def test_the_report_pdf_is_pdf_a_2b_with_every_font_embedded(store, reported):
    need_office_tools()
    c, _ = reported
    pdf = docx_to_pdf(build_report(store, c.id, profile=ASKER, now=NOW))
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert meta.get("dc:creator") == ["Asker kommune"]
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False)
    if fonts.returncode:  # older poppler reads no stdin
        path = Path("/tmp") / f"kartinnspill-pdfa-{id(pdf)}.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
        path.unlink()
    rows = fonts.stdout.decode().splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows  # the «emb» column


# -- varslingsliste --------------------------------------------------------------------------


def test_the_varslingsliste_has_everyone_with_a_name_and_address_once_with_the_klageadgang(
    store, store_location, tmp_path
):
    store.add_consultation(formal())
    planner = staff(store)
    a = letter(store, "kaia", "Brev én om høyden.", sender_address="Bakkeveien 12, 1384 Asker")
    b = letter(store, "kaia", "Brev to om høyden.", sender_address="Bakkeveien 12,  1384 Asker")
    letter(store, "kaia", "Et brev uten adresse.", name="Uten Adresse")
    submit_input(
        store,
        "kaia",
        InputDraft("Annet", "Send svar på e-post.", *INSIDE, sender_name="Per Olsen", sender_address="per@example.no"),
        session="s",
        now=NOW,
    )
    spam = letter(store, "kaia", "Kjøp billige klokker nå.", name="Spam", sender_address="Gate 1, 1384 Asker")
    review.mark_not_merknad(store, [spam.id], "spam", "", planner)
    store.close()
    for suffix in ("xlsx", "docx"):
        out = tmp_path / f"varsling.{suffix}"
        done = _cli(store_location, "report", "--consultation", "kaia", "--kind", "varslingsliste", "--out", str(out))
        assert done.returncode == 0, done.stderr.decode()
    rows = list(openpyxl.load_workbook(tmp_path / "varsling.xlsx").active.values)
    head, people = rows[0], rows[1:]
    assert head[:5] == ("Navn", "Adresse", "Postnummer", "Poststed", "E-post") and head[-1] == "klageadgang"
    assert [p[0] for p in people] == ["Kari Nordmann", "Per Olsen"]
    kari, per = people
    assert kari[1:4] == ("Bakkeveien 12", "1384", "Asker") and kari[7] == f"{a.reference}, {b.reference}"
    assert per[4] == "per@example.no" and per[5] == "e-post"
    assert "tre uker" in kari[-1]
    merge = docx.Document(tmp_path / "varsling.docx")
    (table,) = merge.tables
    assert [cell.text for cell in table.rows[0].cells] == list(head)
    assert len(table.rows) == 3 and merge.core_properties.author == "Asker kommune"
    done = _cli(store_location, "report", "--consultation", "kaia", "--out", str(tmp_path / "rapport.xlsx"))
    assert done.returncode == 2 and len(done.stderr.decode().strip().splitlines()) == 1


def test_group_answers_are_numbered_without_gaps(store):
    from consultations.model import Outcome, Response

    store.add_consultation(
        formal(
            closes_at=NOW - timedelta(hours=1),
            opens_at=NOW - timedelta(days=50),
            announced_on=(NOW - timedelta(days=50)).date(),
        )
    )
    planner = staff(store)
    ids = [letter(store, "kaia", f"Brev nummer {k} om kaia.", SenderType.ORGANISATION, f"Vel {k}").id for k in range(5)]
    first = Response(0, "Høyde.", "Høyden er vurdert.", Outcome.NOTED)
    second = Response(0, "Trafikk.", "Trafikken er vurdert.", Outcome.PARTLY)
    review.respond(store, ids[:2], first, planner)
    review.respond(store, [ids[2]], Response(0, "Alene.", "Svart alene.", Outcome.TAKEN), planner)
    review.respond(store, ids[3:], second, planner)
    text = docx_text(docx.Document(io.BytesIO(build_report(store, "kaia", profile=ASKER, now=NOW))))
    labels = sorted(set(re.findall(r"\bF(\d+)\b", text)), key=int)
    assert labels == ["1", "2"]
