"""Identified merknader in a formal høring: name and address or gnr/bnr, as the profile asks
(may or must), kept for the case file and never in public views; early medvirkning stays
anonymous."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from consultations.config import load_profile
from consultations.errors import ConfigError, InvalidInput
from consultations.outputs.export import input_table
from consultations.model import Identification, InputDraft, PlanType, Stage
from consultations.participation.submission import submit_input
from tests.conftest import NOW, make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

CATEGORY = "Annet"
TEXT = "Vi er naboer og ber om at byggehøyden senkes mot Borgenveien."


@pytest.fixture
def formal(store):
    c = make_consultation(
        "formal",
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        plan_id="2024.07",
        case_number="24/1234",
    )
    store.add_consultation(c)
    return c


def draft(text: str = TEXT, **identity) -> InputDraft:
    return InputDraft(CATEGORY, text, whole_area=True, **identity)


def send(store, c, d, session="s1", **kw):
    return submit_input(store, c.id, d, session=session, now=NOW, **kw)


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_formal_merknad_keeps_name_address_and_gnr_bnr_for_planners(store, formal):
    stored = send(
        store,
        formal,
        draft(sender_name=" Kari Nordmann ", sender_address="Borgenveien 2, 1388 Borgen", sender_property="12 / 345"),
    )
    again = store.get_input(stored.id)
    assert (again.sender_name, again.sender_address, again.sender_property) == (
        "Kari Nordmann",
        "Borgenveien 2, 1388 Borgen",
        "12/345",
    )


def test_a_formal_merknad_may_be_sent_without_a_name_when_the_profile_says_may(store, formal):
    stored = send(store, formal, draft(), identification=Identification.MAY)
    assert store.get_input(stored.id).sender_name is None


def test_profile_must_refuses_a_formal_merknad_without_name_and_stores_nothing(store, formal):
    with pytest.raises(InvalidInput) as refused:
        send(store, formal, draft(), identification=Identification.MUST)
    assert refused.value.key == "identity.required"
    assert store.all_inputs(formal.id) == []


@pytest.mark.parametrize(
    "identity, key",
    [
        (dict(sender_name="Kari Nordmann"), "identity.where_missing"),
        (dict(sender_address="Borgenveien 2"), "identity.name_missing"),
        (dict(sender_property="12/345"), "identity.name_missing"),
        (dict(sender_name="Kari", sender_property="12-345"), "identity.property_invalid"),
        (dict(sender_name="Kari", sender_address="x" * 201), "identity.address_long"),
    ],
)
def test_half_an_identity_is_refused_with_the_reason_and_nothing_is_stored(store, formal, identity, key):
    with pytest.raises(InvalidInput) as refused:
        send(store, formal, draft(**identity))
    assert refused.value.key == key
    assert store.all_inputs(formal.id) == []


def test_a_name_with_only_gnr_bnr_is_enough_to_notify(store, formal):
    stored = send(
        store, formal, draft(sender_name="Ola", sender_property="12/345/0/2"), identification=Identification.MUST
    )
    assert store.get_input(stored.id).sender_property == "12/345/0/2"


def test_early_medvirkning_stays_anonymous_even_when_a_name_is_sent(store, consultation):
    stored = send(
        store,
        consultation,
        draft(sender_name="Kari", sender_address="Borgenveien 2"),
        identification=Identification.MUST,
    )
    again = store.get_input(stored.id)
    assert (again.sender_name, again.sender_address, again.sender_property) == (None, None, None)


def test_exports_have_address_and_gnr_bnr_only_when_names_are_asked_for(store, formal):
    send(store, formal, draft(sender_name="Kari", sender_address="Borgenveien 2", sender_property="12/345"))
    frame = store.analysis_frame(formal.id)
    plain = input_table(frame, formal)
    assert not {"avsender", "avsenderadresse", "gnr_bnr"} & set(plain.columns)
    named = input_table(frame, formal, include_names=True).iloc[0]
    assert (named["avsender"], named["avsenderadresse"], named["gnr_bnr"]) == ("Kari", "Borgenveien 2", "12/345")


def test_anonymising_removes_the_address_and_gnr_bnr_with_the_name(store, formal, ola):
    stored = send(store, formal, draft(sender_name="Kari", sender_address="Borgenveien 2", sender_property="12/345"))
    store.anonymise(formal.id, ola.username)
    again = store.get_input(stored.id)
    assert (again.sender_name, again.sender_address, again.sender_property) == (None, None, None)


def test_attachments_are_stored_with_the_merknad_and_deleted_with_it(store, formal, ola):
    stored = send(store, formal, draft(), files=[("kart.png", png()), ("foto.PNG", png((4, 4)))])
    files = store.attachments(stored.id)
    assert [(f.filename, f.media_type) for f in files] == [("kart.png", "image/png"), ("foto.PNG", "image/png")]
    store.delete_input(stored.id, ola.username, "ønsket av avsender")
    assert store.attachments(stored.id) == []
    assert store.attachment_content(files[0].id) is None


def test_a_fourth_attachment_is_refused_and_nothing_is_stored(store, formal):
    with pytest.raises(InvalidInput) as refused:
        send(store, formal, draft(), files=[(f"{i}.png", png()) for i in range(4)])
    assert refused.value.key == "attachment.too_many"
    assert store.all_inputs(formal.id) == []


def test_one_bad_attachment_refuses_the_merknad_and_stores_nothing(store, formal):
    with pytest.raises(InvalidInput) as refused:
        send(store, formal, draft(), files=[("kart.png", png()), ("virus.exe", b"MZ\x90\x00")])
    assert refused.value.key == "attachment.not_allowed"
    assert store.all_inputs(formal.id) == []


def test_early_medvirkning_takes_no_attachments(store, consultation):
    with pytest.raises(InvalidInput) as refused:
        send(store, consultation, draft(), files=[("kart.png", png())])
    assert refused.value.key == "attachment.not_here"
    assert store.all_inputs(consultation.id) == []


def test_asker_lets_residents_choose_and_a_profile_may_require_it(tmp_path, monkeypatch):
    from consultations import config

    assert load_profile("asker").identified_merknader == Identification.MAY
    text = (config.PROFILES / "asker.toml").read_text()
    for value, expected in (("must", Identification.MUST), ("always", None)):
        (tmp_path / "test.toml").write_text(
            text.replace('identified_merknader = "may"', f'identified_merknader = "{value}"')
        )
        monkeypatch.setattr(config, "PROFILES", tmp_path)
        if expected is None:
            with pytest.raises(ConfigError) as refused:
                load_profile("test")
            assert refused.value.key == "config.identified_invalid"
        else:
            assert load_profile("test").identified_merknader == expected
