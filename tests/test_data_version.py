"""The store's data version, and the reads it remembers until the next write."""

from __future__ import annotations

from consultations.model import InputDraft
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW
from tests.pg import on_both_backends as store_location  # noqa: F401  (every test on both)


def _send(store, consultation, text: str):
    draft = InputDraft("Annet", text, lat=INSIDE[0], lon=INSIDE[1])
    return submit_input(store, consultation.id, draft, session=text, now=NOW)


def test_every_committed_write_changes_the_data_version(store, consultation):
    seen = [store.data_version]
    item = _send(store, consultation, "Ny benk ved bussholdeplassen, takk.")
    seen.append(store.data_version)
    store.add_support(item.id, store.hash_session("another", consultation.id))
    seen.append(store.data_version)
    assert seen[0] < seen[1] < seen[2]


def test_a_read_alone_leaves_the_data_version_as_it_was(store, consultation):
    before = store.data_version
    store.published_inputs(consultation.id, limit=20)
    store.count_published(consultation.id)
    store.get_consultation(consultation.id)
    assert store.data_version == before


def test_the_list_counts_and_supports_show_a_new_input_and_support_at_once(store, consultation):
    session_hash = store.hash_session("resident", consultation.id)
    assert store.published_inputs(consultation.id, limit=20) == []
    assert store.count_published(consultation.id) == 0
    item = _send(store, consultation, "Bedre belysning langs gangveien om kvelden.")
    assert [i.id for i in store.published_inputs(consultation.id, limit=20)] == [item.id]
    assert store.count_published(consultation.id) == 1
    assert store.supported_by(consultation.id, session_hash) == set()
    store.add_support(item.id, session_hash)
    assert store.supported_by(consultation.id, session_hash) == {item.id}
    assert store.published_inputs(consultation.id, limit=20)[0].supports == 1


def test_a_caller_changing_a_list_it_was_given_does_not_change_the_next_read(store, consultation):
    item = _send(store, consultation, "Flere sykkelparkeringer ved stasjonen.")
    first = store.published_inputs(consultation.id, limit=20)
    first.clear()
    supported = store.supported_by(consultation.id, "x")
    supported.add(item.id)
    assert [i.id for i in store.published_inputs(consultation.id, limit=20)] == [item.id]
    assert store.supported_by(consultation.id, "x") == set()


def test_two_stores_never_share_a_data_version(tmp_path, store, consultation):
    from consultations.store import Store

    other = Store.open(tmp_path / "other.duckdb")
    try:
        seen = {store.data_version, other.data_version}
        _send(store, consultation, "Et innspill som endrer bare den ene basen.")
        seen.add(store.data_version)
        assert len(seen) == 3 and other.data_version in seen
    finally:
        other.close()


def test_a_read_inside_an_atomic_block_sees_the_blocks_own_writes(store):
    from tests.conftest import make_consultation

    assert store.get_consultation("inne-i-blokken") is None  # remembered as missing
    with store.atomic():
        store.add_consultation(make_consultation("inne-i-blokken"))
        assert store.get_consultation("inne-i-blokken") is not None
    assert store.get_consultation("inne-i-blokken") is not None


def _counting(store, monkeypatch) -> list[str]:
    """The SQL the store sends from now on."""
    sent: list[str] = []
    records = type(store)._records

    def counted(self, sql, params=()):
        sent.append(sql)
        return records(self, sql, params)

    monkeypatch.setattr(type(store), "_records", counted)
    return sent


def test_an_input_or_a_support_leaves_the_steady_reads_remembered(store, consultation, monkeypatch):
    """The consultation, its documents and layers are not read again after a resident's
    input or support (they cannot change with one); the list is."""
    store.get_consultation(consultation.id)
    store.documents(consultation.id)
    store.context_layers(consultation.id)
    store.published_inputs(consultation.id, limit=20)
    sent = _counting(store, monkeypatch)
    item = _send(store, consultation, "En benk ved lekeplassen hadde vært fint.")
    store.add_support(item.id, store.hash_session("another", consultation.id))
    sent.clear()
    assert store.get_consultation(consultation.id) == consultation
    store.documents(consultation.id)
    store.context_layers(consultation.id)
    assert not sent  # all three remembered
    assert [i.id for i in store.published_inputs(consultation.id, limit=20)] == [item.id]
    assert len(sent) == 1 and "FROM inputs" in sent[0]


def test_any_other_write_reads_the_steady_ones_again(store, consultation, monkeypatch):
    import dataclasses

    store.get_consultation(consultation.id)
    store.update_consultation(dataclasses.replace(consultation, summary="Ny oppsummering"), "kari")
    assert store.get_consultation(consultation.id).summary == "Ny oppsummering"
    with store.atomic():  # an input and something else in one change: everything again
        _send(store, consultation, "Innspill og endring i samme transaksjon her.")
        store.update_consultation(dataclasses.replace(consultation, summary="Endret igjen"), "kari")
    assert store.get_consultation(consultation.id).summary == "Endret igjen"
    with store.atomic():  # inputs only: the consultation stays remembered, and right
        _send(store, consultation, "Bare et innspill i denne transaksjonen, takk.")
    sent = _counting(store, monkeypatch)
    assert store.get_consultation(consultation.id).summary == "Endret igjen" and not sent
