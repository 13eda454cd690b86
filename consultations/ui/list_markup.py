"""The consultation page's list of published inputs as markup: one escaped HTML block an
input (category, text, photos, and the line with reference, date, place and supports),
written once per data version and language and shared by every session.

Each element a page run emits is work for Streamlit on every rerun (metrics, a message, its
queue, the websocket); the list was four elements an input (a bordered container, the
text, a caption, the button), the largest part of the page's script under load (issue 26).
Now it is this one block and the support button an input. What differs between sessions
(which inputs this one supports, whether the consultation still takes supports) stays out of
the block: it is the buttons' business.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ..participation import public
from ..casework.analysis import nearest_place
from ..participation.drawing import size_words
from ..i18n import format_date, t, tn
from ..model import Consultation
from ..store import Store
from ..text import escape_html
from .safe import photos_html, titled_text_html

_META_STYLE = "margin: 0; font-size: 0.875rem; color: #5f5d5a;"  # Streamlit's caption, at 4.5:1
_ITEM_STYLE = "border-top: 1px solid rgba(49, 51, 63, 0.2); padding-top: 0.75rem;"
NEAR_M = 1_500  # a named place further away than this says nothing about where it is


@dataclass(frozen=True)
class ListedInput:
    """One input of the list as every session shows it: its id (for the support button),
    its reference and its block of markup."""

    id: int
    reference: str
    html: str


def item_html(item: public.PublicInput, category: str, meta: str, photos: Sequence[public.PublicPhoto] = ()) -> str:
    """An input's block: the category (bold) over the resident's text, its photos, the
    line about it; every piece escaped (``escape_html``, the one path)."""
    strip = f'<div class="ki-photos">{photos_html(photos)}</div>' if photos else ""
    return (
        f'<div class="ki-item" style="{_ITEM_STYLE}">'
        f'{titled_text_html(category, item.text)}{strip}<p class="ki-meta" style="{_META_STYLE}">{escape_html(meta)}</p></div>'
    )


def item_meta(item: public.PublicInput, lang: str) -> str:
    """The input's reference, date, place and supports: one line."""
    meta = t("list.meta", lang, ref=item.reference, date=format_date(item.created_at, lang), where=where(item, lang))
    return f"{meta} · {tn('list.supports', item.supports, lang)}"


def where(item: public.PublicInput, lang: str) -> str:
    """Where an input is, in words: a line or an area with its size («strek, 1,2 km»), or a
    point, near a named place; or the whole area."""
    if not item.has_location:
        return t("list.whole_area", lang)
    place, distance = nearest_place(item.east, item.north)
    near = place is not None and distance is not None and distance <= NEAR_M
    if item.drawing is not None:
        size = size_words(item.shape, item.measure, lang)
        return t("list_where.drawn_near", lang, shape_size=size, place=place) if near else size
    if near:
        return t("list.near_place", lang, place=place)
    return t("list.in_map", lang)


# (data version, consultation id, language, categories chosen, how many) → the listed inputs.
# A plain dict like the map's (ui/maps.py). Versions only grow, so a list of an older one is
# never asked for again and goes when a newer one is written; within one version, past
# _KEPT_INPUTS inputs in all (filters and «Vis flere» lengths of many sessions) it starts over.
_LISTS: dict[tuple, tuple[ListedInput, ...]] = {}
_KEPT_INPUTS = 5_000
_WRITING = threading.Lock()


def listed(
    store: Store, consultation: Consultation, lang: str, chosen: Sequence[str], limit: int
) -> tuple[ListedInput, ...]:
    """The first ``limit`` published inputs (of the ``chosen`` categories), newest first, as
    markup: written once per data version (read before the data, so a list is never older
    than the version it is filed under), language, filter and length, then reused."""
    key = (store.data_version, consultation.id, lang, tuple(chosen), limit)
    found = _LISTS.get(key)
    if found is not None:
        return found
    with _WRITING:  # many sessions after one new input: one writes the list, the rest take it
        found = _LISTS.get(key)
        if found is not None:
            return found
        labels = consultation.labels(lang)
        photos = public.photos(store, consultation.id, lang)
        found = tuple(
            ListedInput(
                item.id,
                item.reference,
                item_html(item, labels.category(item.category), item_meta(item, lang), photos.get(item.id, ())),
            )
            for item in public.inputs(store, consultation.id, lang, chosen, limit=limit)
        )
        for old in [k for k in _LISTS if k[0] != key[0]]:
            del _LISTS[old]
        if sum(map(len, _LISTS.values())) + len(found) > _KEPT_INPUTS:
            _LISTS.clear()
        _LISTS[key] = found
    return found
