"""The two rules the database holds by key since migration 28 (on DuckDB and PostgreSQL): the
same text once per consultation from one network address, and a høringsinstans once per
consultation whatever the case of its name. An older database that holds a repeat is
migrated without a merknad or a party changed or lost; the first holds the key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consultations.model import Channel, InputStatus, SenderType, Status
from consultations.store import DuplicateText, Store, migrations
from tests.conftest import INSIDE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (every test on both)


def _add(store: Store, text: str = "Farlig kryss ved skolen", *, token: str | None = None, address_hash="adr"):
    return store.add_input(
        consultation_id="test-borgen",
        category="Annet",
        text=text,
        lat=INSIDE[0],
        lon=INSIDE[1],
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=token,
        created_at=NOW,
        address_hash=address_hash,
    )


def _party(store: Store, name: str, consultation_id: str = "test-borgen"):
    return store.add_hearing_party(consultation_id, name, SenderType.ORGANISATION, None, None, "kari")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_location(request, tmp_path):
    """Where a store not yet made lives: a DuckDB file, or an empty PostgreSQL database."""
    if request.param == "duckdb":
        yield tmp_path / "old.duckdb"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database(template="template1")
    yield url
    cluster.drop(url)


def test_migration_28_keeps_every_repeat_of_an_older_database_and_keys_the_first(empty_location, monkeypatch):
    before = {v: s for v, s in migrations.MIGRATIONS.items() if v < 28}
    with monkeypatch.context() as old_code:  # the program as it was before migration 28
        old_code.setattr(migrations, "MIGRATIONS", before)
        old_code.setattr(migrations, "LATEST", max(before))
        store = Store.open(empty_location)
        assert store.schema_version() == 27
        store.add_consultation(make_consultation())
        with store._transaction() as cur:  # repeats as a check-then-insert could have let in
            for token in ("t1", "t2", "t3"):
                cur.execute(
                    """INSERT INTO inputs (consultation_id, category, text, channel, status,
                           created_at, submission_token, address_hash)
                       VALUES ('test-borgen', 'Annet', 'Samme tekst', 'web', 'published', ?, ?, ?)""",
                    (datetime(2026, 11, 20, tzinfo=UTC).replace(tzinfo=None), token, "adr" if token != "t3" else None),
                )
            for name in ("Statsforvalteren", "statsforvalteren"):
                cur.execute(
                    """INSERT INTO hearing_parties (consultation_id, name, sender_type, created_at)
                       VALUES ('test-borgen', ?, 'organisasjon', ?)""",
                    (name, datetime(2026, 11, 20)),
                )
        ids = sorted(i.id for i in store.all_inputs("test-borgen"))
        store.close()

    store = Store.open(empty_location)
    try:
        assert store.schema_version() == max(migrations.MIGRATIONS)
        kept = store.all_inputs("test-borgen")
        assert sorted(i.id for i in kept) == ids  # every merknad kept as it was
        assert {i.text for i in kept} == {"Samme tekst"}
        assert store._rows("SELECT count(*) FROM inputs WHERE address_hash = 'adr'") == [(2,)]
        assert store._rows("SELECT input_id FROM input_text_keys") == [(ids[0],)]
        assert sorted(p.name for p in store.hearing_parties("test-borgen")) == ["Statsforvalteren", "statsforvalteren"]
        with pytest.raises(DuplicateText):
            _add(store, "Samme tekst")
        assert _party(store, "STATSFORVALTEREN") is None
        assert len(store.all_inputs("test-borgen")) == 3 and len(store.hearing_parties("test-borgen")) == 2
    finally:
        store.close()


def test_a_repeated_text_from_one_address_is_refused_and_nothing_of_it_is_stored(store, consultation):
    first, created = _add(store, token="a")
    assert created
    with pytest.raises(DuplicateText):
        _add(store, token="b")
    assert [i.id for i in store.all_inputs(consultation.id)] == [first.id]
    assert _add(store, token="a") == (first, False)  # the same form again is the first input
    assert _add(store, "Farlig kryss ved skolen!", token="c")[1]  # another text
    assert _add(store, token="d", address_hash="other")[1]  # another address
    assert _add(store, token="e", address_hash=None)[1]  # no address: no key
    assert _add(store, token="f", address_hash=None)[1]


def test_an_anonymised_or_deleted_input_holds_its_text_key_no_more(store, consultation):
    first, _ = _add(store, token="a")
    store.anonymise_input(first.id, "[fjernet]", "kari", "ønske fra innsender")
    second, created = _add(store, token="b")  # its address hash went: the text may come again
    assert created
    store.delete_input(second.id, "kari", "ønske fra innsender")
    assert _add(store, token="c")[1]
    store.anonymise(consultation.id, "kari")
    assert _add(store, token="d")[1]
    with pytest.raises(DuplicateText):
        _add(store, token="e")


def test_a_partys_name_is_once_per_consultation_in_any_case_until_it_is_removed(store, consultation):
    party = _party(store, "Statens vegvesen")
    assert _party(store, "statens VEGVESEN") is None
    store.add_consultation(make_consultation("test-heggedal"))
    assert _party(store, "Statens vegvesen", "test-heggedal") is not None  # another consultation
    store.delete_hearing_party(party.id, "kari")
    again = _party(store, "statens vegvesen")
    assert again is not None and [p.name for p in store.hearing_parties(consultation.id)] == ["statens vegvesen"]


def test_a_renamed_draft_keeps_its_parties_names_and_a_deleted_one_frees_them(store):
    draft = make_consultation("test-utkast", status=Status.DRAFT)
    store.add_consultation(draft)
    _party(store, "Fylkeskommunen", draft.id)
    store.update_consultation(make_consultation("test-nytt-navn", status=draft.status), "kari", old_id=draft.id)
    assert _party(store, "fylkeskommunen", "test-nytt-navn") is None
    store.delete_consultation("test-nytt-navn", "kari")
    store.add_consultation(make_consultation("test-nytt-navn", status=draft.status))
    assert _party(store, "fylkeskommunen", "test-nytt-navn") is not None
