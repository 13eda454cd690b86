"""Reads a page view repeats are remembered until the next write (issue 26, memory that
levels off): every DuckDB run of a query with joins leaves C heap behind, so the
consultation page's per-run reads must not reach the database again."""

from __future__ import annotations

from consultations.model import InputDraft
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (every test on both)


def _send(store, consultation, text: str):
    draft = InputDraft("Annet", text, lat=INSIDE[0], lon=INSIDE[1])
    return submit_input(store, consultation.id, draft, session=text, now=NOW)


def _counting_frames(store, monkeypatch) -> list[str]:
    """The SQL of every frame query the store sends to its backend from now on."""
    sent: list[str] = []
    original = store._backend.frame

    def frame(cur, sql, params):
        sent.append(sql)
        return original(cur, sql, params)

    monkeypatch.setattr(store._backend, "frame", frame)
    return sent


def test_the_analysis_frame_is_read_once_between_two_writes(store, consultation, monkeypatch):
    first = _send(store, consultation, "Ny benk ved bussholdeplassen, takk.")
    sent = _counting_frames(store, monkeypatch)
    frames = [store.analysis_frame(consultation.id) for _ in range(50)]
    assert len(sent) == 1
    assert all(list(f["id"]) == [first.id] for f in frames)
    second = _send(store, consultation, "Bedre belysning langs gangveien om kvelden.")
    assert list(store.analysis_frame(consultation.id)["id"]) == [first.id, second.id]
    assert len(sent) == 2


def test_a_caller_changing_its_analysis_frame_does_not_change_the_next_read(store, consultation):
    item = _send(store, consultation, "Flere sykkelparkeringer ved stasjonen.")
    given = store.analysis_frame(consultation.id)
    given.loc[:, "text"] = "endret"
    del given["status"]
    again = store.analysis_frame(consultation.id)
    assert list(again["id"]) == [item.id]
    assert again.loc[0, "text"] == "Flere sykkelparkeringer ved stasjonen."
    assert "status" in again.columns


def test_supports_are_found_per_session_and_consultation(store, consultation):
    other = make_consultation("test-other")
    store.add_consultation(other)
    item = _send(store, consultation, "Trygg skolevei over krysset.")
    session_hash = store.hash_session("resident", consultation.id)
    assert store.supported_by(consultation.id, session_hash) == set()  # a new session: none
    store.add_support(item.id, session_hash)
    assert store.supported_by(consultation.id, session_hash) == {item.id}
    # the same hash asked about another consultation: its supports there (none)
    assert store.supported_by(other.id, session_hash) == set()
