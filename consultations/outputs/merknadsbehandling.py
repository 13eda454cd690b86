"""The merknadsbehandling for the saksframlegg: Word (.docx), and the same as PDF.

Pbl. § 12-12: the case must show how every merknad received was assessed, and one left out
is a procedural error. So the report holds every input that is a merknad, whatever its
public status: hidden from the public page or not, with personal data or not (masked here,
the kinds named — never a reason to leave it out). Only an input a planner marked as no
merknad at all (spam, test, double registration) stays out, counted with its reason in the
annex. A pending (unmoderated) input is in once the frist has passed; before that the report
says how many wait. It is a case document for the planners' saksframlegg, not a public view.

Order, as a saksframlegg is written: a summary table for the politicians (outcomes per
sender group), the facts of the høring, then the merknader by sender group — 1. regional
and state authorities (innsigelser first, each with its status), 2. other municipalities,
3. organisations, lag and velforeninger, 4. businesses, 5. private persons (neighbours and
landowners first), and 6. the municipality's own units (an internal merknad is neither a
resident's nor an authority's, so it comes last) — and within each by theme or by category
(``Order``). A group answer (one response saved for several inputs, or a duplicate answered
through its original) is printed once, below the merknader it covers, and each of those
refers to it. The annex has every merknad's full text (masked), its supports («support is
not a vote»: only here), and the inputs that are no merknad, counted by reason. Private
persons' names appear only when staff ask for them (``include_names``).

Each merknad's reference is in the body once per point (its rows) and again in the annex.

Merknadspunkter (``points``): a merknad split into points has one row per point, «KI-000012 a»,
«KI-000012 b», each with its own kind (an innsigelse's status and the evidence for it in the
sender cell), vurdering and forslag; a point without a vurdering says «Ikke vurdert» and is
listed on the first page. A felles vurdering joins points, not whole merknader. The first
page says plainly when the kommunestyre cannot adopt the plan alone (an innsigelse open or
opprettholdt), the innsigelser's status changes are listed with their evidence, and the
points' «endring i planen» make the list «Endringer i planforslaget etter offentlig ettersyn»
with a § 12-14 line each.
"""

from __future__ import annotations

import gc
import io
import math
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import NamedTuple
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from lxml.etree import SubElement

from ..config import Municipality, load_settings
from ..errors import KartinnspillError
from ..children import barnetrakk
from .. import geo, word
from . import merknadsbehandling_facts
from ..planning.planprocess import national_plan_id
from .export import drawn_geometries, local_times, missed_frists, xml_safe
from ..i18n import DEFAULT_LANG, format_date, t, tn
from ..model import (
    Channel,
    Consultation,
    InputStatus,
    NotMerknad,
    Objection,
    ObjectionStatus,
    Outcome,
    Point,
    PointKind,
    SenderType,
    StatusChange,
    public_sender_name,
    reference,
)
from ..casework.letters import own_of
from ..casework.moderation import mask_naming_kinds
from ..casework.points import UNRESOLVED
from ..casework.review import SECTIONS, responded_through, is_merknad, section_of
from ..store import Store
from ..text import excerpt

SUMMARY_CHARS = 400
# The merknad table runs on A4 landscape (25.7 cm between 2 cm margins): Nr, Mottatt,
# Avsender, Merknad, Vurdering, Forslag. A reference (KI-000123) and a date (06.10.2026) in
# 9 pt need 1.9 cm with the cells' padding; «Kommunedirektørens» in bold 9 pt needs 4.1 cm in
# DejaVu Sans, the font LibreOffice falls back to without Calibri or Carlito (measured).
COLUMN_WIDTHS_CM = (2.6, 2.5, 3.8, 6.1, 6.1, 4.6)
TABLE_FONT_HALF_POINTS = 18  # 9 pt
LABELS_PER_ROW = 6  # points listed on the first page: «KI-000123 b» in 9 pt fits 4.3 cm
PDF_TIMEOUT_S = 300  # a 10,000-merknad kommuneplan may take up to 5 min (issue 26); 180 s cut it off
_SCALE_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)

_FIRST_IN_SECTION = {SenderType.NEIGHBOUR.value, SenderType.LANDOWNER.value}


class Order(StrEnum):
    """How the merknader stand within a sender group: by the planners' tags (an input
    with several under its first; one without under its category) or by category."""

    THEME = "theme"
    CATEGORY = "category"


class ReportUnavailable(KartinnspillError):
    """The report cannot be made in the asked form here (no LibreOffice for a PDF, …)."""


def frist_passed(consultation: Consultation, now: datetime) -> bool:
    return now >= consultation.closes_at


def merknader(frame: pd.DataFrame, consultation: Consultation, now: datetime) -> pd.DataFrame:
    """The rows of ``Store.analysis_frame`` the merknadsbehandling holds (see the module's
    note), each with ``section``, ``answer_by`` (the input whose answer it carries, through
    its duplicate chain; NA while unanswered), that answer's ``a_summary``, ``a_assessment``,
    ``a_outcome``, ``a_plan_change``, and ``missed`` (the frist it missed, or ``None``)."""
    # as bool: an empty object-typed mask would select columns, not rows (KeyError: 'id')
    keep = frame["not_merknad"].map(is_merknad).astype(bool)
    if not frist_passed(consultation, now):
        keep &= frame["status"] != InputStatus.PENDING.value
    rows = frame[keep].reset_index(drop=True)
    links = dict(zip(frame["id"].astype(int), frame["duplicate_of"], strict=True))
    answered = {int(i) for i, o in zip(rows["id"], rows["outcome"], strict=True) if _present(o)}
    included = set(rows["id"].astype(int))
    by = [responded_through(int(i), links, answered, allowed=included) for i in rows["id"]]
    rows = rows.assign(
        section=rows["sender_type"].map(section_of).astype(int),
        answer_by=pd.array(by, dtype="Int64"),
        missed=pd.Series(missed_frists(rows, consultation), index=rows.index, dtype=object),
    )
    source = rows.set_index("id")
    for own, taken in (
        ("response_summary", "a_summary"),
        ("assessment", "a_assessment"),
        ("outcome", "a_outcome"),
        ("plan_change", "a_plan_change"),
    ):
        rows[taken] = [source.at[int(b), own] if not pd.isna(b) else None for b in rows["answer_by"]]
    return rows


def counts_not_merknad(frame: pd.DataFrame) -> dict[NotMerknad, int]:
    """How many inputs were marked as no merknad, per reason (reasons with none left out)."""
    found = Counter(v for v in frame["not_merknad"] if isinstance(v, str) and v)
    return {kind: found[kind.value] for kind in NotMerknad if found[kind.value]}


def build_report(
    store: Store,
    consultation_id: str,
    *,
    include_names: bool = False,
    order: Order | str = Order.THEME,
    profile: Municipality | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> bytes:
    """The merknadsbehandling as .docx bytes. The map is in the municipality's working CRS
    (``profile``, by default the configured one), and so are its titles."""
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise KartinnspillError("cli.unknown_consultation", id=consultation_id)
    profile = profile or load_settings().profile
    now = now or datetime.now(UTC)
    every = store.analysis_frame(consultation_id)
    rows = merknader(every, consultation, now)
    report = Report(
        consultation=consultation,
        rows=rows,
        waiting=0
        if frist_passed(consultation, now)
        else int(((every["status"] == InputStatus.PENDING.value) & every["not_merknad"].map(is_merknad)).sum()),
        not_merknad=counts_not_merknad(every),
        include_names=include_names,
        order=Order(order),
        titles=_titles(profile, lang),
        crs=profile.working_crs,
        lang=lang,
        now=now,
        points=store.merknad_points(consultation_id),
        status_log=store.status_changes(consultation_id),
        more_facts=merknadsbehandling_facts.facts(store, consultation, profile.kommunenummer, lang),
        file_lines=merknadsbehandling_facts.attachment_lines(store, consultation_id, lang),
        dressing=_dressing(consultation, profile, lang),
        children=barnetrakk.citation(store, consultation_id, lang),
    )
    return report.render()


def own_points(rows: pd.DataFrame, points: dict[int, list[Point]]) -> list[Point]:
    """The points the report assesses: every point of every merknad in it that is no
    duplicate (a duplicate is answered through its original)."""
    return [
        p for i, d in zip(rows["id"], rows["duplicate_of"], strict=True) if pd.isna(d) for p in points.get(int(i), ())
    ]


def unassessed_points(store: Store, consultation_id: str, now: datetime | None = None) -> list[tuple[str, Point]]:
    """The points the merknadsbehandling would mark «Ikke vurdert», each with its label
    there (the command line warns about each)."""
    consultation = store.get_consultation(consultation_id)
    if consultation is None:
        raise KartinnspillError("cli.unknown_consultation", id=consultation_id)
    rows = merknader(store.analysis_frame(consultation_id), consultation, now or datetime.now(UTC))
    found = store.merknad_points(consultation_id)
    return [(point_label(p, found), p) for p in own_points(rows, found) if not p.assessed]


def point_label(point: Point, points: dict[int, list[Point]]) -> str:
    """A point as the report numbers it: «KI-000012» when its merknad is not split,
    «KI-000012 b» when it is."""
    return point.label if len(points.get(point.input_id, ())) > 1 else reference(point.input_id)


def _dressing(c: Consultation, profile: Municipality, lang: str) -> dict[str, object]:
    """The Word file's metadata, header and footer (``word.dress``)."""
    plan_id = national_plan_id(profile.kommunenummer, c.plan_id)
    header = t("letters.report.header", lang, case=c.case_number or "–", plan_id=plan_id or "–")
    return {
        "title": xml_safe(t("exports.report.title", lang, title=c.title)),
        "author": profile.name,
        "subject": t("letters.report.subject", lang),
        "keywords": t("letters.report.keywords", lang, plan_id=plan_id),
        "header": header,
        "footer": t("letters.report.footer", lang, page="{page}", pages="{pages}"),
    }


def _titles(profile: Municipality, lang: str) -> tuple[str, str]:
    """The assessment's and the recommendation's column titles (profile, else locale)."""
    assessment, proposal = dict(profile.assessment_title), dict(profile.proposal_title)
    return (
        assessment.get(lang) or t("report11.assessment_title", lang),
        proposal.get(lang) or t("report11.proposal_title", lang),
    )


# PDF/A-2b (ISO 19005-2, level B): what Noark 5 archives take for long-term keeping; it
# embeds every font. LibreOffice ≥ 7.4 reads export options as JSON after the filter name.
PDF_A2B = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


def docx_to_pdf(data: bytes) -> bytes:
    """The .docx as LibreOffice renders it (``soffice --headless --convert-to pdf``), as
    PDF/A-2b with its fonts embedded: what a planner sees, for publishing with the
    saksframlegg and for the archive."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReportUnavailable("report11.pdf_unavailable")
    with tempfile.TemporaryDirectory(prefix="kartinnspill-pdf-") as tmp:
        source = Path(tmp) / "merknadsbehandling.docx"
        source.write_bytes(data)
        # a profile of its own: two conversions at once must not share (and lock) one
        profile = f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}"
        try:
            subprocess.run(
                [soffice, profile, "--headless", "--convert-to", PDF_A2B, "--outdir", tmp, str(source)],
                capture_output=True,
                timeout=PDF_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReportUnavailable("report11.pdf_failed") from None
        target = source.with_suffix(".pdf")
        if not target.exists():
            raise ReportUnavailable("report11.pdf_failed")
        return target.read_bytes()


# -- the document ---------------------------------------------------------------------------


@dataclass
class Report:
    consultation: Consultation
    rows: pd.DataFrame  # ``merknader``
    waiting: int  # pending inputs not in yet (the frist has not passed)
    not_merknad: dict[NotMerknad, int]
    include_names: bool
    order: Order
    titles: tuple[str, str]
    crs: int
    lang: str
    now: datetime
    points: dict[int, list[Point]]
    status_log: list[StatusChange]
    # issue 21: the høring's further facts (report_facts), each merknad's files and
    # journalpost, and the Word metadata, header and footer (word.dress)
    more_facts: Sequence[tuple[str, str]] = ()
    file_lines: dict[int, list[str]] = field(default_factory=dict)
    dressing: dict[str, object] = field(default_factory=dict)
    children: str | None = None  # the school classes' part, citable (barnetrakk.citation)

    def w(self, key: str, **params: object) -> str:
        return t(f"report11.{key}", self.lang, **params)

    def render(self) -> bytes:
        doc = Document()
        _landscape(doc.sections[0])  # the summary tables' columns need its width too
        doc.styles["Normal"].font.size = Pt(10)
        c, lang = self.consultation, self.lang
        rows = self.rows.assign(date=_dates(self.rows["created_at"]))
        rows = rows.assign(
            masked=[
                mask_naming_kinds(str(x), self._mask_label, None if self.include_names else own_of(*who))
                for x, *who in zip(
                    rows["text"],
                    rows["sender_type"],
                    rows["sender_name"],
                    rows["sender_address"],
                    rows["sender_property"],
                    strict=True,
                )
            ],  # the sender's own name, address and gnr/bnr too, unless names are asked for
        )
        self.rows = rows
        doc.add_heading(xml_safe(t("exports.report.title", lang, title=c.title)), level=0)
        doc.add_paragraph(t("exports.report.generated", lang, date=format_date(self.now, lang)))
        self._first_page(doc)
        self._politicians(doc)
        self._facts(doc)
        self._figures(doc)
        self._notes(doc)
        self._status_log(doc)
        self._plan_changes(doc)
        _map(doc, c, rows, self.crs, lang)
        barnetrakk.cite_section(doc, self.children, lang)
        body = doc.add_section(WD_SECTION.NEW_PAGE)
        _landscape(body)
        self._body(doc)
        annex = doc.add_section(WD_SECTION.NEW_PAGE)
        _portrait(annex)
        self._annex(doc)
        if self.dressing:
            word.dress(doc, lang=lang, now=self.now, **self.dressing)
        buffer = io.BytesIO()
        doc.save(buffer)
        # python-docx holds the XML tree in reference cycles: free a large report's tree now
        del doc
        gc.collect()
        return buffer.getvalue()

    def _mask_label(self, kind: str) -> str:
        return self.w("masked", kind=self.w(f"pii.{kind}"))

    # -- the opening pages

    def _politicians(self, doc) -> None:
        """How many were taken into account, partly, not, noted — per sender group."""
        doc.add_heading(self.w("politicians_heading"), level=1)
        doc.add_paragraph(self.w("politicians_intro"))
        outcomes = [o.value for o in Outcome]
        head = (
            self.w("col_group"),
            *(t(f"planning.outcome.{o}", self.lang) for o in outcomes),
            t("exports.not_answered", self.lang),
            self.w("col_total"),
        )
        widths = _figure_widths(len(head))
        table = _table(doc, len(head), widths)
        _row(table, head, bold=(True,) * len(head), header=True, widths=widths)
        totals = [0] * (len(outcomes) + 2)
        for k, (name, _) in enumerate(SECTIONS):
            part = self.rows[self.rows["section"] == k]
            if part.empty:
                continue
            found = part["a_outcome"].value_counts()
            counts = [int(found.get(o, 0)) for o in outcomes]
            counts += [len(part) - sum(counts), len(part)]
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            _row(table, (self.w(f"section.{name}"), *counts), widths=widths)
        _row(table, (self.w("col_total"), *totals), bold=(True,) * len(head), widths=widths)

    def _facts(self, doc) -> None:
        c, lang = self.consultation, self.lang
        doc.add_heading(t("exports.report.facts_heading", lang), level=1)
        none = t("exports.report.none", lang)
        announced = none
        if c.announced_on is not None:
            announced = f"{c.announced_on.strftime('%d.%m.%Y')} {c.announced_where}".strip()
        rows = [
            (t("exports.report.plan_type", lang), t(f"plan_type.{c.plan_type.value}", lang)),
            (t("exports.report.plan_id", lang), c.plan_id or none),
            (self.w("case_number"), c.case_number or none),
            (t("exports.report.stage", lang), t(f"stage.{c.stage.value}", lang)),
            (
                t("exports.report.period", lang),
                t(
                    "exports.report.period_value",
                    lang,
                    opens=format_date(c.opens_at, lang),
                    closes=format_date(c.closes_at, lang),
                ),
            ),
            (self.w("announced"), announced),
        ]
        table = _table(doc, 2)
        for label, value in (*rows, *self.more_facts):
            _row(table, (label, value), bold=(True, False))

    def _figures(self, doc) -> None:
        """Merknader by sender group and channel, late ones, innsigelser and their status."""
        rows, lang = self.rows, self.lang
        doc.add_heading(self.w("figures_heading"), level=1)
        channels = [ch for ch in Channel if (rows["channel"] == ch.value).any()]
        head = (self.w("col_group"), *(t(f"channel.{ch.value}", lang) for ch in channels), self.w("col_total"))
        widths = _figure_widths(len(head))
        table = _table(doc, len(head), widths)
        _row(table, head, bold=(True,) * len(head), header=True, widths=widths)
        for k, (name, _) in enumerate(SECTIONS):
            part = rows[rows["section"] == k]
            if len(part):
                _row(
                    table,
                    (self.w(f"section.{name}"), *((part["channel"] == ch.value).sum() for ch in channels), len(part)),
                    widths=widths,
                )
        _row(
            table,
            (self.w("col_total"), *((rows["channel"] == ch.value).sum() for ch in channels), len(rows)),
            bold=(True,) * len(head),
            widths=widths,
        )
        late = int(rows["missed"].notna().sum())
        innsigelser = [p for p in own_points(rows, self.points) if p.kind == PointKind.INNSIGELSE]
        status = Counter((p.status or ObjectionStatus.OPEN).value for p in innsigelser)
        states = ", ".join(
            f"{status[s.value]} {t(f'objection.status.{s.value}', lang)}" for s in ObjectionStatus if status[s.value]
        )
        facts = [
            (self.w("merknader"), str(len(rows))),
            (self.w("late"), str(late)),
            (self.w("innsigelser"), f"{len(innsigelser)} ({states})" if states else str(len(innsigelser))),
        ]
        table = _table(doc, 2)
        for label, value in facts:
            _row(table, (label, value), bold=(True, False))

    def _notes(self, doc) -> None:
        rows, lang = self.rows, self.lang
        if self.waiting:  # every merknad must be assessed (pbl. § 12-12): say that some wait
            doc.add_paragraph(tn("report11.waiting_note", self.waiting, lang))
        if hidden := int((rows["status"] == InputStatus.HIDDEN.value).sum()):
            doc.add_paragraph(tn("report11.hidden_note", hidden, lang))
        if masked := sum(1 for _, kinds in rows["masked"] if kinds):
            doc.add_paragraph(tn("report11.masked_note", masked, lang))
        if n := sum(self.not_merknad.values()):
            doc.add_paragraph(tn("report11.not_merknad_note", n, lang))
        doc.add_paragraph(
            t("exports.report.names_note" if self.include_names else "parties.report.no_names_note", lang)
        )
        if late := int(rows["missed"].notna().sum()):
            doc.add_paragraph(tn("parties.report.late_note", late, lang))
        if standing := self._standing():
            doc.add_paragraph(tn("parties.report.unresolved_note", len(standing), lang))

    # -- merknadspunkter on the opening pages

    def _standing(self) -> list[Point]:
        """Innsigelser that still stand (open or opprettholdt) on merknader not hidden."""
        shown = self.rows[self.rows["status"] != InputStatus.HIDDEN.value]
        return [
            p
            for p in own_points(shown, self.points)
            if p.kind == PointKind.INNSIGELSE and (p.status or ObjectionStatus.OPEN) in UNRESOLVED
        ]

    def _first_page(self, doc) -> None:
        """Plainly, before anything else: whether the kommunestyre may adopt the plan alone,
        and every point that has no vurdering yet."""
        lang = self.lang
        if standing := self._standing():
            doc.add_paragraph().add_run(tn("points.report.blocked_doc", len(standing), lang)).bold = True
            self._labels(doc, standing)
        missing = [p for p in own_points(self.rows, self.points) if not p.assessed]
        if missing:
            doc.add_paragraph().add_run(tn("points.report.unassessed", len(missing), lang)).bold = True
            self._labels(doc, missing)

    def _labels(self, doc, found: list[Point]) -> None:
        """Points by their numbers, six to a row, each whole (a number never breaks)."""
        labels = [self._label(p) for p in found]
        widths = (sum(COLUMN_WIDTHS_CM) / LABELS_PER_ROW,) * LABELS_PER_ROW
        table = _table(doc, LABELS_PER_ROW, widths)
        for k in range(0, len(labels), LABELS_PER_ROW):
            row = labels[k : k + LABELS_PER_ROW]
            _row(table, row + [""] * (LABELS_PER_ROW - len(row)), widths=widths, nowrap=range(LABELS_PER_ROW))

    def _label(self, point: Point) -> str:
        return point_label(point, self.points)

    def _status_log(self, doc) -> None:
        """Every innsigelse with its status, and every move of a status with its evidence."""
        lang = self.lang
        innsigelser = [p for p in own_points(self.rows, self.points) if p.kind == PointKind.INNSIGELSE]
        if not innsigelser and not self.status_log:
            return
        doc.add_heading(t("points.report.status_heading", lang), level=1)
        in_report = {int(i) for i in self.rows["id"]}
        table = _table(doc, 5)
        _row(
            table,
            [t(f"points.report.col_{c}", lang) for c in ("point", "status", "date", "reference", "note")],
            bold=(True,) * 5,
            header=True,
        )
        for change in self.status_log:
            if change.input_id not in in_report:
                continue
            point = Point(change.input_id, change.letter)
            _row(
                table,
                (
                    self._label(point),
                    t(
                        "points.report.status_move",
                        lang,
                        before=t(f"objection.status.{(change.before or ObjectionStatus.OPEN).value}", lang),
                        after=t(f"objection.status.{change.after.value}", lang),
                    ),
                    _day_of(change.settled_on),
                    change.reference,
                    self._mask(change.note),
                ),
            )
        for p in innsigelses_open_without_move(innsigelser, self.status_log):
            _row(
                table,
                (
                    self._label(p),
                    t(f"objection.status.{(p.status or ObjectionStatus.OPEN).value}", lang),
                    "",
                    "",
                    t("points.report.no_move", lang),
                ),
            )

    def _plan_changes(self, doc) -> None:
        """«Endringer i planforslaget etter offentlig ettersyn»: every «endring i planen»
        once (a felles vurdering's change once for all its points), with whether it needs a
        new høring (pbl. § 12-14) and the parties who asked for it (``_parties``)."""
        lang = self.lang
        changes: dict[tuple, list[Point]] = {}
        for p in own_points(self.rows.sort_values("id"), self.points):
            if p.plan_change:
                changes.setdefault(_point_key(p) or ("p", p.input_id, p.letter), []).append(p)
        doc.add_heading(t("points.report.changes_heading", lang), level=1)
        if not changes:
            doc.add_paragraph(t("points.report.changes_none", lang))
            return
        table = _table(doc, 4)
        _row(
            table,
            [
                *(t(f"points.report.col_{c}", lang) for c in ("point", "change", "hearing")),
                t("merk21.report.col_parties", lang),
            ],
            bold=(True,) * 4,
            header=True,
        )
        by_id = {int(item.id): item for item in self.rows.itertuples(index=False)}
        copies: dict[int, list] = {}  # a merknad's duplicates, answered through it
        for item in by_id.values():
            if not pd.isna(item.duplicate_of):
                original = item.duplicate_of if pd.isna(item.answer_by) else item.answer_by
                copies.setdefault(int(original), []).append(item)
        for found in changes.values():
            hearing = t(
                "points.report.hearing_line",
                lang,
                answer=t("points.yes" if any(p.new_hearing for p in found) else "points.no", lang),
            )
            _row(
                table,
                (
                    "\n".join(self._label(p) for p in found),
                    self._mask(found[0].plan_change),
                    hearing,
                    "\n".join(self._parties(found, by_id, copies)),
                ),
            )

    def _parties(self, found: Sequence[Point], by_id: dict[int, object], copies: dict[int, list]) -> list[str]:
        """Who asked for a change: each of its points with its sender, then the merknader
        answered through one of them (duplicates), each sender named only as this report
        may name them (``_who``: a private person as «Privatperson», «Nabo» …)."""
        lang = self.lang
        lines = [
            t("merk21.report.party", lang, point=self._label(p), sender=self._who(by_id[p.input_id])) for p in found
        ]
        for input_id in dict.fromkeys(p.input_id for p in found):
            for item in copies.get(input_id, ()):
                lines.append(
                    t(
                        "merk21.report.party_duplicate",
                        lang,
                        point=reference(int(item.id)),
                        original=reference(input_id),
                        sender=self._who(item),
                    )
                )
        return lines

    # -- the merknadsbehandling

    def _body(self, doc) -> None:
        doc.add_heading(self.w("body_heading"), level=1)
        doc.add_paragraph(self.w(f"body_intro_{self.order.value}"))
        rows = self.rows
        if rows.empty:
            doc.add_paragraph(t("exports.report.no_inputs", self.lang))
            return
        clusters = self._clusters()
        printed: dict[tuple, str] = {}  # cluster → its label («F1»), once printed
        labels: dict[tuple, str] = {}
        for k, (name, _) in enumerate(SECTIONS):
            part = rows[rows["section"] == k]
            if part.empty:
                continue
            doc.add_heading(
                tn("report11.section_heading", len(part), self.lang, number=k + 1, name=self.w(f"section.{name}")),
                level=2,
            )
            for heading, group in self._subgroups(part):
                doc.add_heading(heading, level=3)
                self._merknad_table(doc, group, clusters, labels, printed)

    def _subgroups(self, part: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
        """Innsigelser first (authorities), then by theme or category."""
        lang = self.lang
        objection = part["objection"] == Objection.INNSIGELSE.value
        if objection.any():
            yield tn("report11.innsigelser_heading", int(objection.sum()), lang), part[objection]
            part = part[~objection]
        first = (
            part["tags"].map(lambda tags: tags[0] if len(tags) else None)
            if self.order == Order.THEME
            else pd.Series(None, index=part.index, dtype=object)
        )
        for theme in sorted(first.dropna().unique()):
            rows = part[first == theme]
            yield tn("report11.theme_heading", len(rows), lang, name=theme), rows
        rest = part[first.isna()]
        extra = sorted(set(rest["category"]) - set(self.consultation.categories))
        for category in (*self.consultation.categories, *extra):
            rows = rest[rest["category"] == category]
            if len(rows):
                yield tn("report11.category_heading", len(rows), lang, name=category), rows

    def _entries(self, item) -> list[Point | None]:
        """A merknad's rows: its points, or ``None`` for a duplicate (answered through its
        original)."""
        if not pd.isna(item.duplicate_of):
            return [None]
        return self.points.get(int(item.id)) or [None]

    def _clusters(self) -> dict[tuple, list[int]]:
        """Felles vurderinger: each key shared by two rows or more, with the merknader of
        its rows."""
        members: dict[tuple, list[int]] = {}
        for item in self.rows.itertuples(index=False):
            for p in self._entries(item):
                if (key := self._key(item, p)) is not None:
                    members.setdefault(key, []).append(int(item.id))
        return {k: v for k, v in members.items() if len(v) > 1}

    def _key(self, item, point: Point | None) -> tuple | None:
        """What joins rows into one felles vurdering: a group of points; an answer given
        the same to several merknader before points existed; a duplicate with its original."""
        if point is None:
            if pd.isna(item.answer_by):
                return None
            source = self.points.get(int(item.answer_by), ())
            return _point_key(source[0]) if len(source) == 1 else ("m", int(item.answer_by))
        return _point_key(point)

    def _merknad_table(
        self,
        doc,
        group: pd.DataFrame,
        clusters: dict[tuple, list[int]],
        labels: dict[tuple, str],
        printed: dict[tuple, str],
    ) -> None:
        head = (
            self.w("col_nr"),
            self.w("col_date"),
            self.w("col_sender"),
            self.w("col_merknad"),
            self.titles[0],
            self.titles[1],
        )
        table = _table(doc, len(head), COLUMN_WIDTHS_CM)
        _row(table, head, bold=(True,) * len(head), header=True, widths=COLUMN_WIDTHS_CM)
        first = {int(item.id): self._key(item, self._entries(item)[0]) for item in group.itertuples(index=False)}
        ordered = _ordered(group, {i: min(clusters[k]) for i, k in first.items() if k in clusters})
        rows = [(item, n, p) for item in ordered.itertuples(index=False) for n, p in enumerate(self._entries(item))]
        last_of = {}
        for item, n, p in rows:
            if (key := self._key(item, p)) in clusters:
                last_of[key] = (int(item.id), n)
        for item, n, p in rows:
            key = self._key(item, p)
            cluster = key if key in clusters else None
            if cluster is not None and cluster not in labels:
                labels[cluster] = f"F{len(labels) + 1}"
            _row(table, self._cells(item, n, p, cluster, labels, printed), widths=COLUMN_WIDTHS_CM, nowrap=(0, 1))
            if cluster is not None and last_of[cluster] == (int(item.id), n) and cluster not in printed:
                printed[cluster] = labels[cluster]
                self._group_response(table, item, p, labels[cluster], len(clusters[cluster]))

    def _cells(
        self,
        item,
        n: int,
        point: Point | None,
        cluster: tuple | None,
        labels: dict[tuple, str],
        printed: dict[tuple, str],
    ) -> tuple[str, ...]:
        lang = self.lang
        split = len(self._entries(item)) > 1
        nr = f"{reference(int(item.id))} {point.letter}" if split else reference(int(item.id))
        date = item.date if n == 0 else ""
        if n == 0 and item.missed is not None:
            date = f"{date}\n{self.w('late_mark', frist=_day(item.missed))}"
        text, kinds = item.masked
        answered = point.assessed if point is not None else _present(item.a_outcome)
        if point is not None and point.stored:
            summary = self._mask(point.summary) if point.summary else excerpt(text, SUMMARY_CHARS) if n == 0 else ""
            if point.theme:
                summary = f"{t('points.report.theme', lang, theme=point.theme)}\n{summary}".strip()
        elif cluster is None and answered and _present(item.a_summary):
            summary = self._mask(item.a_summary)
        else:
            summary = excerpt(text, SUMMARY_CHARS)
        if kinds and n == 0:
            summary += "\n" + self.w("masked_kinds", kinds=", ".join(self.w(f"pii.{k}") for k in kinds))
        if cluster is not None:
            where = "above" if cluster in printed else "below"
            assessment = self.w(f"see_group_{where}", label=labels[cluster])
        elif answered:
            assessment = self._assessment(item, point)
        else:
            assessment = ""
        outcome_value = point.outcome.value if point is not None and point.assessed else item.a_outcome
        outcome = t(f"planning.outcome.{outcome_value}", lang) if answered else t("points.report.not_assessed", lang)
        sender = self._sender(item, point) if n == 0 else self._kind(point)
        return (nr, date, sender, summary, assessment, outcome)

    def _assessment(self, item, point: Point | None = None) -> str:
        if point is not None:
            assessment, change = point.assessment, point.plan_change
        else:
            assessment, change = item.a_assessment, item.a_plan_change
        text = self._mask(assessment) if _present(assessment) else ""
        if _present(change):
            text = f"{text}\n{t('exports.report.plan_change', self.lang, change=self._mask(change))}".strip()
        return text

    def _group_response(self, table: Table, item, point: Point | None, label: str, n: int) -> None:
        """One row across the table: the answer the rows above (and elsewhere) share."""
        outcome = point.outcome.value if point is not None else item.a_outcome
        shared = point.summary if point is not None and not point.stored else None if point else item.a_summary
        lines = [
            tn("report11.group_heading", n, self.lang, label=label, title=self.titles[0]),
            self._mask(shared) if _present(shared) else "",
            self._assessment(item, point),
            f"{self.titles[1]}: {t(f'planning.outcome.{outcome}', self.lang)}",
        ]
        _row(
            table,
            ["\n".join(line for line in lines if line)],
            bold=(True,),
            span=len(COLUMN_WIDTHS_CM),
            widths=(sum(COLUMN_WIDTHS_CM),),
        )

    def _kind(self, point: Point | None) -> str:
        """«Innsigelse (imøtekommet)» with the date and reference behind its status, «Faglig
        råd», or ``""`` for an ordinary point."""
        if point is None or point.kind == PointKind.MERKNAD:
            return ""
        lang = self.lang
        what = t(f"objection.kind.{point.kind.value}", lang)
        if point.kind == PointKind.INNSIGELSE:
            what = t(
                "parties.report.objection_status",
                lang,
                kind=what,
                status=t(f"objection.status.{(point.status or ObjectionStatus.OPEN).value}", lang),
            )
            if point.settled_on is not None:
                what += "\n" + t(
                    "points.report.evidence", lang, date=_day_of(point.settled_on), reference=point.settled_reference
                )
        return what

    def _who(self, item) -> str:
        """The sender as this report may name them: the sender type, with the name of an
        authority, organisation or business — a private person's only in the internal
        version (``include_names``; ``letters.is_private``)."""
        lang = self.lang
        kind = item.sender_type if _present(item.sender_type) else SenderType.PRIVATE.value
        sender = t(f"sender_type.{kind}", lang)
        public = public_sender_name(item.sender_type, item.sender_name)
        if _present(item.sender_name) and (self.include_names or public):
            sender = t("exports.report.sender_named", lang, type=sender, name=item.sender_name)
        return sender

    def _sender(self, item, point: Point | None = None) -> str:
        lang = self.lang
        sender = self._who(item)
        if point is not None:
            what = self._kind(point)
            return f"{sender}\n{what}" if what else sender
        if _present(item.objection):
            what = t(f"objection.kind.{item.objection}", lang)
            if _present(item.objection_status):
                what = t(
                    "parties.report.objection_status",
                    lang,
                    kind=what,
                    status=t(f"objection.status.{item.objection_status}", lang),
                )
            sender = f"{sender}\n{what}"
        return sender

    def _mask(self, text: str) -> str:
        return mask_naming_kinds(str(text), self._mask_label)[0]

    # -- the annex

    def _annex(self, doc) -> None:
        lang, rows = self.lang, self.rows
        doc.add_heading(self.w("annex_heading"), level=1)
        doc.add_paragraph(self.w("annex_intro"))
        body = doc.element.body
        end = body[-1]  # the last section's properties stay last
        for item in rows.sort_values("id").itertuples(index=False):
            text, kinds = item.masked
            head = " · ".join((reference(int(item.id)), item.date, self._sender(item).replace("\n", ", ")))
            end.addprevious(_paragraph(head, bold=True, keep_next=True))
            for line in text.split("\n"):
                end.addprevious(_paragraph(line))
            if kinds:
                end.addprevious(_paragraph(self.w("masked_kinds", kinds=", ".join(self.w(f"pii.{k}") for k in kinds))))
            for line in self.file_lines.get(int(item.id), ()):
                end.addprevious(_paragraph(line))
            if int(item.supports):  # support is not a vote: mentioned here only
                end.addprevious(_paragraph(tn("report11.supports", int(item.supports), lang)))
        doc.add_heading(self.w("not_merknad_heading"), level=1)
        if not self.not_merknad:
            doc.add_paragraph(self.w("not_merknad_none"))
            return
        doc.add_paragraph(tn("report11.not_merknad_intro", sum(self.not_merknad.values()), lang))
        table = _table(doc, 2)
        _row(table, (self.w("col_reason"), self.w("col_count")), bold=(True, True), header=True)
        for kind, n in self.not_merknad.items():
            _row(table, (self.w(f"not_merknad.{kind.value}"), n))


def _point_key(point: Point) -> tuple | None:
    if not point.assessed:
        return None
    if point.group_id is not None:
        return ("g", point.group_id)
    if not point.stored:  # one answer saved for several merknader before points existed
        return ("c", point.outcome.value, point.summary, point.assessment, point.plan_change)
    return ("p", point.input_id, point.letter)


def _day_of(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def innsigelses_open_without_move(innsigelser: Sequence[Point], log: Sequence[StatusChange]) -> list[Point]:
    """Innsigelser whose status never moved (still as raised)."""
    moved = {(c.input_id, c.letter) for c in log}
    return [p for p in innsigelser if (p.input_id, p.letter) not in moved]


def _ordered(group: pd.DataFrame, clusters: dict[int, int]) -> pd.DataFrame:
    """Neighbours and landowners first; the merknader of one group answer together."""
    rank = [0 if s in _FIRST_IN_SECTION else 1 for s in group["sender_type"]]
    ids = group["id"].astype(int).tolist()
    first_rank: dict[int, int] = {}
    for input_id, r in zip(ids, rank, strict=True):
        if input_id in clusters:
            first_rank[clusters[input_id]] = min(r, first_rank.get(clusters[input_id], r))
    key = [
        (first_rank[clusters[i]], clusters[i], i) if i in clusters else (r, i, i)
        for i, r in zip(ids, rank, strict=True)
    ]
    order = sorted(range(len(ids)), key=key.__getitem__)
    return group.iloc[order]


def _figure_widths(columns: int) -> tuple[float, ...]:
    """A figures table on A4 landscape: the sender group, then up to seven counts whose
    headings («Tatt til orientering») keep every word whole."""
    return (5.5, *[min(3.3, 20.2 / (columns - 1))] * (columns - 1))


def _dates(created: pd.Series) -> list[str]:
    """Received dates in Norwegian local time: 06.10.2026 (digits only: never wraps)."""
    wall, _ = local_times(created)
    day = np.datetime_as_string(wall, unit="D")
    return [f"{d[8:10]}.{d[5:7]}.{d[:4]}" for d in day.tolist()]


def _day(value: datetime) -> str:
    return _dates(pd.Series([value.astimezone(UTC).replace(tzinfo=None)]))[0]


def _present(value: object) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and value != ""


def _portrait(section) -> None:
    """A4 portrait, 2 cm margins."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    _margins(section)


def _landscape(section) -> None:
    """A4 landscape for the merknad table, 2 cm margins."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    _margins(section)


def _margins(section) -> None:
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))


def _table(doc, columns: int, widths: Sequence[float] = ()) -> Table:
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    if widths:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
    return table


def _map(doc, consultation: Consultation, frame: pd.DataFrame, crs: int, lang: str) -> None:
    doc.add_heading(t("exports.report.map_heading", lang), level=1)
    located = frame[frame["lon"].notna()]
    if located.empty:
        doc.add_paragraph(t("exports.report.map_none", lang))
        return
    png, scale = map_png(consultation, located, crs, lang)
    doc.add_picture(io.BytesIO(png), width=Cm(17))
    caption = tn(
        "exports.report.map_caption",
        len(frame),
        lang,
        located=len(located),
        crs=_crs_name(crs),
        scale=scale,
    )
    doc.add_paragraph(caption, style="Caption")


def _crs_name(crs: int) -> str:
    return geo.crs_name(crs)


def map_png(consultation: Consultation, located: pd.DataFrame, crs: int, lang: str) -> tuple[bytes, str]:
    """A map of the inputs over the plan-area outline, in ``crs`` (metres), drawn locally:
    pins as dots, drawn routes as lines and drawn areas as outlines, coloured by category;
    returns the PNG and the scale bar's text."""
    fig, _, scale = _map_figure(consultation, located, crs, lang)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue(), scale


class _PinMap(NamedTuple):
    """One merknad's map, drawn once per consultation and category: the figure with its
    dot, and the picture of everything else to draw the dot on again."""

    figure: object
    dot: object  # the scatter of one pin
    background: object  # the canvas without the dot (copy_from_bbox)
    bounds: tuple[float, float, float, float]  # the plan area's, in the working CRS


_PIN_MAPS: dict[tuple, _PinMap] = {}
_PIN_MAPS_KEPT = 16  # figures (~8 MB each with their background); past that, start over


def pin_map_image(consultation: Consultation, lon: float, lat: float, category: str, crs: int, lang: str):
    """``map_png`` of one pin (an archived merknad's map) as an RGB ``PIL.Image``: the same
    picture, but the figure is built and laid out once per consultation, category and
    language and only the dot is drawn again (0.4 s → a few ms a merknad: 10,000 of them in
    a kommuneplan's archive package). A pin outside the plan area's bounds moves the map's
    extent: drawn in full."""
    from PIL import Image

    east, north = (float(v[0]) for v in geo.project_coordinates(np.array([lon]), np.array([lat]), crs))
    key = (consultation.id, consultation.area.wkb, tuple(consultation.categories), category, crs, lang)
    pin = _PIN_MAPS.get(key)
    if pin is None:
        area = geo.project_area(consultation.area, crs)
        inside = consultation.area.representative_point()  # lon/lat, inside the plan area
        located = pd.DataFrame({"lon": [inside.x], "lat": [inside.y], "category": [category]})
        fig, dots, _ = _map_figure(consultation, located, crs, lang)
        fig.canvas.draw()
        (dot,) = dots
        dot.set_visible(False)
        fig.canvas.draw()
        background = fig.canvas.copy_from_bbox(fig.bbox)
        dot.set_visible(True)
        if len(_PIN_MAPS) >= _PIN_MAPS_KEPT:
            _PIN_MAPS.clear()
        pin = _PIN_MAPS[key] = _PinMap(fig, dot, background, tuple(area.bounds))
    minx, miny, maxx, maxy = pin.bounds
    if not (minx <= east <= maxx and miny <= north <= maxy):
        located = pd.DataFrame({"lon": [lon], "lat": [lat], "category": [category]})
        fig, _, _ = _map_figure(consultation, located, crs, lang)
        fig.canvas.draw()
        return Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba()).convert("RGB")
    canvas = pin.figure.canvas
    canvas.restore_region(pin.background)
    pin.dot.set_offsets([[east, north]])
    pin.dot.axes.draw_artist(pin.dot)
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")


def _map_figure(consultation: Consultation, located: pd.DataFrame, crs: int, lang: str) -> tuple:
    """``map_png``'s figure, laid out: ``(figure, the pins' scatters, the scale's text)``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    area = geo.project_area(consultation.area, crs)
    east, north = geo.project_coordinates(
        located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float), crs
    )
    drawn = geo.project_geometries(drawn_geometries(located), crs)
    fig = Figure(figsize=(7, 6.2), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    dots = []
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
    pins = ~shapely.is_geometry(drawn)
    for colour, category in zip(colours, categories, strict=True):
        mask = codes == category
        if mask.any():
            label = f"{category} ({int(mask.sum())})"
            dots.append(
                ax.scatter(
                    east[mask & pins], north[mask & pins], s=size, color=colour, label=label, linewidths=0, alpha=0.8
                )
            )
            _draw_shapes(ax, drawn[mask & ~pins], colour)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    minx, miny, maxx, maxy = _extent(area.bounds, east, north, drawn[~pins])
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    metres = _scale_length(maxx - minx)
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.05
    ax.plot([x0, x0 + metres], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    scale = t("exports.report.map_scale", lang, metres=f"{metres:,}".replace(",", " "))
    ax.text(x0, y0 + (maxy - miny) * 0.015, scale, fontsize=8)
    note = f"EPSG:{crs} · {t('exports.report.map_basemap', lang)}"
    ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=7, color="#555555")
    ax.annotate(
        "N",
        xy=(0.96, 0.95),
        xytext=(0.96, 0.86),
        xycoords="axes fraction",
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.02),
        ncol=2,
        fontsize=7,
        frameon=False,
        markerscale=max(1, 10 / size) ** 0.5,
    )
    fig.tight_layout()
    return fig, dots, scale


def _draw_shapes(ax, geometries: np.ndarray, colour) -> None:
    """Drawn routes as lines and drawn areas as tinted outlines on a matplotlib axis."""
    from matplotlib.collections import LineCollection, PolyCollection

    lines = [np.asarray(g.coords) for g in geometries if g.geom_type == "LineString"]
    rings = [np.asarray(g.exterior.coords) for g in geometries if g.geom_type == "Polygon"]
    if rings:
        ax.add_collection(PolyCollection(rings, facecolors=[(*colour[:3], 0.18)], edgecolors=[colour], linewidths=1.2))
    if lines:
        ax.add_collection(LineCollection(lines, colors=[colour], linewidths=1.6, alpha=0.85, capstyle="round"))


def _palette(n: int) -> list:
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](k) for k in range(n)]
    # tab20 comes in light/dark pairs: all the dark ones first keeps neighbours apart
    order = [*range(0, 20, 2), *range(1, 20, 2)]
    return [colormaps["tab20"](order[k % 20]) for k in range(n)]


def _extent(bounds: Sequence[float], east: np.ndarray, north: np.ndarray, drawn: np.ndarray = ()) -> tuple[float, ...]:
    """The plan area, every point and every drawn shape, with a margin."""
    minx, miny = min(bounds[0], np.nanmin(east)), min(bounds[1], np.nanmin(north))
    maxx, maxy = max(bounds[2], np.nanmax(east)), max(bounds[3], np.nanmax(north))
    if len(drawn):
        x0, y0, x1, y1 = shapely.total_bounds(drawn)
        minx, miny, maxx, maxy = min(minx, x0), min(miny, y0), max(maxx, x1), max(maxy, y1)
    margin = max(maxx - minx, maxy - miny, 100) * 0.06
    return minx - margin, miny - margin, maxx + margin, maxy + margin


def _scale_length(width: float) -> int:
    """A round length near a fifth of the map's width."""
    target = width / 5
    return min(_SCALE_STEPS, key=lambda s: abs(math.log(s / target)))


# -- fast table rows -------------------------------------------------------------------------
# python-docx's add_row()/cells get slower with every row (seconds per thousand), and so does
# its OxmlElement; a report of thousands of inputs builds its rows and paragraphs with lxml.


def _row(
    table: Table,
    values: Sequence[object],
    *,
    bold: Sequence[bool] = (),
    header: bool = False,
    widths: Sequence[float] = (),
    nowrap: Sequence[int] = (),
    span: int = 1,
) -> None:
    tr = SubElement(table._tbl, _TR)
    if header:  # repeated at the top of every page the table runs over
        SubElement(SubElement(tr, _TR_PR), _TBL_HEADER)
    for k, value in enumerate(values):
        tc = SubElement(tr, _TC)
        props = SubElement(tc, _TC_PR)
        if widths:
            width = SubElement(props, _TC_W)
            width.set(_W, str(int(widths[k] * 567)))  # twentieths of a point per cm
            width.set(_TYPE, "dxa")
        if span > 1:
            SubElement(props, _GRID_SPAN).set(_VAL, str(span))
        if k in nowrap:
            SubElement(props, _NO_WRAP)
        strong = k < len(bold) and bold[k]
        for n, line in enumerate(xml_safe(str(value)).split("\n")):
            tc.append(_paragraph(line, bold=strong and (span == 1 or n == 0), size=TABLE_FONT_HALF_POINTS))


def _paragraph(text: str, *, bold: bool = False, keep_next: bool = False, size: int = 0):
    p = _element(_P)
    if keep_next:
        SubElement(SubElement(p, _P_PR), _KEEP_NEXT)
    run = SubElement(p, _R)
    if bold or size:
        props = SubElement(run, _R_PR)
        if bold:
            SubElement(props, _B)
        if size:
            SubElement(props, _SZ).set(_VAL, str(size))
    node = SubElement(run, _T)
    node.set(_SPACE, "preserve")
    node.text = xml_safe(text)
    return p


def _element(tag: str):
    from lxml.etree import Element

    return Element(tag, nsmap={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})


(
    _TR,
    _TR_PR,
    _TBL_HEADER,
    _TC,
    _TC_PR,
    _TC_W,
    _GRID_SPAN,
    _NO_WRAP,
    _P,
    _P_PR,
    _KEEP_NEXT,
    _R,
    _R_PR,
    _B,
    _SZ,
    _T,
    _W,
    _TYPE,
    _VAL,
    _SPACE,
) = (
    qn(tag)
    for tag in (
        "w:tr",
        "w:trPr",
        "w:tblHeader",
        "w:tc",
        "w:tcPr",
        "w:tcW",
        "w:gridSpan",
        "w:noWrap",
        "w:p",
        "w:pPr",
        "w:keepNext",
        "w:r",
        "w:rPr",
        "w:b",
        "w:sz",
        "w:t",
        "w:w",
        "w:type",
        "w:val",
        "xml:space",
    )
)
