"""Hostile input is refused with the one-line message, never a traceback (security findings
N7 and N8 of the second attack)."""

from __future__ import annotations

import pytest

from consultations.outputs import archive
from consultations import geo
from consultations.errors import InvalidDrawing, InvalidInput
from consultations.model import InputDraft, Shape, reference
from consultations.store import Store
from consultations.participation.submission import submit_input
from tests.conftest import BORGEN_SQUARE, NOW, make_consultation
from tests.helpers_archive import CID, add, formal, receipt, run

DEPTH = 100_000


def with_entity(xml: bytes, key: str) -> bytes:
    """``xml`` with a DOCTYPE declaring an internal entity that spells ``key``, used where
    the key was: still schema-valid once expanded, but lxml (entities left unresolved, as
    they must be) cannot validate a tree holding an entity reference."""
    head, rest = xml.split(b"\n", 1)
    doctype = f'<!DOCTYPE arkivmeldingKvittering [<!ENTITY key "{key}">]>'.encode()
    return head + b"\n" + doctype + b"\n" + rest.replace(key.encode(), b"&key;")


def test_a_receipt_with_an_entity_reference_is_refused_in_one_line(store_location, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KARTINNSPILL_DB", str(store_location))
    monkeypatch.setenv("KARTINNSPILL_SECRET", "test-secret-" + "x" * 32)
    monkeypatch.chdir(tmp_path)
    store = Store.open(store_location)
    store.add_consultation(formal())
    first = add(store)
    store.close()
    hostile = with_entity(receipt(reference(first)), reference(first))
    with pytest.raises(archive.InvalidArchive) as refused:
        archive.read_receipt(hostile)
    assert refused.value.key == "archive.receipt_invalid"
    (tmp_path / "entity.xml").write_bytes(hostile)
    code, out, err = run(capsys, "archive-receipt", "--consultation", CID, str(tmp_path / "entity.xml"))
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    store = Store.open(store_location)
    assert store.archive_records(CID) == {} or store.archive_records(CID)[first].journalpost_number is None
    store.close()


def deep_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "drawing",
    [
        '{"type": "LineString", "coordinates": ' + "[" * DEPTH + "]" * DEPTH + "}",
        "[" * DEPTH + "]" * DEPTH,
        {"type": "LineString", "coordinates": deep_list(DEPTH)},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": deep_list(DEPTH)}},
    ],
    ids=["json-coordinates", "json-array", "dict-coordinates", "feature-polygon"],
)
def test_a_drawing_nested_100000_deep_is_refused_as_unreadable(drawing):
    with pytest.raises(InvalidDrawing) as refused:
        geo.read_drawing(drawing, (Shape.LINE, Shape.AREA), BORGEN_SQUARE)
    assert refused.value.key == "drawing.unreadable"


def test_a_resident_s_deeply_nested_drawing_is_refused_with_the_message_and_nothing_stored(store):
    c = make_consultation(shapes=(Shape.POINT, Shape.LINE, Shape.AREA))
    store.add_consultation(c)
    nested = '{"type": "LineString", "coordinates": ' + "[" * DEPTH + "]" * DEPTH + "}"
    draft = InputDraft(c.categories[0], "Et innspill om stien langs bekken.", drawing=nested)
    with pytest.raises(InvalidInput) as refused:
        submit_input(store, c.id, draft, session="s", now=NOW)
    assert refused.value.key == "drawing.unreadable"
    assert store.all_inputs(c.id) == []
