"""Categories and questions in the resident's language on the pages (AppTest): the form, the
list, the map popups and the outcomes show the translated words; what is stored stays the
original, and the builder's translations tab edits them."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from consultations.model import Question, QuestionKind, Status
from consultations.text import escape_html, escape_markdown
from tests.conftest import PASSWORD, app_on_copy_of

BORGEN = "borgen-tettstedsutvikling"
ENGLISH_CATEGORIES = {
    "Trafikk og trafikksikkerhet": "Traffic and road safety",
    "Gange og sykkel": "Walking and cycling",
    "Kollektivtransport": "Public transport",
    "Grøntområder, natur og friluftsliv": "Green spaces, nature and outdoor life",
    "Strandsone og fjord": "Shoreline and fjord",
    "Bolig og fortetting": "Housing and densification",
    "Næring og handel": "Business and shops",
    "Sentrum og møteplasser": "Centre and meeting places",
    "Kulturminner og kulturmiljø": "Cultural heritage",
    "Barn og unge (lek, skolevei)": "Children and young people (play, way to school)",
    "Klima, flom og miljø": "Climate, flooding and environment",
    "Annet": "Other",
}
OFTEN = Question("q1", QuestionKind.SINGLE, "Hvor ofte er du på Borgen?", ("Daglig", "Ukentlig", "Sjelden"))
WHY = Question("q2", QuestionKind.MULTIPLE, "Hva gjør du der?", ("Handler", "Går tur"))
TRANSLATIONS = {
    "en": {
        "categories": ENGLISH_CATEGORIES,
        "questions": {
            "q1": {"text": "How often are you at Borgen?", "options": ["Daily", "Weekly", "Rarely"]},
            "q2": {"text": "What do you do there?", "options": ["Shopping", "Walking"]},
        },
    },
    "nn": {"categories": {"Annet": "Anna"}, "questions": {"q1": {"text": "Kor ofte er du på Borgen?"}}},
}


@pytest.fixture
def app(seeded, tmp_path, monkeypatch) -> AppTest:
    from consultations.ui import context

    at = app_on_copy_of(seeded, tmp_path, monkeypatch)
    store = at.store()
    c = store.get_consultation(BORGEN)
    store.update_consultation(replace(c, questions=(OFTEN, WHY), translations=TRANSLATIONS), "kari")
    yield at
    context._store.clear()


def resident_page(at: AppTest, lang: str) -> AppTest:
    at.query_params["id"] = BORGEN
    at.query_params["lang"] = lang
    return at.run()


def shown_category(at: AppTest) -> tuple[str, str]:
    """A category that published inputs on the page use: (original, English)."""
    used = next(i.category for i in at.store().published_inputs(BORGEN, [], limit=1))
    return used, ENGLISH_CATEGORIES[used]


def test_a_resident_who_chose_english_sees_categories_and_questions_in_english(app):
    at = resident_page(app, "en")
    assert not at.exception
    categories = list(ENGLISH_CATEGORIES.values())
    assert at.selectbox(key=f"form-{BORGEN}-category").options == categories
    often = at.radio(key=f"form-{BORGEN}-q-q1")
    assert (often.label, often.options) == ("How often are you at Borgen?", ["Daily", "Weekly", "Rarely"])
    why = at.multiselect(key=f"form-{BORGEN}-q-q2")
    assert (why.label, why.options) == ("What do you do there?", ["Shopping", "Walking"])
    assert at.multiselect(key=f"filter-{BORGEN}").options == categories  # the list's filter
    original, english = shown_category(at)
    blocks = " ".join(h.proto.body for h in at.get("html") if 'class="ki-text"' in h.proto.body)
    assert f"<strong>{escape_html(english)}</strong>" in blocks  # each listed input's heading
    assert f"<strong>{escape_html(original)}</strong>" not in blocks
    (script,) = [json.loads(e.proto.json_args)["script"] for e in at.get("component_instance")]
    assert json.dumps(english, ensure_ascii=False) in script  # the map popups' heading
    assert json.dumps(original, ensure_ascii=False) not in script


def test_nynorsk_shows_what_staff_translated_and_the_original_for_the_rest(app):
    at = resident_page(app, "nn")
    options = at.selectbox(key=f"form-{BORGEN}-category").options
    assert options[-1] == "Anna" and options[0] == "Trafikk og trafikksikkerhet"
    often = at.radio(key=f"form-{BORGEN}-q-q1")
    assert (often.label, often.options) == ("Kor ofte er du på Borgen?", ["Daglig", "Ukentlig", "Sjelden"])
    assert at.radio(key=f"form-{BORGEN}-q-q1").label != OFTEN.text
    assert at.multiselect(key=f"form-{BORGEN}-q-q2").label == WHY.text  # not translated


def test_bokmal_shows_the_originals(app):
    at = resident_page(app, "nb")
    assert at.selectbox(key=f"form-{BORGEN}-category").options == list(ENGLISH_CATEGORIES)
    assert at.radio(key=f"form-{BORGEN}-q-q1").options == list(OFTEN.options)


def test_an_input_sent_in_english_is_stored_under_the_original_category_and_options(app):
    at = resident_page(app, "en")
    category = at.selectbox(key=f"form-{BORGEN}-category")
    category.select_index(category.options.index("Other"))  # what the resident reads and picks
    often = at.radio(key=f"form-{BORGEN}-q-q1")
    often.set_value(OFTEN.options[often.options.index("Weekly")])
    why = at.multiselect(key=f"form-{BORGEN}-q-q2")
    why.set_value([WHY.options[why.options.index("Walking")]])
    text = "More benches along the path to the station, please, and better lighting."
    at.text_area(key=f"form-{BORGEN}-text").set_value(text)
    at.checkbox(key=f"form-{BORGEN}-whole_area").check()
    at.button[[b.label for b in at.button].index("Send comment")].click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (stored,) = [i for i in at.store().all_inputs(BORGEN) if i.text == text]
    assert stored.category == "Annet"
    assert stored.answers == {"q1": "Ukentlig", "q2": ["Går tur"]}


def test_residents_see_the_outcomes_under_the_category_in_their_language(app):
    store = app.store()
    c = store.get_consultation(BORGEN)
    store.update_consultation(replace(c, status=Status.CLOSED), "kari")
    store.set_responses_published(BORGEN, True, "kari")
    at = resident_page(app, "en")
    assert not at.exception
    original, english = shown_category(at)
    text = " ".join(m.value for m in at.markdown)
    assert "How the comments were handled" in " ".join(h.value for h in at.subheader)
    # the list and the outcomes both head each input with the English category
    assert f"**{escape_markdown(english)}**" in text
    assert f"**{escape_markdown(original)}**" not in text


def builder(at: AppTest) -> AppTest:
    """The builder for Borgen, logged in as a planner."""
    at.switch_page("pages/rediger.py")
    at.run()
    at.text_input[0].input("kari")
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    at.query_params["id"] = BORGEN
    return at.run()


def field(name: str) -> str:
    return f"builder-{BORGEN}-{name}"


def test_the_builder_shows_the_saved_translations_and_saves_changed_ones(app):
    at = builder(app)
    assert not at.exception
    assert at.text_input(key=field("en_category_Annet")).value == "Other"
    assert at.text_input(key=field("nn_question_q1")).value == "Kor ofte er du på Borgen?"
    assert at.text_input(key=field("en_options_q1")).value == "Daily; Weekly; Rarely"
    at.text_input(key=field("nn_category_Gange og sykkel")).input("Gonge og sykkel")
    at.text_input(key=field("nn_options_q1")).input("Dagleg; Kvar veke; Sjeldan")
    at.button(key=field("save")).click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    nynorsk = at.store().get_consultation(BORGEN).translations["nn"]
    assert nynorsk["categories"] == {"Annet": "Anna", "Gange og sykkel": "Gonge og sykkel"}
    assert nynorsk["questions"]["q1"] == {
        "text": "Kor ofte er du på Borgen?",
        "options": ["Dagleg", "Kvar veke", "Sjeldan"],
    }
    assert at.store().get_consultation(BORGEN).translations["en"] == TRANSLATIONS["en"]


def test_the_builder_refuses_translated_options_that_do_not_match_and_changes_nothing(app):
    at = builder(app)
    before = at.store().get_consultation(BORGEN)
    at.text_input(key=field("en_options_q1")).input("Daily; Weekly")
    at.button(key=field("save")).click()
    at.run()
    assert [e.value for e in at.error] == [
        (
            "Spørsmålet «Hvor ofte er du på Borgen?» har 3 svaralternativer, men oversettelsen (en) "
            "har 2. Oversett alle, i samme rekkefølge."
        )
    ]
    assert at.store().get_consultation(BORGEN) == before
