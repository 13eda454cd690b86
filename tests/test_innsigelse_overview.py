"""The staff overview's «Uløste innsigelser» counts innsigelse *points* still standing, as
the review page and the report do: a letter with two open innsigelser counts two, one of
them imøtekommet counts one (issue 21). The store part runs on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consultations.planning import objections
from consultations.casework import points
from consultations.model import Channel, InputDraft, InputStatus, NotMerknad, ObjectionStatus, SenderType, Stage
from consultations.casework.review import mark_not_merknad
from consultations.participation.submission import register_input
from tests.conftest import NOW, app_store, make_consultation, open_page, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

SF = "Statsforvalteren i Oslo og Viken"
EVIDENCE = {"settled_on": date(2026, 11, 20), "reference": "25/4711-31", "note": "Bekreftet i brev."}


def _letter(store, cid, actor, name=SF, objection="innsigelse"):
    return register_input(
        store,
        cid,
        InputDraft("Annet", f"Brev fra {name}."),
        channel=Channel.LETTER,
        sender_type=SenderType.AUTHORITY,
        sender_name=name,
        received_at=NOW.date() - timedelta(days=1),
        actor=actor,
        now=NOW,
        objection=objection,
    ).id


def _two_innsigelser(store, input_id, actor):
    """The letter as two innsigelse points, a and b, both open."""
    points.edit(store, input_id, "a", points.PointEdit("Støy.", "Støy", "innsigelse"), actor)
    points.split(store, input_id, actor)
    points.edit(store, input_id, "b", points.PointEdit("Naturmangfold.", "Natur", "innsigelse"), actor)


@pytest.fixture
def hearing(store):
    c = make_consultation(
        "kai",
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="24/1234",
        opens_at=NOW - timedelta(weeks=2),
        closes_at=NOW + timedelta(weeks=5),
    )
    store.add_consultation(c)
    return c, staff(store)


def unresolved(store, cid) -> int:
    return objections.overview(store)[cid][0]


def test_a_letter_with_two_open_innsigelser_counts_two_until_each_is_resolved(store, hearing):
    c, kari = hearing
    sf = _letter(store, c.id, kari)
    assert unresolved(store, c.id) == 1  # not split: the merknad is its one point
    _two_innsigelser(store, sf, kari)
    assert unresolved(store, c.id) == 2 == len(points.standing(store.merknad_points(c.id), store.all_inputs(c.id)))
    points.set_status(store, sf, "a", ObjectionStatus.MET, **EVIDENCE, actor=kari)
    assert unresolved(store, c.id) == 1
    points.set_status(store, sf, "b", ObjectionStatus.MAINTAINED, date(2026, 11, 21), "25/4711-35", "Mekling.", kari)
    assert unresolved(store, c.id) == 1  # opprettholdt → mekling: it still stands
    points.set_status(store, sf, "b", ObjectionStatus.WITHDRAWN, date(2026, 11, 22), "25/4711-40", "Frafalt.", kari)
    assert unresolved(store, c.id) == 0


def test_innsigelser_of_hidden_merknader_and_of_no_merknad_are_not_counted_nor_faglig_raad(store, hearing):
    c, kari = hearing
    hidden, spam = _letter(store, c.id, kari), _letter(store, c.id, kari, name="Kystverket")
    _letter(store, c.id, kari, name="NVE", objection="faglig_rad")
    _two_innsigelser(store, hidden, kari)
    assert unresolved(store, c.id) == 3
    store.set_input_status([hidden], InputStatus.HIDDEN, "kari", reason="Feilregistrert")
    mark_not_merknad(store, [spam], NotMerknad.DOUBLE, "Registrert to ganger.", kari)
    assert unresolved(store, c.id) == 0
    assert unresolved(store, c.id) == len(points.standing(store.merknad_points(c.id), store.all_inputs(c.id)))


def test_every_consultation_is_in_the_overview_and_each_counts_only_its_own(store, hearing):
    c, kari = hearing
    other = make_consultation(
        "annen", stage=Stage.OFFENTLIG_ETTERSYN, case_number="24/99", opens_at=c.opens_at, closes_at=c.closes_at
    )
    store.add_consultation(other)
    _two_innsigelser(store, _letter(store, c.id, kari), kari)
    counts = objections.overview(store)
    assert counts[c.id][0] == 2 and counts["annen"] == (0, 0)


def test_the_staff_overview_shows_the_innsigelse_points_still_standing(staff_app_db):
    path, ids = staff_app_db
    slemmestad = "slemmestad-detaljregulering-kai"
    store = app_store(path)
    kari = store.get_user(ids["kari"])
    before = objections.overview(store)[slemmestad][0]  # the demo: Statsforvalteren's b, opprettholdt
    _two_innsigelser(store, _letter(store, slemmestad, kari, name="Statens vegvesen"), kari)
    at = open_page("pages/saksbehandling.py", ids["kari"])
    assert not at.exception
    counts = next(d for d in at.dataframe).value.set_index("ID")
    assert counts.at[slemmestad, "Uløste innsigelser"] == before + 2
    review = open_page("pages/gjennomgang.py", ids["kari"], slemmestad)  # the review page agrees
    warnings = " ".join(str(w.value) for w in review.warning)
    assert f"{before + 2} uløste innsigelser" in warnings or f"{before + 2} innsigelser står" in warnings
