"""Retention: anonymising a closed consultation, deleting one input, backups."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consultations.errors import InvalidConsultation
from consultations.model import InputDraft, Outcome, Response, Role, Status
from consultations.casework.retention import DEFAULT_RETENTION, anonymise
from consultations.store import Store
from consultations.participation.submission import register_input, submit_input
from tests.conftest import INSIDE, NOW, make_consultation, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)


@pytest.fixture
def file_store(db_path):
    """A DuckDB store with one consultation, on either run: for what only a database file
    has (a copy to open, a file's bytes); PostgreSQL's backups: ``test_cli_backends.py``."""
    s = Store.open(db_path)
    s.add_consultation(make_consultation())
    yield s
    s.close()


def _closed_with_inputs(store, consultation):
    web = submit_input(
        store,
        consultation.id,
        InputDraft("Annet", "Et innspill med profil", *INSIDE, age_group="30_49", relation="bor"),
        session="s",
        address="1.2.3.4",
        now=NOW,
    )
    from consultations.model import Channel, SenderType

    letter = register_input(
        store,
        consultation.id,
        InputDraft("Annet", "Brev fra Kari Nordmann om veien", whole_area=True),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name="Kari Nordmann",
        received_at=NOW,
        actor=staff(store, "ola", Role.ADMIN),
        now=NOW,
    )
    store.save_response([web.id], Response(0, "Profil", "Vurdert", Outcome.NOTED), "ola")
    store.update_consultation(replace(consultation, status=Status.CLOSED), "ola")
    return web, letter


def test_anonymise_removes_profile_names_and_hashes_but_keeps_inputs_and_responses(store, consultation, ola):
    web, letter = _closed_with_inputs(store, consultation)
    later = consultation.closes_at + DEFAULT_RETENTION + timedelta(days=1)
    assert anonymise(store, consultation.id, ola, now=later) == 2
    frame = store.analysis_frame(consultation.id).set_index("id")
    assert frame["age_group"].isna().all() and frame["relation"].isna().all()
    assert frame["sender_name"].isna().all() and frame["session_hash"].isna().all()
    assert frame.loc[web.id, "text"] == "Et innspill med profil"
    assert store.responses(consultation.id)[web.id].outcome == Outcome.NOTED
    assert store.audit_entries()[0].action == "consultation.anonymise"


def test_anonymise_waits_for_the_retention_period_and_a_closed_consultation(store, consultation, ola):
    with pytest.raises(InvalidConsultation):
        anonymise(store, consultation.id, ola, now=NOW)  # still open
    _closed_with_inputs(store, consultation)
    with pytest.raises(InvalidConsultation) as info:
        anonymise(store, consultation.id, ola, now=consultation.closes_at + timedelta(days=30))
    assert info.value.key == "retention.too_early"
    assert (
        anonymise(
            store, consultation.id, ola, retention=timedelta(days=1), now=consultation.closes_at + timedelta(days=2)
        )
        == 2
    )


def test_deleting_one_input_on_request_removes_it_everywhere_and_is_audit_logged(store, consultation):
    a = submit_input(store, consultation.id, InputDraft("Annet", "Slett meg, takk", *INSIDE), session="s", now=NOW)
    b = submit_input(store, consultation.id, InputDraft("Annet", "Jeg blir her, takk", *INSIDE), session="t", now=NOW)
    store.add_support(a.id, "x")
    store.mark_duplicate(b.id, a.id, "ola")
    store.delete_input(a.id, "ola", "Innbyggerens ønske (e-post 12.11.)")
    assert store.get_input(a.id) is None and store.get_input(b.id).duplicate_of is None
    entry = store.audit_entries()[0]
    assert entry.action == "input.delete" and "Slett meg" not in (entry.before or "") + (entry.after or "")


def test_backup_while_open_is_a_consistent_copy(file_store, tmp_path):
    store, consultation = file_store, file_store.get_consultation("test-borgen")
    submit_input(store, consultation.id, InputDraft("Annet", "Med i sikkerhetskopien", *INSIDE), session="s", now=NOW)
    target = tmp_path / "backup" / "kopi.duckdb"
    store.backup_to(target)
    copy = Store.open(target)
    try:
        assert [i.text for i in copy.all_inputs(consultation.id)] == ["Med i sikkerhetskopien"]
    finally:
        copy.close()


def _cli(db_path, *args):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env={"KARTINNSPILL_DB": str(db_path)},
        capture_output=True,
        text=True,
    )


def test_cli_backup_and_restore_bring_the_data_back(file_store, db_path, tmp_path):
    store, consultation = file_store, file_store.get_consultation("test-borgen")
    submit_input(store, consultation.id, InputDraft("Annet", "Før sikkerhetskopien", *INSIDE), session="s", now=NOW)
    store.close()
    backup = tmp_path / "kopi.duckdb"
    assert _cli(db_path, "backup", "--out", str(backup)).returncode == 0
    s = Store.open(db_path)
    submit_input(s, consultation.id, InputDraft("Annet", "Etter sikkerhetskopien", *INSIDE), session="t", now=NOW)
    s.close()
    result = _cli(db_path, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    s = Store.open(db_path)
    try:
        assert [i.text for i in s.all_inputs(consultation.id)] == ["Før sikkerhetskopien"]
    finally:
        s.close()
    assert (tmp_path / "test.duckdb.before-restore").exists()


def test_cli_restore_refuses_a_file_that_is_not_a_database(db_path, tmp_path):
    Store.open(db_path).close()
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    result = _cli(db_path, "restore", str(junk))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_anonymise_refuses_an_open_consultation_in_one_line(store, consultation, store_location):
    store.close()
    result = _cli(store_location, "anonymise", "--consultation", consultation.id)
    assert result.returncode == 2 and "avsluttede" in result.stderr


@pytest.mark.parametrize(
    "tamper",
    [
        "CREATE VIEW leak AS SELECT * FROM read_csv('/etc/passwd', header = false)",
        "DROP TABLE meta; CREATE VIEW meta AS SELECT 'session_salt' AS key, content AS value FROM read_text('/etc/passwd')",
        "CREATE MACRO leak() AS TABLE SELECT * FROM read_text('/etc/hostname')",
        "CREATE TABLE extra (x INTEGER)",
        "CREATE SCHEMA other",
    ],
    ids=["view", "table-replaced-by-view", "macro", "extra-table", "extra-schema"],
)
def test_cli_restore_refuses_a_backup_with_views_macros_or_extra_objects_and_changes_nothing(
    file_store, db_path, tmp_path, tamper
):
    import duckdb

    file_store.close()
    backup = tmp_path / "kopi.duckdb"
    assert _cli(db_path, "backup", "--out", str(backup)).returncode == 0
    conn = duckdb.connect(str(backup))
    conn.execute(tamper)
    conn.close()
    before = db_path.read_bytes()
    result = _cli(db_path, "restore", str(backup))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sikkerhetskopi" in result.stderr and "root:" not in result.stderr
    assert db_path.read_bytes() == before
    assert not (tmp_path / "test.duckdb.before-restore").exists()
