"""The medvirkningsrapport (Word, .docx) of an early-phase consultation (idéfase,
stedsanalyse, innspillsrunde): who took part, what was said, where, the answers to the
consultation's questions, and how the municipality will use it.

What it covers: every input received except those a planner hid (abuse, off-topic …; the
report says how many). Who took part is counted per person — a browser session, or an
input without one (a letter) alone — with every group under five shown as «< 5»
(``analysis.suppress_small``), as on the dashboard. Quotes come only from published inputs
and are masked for personal data (``public.masked``). Supports are no vote and appear
nowhere: no «most supported» list.

The map is drawn with matplotlib. Under it, the configured base map where its terms allow
a printed copy (Kartverket's open cache, CC BY 4.0, or the municipality's own tile URL);
never OpenStreetMap's tile servers (their usage policy is for interactive maps), and
nothing at all with ``KARTINNSPILL_TILES=none``: then the plan area and the points stand
on a neutral background.
"""

from __future__ import annotations

import io
import json
import math
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import shapely
from docx import Document
from docx.shared import Cm, Pt

from ..planning import activities
from ..casework import analysis, class_results, themes
from ..children import barnetrakk, classes
from . import charts, feedback
from .. import geo, word
from ..participation import places
from ..casework.class_results import cell_rings
from ..config import Municipality, TileLayer, load_settings
from ..errors import InvalidConsultation, NotFound
from .export import drawn_geometries, xml_safe
from ..i18n import DEFAULT_LANG, LOCAL_TZ, format_date, t, tn
from ..model import (
    AGE_GROUPS,
    RELATIONS,
    Channel,
    Consultation,
    InputStatus,
    QuestionKind,
    Role,
    User,
)
from ..permissions import require
from ..participation.public import masked
from ..store import Store
from ..text import clean_text, excerpt

USE_MAX = 5_000
QUOTES = 3
QUOTE_CHARS = 300
TEXT_ANSWER_EXAMPLES = 5
HOTSPOT_RADIUS_M = 200  # DBSCAN's reach; a hotspot is at most twice as wide (analysis.hotspots)
NEAR_M = 1_500  # as the resident list: a named place further away says nothing about where
# Base maps whose terms rule out a printed copy: OSMF's tile servers are for interactive
# maps only (https://operations.osmfoundation.org/policies/tiles/).
NOT_FOR_PRINT = ("tile.openstreetmap.org",)
TILE_SIZE = 256
MAP_TILES_ACROSS = 4  # ≈ 1,000 pixels of base map across the figure
TILE_TIMEOUT_S = 10
MERCATOR_HALF = 20037508.342789244  # half the width of the web-mercator world, in metres
_DEFAULT = object()


class InvalidUse(InvalidConsultation):
    """The text on how the inputs will be used was refused; nothing was stored."""


def set_use_of_input(store: Store, consultation_id: str, text: str | None, actor: User) -> str:
    """Staff write how the municipality will use what residents said; returns it as stored."""
    who = require(store, actor, Role.PLANNER)
    text = clean_text(text or "").strip()
    if len(text) > USE_MAX:
        raise InvalidUse("medvirkning.error.use_long", max=USE_MAX)
    store.set_use_of_input(consultation_id, text, who.username)
    return text


# -- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    shown: int | str  # «< 5» for a small group


def _shown(rows: Sequence[tuple[str, int]]) -> list[Count]:
    return [Count(label, analysis.suppress_small(n)) for label, n in rows]


def people(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per person: a session's inputs together (what they stated first), an input
    without a session alone. Columns ``person``, ``age_group``, ``relation``, ``channel``."""
    person = frame["session_hash"].where(frame["session_hash"].notna(), "input:" + frame["id"].astype(str))
    ordered = frame.assign(person=person).sort_values("id")
    return (
        ordered.groupby("person", sort=False)
        .agg(age_group=("age_group", "first"), relation=("relation", "first"), channel=("channel", "first"))
        .reset_index()
    )


def participation(frame: pd.DataFrame, lang: str) -> dict[str, list[Count]]:
    """Per person: age group, relation to the area, channel; per input: the area (the
    nearest named place within ``NEAR_M``, or the whole area)."""
    who = people(frame)
    not_stated = t("medvirkning.not_stated", lang)
    tables = {}
    for column, known, prefix in (("age_group", AGE_GROUPS, "age_group"), ("relation", RELATIONS, "relation")):
        counts = who[column].value_counts()
        rows = [(t(f"{prefix}.{k}", lang), int(counts.get(k, 0))) for k in known]
        rows += [(str(k), int(counts[k])) for k in sorted(set(counts.index) - set(known))]
        if missing := int(who[column].isna().sum()):
            rows.append((not_stated, missing))
        tables[column] = _shown(rows)
    channels = who["channel"].value_counts()
    tables["channel"] = _shown(
        [(t(f"channel.{c.value}", lang), int(channels[c.value])) for c in Channel if channels.get(c.value, 0)]
    )
    tables["area"] = _shown(_areas(frame, lang))
    return tables


def _areas(frame: pd.DataFrame, lang: str) -> list[tuple[str, int]]:
    places = analysis.load_places()
    names = []
    for east, north in zip(frame["east"], frame["north"], strict=True):
        if pd.isna(east):
            names.append(t("medvirkning.whole_area", lang))
            continue
        place, distance = analysis.nearest_place(float(east), float(north), places)
        names.append(
            place if place and distance is not None and distance <= NEAR_M else t("medvirkning.elsewhere", lang)
        )
    counts = pd.Series(names, dtype=object).value_counts()
    return [(str(name), int(n)) for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class Said:
    """A theme with its count and example quotes (masked, published inputs only)."""

    title: str
    count: int
    quotes: tuple[str, ...]


def _quotes(frame: pd.DataFrame, ids: Sequence[int], lang: str, include_names: bool) -> tuple[str, ...]:
    return feedback.masked_quotes(frame, ids, lang, include_names, QUOTES)


def planners_tags(frame: pd.DataFrame, lang: str, include_names: bool) -> list[Said]:
    """The tags planners gave inputs, most inputs first (machine themes: ``machine_clusters``)."""
    tagged = frame[["id", "tags"]].explode("tags").dropna(subset=["tags"])
    found = []
    for name, members in tagged.groupby("tags"):
        ids = [int(i) for i in members["id"]]
        found.append(Said(str(name), len(ids), _quotes(frame, ids, lang, include_names)))
    return sorted(found, key=lambda s: (-s.count, s.title))


def machine_clusters(
    frame: pd.DataFrame, lang: str, include_names: bool, place_words: frozenset[str] = frozenset()
) -> list[Said]:
    """Groups of inputs that use the same words (``themes.themes``), named by their terms;
    place and street names (``place_words``) are no such word."""
    found = []
    for cluster in themes.themes(frame[["id", "category", "text"]].reset_index(drop=True), place_words=place_words):
        quotes = _quotes(frame, [q.input_id for q in cluster.quotes] + list(cluster.input_ids), lang, include_names)
        found.append(Said(", ".join(cluster.terms), cluster.size, quotes))
    return found


@dataclass(frozen=True)
class QuestionSummary:
    text: str
    people: int  # who answered it
    counts: tuple[Count, ...]  # per option (choices, scale)
    examples: tuple[str, ...]  # short-text answers, masked


def question_answers(consultation: Consultation, frame: pd.DataFrame, lang: str) -> list[QuestionSummary]:
    """Each question's answers counted per person, not per input: a person who answered in
    several inputs counts once, with their latest answer."""
    person = frame["session_hash"].where(frame["session_hash"].notna(), "input:" + frame["id"].astype(str))
    latest: dict[str, dict[str, object]] = {}
    for who, raw in zip(person, frame["answers"], strict=True):  # the frame is oldest first
        answers = json.loads(raw) if isinstance(raw, str) else (raw or {})
        latest.setdefault(who, {}).update({k: v for k, v in answers.items() if v not in (None, "", [])})
    found = []
    for q in consultation.questions:
        given = [a[q.id] for a in latest.values() if q.id in a]
        if q.kind == QuestionKind.TEXT:
            examples = tuple(excerpt(masked(str(v), lang), QUOTE_CHARS) for v in given[:TEXT_ANSWER_EXAMPLES])
            found.append(QuestionSummary(q.text, len(given), (), examples))
            continue
        options = [str(v) for v in range(1, 6)] if q.kind == QuestionKind.SCALE else list(q.options)
        chosen = pd.Series(
            [str(v) for g in given for v in (g if isinstance(g, list) else [g])], dtype=object
        ).value_counts()
        counts = tuple(_shown([(o, int(chosen.get(o, 0))) for o in options]))
        found.append(QuestionSummary(q.text, len(given), counts, ()))
    return found


# -- the map ------------------------------------------------------------------------------


def _may_print(tiles: TileLayer | None) -> bool:
    return tiles is not None and urlparse(tiles.url).hostname not in NOT_FOR_PRINT


def _tile_xy(x: float, y: float, zoom: int) -> tuple[float, float]:
    """Web-mercator metres to fractional tile column and row at ``zoom``."""
    n = 2**zoom
    return (x + MERCATOR_HALF) / (2 * MERCATOR_HALF) * n, (MERCATOR_HALF - y) / (2 * MERCATOR_HALF) * n


def base_map(tiles: TileLayer, extent: tuple[float, float, float, float]) -> tuple[np.ndarray, tuple] | None:
    """The base map under ``extent`` (web-mercator metres) as one image and its extent, or
    ``None`` when a tile could not be fetched (no network, server down)."""
    from PIL import Image

    minx, miny, maxx, maxy = extent
    zoom = max(0, min(tiles.max_zoom, int(math.log2(MAP_TILES_ACROSS * 2 * MERCATOR_HALF / max(maxx - minx, 1)))))
    left, top = (math.floor(v) for v in _tile_xy(minx, maxy, zoom))
    right, bottom = (math.floor(v) for v in _tile_xy(maxx, miny, zoom))
    mosaic = np.zeros(((bottom - top + 1) * TILE_SIZE, (right - left + 1) * TILE_SIZE, 3), dtype=np.uint8)
    for row in range(top, bottom + 1):
        for column in range(left, right + 1):
            url = tiles.url.replace("{z}", str(zoom)).replace("{x}", str(column)).replace("{y}", str(row))
            request = urllib.request.Request(url, headers={"User-Agent": "Kartinnspill medvirkningsrapport"})
            try:
                with urllib.request.urlopen(request, timeout=TILE_TIMEOUT_S) as response:
                    tile = Image.open(io.BytesIO(response.read())).convert("RGB").resize((TILE_SIZE, TILE_SIZE))
            except (OSError, ValueError):  # URLError and a broken image are both OSErrors
                return None
            y0, x0 = (row - top) * TILE_SIZE, (column - left) * TILE_SIZE
            mosaic[y0 : y0 + TILE_SIZE, x0 : x0 + TILE_SIZE] = np.asarray(tile)
    size = 2 * MERCATOR_HALF / 2**zoom
    image_extent = (
        -MERCATOR_HALF + left * size,
        -MERCATOR_HALF + (right + 1) * size,
        MERCATOR_HALF - (bottom + 1) * size,
        MERCATOR_HALF - top * size,
    )
    return mosaic, image_extent


@dataclass(frozen=True)
class MapImage:
    png: bytes
    note: str  # what is under the points: the base map and its attribution, or why not


def map_axes(
    consultation: Consultation,
    x: np.ndarray,
    y: np.ndarray,
    tiles: TileLayer | None,
    lang: str,
    more: Sequence[float] | None = None,
):
    """A figure of the plan area (and the points ``x``, ``y`` and the bounds ``more``, web
    mercator, in view) on the base map where it may be printed: ``(figure, axes, note)``."""
    from matplotlib.figure import Figure

    area = geo.project_area(consultation.area, geo.WEB_MERCATOR)
    minx, miny, maxx, maxy = area.bounds
    if len(x):
        minx, miny = min(minx, float(np.min(x))), min(miny, float(np.min(y)))
        maxx, maxy = max(maxx, float(np.max(x))), max(maxy, float(np.max(y)))
    if more is not None:
        x0, y0, x1, y1 = more
        minx, miny, maxx, maxy = min(minx, x0), min(miny, y0), max(maxx, x1), max(maxy, y1)
    margin = max(maxx - minx, maxy - miny, 200) * 0.08
    extent = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    fig = Figure(figsize=(7, 6.2), dpi=150)
    ax = fig.add_subplot()
    ax.set_facecolor("#f2f2ee")  # neutral: no base map
    if not _may_print(tiles):
        note = t("medvirkning.map_no_base" if tiles is None else "medvirkning.map_base_not_for_print", lang)
    elif (drawn := base_map(tiles, extent)) is None:
        note = t("medvirkning.map_base_unavailable", lang)
    else:
        ax.imshow(drawn[0], extent=drawn[1], interpolation="bilinear")
        note = t("medvirkning.map_base", lang, attribution=_plain(tiles.attribution))
    for polygon in getattr(area, "geoms", [area]):
        ax.plot(*polygon.exterior.xy, color="#1f4e79", linewidth=1.5)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    return fig, ax, note


def _numbered(ax, spots: Sequence[object]) -> None:
    """Numbered rings at ``spots`` (anything with lat and lon), as the tables number them."""
    for number, spot in enumerate(spots, start=1):
        (hx,), (hy,) = geo.project_points(np.array([spot.lon]), np.array([spot.lat]), geo.WEB_MERCATOR)
        ax.scatter([hx], [hy], s=260, facecolors="none", edgecolors="black", linewidths=1.5)
        ax.annotate(str(number), (hx, hy), xytext=(7, 7), textcoords="offset points", fontsize=9, weight="bold")


def _png(fig) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def map_image(
    consultation: Consultation,
    frame: pd.DataFrame,
    hotspots: Sequence[analysis.Hotspot],
    tiles: TileLayer | None,
    lang: str,
) -> MapImage:
    """The plan area, every located input (pins as dots, drawn routes as lines, drawn areas
    as tinted outlines) and the numbered hotspots, in web mercator."""
    from matplotlib.collections import LineCollection, PolyCollection

    located = frame[frame["lon"].notna()]
    shapes = geo.project_geometries(drawn_geometries(located), geo.WEB_MERCATOR)
    pins = ~shapely.is_geometry(shapes)
    x, y = geo.project_points(
        located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float), geo.WEB_MERCATOR
    )
    more = shapely.total_bounds(shapes[~pins]) if (~pins).any() else None
    fig, ax, note = map_axes(consultation, x, y, tiles, lang, more)
    rings = [np.asarray(g.exterior.coords) for g in shapes[~pins] if g.geom_type == "Polygon"]
    lines = [np.asarray(g.coords) for g in shapes[~pins] if g.geom_type == "LineString"]
    if rings:
        ax.add_collection(
            PolyCollection(rings, facecolors=[(0.9, 0.49, 0.13, 0.2)], edgecolors=["#e67e22"], linewidths=1.2)
        )
    if lines:
        ax.add_collection(LineCollection(lines, colors=["#c0392b"], linewidths=1.4, alpha=0.6, capstyle="round"))
    ax.scatter(x[pins], y[pins], s=8, color="#c0392b", alpha=0.7, linewidths=0)
    _numbered(ax, hotspots)
    return MapImage(_png(fig), note)


CATEGORY_MAPS = 6  # the categories with most located inputs, each on a small map


def category_maps_image(consultation: Consultation, frame: pd.DataFrame) -> bytes | None:
    """Small maps, one per category with five located inputs or more (at most
    ``CATEGORY_MAPS``): the category's inputs in red over all others in grey, so where
    each topic lies can be seen apart. ``None`` when no category has five."""
    from matplotlib.figure import Figure

    located = frame[frame["lon"].notna()]
    counts = located["category"].value_counts()
    chosen = [str(k) for k in counts.index if counts[k] >= analysis.SMALL_GROUP][:CATEGORY_MAPS]
    if not chosen:
        return None
    x, y = geo.project_points(
        located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float), geo.WEB_MERCATOR
    )
    x, y = np.asarray(x), np.asarray(y)
    area = geo.project_area(consultation.area, geo.WEB_MERCATOR)
    rows = math.ceil(len(chosen) / 3)
    fig = Figure(figsize=(7, 2.5 * rows), dpi=150)
    for k, category in enumerate(chosen):
        ax = fig.add_subplot(rows, 3, k + 1)
        for polygon in getattr(area, "geoms", [area]):
            ax.plot(*polygon.exterior.xy, color="#1f4e79", linewidth=1)
        mine = (located["category"] == category).to_numpy()
        ax.scatter(x[~mine], y[~mine], s=4, color="#b0b0b0", linewidths=0)
        ax.scatter(x[mine], y[mine], s=10, color="#c0392b", linewidths=0)
        ax.set_title(f"{category} ({int(mine.sum())})", fontsize=7)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    return _png(fig)


def class_map_image(
    consultation: Consultation,
    cells: pd.DataFrame,
    crossings: Sequence[class_results.Crossing],
    tiles: TileLayer | None,
    lang: str,
) -> MapImage:
    """The pupils' routes as cells (darker: more routes) and the numbered dangerous spots."""
    from matplotlib.collections import PolyCollection

    fig, ax, note = map_axes(consultation, np.empty(0), np.empty(0), tiles, lang)
    if len(cells):
        rings = cell_rings(cells)
        x, y = geo.project_points(rings[..., 0].ravel(), rings[..., 1].ravel(), geo.WEB_MERCATOR)
        shade = 0.25 + 0.65 * cells["count"].to_numpy(dtype=float) / int(cells["count"].max())
        ax.add_collection(
            PolyCollection(
                np.stack([np.asarray(x), np.asarray(y)], axis=-1).reshape(rings.shape),
                facecolors=[(0.03, 0.32, 0.61, a) for a in shade],
                linewidths=0,
            )
        )
    _numbered(ax, crossings)
    return MapImage(_png(fig), note)


def _plain(attribution: str) -> str:
    """A tile layer's HTML attribution as text («&copy; <a …>Kartverket</a>» → «© Kartverket»)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", attribution)).strip()


# -- the document -------------------------------------------------------------------------


def build_medvirkning_report(
    store: Store,
    consultation_id: str,
    *,
    profile: Municipality,
    include_names: bool = False,
    lang: str = DEFAULT_LANG,
    tiles: TileLayer | None | object = _DEFAULT,
    now: datetime | None = None,
) -> bytes:
    """The medvirkningsrapport as .docx bytes; ``NotFound`` for an unknown consultation.
    ``tiles``: the base map (by default the configured one, ``KARTINNSPILL_TILES``)."""
    c = store.get_consultation(consultation_id)
    if c is None:
        raise NotFound("consultation_form.unknown", id=consultation_id)
    tiles = load_settings().tiles if tiles is _DEFAULT else tiles
    now = now or datetime.now(UTC)
    every = store.analysis_frame(consultation_id)
    hidden = every["status"] == InputStatus.HIDDEN.value
    frame = every[~hidden].reset_index(drop=True)
    m = lambda key, **kw: t(f"medvirkning.{key}", lang, **kw)

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(xml_safe(m("title", title=c.title)), level=0)
    _table(
        doc,
        [
            (m("municipality"), profile.name),
            (m("stage"), t(f"stage.{c.stage.value}", lang)),
            (m("period"), f"{format_date(c.opens_at, lang)} – {format_date(c.closes_at, lang)}"),
            (m("generated"), format_date(now, lang)),
        ],
    )
    who = people(frame) if len(frame) else people_empty()
    doc.add_paragraph(received_line(len(frame), len(who), lang))
    if n_hidden := int(hidden.sum()):
        doc.add_paragraph(tn("medvirkning.hidden", n_hidden, lang))
    if n_pending := int((frame["status"] == InputStatus.PENDING.value).sum()):
        doc.add_paragraph(tn("medvirkning.pending", n_pending, lang))

    how_section(doc, store, c, lang)

    doc.add_heading(m("who_heading"), level=1)
    doc.add_paragraph(m("who_intro", small=analysis.SMALL_LABEL))
    tables = participation(frame, lang) if len(frame) else {}
    for key in ("age_group", "relation", "channel", "area"):
        doc.add_heading(m(f"who_{key}"), level=2)
        _counts(doc, tables.get(key, []), m("count_heading_area" if key == "area" else "count_heading"), lang)
    figures = report_charts(c, frame, tables, lang)
    for name in ("age_group", "channel"):
        _chart(doc, figures[name])

    sessions = store.class_sessions(c.id)
    missing_section(doc, c, frame, who, profile, bool([s for s in sessions if s.published]), lang)

    doc.add_heading(m("said_heading"), level=1)
    _chart(doc, figures["time"])
    doc.add_heading(m("said_categories"), level=2)
    categories = analysis.per_category(frame, c.categories) if len(frame) else pd.DataFrame()
    _counts(
        doc,
        [Count(str(r.category), int(r.inputs)) for r in categories.itertuples() if r.inputs],
        m("count_heading_area"),
        lang,
    )
    _chart(doc, figures["category"])
    doc.add_heading(m("said_planners_themes"), level=2)
    _said(doc, planners_tags(frame, lang, include_names) if len(frame) else [], m("none_tagged"), lang)
    streets = places.street_places(store, c.area, profile.working_crs)
    named = analysis.load_places(profile)
    doc.add_heading(m("said_clusters"), level=2)
    doc.add_paragraph(m("clusters_intro"))
    doc.add_paragraph(t("medv27.clusters_place_words", lang))
    place_words = themes.place_stop_words([p.name for p in (*named, *streets)] + [profile.name])
    _said(
        doc, machine_clusters(frame, lang, include_names, place_words) if len(frame) else [], m("none_clusters"), lang
    )

    doc.add_heading(m("where_heading"), level=1)
    spots = (
        analysis.hotspots(frame, named, radius_m=HOTSPOT_RADIUS_M, epsg=profile.working_crs, streets=streets)
        if len(frame)
        else []
    )
    image = map_image(c, frame, spots, tiles, lang)
    doc.add_picture(io.BytesIO(image.png), width=Cm(16))
    located = int(frame["lon"].notna().sum()) if len(frame) else 0
    doc.add_paragraph(f"{tn('medvirkning.map_caption', located, lang)} {image.note}", style="Caption")
    if (per_category := category_maps_image(c, frame) if len(frame) else None) is not None:
        doc.add_picture(io.BytesIO(per_category), width=Cm(16))
        doc.add_paragraph(t("medv27.category_maps", lang, small=analysis.SMALL_GROUP), style="Caption")
    if spots:
        doc.add_paragraph(t("medv27.hotspots_intro", lang, split=2 * HOTSPOT_RADIUS_M))
        _table(
            doc,
            [(m("hotspot_number"), m("hotspot_place"), m("hotspot_inputs"), m("hotspot_categories"))]
            + [
                (
                    str(k),
                    hotspot_label(spot, named, lang),
                    str(spot.size),
                    ", ".join(name for name, _ in spot.categories),
                )
                for k, spot in enumerate(spots, start=1)
            ],
            header=True,
        )
    else:
        doc.add_paragraph(m("no_hotspots"))

    doc.add_heading(m("questions_heading"), level=1)
    if not c.questions:
        doc.add_paragraph(m("no_questions"))
    for q in question_answers(c, frame, lang) if c.questions else []:
        doc.add_heading(xml_safe(q.text), level=2)
        doc.add_paragraph(tn("medvirkning.question_people", q.people, lang))
        if q.counts:
            _counts(doc, list(q.counts), m("count_heading"), lang)
        for example in q.examples:
            doc.add_paragraph(xml_safe(example), style="Quote")

    children_section(doc, store, c, tiles, lang)

    heard_section(doc, store, c, frame, include_names, lang)

    doc.add_heading(m("use_heading"), level=1)
    use = store.use_of_input(consultation_id)
    for part in use.split("\n\n") if use else [m("use_missing")]:
        doc.add_paragraph(xml_safe(part))
    # a case document's metadata, language, header and «side X av Y», not python-docx's
    word.dress(
        doc,
        title=xml_safe(m("title", title=c.title)),
        author=profile.name,
        lang=lang,
        now=now,
        subject=t("merk21.medvirkning.subject", lang),
        keywords=t("merk21.medvirkning.keywords", lang, stage=t(f"stage.{c.stage.value}", lang)),
        header=t("merk21.medvirkning.header", lang, municipality=profile.name),
        footer=t("letters.report.footer", lang, page="{page}", pages="{pages}"),
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def children_section(doc, store: Store, c: Consultation, tiles: TileLayer | None, lang: str) -> None:
    """«Barn og unges medvirkning»: what the school classes said (``class_results``), of
    the classes whose result a planner published — the report is a public case document,
    so the public's < 5 rule holds: route cells and counts of pupils under five never
    appear (as «< 5»), and a class of fewer than five pupils only in the totals."""
    m = lambda key, **kw: t(f"medvirkning.children.{key}", lang, **kw)
    doc.add_heading(m("heading"), level=1)
    sessions = store.class_sessions(c.id)
    published = [s for s in sessions if s.published]
    if not sessions:
        doc.add_paragraph(m("none"))
        return
    if len(published) < len(sessions):
        doc.add_paragraph(tn("medvirkning.children.unpublished", len(sessions) - len(published), lang))
    frame = class_results.select(class_results.counted(store.class_frame(c.id)), [s.id for s in published])
    if not published or class_results.pupils(frame) < analysis.SMALL_GROUP:
        doc.add_paragraph(m("too_few", small=analysis.SMALL_LABEL))
        return
    summary = class_results.summary(frame)
    alone = class_results.shown_alone(frame, published)
    doc.add_paragraph(m("intro", small=analysis.SMALL_LABEL))
    if cited := barnetrakk.citation(store, c.id, lang):  # the Barnetråkk figures, as the formal report cites them
        doc.add_paragraph(cited)
    _table(
        doc,
        [
            (m("classes"), str(len(published))),
            (m("pupils"), str(analysis.suppress_small(summary.pupils))),
            (m("routes"), str(summary.routes)),
            (m("places"), str(summary.places)),
        ],
    )
    per_class = frame.groupby("class_id")["pupil"].nunique()
    rows = [(f"{s.school}, {classes.grade_label(s.grade, lang)}", str(int(per_class.get(s.id, 0)))) for s in alone]
    if rows:
        doc.add_heading(m("per_class"), level=2)
        _table(doc, [(m("class"), m("pupils")), *rows], header=True)
    if small := len(published) - len(alone):
        doc.add_paragraph(tn("medvirkning.children.small_classes", small, lang, small_label=analysis.SMALL_LABEL))
    for heading, rows, prefix in (
        (m("by_grade"), [(classes.grade_label(g, lang), n) for g, n in summary.by_grade], None),
        (m("by_transport"), summary.by_transport, "classes.transport"),
        (m("by_label"), summary.by_label, "classes.label"),
    ):
        doc.add_heading(heading, level=2)
        _counts(
            doc,
            [Count(t(f"{prefix}.{k}", lang) if prefix else k, n) for k, n in rows],
            m("count_places" if prefix == "classes.label" else "count_routes" if prefix else "count_pupils"),
            lang,
        )
    cells = class_results.route_density(frame, minimum=analysis.SMALL_GROUP)
    spots = class_results.crossings(frame)
    image = class_map_image(c, cells, spots, tiles, lang)
    doc.add_heading(m("map_heading"), level=2)
    doc.add_picture(io.BytesIO(image.png), width=Cm(16))
    doc.add_paragraph(
        f"{m('map_caption', cell=class_results.CELL_M, small=analysis.SMALL_GROUP)} {image.note}", style="Caption"
    )
    doc.add_heading(m("crossings_heading"), level=2)
    if not spots:
        doc.add_paragraph(m("no_crossings"))
        return
    _table(
        doc,
        [(m("number"), m("place"), m("pupils"), m("marks"), m("why"))]
        + [
            (
                str(k),
                t("class_results.near", lang, place=s.place, metres=s.place_distance_m) if s.place else "–",
                str(analysis.suppress_small(s.pupils)),
                str(s.marks),
                ", ".join(f"{t(f'classes.label.{r}', lang)} ({n})" for r, n in s.reasons),
            )
            for k, s in enumerate(spots, start=1)
        ],
        header=True,
    )


def people_empty() -> pd.DataFrame:
    return pd.DataFrame({"person": [], "age_group": [], "relation": [], "channel": []})


def received_line(inputs: int, sessions: int, lang: str) -> str:
    """How many inputs and people: a browser session is not a person (one person on two
    devices counts twice, a household on one device once), so the people are «om lag»;
    a letter or e-mail is one sender at least."""
    return tn("medv27.received", inputs, lang, people=sessions)


def report_charts(c: Consultation, frame: pd.DataFrame, tables: dict[str, list[Count]], lang: str) -> dict:
    """The report's charts (matplotlib figures): inputs over time, per category, and per
    person by channel and age group — the last two from the tables as shown, so a group
    under five is «< 5» in the chart too (``charts.bar_chart``)."""
    g = lambda key: t(f"medv27.chart.{key}", lang)
    start = c.opens_at.astimezone(LOCAL_TZ).date()
    end = min(c.closes_at, datetime.now(UTC)).astimezone(LOCAL_TZ).date()
    per_day = analysis.per_day(frame, start, max(start, end)) if len(frame) else analysis.per_day(frame)
    categories = (
        analysis.per_category(frame, c.categories) if len(frame) else pd.DataFrame(columns=["category", "inputs"])
    )
    category_rows = [(str(r.category), int(r.inputs)) for r in categories.itertuples() if r.inputs]
    shown = lambda key: [(x.label, x.shown) for x in tables.get(key, [])]
    return {
        "time": charts.time_chart(g("time"), per_day, lang),
        "category": charts.bar_chart(g("category"), category_rows, g("inputs")),
        "channel": charts.bar_chart(g("channel"), shown("channel"), g("people")),
        "age_group": charts.bar_chart(g("age_group"), shown("age_group"), g("people")),
    }


def _chart(doc, fig) -> None:
    doc.add_picture(io.BytesIO(charts.render(fig, "png")), width=Cm(15))


def how_section(doc, store: Store, c: Consultation, lang: str) -> None:
    """«Slik gjennomførte vi medvirkningen»: the activities the planners recorded, and the
    digital consultation itself."""
    h = lambda key, **kw: t(f"medv27.how.{key}", lang, **kw)
    doc.add_heading(h("heading"), level=1)
    doc.add_paragraph(h("digital", start=format_date(c.opens_at, lang), end=format_date(c.closes_at, lang)))
    found = activities.activities(store, c.id)
    if not found:
        doc.add_paragraph(h("none"))
        return
    _table(
        doc,
        [(h("date"), h("kind"), h("place"), h("attended"))]
        + [
            (
                format_date(datetime.combine(a.held_on, datetime.min.time(), tzinfo=LOCAL_TZ), lang),
                t(f"activities.kind.{a.kind}", lang),
                a.place,
                h("unknown") if a.attended is None else str(a.attended),
            )
            for a in found
        ],
        header=True,
    )
    came = [a.attended for a in found if a.attended is not None]
    if came:
        doc.add_paragraph(tn("medv27.how.total", sum(came), lang, activities=len(found)))


def missing_section(
    doc,
    c: Consultation,
    frame: pd.DataFrame,
    who: pd.DataFrame,
    profile: Municipality,
    classes_took_part: bool,
    lang: str,
) -> None:
    """«Hvem hørte vi ikke fra»: age groups and neighbourhoods under five, the § 5-1 note."""
    h = lambda key, **kw: t(f"medv27.missing.{key}", lang, **kw)
    doc.add_heading(h("heading"), level=1)
    found = activities.missing(
        frame,
        c,
        analysis.load_places(profile),
        people=who,
        classes_took_part=classes_took_part,
        epsg=profile.working_crs,
    )
    doc.add_paragraph(h("intro", small=analysis.SMALL_LABEL))
    if found.age_groups:
        names = ", ".join(t(f"age_group.{g}", lang) for g in found.age_groups)
        doc.add_paragraph(h("ages", groups=names, small=analysis.SMALL_LABEL), style="List Bullet")
    if found.unknown_share > activities.UNKNOWN_SHARE:
        doc.add_paragraph(h("unknown", share=round(100 * found.unknown_share)), style="List Bullet")
    if found.places:
        doc.add_paragraph(h("places", places=", ".join(found.places), small=analysis.SMALL_LABEL), style="List Bullet")
    if not (found.age_groups or found.places):
        doc.add_paragraph(h("nobody"))
    if found.children_missing:
        doc.add_paragraph(h("children_law"))
        doc.add_paragraph(h("children_classes_done" if found.classes_took_part else "children_run_class"))


def hotspot_label(spot: analysis.Hotspot, named: Sequence[analysis.Place], lang: str) -> str:
    """«Borgenveien, 300 m nordøst for Borgen»: the nearest street, and how far and which
    way from the nearest named place (two hotspots on one street then read apart)."""
    place = next((p for p in named if p.name == spot.place), None)
    if place is None or spot.place_distance_m is None:
        return spot.name or "–"
    if spot.place_distance_m < 100:
        where = t("medv27.hotspot_at", lang, place=place.name)
    else:
        angle = math.degrees(math.atan2(spot.east - place.east, spot.north - place.north)) % 360
        direction = t(f"medv27.compass.{round(angle / 45) % 8}", lang)
        where = t(
            "medv27.hotspot_from", lang, metres=round(spot.place_distance_m, -1), direction=direction, place=place.name
        )
    return f"{spot.street}, {where}" if spot.street else where


def heard_section(doc, store: Store, c: Consultation, frame: pd.DataFrame, include_names: bool, lang: str) -> None:
    """«Vi hørte – vi gjør»: per theme what was heard (count, masked quotes) and the follow-up."""
    h = lambda key, **kw: t(f"feedback.report.{key}", lang, **kw)
    doc.add_heading(h("heading"), level=1)
    doc.add_paragraph(h("intro"))
    rows = feedback.table(store, c.id, lang, include_names, frame=frame)
    if not rows:
        doc.add_paragraph(h("none"))
        return
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (h("theme"), h("heard"), h("done")), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        cells[0].text = xml_safe(row.title)
        cells[1].text = xml_safe(tn("feedback.report.count", row.count, lang))
        for quote in row.quotes[:3]:
            cells[1].add_paragraph(xml_safe(quote))
        if row.done:
            cells[2].text = xml_safe(feedback.kind_label(row.kind, lang))
            cells[2].paragraphs[0].runs[0].bold = True
            for text in (row.follow_up, row.reason):
                if text:
                    cells[2].add_paragraph(xml_safe(text))
        else:
            cells[2].text = h("open")
    if open_rows := sum(1 for r in rows if not r.done):
        doc.add_paragraph(tn("feedback.report.open_count", open_rows, lang))


def _table(doc, rows: Sequence[Sequence[str]], header: bool = False) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    for n, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = xml_safe(str(value))
            if header and n == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def _counts(doc, counts: Sequence[Count], heading: str, lang: str) -> None:
    if not counts:
        doc.add_paragraph(t("medvirkning.none", lang))
        return
    _table(doc, [(t("medvirkning.group", lang), heading), *[(c.label, str(c.shown)) for c in counts]], header=True)


def _said(doc, found: Sequence[Said], empty: str, lang: str) -> None:
    if not found:
        doc.add_paragraph(empty)
        return
    for said in found:
        doc.add_paragraph(
            xml_safe(tn("medvirkning.theme_line", said.count, lang, theme=said.title)), style="List Bullet"
        )
        for quote in said.quotes:
            doc.add_paragraph(xml_safe(quote), style="Quote")
