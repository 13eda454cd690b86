"""Paper for the classroom (PDF, drawn with matplotlib: no office suite on the server):

- ``class_map_pdf``: the plan area on the base map (where its terms allow printing), A4
  landscape, with the signs pupils draw by hand and the class's code, then the teacher's
  guide for the class's grade band (1.–4. or 5.–10. trinn) — Barnetråkk on paper when
  the class has no tablets, or to prepare the lesson.
- ``class_summary_pdf``: one page for the teacher, «dette sa klassen deres», of that class
  only and under the < 5 rule (``barnetrakk.class_summary``).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import numpy as np

from ..children import barnetrakk, classes
from .. import geo
from ..casework.analysis import SMALL_LABEL
from ..config import TileLayer
from ..i18n import DEFAULT_LANG, t
from .medvirkningsrapport import map_axes
from ..model import ClassPart, PlaceLabel
from ..permissions import require_class
from ..store import Store

A4_LANDSCAPE = (11.69, 8.27)
A4_PORTRAIT = (8.27, 11.69)
PLAY_COLOUR, AVOID_COLOUR, UNSAFE_COLOUR = "#2e7d32", "#c62828", "#ef6c00"


def guide_band(grade: str) -> str:
    """«young» (1.–4. trinn) or «older» (5.–10. trinn and up): which guide a class gets."""
    return classes.words_for(grade)


def guide_text(grade: str, lang: str = DEFAULT_LANG) -> str:
    """The teacher's guide (plain text, paragraphs apart by blank lines) for a grade."""
    return t(f"barnetrakk.guide.{guide_band(grade)}", lang)


def _pdf(figures: Sequence) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Creator": "Kartinnspill", "CreationDate": None}) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    return buffer.getvalue()


def _text_page(title: str, body: str, size=A4_PORTRAIT, width: int = 88):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    fig.text(0.08, 0.95, title, fontsize=15, weight="bold", va="top")
    y = 0.9
    for paragraph in body.strip().split("\n\n"):
        for line in paragraph.strip().split("\n"):
            bullet = line.startswith("- ")
            wrapped = textwrap.wrap(line[2:] if bullet else line, width - (3 if bullet else 0)) or [""]
            for k, part in enumerate(wrapped):
                prefix = ("• " if k == 0 else "  ") if bullet else ""
                fig.text(
                    0.08, y, prefix + part, fontsize=10, va="top", weight="bold" if line.startswith("#") else "normal"
                )
                y -= 0.021
        y -= 0.012
    return fig


def class_map_pdf(store: Store, actor, class_id: int, tiles: TileLayer | None, lang: str = DEFAULT_LANG) -> bytes:
    """The printable class map and the teacher's guide for the class's grade band."""
    session = store.class_session(class_id)
    if session is None:
        raise classes.InvalidClass("classes.unknown")
    require_class(store, actor, session)
    c = store.get_consultation(session.consultation_id)
    assert c is not None
    b = lambda key, **kw: t(f"barnetrakk.print.{key}", lang, **kw)
    fig, ax, note = map_axes(c, np.empty(0), np.empty(0), tiles, lang)
    fig.set_size_inches(*A4_LANDSCAPE)
    ax.set_position((0.03, 0.07, 0.66, 0.8))
    fig.text(0.03, 0.95, b("map_title", title=c.title), fontsize=14, weight="bold", va="top")
    fig.text(0.03, 0.915, f"{session.school}, {classes.grade_label(session.grade, lang)}", fontsize=11, va="top")
    fig.text(0.03, 0.04, note, fontsize=7)
    legend = b(f"signs_{guide_band(session.grade)}") + "\n\n" + b("code", code=session.code)
    y = 0.88
    for line in legend.split("\n"):
        for part in textwrap.wrap(line, 44) or [""]:
            fig.text(0.72, y, part, fontsize=9.5, va="top")
            y -= 0.028
    band = guide_band(session.grade)
    guide = _text_page(b(f"guide_title_{band}"), guide_text(session.grade, lang))
    return _pdf([fig, guide])


def class_summary_pdf(store: Store, actor, class_id: int, tiles: TileLayer | None, lang: str = DEFAULT_LANG) -> bytes:
    """One page for the teacher: what this class said (``barnetrakk.class_summary``, «< 5»
    for every count under five; under five pupils, ``TooFewPupils``)."""
    from matplotlib.figure import Figure

    summary = barnetrakk.class_summary(store, actor, class_id)
    session = store.class_session(class_id)
    c = store.get_consultation(session.consultation_id)
    b = lambda key, **kw: t(f"barnetrakk.print.{key}", lang, **kw)
    rows = barnetrakk.frame(store, c.id)
    rows = rows[(rows["class_id"] == class_id) & rows["lon"].notna()]
    play = rows[rows["part"] == ClassPart.PLAY.value]
    avoid = rows[rows["part"] == ClassPart.AVOID.value]
    unsafe = rows[
        (rows["part"] == ClassPart.PLACE.value) & rows["label"].isin([x.value for x in PlaceLabel if x.unsafe])
    ]
    located = [part for part in (play, avoid, unsafe) if len(part)]
    lon = np.concatenate([p["lon"].to_numpy(dtype=float) for p in located]) if located else np.empty(0)
    lat = np.concatenate([p["lat"].to_numpy(dtype=float) for p in located]) if located else np.empty(0)
    x, y = geo.project_points(lon, lat, geo.WEB_MERCATOR)
    mapfig, ax, note = map_axes(c, np.asarray(x), np.asarray(y), tiles, lang)
    fig = Figure(figsize=A4_PORTRAIT)
    fig.text(0.06, 0.965, b("summary_title"), fontsize=16, weight="bold", va="top")
    fig.text(
        0.06,
        0.935,
        f"{session.school}, {classes.grade_label(session.grade, lang)} · {b('pupils', n=summary.pupils)}",
        fontsize=11,
        va="top",
    )
    fig.text(0.06, 0.912, b("summary_rule", small=SMALL_LABEL), fontsize=8, va="top", style="italic")
    tables = [
        (
            b("travel"),
            [(t(f"classes.transport.{k}", lang), v, dict(summary.wished)[k]) for k, v in summary.travel],
            (b("col_now"), b("col_wished")),
        ),
        (
            b("play_season", n=summary.play),
            [(t(f"barnetrakk.season.{k}", lang), v) for k, v in summary.play_season],
            None,
        ),
        (b("play_company"), [(t(f"barnetrakk.company.{k}", lang), v) for k, v in summary.play_company], None),
        (
            b("avoid_reason", n=summary.avoid),
            [(t(f"barnetrakk.reason.{k}", lang), v) for k, v in summary.avoid_reason],
            None,
        ),
    ]
    top = 0.88
    for k, (heading, body, columns) in enumerate(tables):
        left = 0.06 if k % 2 == 0 else 0.53
        if k == 2:
            top -= 0.2
        fig.text(left, top, heading, fontsize=10, weight="bold", va="top")
        lines = ([("", *columns)] if columns else []) + body
        for n, line in enumerate(lines):
            yy = top - 0.022 * (n + 1)
            fig.text(left, yy, str(line[0]), fontsize=9, va="top")
            for m, value in enumerate(line[1:]):
                fig.text(left + 0.27 + 0.09 * m, yy, str(value), fontsize=9, va="top", ha="right")
    axes = fig.add_axes((0.06, 0.06, 0.88, 0.42))
    axes.axis("off")
    mapfig.set_size_inches(7, 4.8)
    for part, colour, marker, label in (
        (play, PLAY_COLOUR, "o", b("legend_play")),
        (avoid, AVOID_COLOUR, "x", b("legend_avoid")),
        (unsafe, UNSAFE_COLOUR, "^", b("legend_unsafe")),
    ):
        if len(part):
            px, py = geo.project_points(
                part["lon"].to_numpy(dtype=float), part["lat"].to_numpy(dtype=float), geo.WEB_MERCATOR
            )
            ax.scatter(px, py, s=40, c=colour, marker=marker, label=label, linewidths=1.5)
    if located:
        ax.legend(loc="lower left", fontsize=7)
    buffer = io.BytesIO()
    mapfig.tight_layout()
    mapfig.savefig(buffer, format="png", dpi=150)
    from matplotlib.image import imread

    buffer.seek(0)
    axes.imshow(imread(buffer, format="png"))
    fig.text(0.06, 0.045, note, fontsize=7)
    return _pdf([fig])
