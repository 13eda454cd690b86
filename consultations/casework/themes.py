"""What inputs say: keywords per category, automatic themes, near-identical inputs.

Pure functions over ``Store.analysis_frame`` (columns ``id``, ``category``, ``text``).
Everything runs locally with scikit-learn and the Snowball Norwegian stemmer: no network,
no model download, the same result for the same input (fixed random state).

Words are lower-cased, stop words dropped and the rest stemmed, so "parkering",
"parkeringen" and "parkeringa" count as one term; a term is shown as the shortest word
that produced it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import snowballstemmer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

ALL = "*"  # the key of ``keywords(per_category=False)``
MAX_THEMES = 12
LSA_DIMENSIONS = 100
LSA_SMALL = 500  # inputs up to which themes cluster the TF-IDF rows without LSA
# Up to this many inputs themes come from Ward clustering: no random start, so no local
# optimum that leaves an input in the wrong theme; above it, k-means (Ward is O(n²)).
WARD_MAX = 2000
FIT_SAMPLE = 20_000
RANDOM_STATE = 0
_BLOCK = 500  # rows of near-duplicate candidates at a time: bounds memory, lets components skip

# Norwegian stop words. The first block is the Snowball project's Norwegian list (bokmål
# with nynorsk forms, revised by Jan Bruusgaard 2005; https://snowballstem.org/algorithms/
# norwegian/stop.txt, BSD licence). The second block was added here: nynorsk forms missing
# from it, modal verbs, adverbs and fillers that say nothing about a topic, and the words
# every consultation input uses ("innspill", "kommunen", "ønsker").
STOP_WORDS = frozenset(
    """
    og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg
    men ett har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man
    kan hans hvor eller hva skal selv sjøl her alle vil bli ble blei blitt kunne inn når
    være kom noen noe ville dere deres kun ja etter ned skulle denne for deg si sine sitt
    mot å meget hvorfor dette disse uten hvordan ingen din ditt blir samme hvilken hvilke
    sånn inni mellom vår hver hvem vors hvis både bare enn fordi før mange også slik vært
    båe begge siden dykk dykkar dei deira deires deim di då eg ein eit eitt elles honom
    hjå ho hoe henne hennar hennes hoss hossen ingi inkje korleis korso kva kvar kvarhelst
    kven kvi kvifor me medan mi mine mykje no nokon noka nokor noko nokre sia sidan so somt
    somme um upp vere vore verte vort varte vart

    òg berre difor derfor dersom viss kor heller ennå enno enda endå
    må måtte bør burde får få fått fekk gjør gjøre gjort gjer gjere gjorde gjorte går gå
    gikk gjekk sier seier sa sagt tror trur synes syns synest mener meiner tenker tenkjer
    veldig svært særlig særleg spesielt ganske litt lite mye mer meir mest mindre helt
    heilt hele heile nok jo vel altså uansett likevel allerede alltid aldri ofte kanskje
    gjerne dessuten dermed samt osv etc feks pga bl ca mtp ift evt ev andre annen annet
    anna anne sånne slike slikt sånt hit dit fram frem ting alt hei hallo takk mvh hilsen
    vennlig helsing venleg innspill innspel kommunen kommune kommuna ønsker ønskjer ønske
    ønsket langs flere fleire nye nytt stor store større bedre betre best bra fin fint
    fine viktig viktigere trenger treng trengs komme kommer kjem fikk ta tar la lar se ser
    sett stå står rett dag idag ute inne nær nærmere håper håpar eks lag lage lages laget
    rundt forbi gjennom bak foran under utenfor innenfor blant hos altfor bor bur bo
    """.split()
)
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_NOT_WORD = re.compile(r"[\W_]+")
_STREET = re.compile(r"(veien|vegen|veg|vei|gata|gaten|gate|stien|sti|bakken|lia|grenda|tunet|plassen)$")


@dataclass(frozen=True)
class Quote:
    input_id: int
    text: str


@dataclass(frozen=True)
class Theme:
    size: int
    terms: tuple[str, ...]  # most characteristic first
    quotes: tuple[Quote, ...]  # closest to the theme's centre, distinct texts
    input_ids: tuple[int, ...]


@dataclass(frozen=True)
class DuplicateGroup:
    size: int  # inputs in the group
    example: Quote  # the most common wording
    input_ids: tuple[int, ...]


class _Analyzer:
    """Text → stems, remembering the shortest word behind each stem (what planners read).
    One per call: its caches are only as large as that call's vocabulary."""

    def __init__(self, place_words: frozenset[str] = frozenset()) -> None:
        self._stemmer = snowballstemmer.stemmer("norwegian")
        self._stems: dict[str, str] = {}
        self._words: dict[str, str] = {}
        # a place name says where, not what: its word and every form of it are left out
        self._place_stems = frozenset(self._stemmer.stemWord(w) for w in place_words)

    def __call__(self, text: str) -> list[str]:
        stems = self._stems
        out = []
        for word in _TOKEN.findall(text.lower()):
            stem = stems.get(word)
            if stem is None:
                stem = self._stem(word)
            if stem:
                out.append(stem)
        return out

    def _stem(self, word: str) -> str:
        stem = ""
        if word not in STOP_WORDS and len(word) > 1 and not word.replace("-", "").isdigit():
            stem = self._stemmer.stemWord(word)
            if stem in self._place_stems:
                self._stems[word] = ""
                return ""
            shown = self._words.get(stem)
            if shown is None or (len(word), word) < (len(shown), shown):
                self._words[stem] = word
        self._stems[word] = stem
        return stem

    def word(self, stem: str) -> str:
        return self._words.get(stem, stem)


def _top(scores: np.ndarray, terms: np.ndarray, n: int, analyzer: _Analyzer) -> list[str]:
    """The ``n`` best-scoring terms as words, ties in alphabetical order (deterministic)."""
    order = np.lexsort((terms, -scores))
    return [analyzer.word(terms[i]) for i in order[:n] if scores[i] > 0]


# -- keywords ----------------------------------------------------------------------------


def keywords(frame: pd.DataFrame, per_category: bool = True, n: int = 8) -> dict[str, list[str]]:
    """The words that characterise each category (or, with ``per_category=False``, all
    inputs, under the key ``ALL``), categories with most inputs first.

    A term scores by the share of the group's inputs that use it, times its inverse
    document frequency over all inputs (c-TF-IDF): frequent in the group, rare elsewhere.
    A term must be used by two inputs of the group (one when the group has one input)."""
    if frame.empty:
        return {}
    analyzer = _Analyzer()
    counter = CountVectorizer(analyzer=analyzer, binary=True)
    try:
        used = counter.fit_transform(frame["text"].fillna("")).tocsr()
    except ValueError:  # no word left after the stop words
        return {}
    terms = counter.get_feature_names_out()
    groups = frame["category"] if per_category else pd.Series(ALL, index=frame.index)
    codes, names = pd.factorize(groups.fillna(""))
    members = csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(names), len(codes)))
    per_group = (members @ used).toarray()  # inputs in the group that use the term
    sizes = np.bincount(codes, minlength=len(names))
    n_docs = used.shape[0]
    idf = np.log((1 + n_docs) / (1 + np.asarray(used.sum(axis=0)).ravel())) + 1
    result = {}
    for g in sorted(range(len(names)), key=lambda g: (-sizes[g], str(names[g]))):
        counts = per_group[g]
        scores = np.where(counts >= min(2, sizes[g]), counts / sizes[g] * idf, 0.0)
        result[str(names[g])] = _top(scores, terms, n, analyzer)
    return result


# -- themes ------------------------------------------------------------------------------


def theme_count(n_inputs: int) -> int:
    """How many themes for ``n_inputs``: √(n/2), at least 2, at most ``MAX_THEMES``."""
    return max(2, min(MAX_THEMES, round(math.sqrt(n_inputs / 2))))


def themes(
    frame: pd.DataFrame,
    n_themes: int | None = None,
    *,
    n_terms: int = 6,
    n_quotes: int = 3,
    random_state: int = RANDOM_STATE,
    place_words: frozenset[str] = frozenset(),
) -> list[Theme]:
    """Groups of inputs that say similar things, largest first.

    TF-IDF over stemmed words (stop words and ``place_words`` out: ``place_stop_words``),
    reduced to 100 dimensions (LSA) for more than 500 inputs, then ``n_themes`` clusters
    (default ``theme_count``): Ward's hierarchical clustering up to 2,000 inputs, k-means above (each input finally going to
    the centre of highest cosine). Each theme has its top terms (from the members' mean
    TF-IDF) and, as quotes, the members closest to its centre. Inputs with no content word
    (only stop words, or only words no other input uses) are in no theme."""
    if frame.empty:
        return []
    ids = frame["id"].to_numpy()
    texts = frame["text"].fillna("").to_numpy()
    analyzer = _Analyzer(place_words)
    large = len(frame) >= 50  # below that, one-off words are all there is to go on
    vectorizer = TfidfVectorizer(
        analyzer=analyzer,
        min_df=2 if large else 1,
        max_df=0.5 if large else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        weights = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no word left after the stop words
        return []
    terms = vectorizer.get_feature_names_out()
    has_words = np.flatnonzero(weights.getnnz(axis=1))
    weights, ids, texts = weights[has_words], ids[has_words], texts[has_words]
    n = len(has_words)
    k = min(n_themes or theme_count(n), n)
    # Beyond FIT_SAMPLE inputs, LSA and k-means learn from a fixed sample and every input
    # is then placed by cosine: their cost stops growing with the number of inputs.
    fit_rows = np.sort(np.random.default_rng(random_state).permutation(n)[:FIT_SAMPLE])
    # One BLAS thread: LSA and k-means++ work on thin dense blocks, where more threads gain
    # little and, on a busy server, cost up to ten times as much (measured: SVD of 20k
    # inputs 4.3 s with two threads under load, 0.4 s with one).
    with threadpool_limits(1, user_api="blas"):
        space = _unit_vectors(weights, fit_rows, random_state)
        labels = _clusters(space, k, fit_rows, random_state)
    found = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centre = space[members].mean(axis=0)
        closeness = space[members] @ centre
        found.append(
            Theme(
                size=len(members),
                terms=tuple(_top(np.asarray(weights[members].mean(axis=0)).ravel(), terms, n_terms, analyzer)),
                quotes=_quotes(members[np.argsort(-closeness, kind="stable")], ids, texts, n_quotes),
                input_ids=tuple(int(i) for i in ids[members]),
            )
        )
    return sorted(found, key=lambda t: (-t.size, t.input_ids[0]))


def _unit_vectors(weights: csr_matrix, fit_rows: np.ndarray, random_state: int) -> np.ndarray:
    """The inputs as dense unit vectors to cluster: reduced by LSA to ``LSA_DIMENSIONS``
    when there are many inputs and terms (faster k-means, related words closer), else the
    TF-IDF rows themselves (LSA on few inputs drops what makes one input differ)."""
    if weights.shape[0] <= LSA_SMALL or weights.shape[1] <= LSA_DIMENSIONS:
        return normalize(weights).toarray()
    lsa = TruncatedSVD(LSA_DIMENSIONS, random_state=random_state).fit(weights[fit_rows])
    return normalize(lsa.transform(weights))


def _clusters(space: np.ndarray, k: int, fit_rows: np.ndarray, random_state: int) -> np.ndarray:
    """A theme number per input: Ward up to ``WARD_MAX`` inputs, k-means above."""
    if k < 2:
        return np.zeros(len(space), dtype=int)
    if len(space) <= WARD_MAX:
        return AgglomerativeClustering(k, linkage="ward").fit_predict(space)
    clusters = KMeans(k, n_init=3, random_state=random_state).fit(space[fit_rows])
    # Each input to the centre it is most alike in direction (cosine): by plain distance
    # an input unlike every theme would go to the most spread-out one.
    return np.argmax(space @ normalize(clusters.cluster_centers_).T, axis=1)


def _quotes(ranked: np.ndarray, ids: np.ndarray, texts: np.ndarray, n: int) -> tuple[Quote, ...]:
    """The first ``n`` distinct texts in ``ranked`` order (a campaign fills one slot)."""
    quotes, seen = [], set()
    for i in ranked:
        key = _normalised(texts[i])
        if key not in seen:
            seen.add(key)
            quotes.append(Quote(int(ids[i]), str(texts[i])))
            if len(quotes) == n:
                break
    return tuple(quotes)


def place_stop_words(names: Iterable[str]) -> frozenset[str]:
    """The words of place and street names («Asker sentrum», «Borgenveien 12» → asker,
    sentrum, borgenveien), lower-cased, numbers out: for ``themes(place_words=…)``, so
    machine word-groups are about what was said, not where («borgen, sentrum, asker»)."""
    words = set()
    for name in names:
        for word in _TOKEN.findall(str(name).lower()):
            if len(word) > 2 and not word.replace("-", "").isdigit():
                words.add(word)
                # «Bondivannsveien» names Bondivann too: the street's first part is a place
                if (stem := _STREET.sub("", word)) != word and len(stem) > 2:
                    words.update((stem, stem.removesuffix("s")))
    return frozenset(words)


# -- near-duplicates ---------------------------------------------------------------------


def _normalised(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).strip()


def near_duplicates(frame: pd.DataFrame, threshold: float = 0.9) -> list[DuplicateGroup]:
    """Groups of near-identical inputs (campaigns, copy-paste), largest first.

    Texts equal after lower-casing and dropping punctuation are one wording. Two wordings
    are linked when the cosine of their word sets, ``common / √(|a|·|b|)``, is at least
    ``threshold`` (0.9: one word in ten added, dropped or changed); a group is everything
    linked directly or through others, so a chain of small edits stays one group. Only
    groups of two or more inputs are returned."""
    if frame.empty:
        return []
    wording, wordings = pd.factorize(frame["text"].fillna("").map(_normalised))
    _, group_of = connected_components(_similar_wordings(wordings, threshold), directed=False)
    group = group_of[wording]
    ids = frame["id"].to_numpy()
    texts = frame["text"].to_numpy()
    found = []
    for members in pd.Series(np.arange(len(group))).groupby(group).groups.values():
        members = np.asarray(members)
        if len(members) < 2 or not wordings[wording[members[0]]]:
            continue
        counts = np.bincount(wording[members])
        first = members[wording[members] == np.argmax(counts)][0]  # the most common wording
        found.append(
            DuplicateGroup(
                size=len(members),
                example=Quote(int(ids[first]), str(texts[first])),
                input_ids=tuple(int(i) for i in ids[members]),
            )
        )
    return sorted(found, key=lambda d: (-d.size, d.input_ids[0]))


def _similar_wordings(wordings: pd.Index, threshold: float) -> csr_matrix:
    """A graph over wordings whose connected components are the groups of word sets
    linked at cosine ≥ ``threshold`` (it keeps only the links that join components).

    Prefix filtering (Bayardo, Ma & Srikant, "Scaling up all pairs similarity search",
    WWW 2007) avoids comparing all pairs: with each set's words ordered rarest first, two
    sets of cosine ≥ t share a word among the first ``|x| − ⌈t²·|x|⌉ + 1`` words of each.
    Only pairs sharing such a word are candidates; a block of rows at a time, candidates
    already in one component are skipped and the rest get their exact cosine."""
    n = len(wordings)
    words = CountVectorizer(analyzer=str.split, binary=True, dtype=np.int32)
    try:
        sets = words.fit_transform(wordings).tocsr()
    except ValueError:  # only empty wordings
        return csr_matrix((n, n))
    rarity = np.empty(sets.shape[1], dtype=np.int32)
    rarity[np.argsort(sets.getnnz(axis=0), kind="stable")] = np.arange(sets.shape[1])
    sets = csr_matrix((sets.data, rarity[sets.indices], sets.indptr), shape=sets.shape)
    sets.sort_indices()  # each row's words rarest first
    sizes = np.diff(sets.indptr)
    squared = threshold * threshold  # cosine ≥ t needs t²·|x| ≤ |y| and that many shared words
    prefix = sizes - np.ceil(squared * sizes - 1e-9).astype(np.int64) + 1
    position = np.arange(sets.nnz) - np.repeat(sets.indptr[:-1], sizes)
    in_prefix = position < np.repeat(prefix, sizes)
    prefixes = csr_matrix(
        (
            np.ones(in_prefix.sum(), dtype=np.int32),
            (np.repeat(np.arange(n), sizes)[in_prefix], sets.indices[in_prefix]),
        ),
        shape=sets.shape,
    )
    prefixes_t = prefixes.T.tocsr()
    component = np.arange(n)
    links_a, links_b = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for start in range(0, n, _BLOCK):
        candidates = (prefixes[start : start + _BLOCK] @ prefixes_t).tocoo()
        a, b = candidates.row.astype(np.int64) + start, candidates.col.astype(np.int64)
        smaller, larger = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        open_ = (a < b) & (component[a] != component[b]) & (smaller >= squared * larger - 1e-9)
        a, b = a[open_], b[open_]
        if not len(a):
            continue
        common = np.asarray(sets[a].multiply(sets[b]).sum(axis=1)).ravel()
        linked = common >= threshold * np.sqrt(sizes[a].astype(float) * sizes[b]) - 1e-9
        links_a.append(a[linked])
        links_b.append(b[linked])
        graph = _graph(links_a, links_b, n)
        component = connected_components(graph, directed=False)[1]
    return _graph(links_a, links_b, n)


def _graph(a: list[np.ndarray], b: list[np.ndarray], n: int) -> csr_matrix:
    a_all, b_all = np.concatenate(a), np.concatenate(b)
    return csr_matrix((np.ones(len(a_all), dtype=np.int8), (a_all, b_all)), shape=(n, n))
