"""The analysis frame's contract (``analysis.ANALYSIS_FRAME``): the same columns, types and
values from DuckDB and from PostgreSQL for the same data."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from pandas.testing import assert_frame_equal

from consultations.casework.analysis import ANALYSIS_FRAME
from consultations.model import (
    Channel,
    InputStatus,
    NotMerknad,
    Objection,
    Outcome,
    Response,
    SenderType,
    Stage,
)
from consultations.store import Store
from tests.conftest import INSIDE, NOW, make_consultation

SECRET = "frame-secret-" + "x" * 32  # the same hashes on both


def _fill(store: Store) -> str:
    """One of everything the frame shows: located and whole-area inputs, a letter with a
    sender, supports, tags, a response, an innsigelse answering a høringsinstans, a hidden
    input, a duplicate, one that is no merknad, a journalpost and a photo."""
    c = make_consultation(stage=Stage.OFFENTLIG_ETTERSYN)
    store.add_consultation(c)

    def add(text, lat=None, lon=None, **more):
        stored, _ = store.add_input(
            consultation_id=c.id,
            category=more.pop("category", "Annet"),
            text=text,
            lat=lat,
            lon=lon,
            east=579279.45 if lat else None,
            north=6632879.24 if lat else None,
            age_group=more.pop("age_group", None),
            relation=more.pop("relation", None),
            channel=more.pop("channel", Channel.WEB),
            status=InputStatus.PUBLISHED,
            session_hash=store.hash_session(text, c.id),
            token=None,
            created_at=NOW,
            **more,
        )
        return stored.id

    a = add(
        "Fortau langs skoleveien, takk.",
        *INSIDE,
        age_group="13-19",
        relation="bor",
        answers={"q1": "ja"},
        address_hash="adr",
    )
    b = add(
        "Fartsdemper ved barnehagen.",
        *INSIDE,
        photos=[("p.jpg", "image/jpeg", b"\xff\xd8jpeg", "Et bilde av veien", b"thumb")],
    )
    letter = add(
        "Innsigelse til byggehøyder.",
        channel=Channel.LETTER,
        sender_type=SenderType.AUTHORITY,
        sender_name="Statsforvalteren",
        sender_address="Postboks 1",
        objection=Objection.INNSIGELSE,
    )
    d = add("Fortau langs skoleveien, takk!", *INSIDE)
    spam = add("Kjøp billige klokker", *INSIDE)
    store.add_support(a, "s1")
    store.add_support(a, "s2", "adr", date(2026, 11, 27))
    store.add_tag([a, d], "Skolevei", "kari")
    store.add_tag([a], "Trafikk", "kari")
    store.save_response([a, d], Response(0, "Ønsker fortau", "Tas inn", Outcome.TAKEN, "Ny § 3.2"), "kari")
    store.mark_duplicate(d, a, "kari")
    store.set_input_status([b], InputStatus.HIDDEN, "kari", reason="Personopplysninger")
    store.set_not_merknad([spam], NotMerknad.SPAM, "reklame", "kari")
    party = store.add_hearing_party(
        c.id, "Statsforvalteren", SenderType.AUTHORITY, date(2026, 11, 1), NOW + timedelta(days=20)
    )
    from dataclasses import replace

    store.update_hearing_party(replace(party, input_id=letter), "kari")
    store.mark_archived(c.id, [letter], NOW, "kari", "sendt")  # a fixed time on both
    store.set_journalposts(c.id, [(letter, 2026, 77, 5)], "kari", "kvittering")
    return c.id


def test_both_backends_give_the_same_frame_with_the_contracts_columns_and_types(tmp_path, pg_url):
    frames = []
    for location in (tmp_path / "frame.duckdb", pg_url):
        store = Store.open(location, secret=SECRET)
        try:
            frames.append(store.analysis_frame(_fill(store)))
        finally:
            store.close()
    duck, pg = frames
    assert list(duck.columns) == list(ANALYSIS_FRAME)
    assert {k: str(v) for k, v in duck.dtypes.items()} == ANALYSIS_FRAME
    assert len(duck) == 5 and duck.loc[0, "tags"] == ["Skolevei", "Trafikk"] and duck.loc[1, "tags"] == []
    assert duck.loc[2, "journalpost_number"] == 5 and pd.isna(duck.loc[0, "journalpost_number"])
    assert duck.loc[0, "age_group"] == "13-19" and duck.loc[1, "age_group"] is None
    assert_frame_equal(duck, pg)


def test_an_empty_consultation_gives_an_empty_frame_of_the_same_shape(tmp_path, pg_url):
    frames = []
    for location in (tmp_path / "frame.duckdb", pg_url):
        store = Store.open(location, secret=SECRET)
        try:
            store.add_consultation(make_consultation())
            frames.append(store.analysis_frame("test-borgen"))
        finally:
            store.close()
    assert {k: str(v) for k, v in frames[0].dtypes.items()} == ANALYSIS_FRAME
    assert_frame_equal(*frames)
