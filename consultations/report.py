"""The merknadsbehandling report (Word, .docx) for the saksframlegg.

Facts about the consultation, how it was run, key figures, a static map of the inputs
(drawn here with matplotlib: no tiles, no network) and then the merknadsbehandling table per
theme — inputs without a theme per category: nr, date, sender type, summary, assessment,
outcome. Hidden inputs are left out, and so is every id in ``exclude_ids`` (the hook for
inputs a planner holds back, e.g. for personal data); the report says how many. Senders'
names appear only when staff ask for them (``include_names``).
"""

from __future__ import annotations

import gc
import io
import math
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from lxml.etree import SubElement
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from .config import Municipality, load_settings
from .export import key_figures, local_times, missed_frists, project, xml_safe
from .geo import WGS84
from .i18n import DEFAULT_LANG, format_date, t, tn
from .moderation import has_personal_data
from .model import Channel, Consultation, InputStatus, public_sender_name, reference
from .objections import is_unresolved
from .store import Store
from .text import excerpt

SUMMARY_CHARS = 400
# Nr, Dato, Avsender, Sammendrag, Vurdering, Konklusjon on A4 portrait with 2 cm margins.
COLUMN_WIDTHS_CM = (2.1, 1.9, 2.5, 4.3, 4.1, 2.1)
_SCALE_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


def build_report(
    store: Store,
    consultation_id: str,
    *,
    include_names: bool = False,
    exclude_ids: Collection[int] = (),
    profile: Municipality | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> bytes:
    """The report as .docx bytes; ``KeyError`` for an unknown consultation. The map is in
    the municipality's working CRS (``profile``, by default the configured one)."""
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise KeyError(consultation_id)
    every = store.analysis_frame(consultation_id)
    # The report becomes a public case document: only published inputs, and a duplicate
    # takes an answer only from a published original (never one given to a hidden input).
    status = every["status"]
    n_hidden = int((status == InputStatus.HIDDEN.value).sum())
    n_pending = int((status == InputStatus.PENDING.value).sum())
    frame = answered_through_originals(
        every[status == InputStatus.PUBLISHED.value].reset_index(drop=True)
    )
    # inputs with personal data stay out of a document that becomes public
    personal = frame["text"].map(has_personal_data)
    excluded = frame["id"].isin(list(exclude_ids)) | personal
    shown = frame[~excluded].reset_index(drop=True)
    profile = profile or load_settings().profile
    return render(
        consultation, shown, n_hidden=n_hidden, n_pending=n_pending, n_excluded=int(excluded.sum()),
        include_names=include_names, crs=profile.working_crs, municipality=profile.name, lang=lang,
        now=now or datetime.now(UTC),
    )  # fmt: skip


def answered_through_originals(frame: pd.DataFrame) -> pd.DataFrame:
    """A duplicate without an answer of its own takes its original's outcome (the end of
    its duplicate chain), with ``via`` naming that original; other rows get ``via`` NA."""
    duplicate_of = {int(i): int(d) for i, d in zip(frame["id"], frame["duplicate_of"], strict=True)
                    if not pd.isna(d)}  # fmt: skip
    outcome = {int(i): o for i, o in zip(frame["id"], frame["outcome"], strict=True) if _present(o)}
    via: list[int | None] = []
    for input_id in frame["id"]:
        step, seen = int(input_id), set()
        while step not in outcome and step in duplicate_of and step not in seen:
            seen.add(step)
            step = duplicate_of[step]
        via.append(step if step != input_id and step in outcome else None)
    frame = frame.assign(via=pd.array(via, dtype="Int64"))
    taken = frame["via"].notna()
    if taken.any():
        originals = frame.set_index("id").loc[frame.loc[taken, "via"].astype(int)]
        frame.loc[taken, "outcome"] = originals["outcome"].to_numpy()
    return frame


def render(
    consultation: Consultation,
    frame: pd.DataFrame,
    *,
    n_hidden: int,
    n_pending: int,
    n_excluded: int,
    include_names: bool,
    crs: int,
    municipality: str,
    lang: str,
    now: datetime,
) -> bytes:
    """The report from the inputs it covers (``frame``: rows of ``Store.analysis_frame``)."""
    doc = Document()
    _page(doc.sections[0])
    doc.styles["Normal"].font.size = Pt(10)

    doc.add_heading(xml_safe(t("exports.report.title", lang, title=consultation.title)), level=0)
    doc.add_paragraph(t("exports.report.generated", lang, date=format_date(now, lang)))

    _facts(doc, consultation, frame, lang)
    _conduct(doc, consultation, frame, municipality, lang)
    _figures(doc, consultation, frame, lang)
    _map(doc, consultation, frame, crs, lang)
    _table(doc, consultation, frame, n_hidden, n_pending, n_excluded, include_names, lang)

    buffer = io.BytesIO()
    doc.save(buffer)
    # python-docx holds the XML tree in reference cycles: free a large report's tree (half a
    # gigabyte at 100,000 rows) now, not at the next full collection (it needs no proxy left)
    del doc
    gc.collect()
    return buffer.getvalue()


def _page(section) -> None:
    """A4 portrait, 2 cm margins."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


# -- sections ----------------------------------------------------------------------------


def _channels_used(frame: pd.DataFrame) -> list[tuple[Channel, int]]:
    counts = frame["channel"].value_counts()
    return [(c, int(counts[c.value])) for c in Channel if counts.get(c.value, 0)]


def _facts(doc, consultation: Consultation, frame: pd.DataFrame, lang: str) -> None:
    doc.add_heading(t("exports.report.facts_heading", lang), level=1)
    none = t("exports.report.none", lang)
    channels = ", ".join(t(f"channel.{c.value}", lang) for c, _ in _channels_used(frame))
    rows = [
        (t("exports.report.plan_type", lang), t(f"plan_type.{consultation.plan_type.value}", lang)),
        (t("exports.report.plan_id", lang), consultation.plan_id or none),
        (t("exports.report.stage", lang), t(f"stage.{consultation.stage.value}", lang)),
        (t("exports.report.period", lang), _period(consultation, lang)),
        (t("exports.report.channels", lang), channels or none),
    ]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        _row(table, (label, value), bold=(True, False))


def _period(consultation: Consultation, lang: str) -> str:
    return t(
        "exports.report.period_value", lang,
        opens=format_date(consultation.opens_at, lang),
        closes=format_date(consultation.closes_at, lang),
    )  # fmt: skip


def _conduct(
    doc, consultation: Consultation, frame: pd.DataFrame, municipality: str, lang: str
) -> None:
    doc.add_heading(t("exports.report.conduct_heading", lang), level=1)
    by_channel = ", ".join(
        t("exports.report.conduct_channel", lang, n=n, channel=t(f"channel.{c}", lang).lower())
        for c, n in _channels_used(frame)
    ) or t("exports.report.conduct_none", lang)
    text = tn(
        "exports.report.conduct", len(frame), lang,
        opens=format_date(consultation.opens_at, lang),
        closes=format_date(consultation.closes_at, lang),
        municipality=municipality, by_channel=by_channel,
    )  # fmt: skip
    moderation = t(f"exports.report.moderation_{consultation.moderation.value}", lang)
    doc.add_paragraph(f"{text} {moderation}")


def _figures(doc, consultation: Consultation, frame: pd.DataFrame, lang: str) -> None:
    doc.add_heading(t("exports.report.figures_heading", lang), level=1)
    figures = key_figures(frame, consultation, lang)
    # totals and inputs per category: the status split is moot (hidden ones are left out)
    for heading, head, rows in (figures["totals"], figures["category"]):
        doc.add_paragraph(heading, style="Heading 3")
        table = doc.add_table(rows=0, cols=len(head))
        table.style = "Table Grid"
        _row(table, head, bold=(True,) * len(head), header=True)
        for row in rows:
            _row(table, row)


def _map(doc, consultation: Consultation, frame: pd.DataFrame, crs: int, lang: str) -> None:
    doc.add_heading(t("exports.report.map_heading", lang), level=1)
    located = frame[frame["lon"].notna()]
    if located.empty:
        doc.add_paragraph(t("exports.report.map_none", lang))
        return
    png, scale = map_png(consultation, located, crs, lang)
    doc.add_picture(io.BytesIO(png), width=Cm(17))
    caption = tn(
        "exports.report.map_caption", len(frame), lang, located=len(located),
        crs=_crs_name(crs), scale=scale,
    )  # fmt: skip
    doc.add_paragraph(caption, style="Caption")


def _crs_name(crs: int) -> str:
    from pyproj import CRS

    return f"{CRS.from_epsg(crs).name} (EPSG:{crs})"


def map_png(
    consultation: Consultation, located: pd.DataFrame, crs: int, lang: str
) -> tuple[bytes, str]:
    """A point map of the inputs over the plan-area outline, in ``crs`` (metres), drawn
    locally; returns the PNG and the scale bar's text."""
    import geopandas
    from matplotlib.figure import Figure

    area = geopandas.GeoSeries([consultation.area], crs=WGS84).to_crs(crs).iloc[0]
    east, north = project(
        located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float), crs
    )
    fig = Figure(figsize=(7, 6.2), dpi=150)
    ax = fig.add_subplot()
    polygons = getattr(area, "geoms", [area])
    for k, polygon in enumerate(polygons):
        x, y = polygon.exterior.xy
        label = t("exports.report.map_area", lang) if k == 0 else None
        ax.plot(x, y, color="#333333", linewidth=1.2, label=label)
    extra = sorted(set(located["category"]) - set(consultation.categories))
    categories = [*consultation.categories, *extra]
    colours = _palette(len(categories))
    size = 10 if len(located) < 2000 else 3 if len(located) < 20000 else 1
    codes = located["category"].to_numpy(dtype=object)
    for colour, category in zip(colours, categories, strict=True):
        mask = codes == category
        if mask.any():
            label = f"{category} ({int(mask.sum())})"
            ax.scatter(east[mask], north[mask], s=size, color=colour, label=label, linewidths=0,
                       alpha=0.8)  # fmt: skip
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    minx, miny, maxx, maxy = _extent(area.bounds, east, north)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    metres = _scale_length(maxx - minx)
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.05
    ax.plot([x0, x0 + metres], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    scale = t("exports.report.map_scale", lang, metres=f"{metres:,}".replace(",", " "))
    ax.text(x0, y0 + (maxy - miny) * 0.015, scale, fontsize=8)
    note = f"EPSG:{crs} · {t('exports.report.map_basemap', lang)}"
    ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            color="#555555")  # fmt: skip
    ax.annotate("N", xy=(0.96, 0.95), xytext=(0.96, 0.86), xycoords="axes fraction", ha="center",
                fontsize=9, arrowprops={"arrowstyle": "-|>", "color": "black"})  # fmt: skip
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=7, frameon=False,
              markerscale=max(1, 10 / size) ** 0.5)  # fmt: skip
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue(), scale


def _palette(n: int) -> list:
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](k) for k in range(n)]
    # tab20 comes in light/dark pairs: all the dark ones first keeps neighbours apart
    order = [*range(0, 20, 2), *range(1, 20, 2)]
    return [colormaps["tab20"](order[k % 20]) for k in range(n)]


def _extent(bounds: Sequence[float], east: np.ndarray, north: np.ndarray) -> tuple[float, ...]:
    """The plan area and every point, with a margin."""
    minx, miny = min(bounds[0], np.nanmin(east)), min(bounds[1], np.nanmin(north))
    maxx, maxy = max(bounds[2], np.nanmax(east)), max(bounds[3], np.nanmax(north))
    margin = max(maxx - minx, maxy - miny, 100) * 0.06
    return minx - margin, miny - margin, maxx + margin, maxy + margin


def _scale_length(width: float) -> int:
    """A round length near a fifth of the map's width."""
    target = width / 5
    return min(_SCALE_STEPS, key=lambda s: abs(math.log(s / target)))


def _table(
    doc, consultation: Consultation, frame: pd.DataFrame, n_hidden: int, n_pending: int,
    n_excluded: int, include_names: bool, lang: str,
) -> None:  # fmt: skip
    doc.add_heading(t("exports.report.table_heading", lang), level=1)
    doc.add_paragraph(t("exports.report.table_intro", lang))
    if n_hidden:
        doc.add_paragraph(t("exports.report.hidden_note", lang, n=n_hidden))
    if n_pending:  # every merknad must be assessed (pbl. § 12-12): say that some wait
        doc.add_paragraph(t("exports.report.pending_note", lang, n=n_pending))
    if n_excluded:
        doc.add_paragraph(t("exports.report.excluded_note", lang, n=n_excluded))
    doc.add_paragraph(t("exports.report.names_note" if include_names else "parties.report.no_names_note", lang))
    frame = frame.assign(missed=missed_frists(frame, consultation))
    if n_late := int(frame["missed"].notna().sum()):
        doc.add_paragraph(tn("parties.report.late_note", n_late, lang))
    standing = [is_unresolved(o, s, i) for o, s, i in
                zip(frame["objection"], frame["objection_status"], frame["status"], strict=True)]  # fmt: skip
    if n_standing := sum(standing):
        doc.add_paragraph(tn("parties.report.unresolved_note", n_standing, lang))
    if frame.empty:
        doc.add_paragraph(t("exports.report.no_inputs", lang))
        return
    head = tuple(t(f"exports.report.col_{c}", lang)
                 for c in ("nr", "date", "sender", "summary", "assessment", "outcome"))  # fmt: skip
    for heading, rows in groups(frame, consultation, lang):
        doc.add_heading(heading, level=2)
        table = doc.add_table(rows=0, cols=len(head))
        table.style = "Table Grid"
        table.autofit = False
        for column, width in zip(table.columns, COLUMN_WIDTHS_CM, strict=True):
            column.width = Cm(width)
        _row(table, head, bold=(True,) * len(head), header=True, widths=COLUMN_WIDTHS_CM)
        for item in rows[_CELL_COLUMNS].itertuples(index=False):
            _row(table, _cells(item, include_names, lang))


def groups(
    frame: pd.DataFrame, consultation: Consultation, lang: str = DEFAULT_LANG
) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(heading, inputs)`` per theme (alphabetical; an input with several themes under its
    first), then per category for inputs without a theme (the consultation's order)."""
    wall, _ = local_times(frame["created_at"])
    day = np.datetime_as_string(wall, unit="D")  # 2026-11-27 → 27.11.2026
    frame = frame.assign(date=[f"{d[8:10]}.{d[5:7]}.{d[:4]}" for d in day.tolist()])
    first = frame["themes"].map(lambda themes: themes[0] if len(themes) else None)
    for theme in sorted(first.dropna().unique()):
        rows = frame[first == theme]
        yield t("exports.report.theme_heading", lang, name=theme, n=len(rows)), rows
    rest = frame[first.isna()]
    extra = sorted(set(rest["category"]) - set(consultation.categories))
    for category in (*consultation.categories, *extra):
        rows = rest[rest["category"] == category]
        if len(rows):
            yield t("exports.report.category_heading", lang, name=category, n=len(rows)), rows


_CELL_COLUMNS = ["id", "date", "sender_type", "sender_name", "channel", "text", "response_summary",
                 "assessment", "outcome", "plan_change", "via", "objection", "objection_status",
                 "missed"]  # fmt: skip


def _cells(item: tuple, include_names: bool, lang: str) -> tuple[str, ...]:
    """One table row from a row of ``_CELL_COLUMNS`` (a named tuple)."""
    if _present(item.sender_type):
        sender = t(f"sender_type.{item.sender_type}", lang)
    else:
        web = item.channel == Channel.WEB.value
        sender = t("exports.report.sender_web" if web else "exports.report.sender_unknown", lang)
    # an authority's or organisation's name is public; a private person's only on request
    public = public_sender_name(item.sender_type, item.sender_name)
    if _present(item.sender_name) and (include_names or public):
        sender = t("exports.report.sender_named", lang, type=sender, name=item.sender_name)
    if _present(item.objection):
        kind = t(f"objection.kind.{item.objection}", lang)
        if _present(item.objection_status):
            kind = t("parties.report.objection_status", lang, kind=kind,
                     status=t(f"objection.status.{item.objection_status}", lang))  # fmt: skip
        sender = f"{sender}\n{kind}"
    date = item.date
    if _present(item.missed):
        date = f"{date}\n{t('parties.report.late', lang, frist=format_date(item.missed, lang))}"
    answered = _present(item.outcome)
    summary = (
        item.response_summary if _present(item.response_summary)
        else excerpt(item.text, SUMMARY_CHARS)
    )  # fmt: skip
    assessment = item.assessment if answered and _present(item.assessment) else ""
    if _present(item.via):
        assessment = t("exports.report.via", lang, ref=reference(int(item.via)))
    elif answered and _present(item.plan_change):
        change = t("exports.report.plan_change", lang, change=item.plan_change)
        assessment = f"{assessment}\n{change}".strip()
    outcome = t(f"planning.outcome.{item.outcome}" if answered else "exports.not_answered", lang)
    return (reference(int(item.id)), date, sender, summary, assessment, outcome)


def _present(value: object) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and value != ""


# -- fast table rows -------------------------------------------------------------------------
# python-docx's add_row()/cells get slower with every row (seconds per thousand), and so does
# its OxmlElement; a report of thousands of inputs builds its rows with lxml's SubElement.


def _row(
    table: Table,
    values: Sequence[object],
    *,
    bold: Sequence[bool] = (),
    header: bool = False,
    widths: Sequence[float] = (),
) -> None:
    tr = SubElement(table._tbl, _TR)
    if header:  # repeated at the top of every page the table runs over
        SubElement(SubElement(tr, _TR_PR), _TBL_HEADER)
    for k, value in enumerate(values):
        tc = SubElement(tr, _TC)
        if widths:
            width = SubElement(SubElement(tc, _TC_PR), _TC_W)
            width.set(_W, str(int(widths[k] * 567)))  # twentieths of a point per cm
            width.set(_TYPE, "dxa")
        strong = k < len(bold) and bold[k]
        for line in xml_safe(str(value)).split("\n"):
            run = SubElement(SubElement(tc, _P), _R)
            if strong:
                SubElement(SubElement(run, _R_PR), _B)
            text = SubElement(run, _T)
            text.set(_SPACE, "preserve")
            text.text = line


_TR, _TR_PR, _TBL_HEADER, _TC, _TC_PR, _TC_W, _P, _R, _R_PR, _B, _T, _W, _TYPE, _SPACE = (
    qn(tag) for tag in ("w:tr", "w:trPr", "w:tblHeader", "w:tc", "w:tcPr", "w:tcW", "w:p", "w:r",
                        "w:rPr", "w:b", "w:t", "w:w", "w:type", "xml:space")
)  # fmt: skip
