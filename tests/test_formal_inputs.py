"""Inputs in a formal høring: long merknader, whole letters, and every sender group."""

from __future__ import annotations

import pytest

from consultations.errors import InvalidInput
from consultations.i18n import t
from consultations.model import Channel, InputDraft, PlanType, SenderType, Stage
from consultations.participation.submission import check_content
from tests.conftest import make_consultation
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

FORMAL = make_consultation(
    plan_type=PlanType.DETALJREGULERING,
    stage=Stage.OFFENTLIG_ETTERSYN,
    plan_id="2024.07",
    case_number="24/1234",
)
EARLY = make_consultation()
CATEGORY = "Annet"


def accepted(consultation, n: int, channel: Channel) -> bool:
    draft = InputDraft(CATEGORY, "a" * n, whole_area=True)
    try:
        check_content(consultation, draft, channel)
    except InvalidInput as exc:
        assert exc.key == "input.text_long"
        return False
    return True


def test_a_letter_of_2951_characters_is_registered_whole():
    assert accepted(FORMAL, 2951, Channel.EMAIL)
    assert accepted(EARLY, 2951, Channel.LETTER)


def test_registered_letters_are_kept_up_to_about_a_megabyte():
    assert accepted(FORMAL, 1_000_000, Channel.LETTER)
    assert not accepted(FORMAL, 1_000_001, Channel.LETTER)


def test_web_merknad_in_a_formal_hearing_may_be_10000_characters():
    assert accepted(FORMAL, 10_000, Channel.WEB)
    assert not accepted(FORMAL, 10_001, Channel.WEB)


def test_early_innspill_on_the_web_stays_short():
    assert accepted(EARLY, 2000, Channel.WEB)
    assert not accepted(EARLY, 2001, Channel.WEB)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_sender_group_of_a_saksframlegg_has_a_name(lang):
    assert {s.value for s in SenderType} >= {
        "privatperson",
        "grunneier",
        "nabo",
        "organisasjon",
        "naeringsliv",
        "offentlig_myndighet",
        "annen_kommune",
        "intern",
    }
    for sender in SenderType:
        assert t(f"sender_type.{sender.value}", lang)
