"""Every command that opens the database, on DuckDB and on PostgreSQL (``KARTINNSPILL_DB`` a
file or a ``postgresql://`` URL). ``install-assets`` and ``import-area`` open none; the
archive commands are run on both in ``test_archive.py``."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from shapely.geometry import mapping

from consultations import cli
from consultations.store import Store
from tests.conftest import BORGEN_SQUARE, make_consultation
from tests.pg import execute_raw
from tests.pg import on_both_backends as store_location  # noqa: F401  (each test on both)

PASSWORD = "et-langt-passord-for-kari-2026"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse refusals
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(store_location, monkeypatch, tmp_path):  # noqa: F811  (the imported fixture, used)
    monkeypatch.setenv("KARTINNSPILL_DB", str(store_location))
    monkeypatch.setenv("KARTINNSPILL_SECRET", "cli-secret-" + "x" * 32)
    monkeypatch.chdir(tmp_path)
    return store_location


def _consultation_file(folder) -> str:
    today = date.today()
    data = {
        "id": "vollen-sentrum",
        "title": "Detaljregulering for Vollen sentrum",
        "summary": "Forslaget ligger ute.",
        "body": "## Bakgrunn\nTekst.",
        "plan_type": "tettstedsutvikling",
        "stage": "idefase",
        "plan_id": "",
        "opens": (today - timedelta(days=1)).isoformat(),
        "closes": (today + timedelta(days=60)).isoformat(),
        "area": {"type": "Feature", "properties": {}, "geometry": mapping(BORGEN_SQUARE)},
        "categories": ["Trafikk og trafikksikkerhet", "Annet"],
        "moderation": "pre",
        "contact": {
            "name": "Kari Nordmann",
            "role": "Arealplanlegger",
            "email": "kari@asker.kommune.no",
            "phone": "66 90 90 00",
        },
        "status": "published",
    }
    path = folder / "horing.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_every_database_command_works(db, capsys, tmp_path, monkeypatch):
    code, out, _ = run(capsys, "seed-demo")
    assert code == 0 and "demo" in out.lower()
    code, out, _ = run(capsys, "list")
    demo = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and len(demo) >= 3
    closed = next(row[0] for row in demo if row[1] == "closed")

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(capsys, "create-user", "--username", "kari", "--role", "admin", "--password-stdin")[0] == 0

    code, out, err = run(capsys, "import-consultation", _consultation_file(tmp_path))
    assert code == 0, err
    letter = tmp_path / "brev.txt"
    letter.write_text("Vi ønsker fortau langs Vollenveien.", encoding="utf-8")
    code, out, err = run(
        capsys,
        "register-input",
        "--consultation",
        "vollen-sentrum",
        "--channel",
        "letter",
        "--received",
        date.today().isoformat(),
        "--sender-type",
        "privatperson",
        "--sender-name",
        "Ola Nordmann",
        "--text-file",
        str(letter),
    )
    assert code == 0, err
    reference = out.strip()

    code, out, _ = run(capsys, "export", "--consultation", "vollen-sentrum", "--format", "csv", "--out", "-")
    assert code == 0 and "fortau langs Vollenveien" in out
    assert run(capsys, "report", "--consultation", "vollen-sentrum", "--out", str(tmp_path / "r.docx"))[0] == 0
    assert (tmp_path / "r.docx").stat().st_size > 1000

    addresses = tmp_path / "adresser.csv"
    addresses.write_text(
        "adresseTekst;postnummer;poststed;gardsnummer;bruksnummer;EPSG-kode;Nord;Øst\n"
        "Vollenveien 1;1390;VOLLEN;30;1;25832;6632879.24;579279.45\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import-addresses", str(addresses))
    assert code == 0, err

    code, out, err = run(capsys, "anonymise", "--consultation", closed, "--months", "0")
    assert code == 0, err

    backup = tmp_path / "kopi.backup"
    assert run(capsys, "backup", "--out", str(backup))[0] == 0
    execute_raw(db, "DELETE FROM inputs WHERE text LIKE '%Vollenveien%'")  # after the backup
    code, out, err = run(capsys, "restore", str(backup))
    assert code == 0, err
    store = Store.open(db)
    try:
        (restored,) = store.all_inputs("vollen-sentrum")
        assert restored.reference == reference and restored.sender_name == "Ola Nordmann"
        assert store.count_addresses() == 1
    finally:
        store.close()


def test_restore_refuses_what_is_not_a_backup_in_one_line_and_changes_nothing(db, capsys, tmp_path):
    assert run(capsys, "seed-demo")[0] == 0
    before = run(capsys, "list")[1]
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, err = run(capsys, "restore", str(junk))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert run(capsys, "list")[1] == before


@pytest.mark.parametrize(
    "tamper",
    [
        "CREATE VIEW leak AS SELECT pg_read_file('/etc/hostname') AS content",
        "CREATE FUNCTION leak() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('/etc/hostname') $$",
        "CREATE TABLE extra (x INTEGER)",
        "CREATE RULE hide AS ON INSERT TO meta DO INSTEAD NOTHING",
    ],
    ids=["view", "function", "extra-table", "rule"],
)
def test_a_postgresql_backup_with_views_functions_or_extra_tables_is_refused_and_changes_nothing(
    pg_url, monkeypatch, capsys, tmp_path, tamper
):
    monkeypatch.setenv("KARTINNSPILL_DB", pg_url)
    store = Store.open(pg_url)
    store.add_consultation(make_consultation())
    store.close()
    backup = tmp_path / "kopi.dump"
    execute_raw(pg_url, tamper)
    assert run(capsys, "backup", "--out", str(backup))[0] == 0
    store = Store.open(pg_url)
    store.add_consultation(make_consultation("etter-kopien"))
    store.close()
    code, _, err = run(capsys, "restore", str(backup))
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "sikkerhetskopi" in err
    store = Store.open(pg_url)
    try:
        assert store.consultation_ids() == {"test-borgen", "etter-kopien"}
    finally:
        store.close()
    assert not (tmp_path / "kopi.dump.before-restore").exists()
