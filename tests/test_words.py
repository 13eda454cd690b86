"""The words residents see: early medvirkning says «innspill», a formal høring «merknad»
and «høringsfrist»; counts use the plural forms; categories and questions in the
resident's language."""

from __future__ import annotations

import string
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from consultations.i18n import LANGUAGES, keys, t
from tests.conftest import BORGEN  # idéfase: early medvirkning

ASKER = "asker-sentrum-omraderegulering"  # offentlig ettersyn: formal høring
LOCALES = Path(__file__).resolve().parents[1] / "consultations" / "locales"


@pytest.fixture
def app(demo_app) -> AppTest:
    return demo_app


def _open(at: AppTest, cid: str, lang: str = "nb") -> AppTest:
    at.query_params["id"] = cid
    if lang != "nb":
        at.query_params["lang"] = lang
    return at.run()


def interface_texts(at: AppTest, cid: str) -> list[str]:
    """Every text the page shows, less what staff and residents wrote (the consultation's
    own texts and the inputs), which may say anything."""
    c = at.store().get_consultation(cid)
    written = [c.title, c.summary, c.body] + [i.text for i in at.store().all_inputs(cid)]
    shown = [
        *(e.value for kind in ("title", "header", "subheader", "markdown", "caption") for e in getattr(at, kind)),
        *(e.value for kind in ("success", "info", "warning", "error") for e in getattr(at, kind)),
        *(b.label for b in at.button),
        *(w.label for kind in ("text_area", "selectbox", "multiselect", "checkbox") for w in getattr(at, kind)),
        *(link.proto.label for link in at.get("page_link")),
    ]
    plain = lambda s: s.replace("\\", "").strip("*")
    return [s for s in shown if s and not any(plain(s) in w or w in plain(s) for w in written if w)]


# -- item 4: innspill in early medvirkning, merknad and høringsfrist in a formal høring -----


def test_early_medvirkning_page_says_innspill_and_never_hoering(app):
    at = _open(app.run(), BORGEN)
    assert not at.exception
    texts = interface_texts(at, BORGEN)
    assert not [s for s in texts if "høring" in s.lower()], [s for s in texts if "høring" in s.lower()]
    assert "Gi ditt innspill" in texts and "Send innspill" in texts and "Innspill fra andre" in texts
    assert any("frist for innspill" in s for s in texts)


def test_formal_hoering_page_says_merknad_in_heading_field_button_and_list(app):
    at = _open(app.run(), ASKER)
    assert not at.exception
    assert [s.value for s in at.subheader if s.value == "Gi merknad"]
    assert at.text_area(key=f"form-{ASKER}-text").label == "Din merknad"
    assert any(b.label == "Send merknad" for b in at.button)
    assert not any(b.label == "Send innspill" for b in at.button)
    assert "Merknader fra andre" in [s.value for s in at.subheader]
    assert any("publiserte merknader" in c.value for c in at.caption)
    assert any("høringsfrist" in s.value for s in at.success)


def test_formal_hoering_page_in_nynorsk_and_english_says_merknad_and_submission(app):
    at = _open(app.run(), ASKER, "nn")
    assert any(b.label == "Send merknad" for b in at.button)
    at = _open(app.run(), ASKER, "en")
    assert any(b.label == "Send submission" for b in at.button)


def test_home_title_fits_both_modes_and_each_card_uses_the_words_of_its_mode(app):
    at = app.run()
    assert at.title[0].value == "Si din mening om planer i kommunen"
    assert not any("høring" in h.value.lower() for h in at.header)
    links = {link.proto.query_string: link.proto.label for link in at.get("page_link")}
    assert links[f"id={BORGEN}"] == "Les mer og gi innspill"
    assert links[f"id={ASKER}"] == "Les mer og gi merknad"
    text = " ".join(m.value for m in at.markdown)
    assert "Frist for innspill:" in text and "Høringsfrist:" in text
    assert "merknader" in text


def test_every_formal_word_has_an_early_one_with_the_same_placeholders():
    for lang in LANGUAGES:
        formal = {k for k in keys(lang) if k.startswith("formal.")}
        assert formal, lang
        for key in formal:
            early = key.removeprefix("formal.")
            assert early in keys(lang), f"{lang}: {key} has no early form {early}"
            fields = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)
            assert fields(t(key, lang)) == fields(t(early, lang)), (lang, key)


# -- item 3: a number shown to a user goes through the plural forms ------------------------

# Placeholders that carry a count of things.
COUNTS = {"n", "total", "size", "shown", "located", "answered"}
# Keys that hold a count outside plural forms, and why that reads right in every language.
COUNT_OUTSIDE_PLURALS = {
    "area.unnamed": "{n} is a feature's number, not a count",
    "audit.shown": "shown only when there are more entries than one page holds (2 or more)",
    "audit.pages": "«({size} per page)», the page size",
    "dashboard.cell_tooltip": "«innspill» is the same in singular and plural; «Comments in this square: {n}»",
    "dashboard.compute_themes": "asked only above THEMES_AT_ONCE inputs",
    "dashboard.themes": "a count in brackets after a heading",
    "dashboard.duplicate_title": "a group of near duplicates has at least 2 inputs",
    "dashboard.who_help": "{n} is the privacy threshold, at least 2",
    "planning.map.caption": "«innspill» is invariant; «… with a point on the map: {n}»",
    "review_paging.map_caption": "«innspill» is invariant; «… with a point on the map: {n}»",
    "review_paging.page": "a page's range, «Innspill 1–100 av 2 400 · side 1 av 24»; «innspill» is invariant",
    "review_paging.compute_duplicates": "asked only above 1,000 inputs",
    "planning.detail.selected": "«innspill» is invariant; «Comments selected ({n})»",
    "planning.action.tagged": "«innspill» is invariant; «Comments tagged: {n}»",
    "planning.action.untagged": "«innspill» is invariant; «Comments affected: {n}»",
    "planning.response.progress": "«{answered} av {total} besvart»: no noun to agree with",
    "planning.response.replaces": "«{n} av dem»; «Already answered: {n} of them»",
    "exports.report.conduct_channel": "«{n} via {channel}»: no noun",
    "exports.report.hidden_note": "«innspill» is invariant; «… ({n})»",
    "exports.report.pending_note": "«innspill» is invariant; «… ({n})»",
    "exports.report.excluded_note": "«innspill» is invariant; «…: {n}»",
    "exports.report.theme_heading": "«innspill» is invariant; «(comments: {n})»",
    "exports.report.category_heading": "«innspill» is invariant; «(comments without a theme: {n})»",
    "consultation_form.area_orphans": "«innspill» is invariant; «some comments ({n})»",
    "builder.which_feature": "asked only when the file has 2 or more areas",
    "barnetrakk.print.pupils": "a class summary is made only for five pupils or more (TooFewPupils)",
    "barnetrakk.print.play_season": "a count in brackets after a heading",
    "barnetrakk.print.avoid_reason": "a count in brackets after a heading",
    "documents.download": "{size} is a file size in MB, not a count",
    "attachment.download": "{size} is a file size, not a count",
    "translated_labels.options_count": "a choice question has at least 2 options",
    "parties.unanswered": "«{n} av {total} høringsinstanser»: the noun agrees with the total",
    "import.bad_document": "«Dokument nr. {n}»: an ordinal, not a count",
    "photo.file": "«Bilde {n}»: the photo's number, not a count",
    "photo.alt": "«Hva viser bilde {n}?»: the photo's number; {max} a limit in characters",
    "classes.progress": "«Har sendt inn: 1 av 24 elever»: reads right for one; routes and places are figures after a colon",
    "classes.grade_n": "«{n}. trinn»: an ordinal (the school year), not a count",
    "classes.grade_vg": "«Vg{n}»: the name of a school year, not a count",
    "dashboard.routes_busiest": "«Flest streker gjennom én rute: {n}»: a figure after a colon",
    "context_layer.too_many": "«Filen har {n} objekter»: always more than the limit {max}, never one",
    "context_layer.too_detailed": "«{n} koordinatpunkter»: always more than the limit {max}, never one",
}


def _flat(table: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict) and not {"one", "other"} <= value.keys():
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _counted_strings() -> list[tuple[str, str, str]]:
    """(file, key, text) of every plain string (not a plural table) with a count in it."""
    found = []
    for path in sorted(LOCALES.glob("*/*.toml")):
        with path.open("rb") as f:
            for key, value in _flat(tomllib.load(f)).items():
                if not isinstance(value, str):
                    continue
                fields = {f for _, f, _, _ in string.Formatter().parse(value) if f}
                if fields & COUNTS:
                    found.append((f"{path.parent.name}/{path.name}", key, value))
    return found


def test_no_count_is_shown_outside_plural_forms_unless_it_reads_right_for_one():
    assert _counted_strings(), "the scan found nothing: is COUNTS right?"
    slips = [f"{file}: {key} = {text!r}" for file, key, text in _counted_strings() if key not in COUNT_OUTSIDE_PLURALS]
    assert not slips, "use a plural table and tn():\n" + "\n".join(slips)


def test_supports_read_as_people_who_support_it_never_as_votes_in_every_language():
    from consultations.i18n import tn

    assert tn("list.supports", 0, "nb") == "Ingen støtter dette ennå"
    assert tn("list.supports", 1, "nb") == "1 person støtter dette"
    assert tn("list.supports", 2, "nb") == "2 personer støtter dette"
    assert tn("list.supports", 1, "nn") == "1 person støttar dette"
    assert tn("list.supports", 4, "nn") == "4 personar støttar dette"
    assert tn("list.supports", 1, "en") == "1 person supports this"
    assert tn("list.supports", 3, "en") == "3 people support this"


# -- item 1: Streamlit's own words -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_streamlit_text_has_a_translation_and_every_pattern_compiles(lang):
    import re

    from consultations.ui.framework_text import EXACT, PATTERNS, texts

    exact, patterns = texts(lang)
    for english, key in EXACT.items():
        assert f"framework.{key}" in keys(lang)
        if lang != "en":
            assert exact[english] != english, english
    for (pattern, _), (_, replacement) in zip(PATTERNS, patterns, strict=True):
        re.compile(pattern.replace("(?<", "(?P<"))  # the same syntax JavaScript reads
        assert "$<label>" in replacement


def test_every_page_carries_the_script_that_turns_streamlits_words(app):
    at = app.run()
    bodies = [h.proto.body for h in at.get("html")]
    (script,) = [b for b in bodies if "kiFrameworkWords" in b]
    assert '"Skip to main content": "Gå til hovedinnholdet"' in script
    assert "<l" not in script  # Streamlit's sanitiser would drop the script


def test_a_refusal_on_an_early_page_never_says_hoering_and_a_formal_one_says_merknad():
    from consultations.errors import InvalidInput
    from consultations.model import Stage
    from consultations.ui.location import said as _said

    for key in ("input.closed", "input.not_open_yet", "input.category_unknown", "input.unknown_input"):
        early = _said(InvalidInput(key), Stage.IDEFASE, "nb")
        assert "høring" not in early.lower() and "innspill" in early.lower() or "kategori" in early.lower()
        formal = _said(InvalidInput(key), Stage.OFFENTLIG_ETTERSYN, "nb")
        assert "innspill" not in formal.lower()
    assert _said(InvalidInput("input.text_short", min=10), Stage.IDEFASE, "nb") == InvalidInput(
        "input.text_short", min=10
    ).message("nb")
