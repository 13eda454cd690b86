"""Soft hyphens in headings' long words: where they go, in which language's rules, and
that they stay out of what is stored."""

from __future__ import annotations

import pytest

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
def test_a_long_norwegian_compound_gets_soft_hyphens_at_its_syllables(lang):
    assert shown(soft_hyphens("tettstedsutvikling", lang)) == "tett|steds|ut|vik|ling"
    assert shown(soft_hyphens("Områderegulering", lang)) == "Område|re|gu|le|ring"


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
    assert soft_hyphens("tettstedsutvikling", "de") == soft_hyphens(
        "tettstedsutvikling", "nb"
    )


def test_the_resident_page_shows_the_title_with_soft_hyphens_and_stores_it_without(
    demo_app,
):
    demo_app.query_params["id"] = "borgen-tettstedsutvikling"
    at = demo_app.run()
    (title,) = at.title
    assert shown(title.value).endswith("tett|steds|ut|vik|ling")
    stored = at.store().get_consultation("borgen-tettstedsutvikling").title
    assert SHY not in stored and without_soft_hyphens(title.value).endswith(
        stored.split("–")[-1].strip()
    )


def test_an_untranslated_title_is_hyphenated_by_bokmal_rules_on_the_english_page(
    demo_app,
):
    demo_app.query_params["id"] = (
        "borgen-tettstedsutvikling"  # the demo has no English title
    )
    demo_app.query_params["lang"] = "en"
    at = demo_app.run()
    assert (
        at.store().get_consultation("borgen-tettstedsutvikling").written_in("en")
        == "nb"
    )
    assert shown(at.title[0].value).endswith(
        "tett|steds|ut|vik|ling"
    )  # English rules: tett|s|ted|…
