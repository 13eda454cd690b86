"""The merknadsbehandling's «Endringer i planforslaget etter offentlig ettersyn» (issue 21):
every change once — a felles vurdering's change once for all its points — with the § 12-14
line and the parties who asked for it: each point and its sender as the report may name
them (private persons by their sender type unless names are asked for), and the merknader
answered through one of them (duplicates)."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from consultations.casework import points, review
from consultations.model import Outcome, SenderType
from consultations.outputs.merknadsbehandling import build_report
from tests.conftest import NOW, formal_hearing, staff

CLOSES = NOW - timedelta(days=3)
SF = "Statsforvalteren i Oslo og Viken"
NEIGHBOUR, OTHER, COPY = "Nils Nabo", "Ola Nabo", "Kari Privat"
HEIGHTS = "Byggehøyden i B2 senkes med én etasje."
NOISE = "Støyskjerm langs kaia."


@pytest.fixture
def hearing(store):
    c, kari, letter = formal_hearing(store, "2025.14", CLOSES)

    ids = {
        "sf": letter("Vi fremmer innsigelse om støy.", SenderType.AUTHORITY, SF, objection="innsigelse"),
        "neighbour": letter("Eiendomsgrensen er feil. Byggene blir for høye.", SenderType.NEIGHBOUR, NEIGHBOUR),
        "other": letter("Byggene i B2 er for høye for strøket.", SenderType.NEIGHBOUR, OTHER),
        "copy": letter("Byggene i B2 er for høye for strøket!", SenderType.PRIVATE, COPY),
    }
    review.mark_duplicates(store, c.id, [ids["copy"]], ids["other"], kari)
    # Statsforvalteren's noise point changes the plan on its own (no new høring) …
    points.edit(
        store,
        ids["sf"],
        "a",
        points.PointEdit("Støy.", "Støy", "innsigelse", "Skjerm i § 7.", "tatt_til_folge", NOISE, False),
        kari,
    )
    # … and the two neighbours' heights point shares one felles vurdering, which needs one
    points.edit(store, ids["neighbour"], "a", points.PointEdit("Grensen er feil."), kari)
    points.split(store, ids["neighbour"], kari)
    points.answer_group(
        store,
        [(ids["neighbour"], "b"), (ids["other"], "a")],
        "Høydene senkes.",
        Outcome.PARTLY,
        HEIGHTS,
        kari,
        new_hearing=True,
    )
    return c, ids


def _changes(store, c, **kw) -> list[list[str]]:
    """The rows of the «Endringer …» table, below its header."""
    document = docx.Document(io.BytesIO(build_report(store, c.id, now=NOW, **kw)))
    table = next(t for t in document.tables if [cell.text for cell in t.rows[0].cells][:2] == ["Punkt", "Endring"])
    assert [cell.text for cell in table.rows[0].cells] == ["Punkt", "Endring", "§ 12-14", "Berørte parter"]
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


def ref(input_id: int) -> str:
    return f"KI-{input_id:06d}"


def test_each_change_is_listed_once_with_its_points_and_the_parties_who_asked_for_it(store, hearing):
    c, ids = hearing
    rows = _changes(store, c)
    assert len(rows) == 2  # the felles vurdering's change once, not once per point
    noise, heights = rows
    assert noise == [
        ref(ids["sf"]),
        NOISE,
        "Krever begrenset høring / nytt offentlig ettersyn: nei",
        f"{ref(ids['sf'])}: Regional eller statlig myndighet: {SF}",
    ]
    assert heights[0] == f"{ref(ids['neighbour'])} b\n{ref(ids['other'])}"
    assert heights[1:3] == [HEIGHTS, "Krever begrenset høring / nytt offentlig ettersyn: ja"]
    assert heights[3].split("\n") == [
        f"{ref(ids['neighbour'])} b: Nabo",
        f"{ref(ids['other'])}: Nabo",
        f"{ref(ids['copy'])} (samme som {ref(ids['other'])}): Privatperson",  # answered through it
    ]


def test_private_persons_are_named_among_the_parties_only_in_the_internal_version(store, hearing):
    c, _ = hearing
    public = "\n".join(cell for row in _changes(store, c) for cell in row)
    assert SF in public  # an authority's name is no personal data
    assert not any(name in public for name in (NEIGHBOUR, OTHER, COPY))
    internal = "\n".join(cell for row in _changes(store, c, include_names=True) for cell in row)
    assert all(f"Nabo: {name}" in internal for name in (NEIGHBOUR, OTHER)) and f"Privatperson: {COPY}" in internal


def test_a_point_whose_change_is_removed_leaves_the_list_and_its_parties_with_it(store, hearing):
    c, ids = hearing
    points.edit(
        store,
        ids["sf"],
        "a",
        points.PointEdit("Støy.", "Støy", "innsigelse", "Skjerm i § 7.", "tatt_til_folge", "", False),
        staff(store),
    )
    rows = _changes(store, c)
    assert [row[1] for row in rows] == [HEIGHTS]
    assert SF not in rows[0][3]
