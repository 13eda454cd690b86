"""The command-line contracts of issue 10: ``import-consultation``, ``register-input`` and
the saksnummer in ``list``, each run through ``cli.main`` on a real DuckDB file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import mapping

from consultations import cli
from consultations.i18n import LOCAL_TZ
from consultations.planning.planprocess import next_working_day
from consultations.model import (
    Channel,
    Contact,
    Objection,
    ObjectionStatus,
    SenderType,
    Stage,
    Status,
)
from consultations.store import Store
from tests.conftest import BORGEN_SQUARE, INSIDE, make_consultation, one_page_pdf

THREE = ("plankart", "bestemmelser", "planbeskrivelse")


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("KARTINNSPILL_DB", str(path))
    monkeypatch.setenv("KARTINNSPILL_SECRET", "test-secret")
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml from the work tree
    Store.open(path).close()
    return path


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def stored(db: Path):
    store = Store.open(db)
    try:
        return (
            store.listings(),
            {c.consultation.id: store.documents(c.consultation.id) for c in store.listings()},
            store.audit_entries(),
        )
    finally:
        store.close()


def write(folder: Path, **changes) -> Path:
    """A JSON file for a future offentlig ettersyn (dates relative to today)."""
    today = datetime.now(LOCAL_TZ).date()
    data = {
        "id": "vollen-sentrum",
        "title": "Detaljregulering for Vollen sentrum",
        "summary": "Forslaget ligger ute til offentlig ettersyn.",
        "body": "## Bakgrunn\nTekst.",
        "plan_type": "detaljregulering",
        "stage": "offentlig_ettersyn",
        "plan_id": "2025.03",
        "case_number": "25/1234",
        "announced": (today + timedelta(days=1)).isoformat(),
        "opens": (today + timedelta(days=1)).isoformat(),
        # a working day: a frist on a weekend or holiday must be confirmed (frist_confirmed)
        "closes": next_working_day(today + timedelta(days=60)).isoformat(),
        "area": {"type": "Feature", "properties": {}, "geometry": mapping(BORGEN_SQUARE)},
        "categories": ["Trafikk og trafikksikkerhet", "Annet"],
        "moderation": "pre",
        "contact": {
            "name": "Kari Nordmann",
            "role": "Arealplanlegger",
            "email": "kari@asker.kommune.no",
            "phone": "66 90 90 00",
        },
        "status": "draft",
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    path = folder / "horing.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def with_documents(folder: Path, kinds=THREE, bad: str | None = None) -> list[dict]:
    docs = []
    for kind in kinds:
        name = f"{kind}.pdf"
        (folder / name).write_bytes(b"not a pdf at all" if kind == bad else one_page_pdf(kind))
        docs.append({"kind": kind, "path": name})
    return docs


# -- import-consultation ----------------------------------------------------------------------


def test_import_creates_a_draft_with_exactly_the_builders_fields(db, tmp_path, capsys):
    path = write(tmp_path, opens="2030-01-14T09:00", closes="2030-03-01T12:00+01:00", announced="2030-01-14")
    code, out, err = run(capsys, "import-consultation", str(path))
    assert code == 0, err
    store = Store.open(db)
    c = store.get_consultation("vollen-sentrum")
    store.close()
    assert c.status == Status.DRAFT and c.stage == Stage.OFFENTLIG_ETTERSYN
    assert (c.plan_id, c.case_number, c.announced_on) == ("2025.03", "25/1234", date(2030, 1, 14))
    assert c.opens_at == datetime(2030, 1, 14, 9, tzinfo=LOCAL_TZ)  # Norwegian time without offset
    assert c.closes_at == datetime(2030, 3, 1, 12, tzinfo=LOCAL_TZ)
    assert c.contact == Contact("Kari Nordmann", "Arealplanlegger", "kari@asker.kommune.no", "66 90 90 00")
    assert c.area.equals(BORGEN_SQUARE) and c.moderation.value == "pre"
    assert out == [] and err[-1] == "Importert: vollen-sentrum (draft)."


def test_import_publishes_an_offentlig_ettersyn_with_its_three_documents(db, tmp_path, capsys):
    path = write(tmp_path, status="published", documents=with_documents(tmp_path))
    code, _, err = run(capsys, "import-consultation", str(path))
    assert code == 0, err
    listings, docs, _ = stored(db)
    assert listings[0].consultation.status == Status.PUBLISHED
    assert sorted(d.kind.value for d in docs["vollen-sentrum"]) == sorted(THREE)


def _refused(db, capsys, *argv) -> str:
    before = stored(db)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == [] and len(err) == 1, (code, out, err)
    assert stored(db) == before  # nothing stored, nothing audit-logged
    return err[0]


def test_import_published_without_the_required_documents_is_refused_and_nothing_stored(db, tmp_path, capsys):
    path = write(tmp_path, status="published", documents=with_documents(tmp_path, kinds=("plankart",)))
    line = _refused(db, capsys, "import-consultation", str(path))
    assert line == "Høringen kan ikke publiseres før disse dokumentene er lagt ved: Planbestemmelser, Planbeskrivelse."


def test_a_bad_document_after_the_consultation_leaves_nothing_behind(db, tmp_path, capsys):
    docs = with_documents(tmp_path)
    (tmp_path / "js.pdf").write_bytes(
        one_page_pdf().replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1
        )
    )
    path = write(tmp_path, status="published", documents=docs + [{"kind": "annet", "path": "js.pdf"}])
    line = _refused(db, capsys, "import-consultation", str(path))
    assert line.startswith("Dokumentet «js.pdf» ble avvist:")


def test_a_document_that_fails_only_when_stored_leaves_nothing_behind(db, tmp_path, capsys):
    # 20 documents are allowed; the 21st is refused by add_document, after the consultation
    # and the first 20 documents were written in the same transaction
    docs = with_documents(tmp_path) + [{"kind": "annet", "path": f"vedlegg-{n}.pdf"} for n in range(18)]
    for n in range(18):
        (tmp_path / f"vedlegg-{n}.pdf").write_bytes(one_page_pdf(str(n)))
    path = write(tmp_path, documents=docs)
    line = _refused(db, capsys, "import-consultation", str(path))
    assert line == "En høring kan ha høyst 20 dokumenter."


@pytest.mark.parametrize("doc_path", ["../utenfor.pdf", "/etc/passwd", "under/../../utenfor.pdf"])
def test_a_document_outside_the_json_files_folder_is_refused_and_nothing_stored(db, tmp_path, capsys, doc_path):
    folder = tmp_path / "import"
    folder.mkdir()
    (tmp_path / "utenfor.pdf").write_bytes(one_page_pdf())
    path = write(folder, documents=[{"kind": "plankart", "path": doc_path}])
    line = _refused(db, capsys, "import-consultation", str(path))
    assert line.startswith(f"Dokumentet «{doc_path}» ligger ikke i mappen til JSON-filen")


def test_a_document_symlinked_out_of_the_folder_is_refused(db, tmp_path, capsys):
    folder = tmp_path / "import"
    folder.mkdir()
    (tmp_path / "hemmelig.pdf").write_bytes(one_page_pdf())
    (folder / "plankart.pdf").symlink_to(tmp_path / "hemmelig.pdf")
    path = write(folder, documents=[{"kind": "plankart", "path": "plankart.pdf"}])
    assert "ligger ikke i mappen" in _refused(db, capsys, "import-consultation", str(path))


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            dict(stage="offentlig_ettersyn", plan_type="tettstedsutvikling", plan_id=None),
            "En plan av typen «tettstedsutvikling» har ingen formell høring",
        ),
        (dict(case_number=None), "En formell høring trenger saksnummeret"),
        (dict(plan_typ="detaljregulering"), "Ukjent felt «plan_typ» i filen."),
        (dict(area=None), "Feltet «area» mangler i filen."),
        (dict(area={"type": "Point", "coordinates": [10.4, 59.8]}), "Feltet «area» må være en GeoJSON-geometri"),
        (dict(closes="neste fredag"), "Feltet «closes» må være et tidspunkt i ISO 8601"),
        (dict(status="archived"), "Feltet «status» har en ukjent verdi: «archived»."),
        (dict(contact={"navn": "Kari"}), "Feltet «contact» må være et objekt"),
    ],
)
def test_import_refuses_what_the_builder_refuses_with_one_line(db, tmp_path, capsys, changes, expected):
    path = write(tmp_path, **changes)
    assert _refused(db, capsys, "import-consultation", str(path)).startswith(expected)


def test_import_of_a_hearing_whose_period_has_ended_warns_and_stores_it(db, tmp_path, capsys):
    # 8 Jan – 1 Mar 2024: more than six weeks, a Friday, no July, Christmas or Easter
    path = write(tmp_path, opens="2024-01-08", closes="2024-03-01", announced="2024-01-08")
    code, out, err = run(capsys, "import-consultation", str(path))
    assert code == 0 and out == []
    assert err == [
        "Høringsperioden for vollen-sentrum er allerede over. Den er importert likevel, slik at merknader kan registreres og rapporten lages.",
        "Importert: vollen-sentrum (draft).",
    ]
    assert stored(db)[0][0].consultation.id == "vollen-sentrum"


def test_import_of_a_frist_on_a_holiday_is_refused_until_the_moved_date_is_confirmed(db, tmp_path, capsys):
    path = write(tmp_path, opens="2024-01-08", closes="2024-05-17", announced="2024-01-08")
    code, _, err = run(capsys, "import-consultation", str(path))
    # both dates, and staff confirm the one that holds in a step of its own (issue 21)
    assert code == 2 and err == [
        "Kunngjort frist 17.05.2024 er en lørdag, søndag eller helligdag, så fristen gjelder 21.05.2024. "
        "Bekreft 21.05.2024 som frist (avkrysningen under datoene, eller «frist_confirmed»: «2024-05-21» i "
        "importfilen), og sørg for at kunngjøringen oppgir den. Ingenting er lagret."
    ]
    assert stored(db)[0] == []
    path = write(
        tmp_path, opens="2024-01-08", closes="2024-05-17", announced="2024-01-08", frist_confirmed="2024-05-21"
    )
    code, _, err = run(capsys, "import-consultation", str(path))
    assert code == 0
    assert (
        err[0]
        == "Kunngjort frist 17.05.2024, gjelder 21.05.2024 (bekreftet). Kunngjøringen og brevene skal oppgi 21.05.2024."
    )


def test_import_updates_the_hearing_with_the_same_id_while_it_has_no_inputs(db, tmp_path, capsys):
    assert run(capsys, "import-consultation", str(write(tmp_path)))[0] == 0
    assert run(capsys, "import-consultation", str(write(tmp_path, title="Nytt navn")))[0] == 0
    listings, _, audit = stored(db)
    assert [x.consultation.title for x in listings] == ["Nytt navn"]
    assert audit[0].action == "consultation.edit" and audit[0].actor == "cli"


def test_import_refuses_to_replace_a_hearing_that_has_inputs(db, tmp_path, capsys):
    started = (datetime.now(LOCAL_TZ).date() - timedelta(days=2)).isoformat()
    path = write(tmp_path, stage="varsel_om_oppstart", status="published", opens=started, announced=started)
    assert run(capsys, "import-consultation", str(path))[0] == 0
    text = tmp_path / "brev.txt"
    text.write_text("Jeg har en merknad til planen.", encoding="utf-8")
    assert (
        run(
            capsys,
            "register-input",
            "--consultation",
            "vollen-sentrum",
            "--channel",
            "letter",
            "--received",
            date.today().isoformat(),
            "--sender-type",
            "nabo",
            "--text-file",
            str(text),
        )[0]
        == 0
    )
    line = _refused(db, capsys, "import-consultation", str(write(tmp_path, stage="varsel_om_oppstart", title="Ny")))
    assert line.startswith("Høringen vollen-sentrum har allerede innspill")


# -- register-input ---------------------------------------------------------------------------


@pytest.fixture
def hearing(db) -> str:
    store = Store.open(db)
    now = datetime.now(LOCAL_TZ)
    store.add_consultation(
        make_consultation(
            "vollen", opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30), case_number="25/1234"
        )
    )
    store.close()
    return "vollen"


def register(capsys, tmp_path, text="Et brev om trafikken i Vollen sentrum.", *extra: str):
    path = tmp_path / "brev.txt"
    path.write_text(text, encoding="utf-8")
    received = (datetime.now(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    return run(
        capsys,
        "register-input",
        "--consultation",
        "vollen",
        "--channel",
        "email",
        "--received",
        received,
        "--sender-type",
        "offentlig_myndighet",
        "--sender-name",
        "Statsforvalteren i Oslo og Viken",
        "--text-file",
        str(path),
        *extra,
    )


def test_register_input_prints_the_reference_alone_and_stores_it_as_the_staff_page_does(db, hearing, tmp_path, capsys):
    code, out, err = register(
        capsys, tmp_path, "Et brev om trafikken i Vollen sentrum.", "--category", "Gange og sykkel"
    )
    assert code == 0 and err == []
    store = Store.open(db)
    (item,) = store.all_inputs("vollen")
    store.close()
    assert out == [item.reference] and out[0].startswith("KI-")
    assert (item.channel, item.sender_type, item.category) == (Channel.EMAIL, SenderType.AUTHORITY, "Gange og sykkel")
    assert item.sender_name == "Statsforvalteren i Oslo og Viken" and not item.has_location
    assert item.created_at.astimezone(LOCAL_TZ).date() == datetime.now(LOCAL_TZ).date() - timedelta(days=1)


def test_register_input_without_a_category_uses_the_last_one_and_says_so(db, hearing, tmp_path, capsys):
    code, out, err = register(
        capsys, tmp_path, "Et brev uten kategori fra kommunen.", "--lat", str(INSIDE[0]), "--lon", str(INSIDE[1])
    )
    assert code == 0 and len(out) == 1
    assert err == ["Ingen kategori oppgitt: registrert under «Annet»."]
    store = Store.open(db)
    (item,) = store.all_inputs("vollen")
    store.close()
    assert item.category == "Annet" and item.has_location


def test_a_long_letter_with_personal_data_is_stored_and_flagged_never_refused(db, hearing, tmp_path, capsys):
    letter = "Jeg heter Ola, fødselsnummer 01010112345, telefon 912 34 567. " + "Fire sider om planen. " * 600
    code, out, err = register(capsys, tmp_path, letter, "--category", "Annet")
    assert code == 0 and len(out) == 1
    assert err == [
        f"{out[0]} ser ut til å inneholde personopplysninger. Den er lagret og merket for gjennomgang.",
        # since issue 21 a letter with personal data waits for a planner in every mode
        f"{out[0]} er ikke offentlig før en saksbehandler publiserer den (brev fra privatperson, eller personopplysninger i teksten).",
    ]
    store = Store.open(db)
    assert len(store.all_inputs("vollen")[0].text) > 10_000
    store.close()


@pytest.mark.parametrize(
    "extra, expected",
    [
        (("--attachment", "finnes-ikke.pdf"), "Kan ikke lese vedlegget"),
        (("--lat", "59.8"), "Oppgi både --lat og --lon"),
        (("--category", "Finnes ikke"), "Kategorien finnes ikke her."),
        (("--sender-type", "statsforvalter"), "python -m consultations register-input: argument --sender-type"),
        (
            ("--received", "1. mars"),
            "python -m consultations register-input: argument --received: «1. mars» er ikke en dato",
        ),
    ],
)
def test_register_input_refusals_exit_2_with_one_line_and_store_nothing(db, hearing, tmp_path, capsys, extra, expected):
    before = stored(db)
    code, out, err = register(capsys, tmp_path, "Et brev om trafikken i Vollen sentrum.", *extra)
    assert code == 2 and out == [] and len(err) == 1, (code, out, err)
    assert err[0].startswith(expected) or expected in err[0], err[0]
    assert stored(db) == before


def test_register_input_with_innsigelse_stores_an_open_innsigelse(db, hearing, tmp_path, capsys):
    code, out, err = register(
        capsys, tmp_path, "Statsforvalteren fremmer innsigelse mot planen.", "--innsigelse", "--category", "Annet"
    )
    assert code == 0 and len(out) == 1, err
    store = Store.open(db)
    (item,) = store.all_inputs("vollen")
    store.close()
    assert (item.objection, item.objection_status) == (Objection.INNSIGELSE, ObjectionStatus.OPEN)


def test_register_input_innsigelse_from_a_private_person_is_refused_and_nothing_stored(db, hearing, tmp_path, capsys):
    before = stored(db)
    code, out, err = register(capsys, tmp_path, "Jeg protesterer mot planen.", "--innsigelse", "--sender-type", "nabo")
    assert code == 2 and out == [] and len(err) == 1
    assert stored(db) == before


def test_register_input_keeps_its_attachments_cleaned_and_refuses_what_is_not_one(db, hearing, tmp_path, capsys):
    pdf = tmp_path / "vedlegg.pdf"
    pdf.write_bytes(one_page_pdf("Kart over planen"))
    code, out, err = register(
        capsys, tmp_path, "Brev med kart over planen.", "--attachment", str(pdf), "--category", "Annet"
    )
    assert code == 0 and len(out) == 1, err
    store = Store.open(db)
    (item,) = store.all_inputs("vollen")
    files = store.attachments(item.id)
    store.close()
    assert [f.filename for f in files] == ["vedlegg.pdf"]
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    before = stored(db)
    code, out, err = register(
        capsys, tmp_path, "Brev med et falskt vedlegg.", "--attachment", str(fake), "--category", "Annet"
    )
    assert code == 2 and out == [] and len(err) == 1
    assert stored(db) == before


def test_register_input_for_an_unknown_consultation_is_refused(db, hearing, tmp_path, capsys):
    path = tmp_path / "brev.txt"
    path.write_text("Et brev om trafikken.", encoding="utf-8")
    code, out, err = run(
        capsys,
        "register-input",
        "--consultation",
        "finnes-ikke",
        "--channel",
        "letter",
        "--received",
        "2026-01-01",
        "--sender-type",
        "nabo",
        "--text-file",
        str(path),
    )
    assert code == 2 and out == [] and len(err) == 1


# -- list -----------------------------------------------------------------------------------


def test_list_ends_with_the_saksnummer_when_there_is_one(db, capsys):
    store = Store.open(db)
    store.add_consultation(make_consultation("borgen"))
    store.add_consultation(make_consultation("vollen", case_number="25/1234"))
    store.close()
    code, out, _ = run(capsys, "list")
    rows = {line.split("\t")[0]: line.split("\t") for line in out}
    assert code == 0
    assert len(rows["borgen"]) == 6 and rows["borgen"][-1] == "Testhøring Borgen"
    assert len(rows["vollen"]) == 7 and rows["vollen"][-1] == "25/1234"
