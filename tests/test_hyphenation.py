"""Soft hyphens in headings' long words: where they go, in which language's rules, and
that they stay out of what is stored."""

from __future__ import annotations

import pytest

from consultations import compounds
from consultations.hyphenation import (
    MIN_LETTERS,
    SOFT_HYPHEN,
    soft_hyphens,
    without_soft_hyphens,
)

SHY = SOFT_HYPHEN


def shown(text: str) -> str:
    return text.replace(SHY, "|")


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_norwegian_compound_breaks_at_its_joints_not_inside_a_part(lang):
    assert shown(soft_hyphens("stasjonsområdet", lang)) == "stasjons|området"  # never «sta-sjons…»
    assert shown(soft_hyphens("Områderegulering", lang)) == "Område|regulering"
    assert shown(soft_hyphens("Sentrumsutviklingsområdet", lang)) == "Sentrums|utviklings|området"
    assert shown(soft_hyphens("Heggedalsveien", lang)) == "Heggedals|veien"  # the joint «s» stays left


@pytest.mark.parametrize(
    ("word", "split"),
    [
        ("tettstedsutvikling", "tettsteds|utvikling"),
        ("trafikksikkerheten", "trafikk|sikkerheten"),
        ("merknadsbehandling", "merknads|behandling"),
        ("medvirkningsrapport", "medvirknings|rapport"),
        ("kollektivtransport", "kollektiv|transport"),
        ("planprogrammet", "plan|programmet"),
        ("sykkelparkering", "sykkel|parkering"),
        ("overvannshåndtering", "overvanns|håndtering"),
    ],
)
def test_real_bokmal_compounds_split_into_their_words(word, split):
    assert compounds.available("nb")
    assert shown(soft_hyphens(word, "nb")) == split


def test_a_known_word_that_fits_a_line_and_a_word_no_dictionary_knows_keep_their_syllables():
    assert shown(soft_hyphens("informasjonen", "nb")) == "infor|ma|sjo|nen"  # no compound: syllables
    assert compounds.joints("stasjonene", "nb") == ()  # not «stas|jonene»


def test_short_words_numbers_and_codes_are_left_alone():
    text = "Borgen 2040 – idéfase for Asker sentrum, KI-000123 og planid 20250001234567"
    assert soft_hyphens(text, "nb") == text
    assert len("idéfase") < MIN_LETTERS


def test_the_text_reads_the_same_without_the_soft_hyphens_and_they_are_not_doubled():
    title = "Varsel om oppstart: Heggedal sentrum – tettstedsutvikling rundt stasjonen"
    once = soft_hyphens(title, "nb")
    assert once != title and without_soft_hyphens(once) == title
    assert soft_hyphens(once, "nb") == once


def test_english_text_follows_english_rules():
    assert shown(soft_hyphens("participation", "en")) == "par|ti|cip|a|tion"


def test_an_unknown_language_falls_back_to_bokmal():
    assert soft_hyphens("tettstedsutvikling", "de") == soft_hyphens("tettstedsutvikling", "nb")


def test_the_resident_page_shows_the_title_with_soft_hyphens_and_stores_it_without(
    demo_app,
):
    demo_app.query_params["id"] = "borgen-tettstedsutvikling"
    at = demo_app.run()
    (title,) = at.title
    assert shown(title.value).endswith("tettsteds|utvikling")
    stored = at.store().get_consultation("borgen-tettstedsutvikling").title
    assert SHY not in stored and without_soft_hyphens(title.value).endswith(stored.split("–")[-1].strip())


def test_an_untranslated_title_is_hyphenated_by_bokmal_rules_on_the_english_page(
    demo_app,
):
    demo_app.query_params["id"] = "borgen-tettstedsutvikling"  # the demo has no English title
    demo_app.query_params["lang"] = "en"
    at = demo_app.run()
    assert at.store().get_consultation("borgen-tettstedsutvikling").written_in("en") == "nb"
    assert shown(at.title[0].value).endswith("tettsteds|utvikling")  # English rules: tett|s|ted|…
