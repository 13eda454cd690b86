"""Keywords, themes and near-duplicates on small Norwegian sets whose answer is known."""

from __future__ import annotations

import json
import random

import pandas as pd

from consultations.casework import themes
from consultations.demo import CONTENT

PARKING = [
    "Det er altfor få parkeringsplasser ved nærsenteret, vi må kjøre rundt og lete etter parkering.",
    "Parkeringen ved butikken er full hver ettermiddag. Lag flere parkeringsplasser for bilene.",
    "Beboerparkering i Nedre Borgen er umulig å få, bilene parkerer på fortauet.",
    "Ikke fjern gateparkeringen langs Borgenveien, vi som bor her må kunne parkere bilen.",
    "Et parkeringshus under bakken ville løst parkeringsproblemet ved stasjonen.",
    "Innfartsparkeringen ved Bondivann stasjon er for liten, pendlerne parkerer i boliggatene.",
    "Gjesteparkering mangler i de nye boligprosjektene, besøkende parkerer bilen ulovlig.",
    "Avgiften på parkeringen ved legesenteret gjør det dyrt å parkere bilen for eldre.",
]
SCHOOL_ROAD = [
    "Skoleveien til Borgen skole mangler fortau, barna må gå i veibanen.",
    "Barna krysser Drammensveien uten lysregulert fotgjengerfelt på vei til skolen.",
    "Vi trenger fartsdumper på skoleveien, bilene kjører for fort når barna går til skolen.",
    "Foreldrekjøring ved skolen skaper farlige situasjoner for barna om morgenen.",
    "Skoleveien er mørk om vinteren, sett opp gatelys så barna på skoleveien blir sett.",
    "Det må bli trygt for barna å sykle til skolen, lag egen sykkelvei langs skoleveien.",
    "Anleggstrafikk forbi skolen i skoletiden er farlig for barna.",
    "Skolepatrulje og 30-sone rundt skolen ville gjort skoleveien tryggere for barna.",
]
GREEN = [
    "Ta vare på grøntområdet ved Bondivann, der går vi tur i skogen hver dag.",
    "Skogen mellom Vardåsen og Borgen må ikke bygges ned, den er et viktig grøntområde.",
    "Vi trenger flere parker og grøntområder med benker og trær i Borgen.",
    "Turstien rundt vannet bør rustes opp, og skogen rundt må bevares.",
    "Grøntdraget er viktig for fugler og dyr, ikke bygg boliger i skogen.",
    "Lag en park med blomster og trær ved innbyggertorget.",
    "Marka og turstiene er det beste med Borgen, bevar skogen og grøntområdene.",
    "Plant flere trær langs turveien og behold den åpne parken med grøntområder.",
]
CAMPAIGN = (
    "Vi som bor i Nedre Borgen sier nei til høyhus ved nærsenteret. Bevar grøntdraget mot "
    "Vardåsen og sørg for trygg skolevei før det bygges flere boliger i området."
)


def frame_of(groups: dict[str, list[str]], first_id: int = 1) -> pd.DataFrame:
    rows = [(category, text) for category, texts in groups.items() for text in texts]
    return pd.DataFrame(
        {
            "id": range(first_id, first_id + len(rows)),
            "category": [c for c, _ in rows],
            "text": [t for _, t in rows],
        }
    )


LABELLED = frame_of({"parkering": PARKING, "skolevei": SCHOOL_ROAD, "grønt": GREEN})


def _topic(input_ids: tuple[int, ...]) -> set[str]:
    return set(LABELLED.set_index("id").loc[list(input_ids), "category"])


# -- keywords ----------------------------------------------------------------------------


def test_keywords_per_category_are_its_own_stemmed_words_shown_as_words():
    got = themes.keywords(LABELLED, n=3)
    assert list(got) == ["grønt", "parkering", "skolevei"]  # same size: by name
    assert got["parkering"][0] == "parkere"  # parkere, parkerer → one term
    assert "skole" in got["skolevei"] and "barna" in got["skolevei"]
    assert "skogen" in got["grønt"]
    assert all(len(words) == 3 for words in got.values())


def test_keywords_leave_out_stop_words_and_words_only_one_input_uses():
    frame = frame_of(
        {"A": ["Det er ikke trygt her, og vi må gjøre noe.", "Det er ikke trygt, sier jeg.", "Fotballbane ønskes."]}
    )
    assert themes.keywords(frame) == {"A": ["trygt"]}
    assert themes.keywords(frame, per_category=False) == {themes.ALL: ["trygt"]}
    assert themes.keywords(frame.iloc[:0]) == {}


def test_stop_words_cover_bokmal_and_nynorsk():
    assert {"ikke", "ikkje", "jeg", "eg", "hva", "kva", "hvordan", "korleis", "berre"} <= themes.STOP_WORDS


# -- themes ------------------------------------------------------------------------------


def test_similar_inputs_land_in_the_same_theme():
    found = themes.themes(LABELLED)
    assert len(found) == themes.theme_count(24) == 3
    assert sorted(_topic(t.input_ids).pop() for t in found) == ["grønt", "parkering", "skolevei"]
    assert all(len(_topic(t.input_ids)) == 1 and t.size == 8 for t in found)


def test_a_theme_has_top_terms_and_quotes_from_its_own_inputs():
    for theme in themes.themes(LABELLED):
        topic = _topic(theme.input_ids).pop()
        assert 2 <= len(theme.quotes) <= 3
        assert {q.input_id for q in theme.quotes} <= set(theme.input_ids)
        assert len({q.text for q in theme.quotes}) == len(theme.quotes)
        expected = {"parkering": "parkere", "skolevei": "skole", "grønt": "skogen"}[topic]
        assert expected in theme.terms[:3]


def test_themes_are_the_same_every_time_and_in_any_input_order():
    assert themes.themes(LABELLED) == themes.themes(LABELLED)
    shuffled = themes.themes(LABELLED.sample(frac=1, random_state=3))
    assert {frozenset(t.input_ids) for t in shuffled} == {frozenset(t.input_ids) for t in themes.themes(LABELLED)}


def test_themes_of_few_or_empty_inputs():
    assert themes.themes(LABELLED.iloc[:0]) == []
    only_stop_words = frame_of({"A": ["Det er det.", "Og så?"]})
    assert themes.themes(only_stop_words) == []
    one = themes.themes(LABELLED.iloc[:1])
    assert len(one) == 1 and one[0].input_ids == (1,)
    assert [t.size for t in themes.themes(LABELLED, n_themes=2)] in ([16, 8], [15, 9], [14, 10])


# -- near-duplicates ---------------------------------------------------------------------


def _campaign(n: int, rng: random.Random) -> list[str]:
    """Copies of the campaign, each with a word added or changed, and its own case/punctuation."""
    extra = ["virkelig", "absolutt", "hele", "nye", "gamle", "fine"]
    copies = []
    for k in range(n):
        words = CAMPAIGN.split()
        if k % 2:
            words.insert(rng.randrange(len(words)), rng.choice(extra))
        else:
            words[rng.randrange(len(words))] = rng.choice(extra)
        text = " ".join(words)
        copies.append(text.upper() if k == 3 else text.replace(".", "!") if k == 5 else text)
    return copies


def test_a_campaign_of_slightly_varied_copies_is_one_group():
    copies = _campaign(20, random.Random(4))
    frame = frame_of({"parkering": PARKING, "kampanje": copies, "skolevei": SCHOOL_ROAD, "grønt": GREEN})
    groups = themes.near_duplicates(frame)
    assert len(groups) == 1
    group = groups[0]
    assert group.size == 20 and group.input_ids == tuple(range(9, 29))
    assert group.example.text in copies and group.example.input_id in group.input_ids


def test_copies_differing_only_in_case_and_punctuation_are_duplicates_and_half_alike_are_not():
    frame = frame_of(
        {
            "A": [
                "Trenger lysregulert fotgjengerfelt her!",
                "trenger lysregulert fotgjengerfelt her",
                "Trenger lysregulert fotgjengerfelt her...",
                "Trenger fartsdump og fotgjengerfelt her",
                "",
                "",
            ]
        }
    )
    groups = themes.near_duplicates(frame)
    assert [(g.size, g.input_ids, g.example.input_id) for g in groups] == [(3, (1, 2, 3), 1)]


def test_near_duplicates_finds_every_pair_a_full_comparison_finds():
    rng = random.Random(7)
    base = [item["text"] for item in json.loads(CONTENT.read_text("utf-8"))["inputs"]][:40]
    texts = []
    for _ in range(300):
        words = rng.choice(base).split()
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.5 and len(words) > 1:
                words.pop(rng.randrange(len(words)))
            else:
                words.insert(rng.randrange(len(words) + 1), rng.choice(["ja", "veldig", "Borgen", "nå"]))
        texts.append(" ".join(words))
    frame = frame_of({"A": texts})
    got = {g.input_ids for g in themes.near_duplicates(frame, threshold=0.85)}
    assert got == _all_pairs_groups(texts, 0.85)
    assert len(got) > 20


def _all_pairs_groups(texts: list[str], threshold: float) -> set[tuple[int, ...]]:
    """The reference: every pair compared, groups by union-find (ids start at 1)."""
    sets = [set(themes._normalised(t).split()) for t in texts]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if (
                sets[i]
                and sets[j]
                and len(sets[i] & sets[j]) >= threshold * (len(sets[i]) * len(sets[j])) ** 0.5 - 1e-9
            ):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i + 1)
    return {tuple(g) for g in groups.values() if len(g) > 1}
