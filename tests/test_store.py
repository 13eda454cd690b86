"""The store: migrations, one process per file, and many threads at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from consultations.store import migrations as store_module
from consultations.errors import StoreError
from consultations.model import InputDraft
from consultations.store import LATEST, Store
from consultations.ratelimit import NoLimit
from consultations.participation.submission import submit_input, support_input
from tests.conftest import INSIDE, NOW, hold_database, make_consultation
from tests.pg import execute_raw
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)


NO_LIMIT = NoLimit()


def test_new_database_is_created_at_the_latest_schema(store):
    assert store.schema_version() == LATEST
    assert store.is_empty()


def test_consultation_round_trips(store, consultation):
    again = store.get_consultation(consultation.id)
    assert again == consultation.__class__(**{**consultation.__dict__, "area": again.area})
    assert again.area.equals(consultation.area)
    assert store.get_consultation("nope") is None


def test_older_database_is_upgraded_and_keeps_its_data(store_location, monkeypatch):
    s = Store.open(store_location)
    s.add_consultation(make_consultation())
    s.close()
    upgraded = dict(store_module.MIGRATIONS)
    upgraded[LATEST + 1] = ("ALTER TABLE consultations ADD COLUMN note VARCHAR",)
    monkeypatch.setattr(store_module, "MIGRATIONS", upgraded)
    monkeypatch.setattr(store_module, "LATEST", LATEST + 1)
    s = Store.open(store_location)
    try:
        assert s.schema_version() == LATEST + 1
        assert s.get_consultation("test-borgen") is not None
    finally:
        s.close()


def test_newer_database_is_refused_clearly(store_location):
    Store.open(store_location).close()
    execute_raw(store_location, "INSERT INTO schema_version VALUES (999, now())")
    with pytest.raises(StoreError) as info:
        Store.open(store_location)
    assert info.value.key == "store.too_new"
    assert "999" in info.value.message() and "Oppgrader" in info.value.message()


def test_database_held_by_another_process_is_reported_in_one_sentence(db_path):
    Store.open(db_path).close()
    holder = hold_database(db_path)
    try:
        with pytest.raises(StoreError) as info:
            Store.open(db_path)
        message = info.value.message()
        assert info.value.key == "store.busy"
        assert str(holder.pid) in message and "\n" not in message
    finally:
        holder.communicate("")


def test_cli_says_so_when_the_app_holds_the_database(db_path):
    Store.open(db_path).close()
    holder = hold_database(db_path)
    try:
        for args in (["list"], ["export", "--consultation", "x", "--format", "csv", "--out", "-"]):
            result = subprocess.run(
                [sys.executable, "-m", "consultations", *args],
                env={"KARTINNSPILL_DB": str(db_path), "PATH": ""},
                capture_output=True,
                text=True,
            )
            assert result.returncode == 2
            assert result.stderr.strip().startswith("Databasen")
            assert "brukes av en annen prosess" in result.stderr
            assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    finally:
        holder.communicate("")


def test_eight_threads_submitting_at_once_lose_and_duplicate_nothing(store, consultation):
    per_thread = 40
    start = threading.Barrier(8)

    def worker(n: int) -> list[int]:
        start.wait()
        ids = []
        for k in range(per_thread):
            d = InputDraft("Annet", f"Innspill nummer {k} fra tråd {n}", INSIDE[0], INSIDE[1])
            ids.append(submit_input(store, consultation.id, d, session=f"t{n}", now=NOW, limiter=NO_LIMIT).id)
            # a double click: the same form again must not make a second row
            again = submit_input(store, consultation.id, d, session=f"t{n}", now=NOW, limiter=NO_LIMIT).id
            assert again == ids[-1]
            store.published_inputs(consultation.id, limit=5)  # reads interleaved with writes
        return ids

    with ThreadPoolExecutor(8) as pool:
        acknowledged = [i for ids in pool.map(worker, range(8)) for i in ids]

    stored = store.all_inputs(consultation.id)
    assert len(acknowledged) == len(set(acknowledged)) == 8 * per_thread
    assert sorted(i.id for i in stored) == sorted(acknowledged)
    assert len({i.text for i in stored}) == 8 * per_thread


def test_supports_from_many_threads_are_counted_exactly(store, consultation):
    item = submit_input(store, consultation.id, InputDraft("Annet", "Støtt meg, takk!", *INSIDE), session="a", now=NOW)
    start = threading.Barrier(8)

    def worker(n: int) -> int:
        start.wait()
        # every thread tries its own 10 sessions twice, and session 'shared' once
        added = sum(
            support_input(store, consultation.id, item.id, session=f"{n}-{k}", now=NOW, limiter=NO_LIMIT)
            for k in list(range(10)) * 2
        )
        return added + support_input(store, consultation.id, item.id, session="shared", now=NOW, limiter=NO_LIMIT)

    with ThreadPoolExecutor(8) as pool:
        added = sum(pool.map(worker, range(8)))
    assert added == 8 * 10 + 1
    assert store.get_input(item.id).supports == 81


def test_store_survives_a_killed_writer(db_path):
    """Acknowledged inputs are on disk: a writer killed with SIGKILL loses none of them."""
    script = (
        "import sys; from consultations.store import Store; from tests.conftest import *;"
        "from consultations.model import InputDraft; from consultations.participation.submission import submit_input;"
        "from consultations.ratelimit import NoLimit;"
        "s = Store.open(sys.argv[1]); c = make_consultation(); s.add_consultation(c)\n"
        "for k in range(10**6):\n"
        "    i = submit_input(s, c.id, InputDraft('Annet', f'Innspill {k:07d}', *INSIDE), session='x', now=NOW, limiter=NoLimit())\n"
        "    print(i.id, flush=True)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(db_path)], stdout=subprocess.PIPE, text=True)
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 200 and time.monotonic() < deadline:
        acknowledged.append(int(writer.stdout.readline()))
    writer.kill()
    writer.wait()
    s = Store.open(db_path)
    try:
        stored = {i.id for i in s.all_inputs("test-borgen")}
    finally:
        s.close()
    assert len(acknowledged) == 200
    assert set(acknowledged) <= stored


def test_sixteen_threads_sending_2000_inputs_and_supports_store_each_exactly_once(store, consultation):
    """Issue 5: every acknowledged input stored once, supports counted exactly."""
    threads, per_thread = 16, 125
    start = threading.Barrier(threads)
    first = submit_input(
        store,
        consultation.id,
        InputDraft("Annet", "Støtt dette innspillet", *INSIDE),
        session="x",
        now=NOW,
        limiter=NO_LIMIT,
    )

    def worker(n: int) -> tuple[list[int], int]:
        start.wait()
        ids, supports = [], 0
        for k in range(per_thread):
            d = InputDraft("Annet", f"Tråd {n} sender innspill {k}", *INSIDE)
            ids.append(submit_input(store, consultation.id, d, session=f"t{n}-{k % 7}", now=NOW, limiter=NO_LIMIT).id)
            supports += support_input(
                store, consultation.id, first.id, session=f"t{n}-{k % 7}", now=NOW, limiter=NO_LIMIT
            )
        return ids, supports

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    acknowledged = [i for ids, _ in results for i in ids]
    stored = [i.id for i in store.all_inputs(consultation.id) if i.id != first.id]
    assert len(acknowledged) == threads * per_thread == 2000
    assert sorted(stored) == sorted(acknowledged) and len(set(stored)) == 2000
    assert sum(s for _, s in results) == threads * 7  # each distinct session once
    assert store.get_input(first.id).supports == threads * 7


# -- the store's own errors ----------------------------------------------------------------


def test_changing_what_is_not_there_raises_not_found_with_a_message_and_changes_nothing(store, consultation):
    from datetime import date

    from consultations.errors import NotFound
    from consultations.model import HearingParty, Objection, ObjectionStatus, Role, SenderType

    before = store.audit_entries()
    missing = make_consultation("finnes-ikke")
    for attempt in (
        lambda: store.update_consultation(missing, "ola"),
        lambda: store.delete_consultation("finnes-ikke", "ola"),
        lambda: store.delete_input(999, "ola", "Innbyggerens ønske"),
        lambda: store.update_user(999, "ola", role=Role.ADMIN),
        lambda: store.change_password(999, "hash", NOW, keep=""),
        lambda: store.set_objection(999, Objection.INNSIGELSE, ObjectionStatus.OPEN, "ola"),
        lambda: store.update_hearing_party(
            HearingParty(999, consultation.id, "Statsforvalteren", SenderType.AUTHORITY, date(2026, 11, 1)), "ola"
        ),
    ):
        with pytest.raises(NotFound) as caught:
            attempt()
        assert not isinstance(caught.value, (KeyError, ValueError))
        assert caught.value.message("nb") and caught.value.message("en") != caught.value.key
    assert store.audit_entries() == before
    assert store.get_consultation("finnes-ikke") is None


def test_deleting_a_consultation_with_inputs_is_a_conflict_and_deletes_nothing(store, consultation):
    from consultations.errors import Conflict

    draft = InputDraft(
        category=consultation.categories[0], text="Fortau langs skoleveien.", lat=INSIDE[0], lon=INSIDE[1]
    )
    stored = submit_input(store, consultation.id, draft, session="s1", now=NOW, limiter=NO_LIMIT)
    with pytest.raises(Conflict) as caught:
        store.delete_consultation(consultation.id, "ola")
    assert caught.value.key == "lifecycle.has_inputs"
    assert store.get_consultation(consultation.id) is not None
    assert store.get_input(stored.id) is not None


def test_the_audit_logs_count_agrees_with_its_list_for_any_filter(store):
    for actor, action in (("kari", "consultation.create"), ("ola", "user.create"), ("Kari", "input.hide")):
        store.audit(actor, action, "x", "1")
    assert store.count_audit() == len(store.audit_entries()) >= 3
    for text in ("KARI", "user.", "input.hide", "ingen slik"):  # actor or action, any case
        assert store.count_audit(text) == len(store.audit_entries(text=text))
    assert store.count_audit("KARI") == 2 and store.count_audit("ingen slik") == 0


def test_a_document_reads_back_its_name_size_kind_and_bytes(store, consultation):
    from consultations.model import DocumentKind

    content = b"%PDF-1.4 plankart \x00\xff"
    doc_id = store.add_document(consultation.id, "plankart.pdf", content, "kari", DocumentKind.PLANKART)
    doc = store.document(doc_id)
    assert (doc.consultation_id, doc.filename, doc.size, doc.kind) == (
        consultation.id,
        "plankart.pdf",
        len(content),
        DocumentKind.PLANKART,
    )
    assert store.document_content(doc_id) == content and store.document(doc_id + 1) is None


def test_many_inputs_stored_at_once_are_all_there_with_their_places(store, consultation):
    from consultations.model import Channel, InputStatus

    rows = [("Annet", f"Innspill nummer {n}", INSIDE[0], INSIDE[1], None, None, NOW) for n in range(50)]
    rows.append(("Annet", "Gjelder hele området", None, None, None, None, NOW))
    store.bulk_add_inputs(consultation.id, rows, Channel.LETTER, InputStatus.PUBLISHED)
    stored = store.all_inputs(consultation.id)
    assert sorted(i.text for i in stored) == sorted(r[1] for r in rows)
    assert {(i.lat, i.lon) for i in stored} == {INSIDE, (None, None)}
    assert {i.channel for i in stored} == {Channel.LETTER} and {i.created_at for i in stored} == {NOW}
