"""The key behind address and session hashes lives outside the database and its backups,
and each consultation hashes with its own."""

from __future__ import annotations

import stat

import duckdb
import pytest

from consultations.config import load_settings
from consultations.errors import ConfigError
from consultations.store import MIGRATIONS, Store
from consultations.participation.submission import submit_input
from consultations.model import InputDraft
from tests.conftest import INSIDE, NOW, make_consultation


def _secret(db_path) -> bytes:
    return (db_path.parent / "secret.key").read_bytes().strip()


def test_the_database_file_holds_no_salt_or_secret(store, consultation, db_path):
    submit_input(
        store,
        consultation.id,
        InputDraft("Annet", "Et innspill med adresse", *INSIDE),
        session="a",
        address="192.0.2.44",
        now=NOW,
    )
    assert store._rows("SELECT * FROM meta") == []
    store.close()
    assert _secret(db_path) not in db_path.read_bytes()


def test_an_existing_database_loses_its_stored_salt(db_path):
    conn = duckdb.connect(str(db_path))
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    for version in range(1, 6):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, now())", (version,))
    conn.execute("INSERT INTO meta VALUES ('session_salt', 'c0ffee0ddba11c0ffee0ddba11abcdef')")
    conn.close()
    store = Store.open(db_path)
    assert store._rows("SELECT * FROM meta WHERE key = 'session_salt'") == []
    store.close()


def test_the_secret_file_is_made_on_first_use_with_mode_0600(store, db_path):
    secret_file = db_path.parent / "secret.key"
    assert not secret_file.exists()  # opening alone does not need it
    store.hash_session("x")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(_secret(db_path)) == 64


def test_the_same_address_in_two_consultations_hashes_differently(store):
    for cid in ("borgen", "heggedal"):
        store.add_consultation(make_consultation(cid))
        submit_input(
            store,
            cid,
            InputDraft("Annet", "Samme adresse, to høringer", *INSIDE),
            session="s",
            address="192.0.2.44",
            now=NOW,
        )
    hashes = store._rows("SELECT address_hash, session_hash FROM inputs ORDER BY consultation_id")
    assert hashes[0][0] != hashes[1][0] and hashes[0][1] != hashes[1][1]


def test_hashes_are_stable_across_a_restart(db_path):
    first = Store.open(db_path)
    before = first.hash_session("address:192.0.2.44", "borgen")
    first.close()
    again = Store.open(db_path)
    assert again.hash_session("address:192.0.2.44", "borgen") == before
    again.close()


def test_a_configured_secret_is_used_and_no_file_is_written(db_path):
    secret = "k" * 40
    one = Store.open(db_path, secret=secret)
    value = one.hash_session("x", "borgen")
    one.close()
    assert not (db_path.parent / "secret.key").exists()
    other = Store.open(db_path, secret="m" * 40)
    assert other.hash_session("x", "borgen") != value
    other.close()


def test_a_short_configured_secret_is_refused(db_path):
    store = Store.open(db_path, secret="short")
    with pytest.raises(ConfigError) as info:
        store.hash_session("x")
    assert info.value.key == "config.secret_short"
    store.close()


def test_a_backup_does_not_contain_the_secret(store, consultation, db_path, tmp_path):
    submit_input(
        store,
        consultation.id,
        InputDraft("Annet", "Et innspill før backup", *INSIDE),
        session="a",
        address="192.0.2.44",
        now=NOW,
    )
    target = tmp_path / "backups" / "copy.duckdb"
    store.backup_to(target)
    assert _secret(db_path) not in target.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["copy.duckdb"]


def test_the_secret_comes_from_the_environment_or_a_file_next_to_the_database(tmp_path):
    nowhere = tmp_path / "no-secrets.toml"
    settings = load_settings({"KARTINNSPILL_DB": str(tmp_path / "db" / "k.duckdb")}, secrets_path=nowhere)
    assert settings.secret is None and settings.secret_file == tmp_path / "db" / "secret.key"
    settings = load_settings(
        {"KARTINNSPILL_SECRET": "s" * 40, "KARTINNSPILL_SECRET_FILE": "/run/keys/k"}, secrets_path=nowhere
    )
    assert settings.secret == "s" * 40 and str(settings.secret_file) == "/run/keys/k"


def test_a_consultations_hash_does_not_depend_on_which_hash_came_first(tmp_path):
    from consultations.store import Store

    first = Store.open(tmp_path / "a.duckdb", secret="s" * 32)
    first.hash_session("address:192.0.2.1")  # an in-memory hash first
    early = first.hash_session("address:192.0.2.1", "borgen")
    first.close()
    second = Store.open(tmp_path / "b.duckdb", secret="s" * 32)
    assert second.hash_session("address:192.0.2.1", "borgen") == early
    second.close()
