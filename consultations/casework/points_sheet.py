"""The merknadspunkter as a spreadsheet and back: planners draft a merknadsbehandling in
Excel. ``export --format xlsx`` writes the sheet «Merknadspunkter», one row per point, and
``import-responses`` reads it back under the rules the review page follows (``points``):
a new letter on an existing reference splits the merknad, an innsigelse's status moves only
with a date and a reference. All or nothing: the first refused row is named with its row
and column, and nothing is stored.

Column names and codes are a contract (issue #21): ``COLUMNS``, the kinds
``merknad|innsigelse|faglig_rad``, the statuses ``apen|imotekommet|frafalt|opprettholdt``,
the outcomes as stored, ``krever_ny_horing`` ``ja|nei``, dates YYYY-MM-DD.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zipfile import BadZipFile

from . import points
from ..errors import KartinnspillError
from ..i18n import DEFAULT_LANG, t
from ..model import (
    ObjectionStatus,
    Point,
    PointKind,
    Role,
    StatusChange,
    User,
    reference,
)
from ..permissions import require
from .review import needs_response
from ..store import Store

SHEET = "Merknadspunkter"
COLUMNS = (
    "referanse",
    "punkt",
    "sammendrag",
    "tema",
    "type",
    "innsigelse_status",
    "avklart_dato",
    "avklart_referanse",
    "vurdering",
    "forslag",
    "endring_i_planen",
    "krever_ny_horing",
)
# the sheet's status codes (no «å» in a code) and the store's
STATUS_CODES = {
    "apen": ObjectionStatus.OPEN,
    "imotekommet": ObjectionStatus.MET,
    "frafalt": ObjectionStatus.WITHDRAWN,
    "opprettholdt": ObjectionStatus.MAINTAINED,
}
STATUS_OF = {v: k for k, v in STATUS_CODES.items()}
YES, NO = "ja", "nei"
_REFERENCE = re.compile(r"^KI-(\d{1,9})$", re.IGNORECASE)
# which column a refused rule is about
_COLUMN_OF = {
    "points.error.summary_long": "sammendrag",
    "points.error.theme_long": "tema",
    "points.error.kind_unknown": "type",
    "points.error.not_authority": "type",
    "points.error.assessment_long": "vurdering",
    "points.error.assessment_missing": "vurdering",
    "points.error.outcome_unknown": "forslag",
    "points.error.outcome_missing": "forslag",
    "points.error.plan_change_long": "endring_i_planen",
    "points.error.not_innsigelse": "innsigelse_status",
    "points.error.status_unknown": "innsigelse_status",
    "points.error.date_missing": "avklart_dato",
    "points.error.date_future": "avklart_dato",
    "points.error.reference_missing": "avklart_referanse",
    "points.error.reference_long": "avklart_referanse",
    "points.error.letter_invalid": "punkt",
    "points.error.too_many": "punkt",
}


class SheetRefused(KartinnspillError):
    """A row of the sheet breaks a rule; nothing was stored."""


def sheet_rows(store: Store, consultation_id: str) -> list[list[object]]:
    """One row per point of every merknad that needs an answer, in reference order."""
    found = store.merknad_points(consultation_id)
    rows = []
    for item in store.all_inputs(consultation_id):
        if not needs_response(item.not_merknad, item.duplicate_of):
            continue
        for p in found.get(item.id, ()):
            rows.append(
                [
                    reference(p.input_id),
                    p.letter,
                    p.summary,
                    p.theme,
                    p.kind.value,
                    STATUS_OF[p.status] if p.kind == PointKind.INNSIGELSE and p.status else "",
                    p.settled_on.isoformat() if p.settled_on else "",
                    p.settled_reference,
                    p.assessment,
                    p.outcome.value if p.outcome else "",
                    p.plan_change,
                    YES if p.new_hearing else NO,
                ]
            )
    return rows


def read_sheet(data: bytes) -> list[dict[str, object]]:
    """The sheet's rows as dicts by column name (row 2 is the first); refused when the file
    is no spreadsheet, has no such sheet, or its columns are not exactly ``COLUMNS``."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):  # no workbook
        raise SheetRefused("points.import.not_xlsx") from None
    if SHEET not in wb.sheetnames:
        raise SheetRefused("points.import.no_sheet", sheet=SHEET)
    rows = list(wb[SHEET].iter_rows(values_only=True))
    head = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else ())]
    while head and not head[-1]:
        head.pop()
    if sorted(head) != sorted(COLUMNS):
        raise SheetRefused("points.import.columns", columns=", ".join(COLUMNS))
    found = []
    for values in rows[1:]:
        record = {name: values[k] if k < len(values) else None for k, name in enumerate(head)}
        found.append(record)
    return found


@dataclass(frozen=True)
class Planned:
    """What one row will change: the point as it will be stored, its status change, and
    the line the command prints."""

    point: Point
    change: StatusChange | None
    line: str


def plan(
    store: Store, consultation_id: str, records: Sequence[dict[str, object]], source: str, lang: str = DEFAULT_LANG
) -> list[Planned]:
    """Every change the rows ask for, checked; ``SheetRefused`` naming the row and column
    at the first row a rule refuses. Rows that change nothing are left out."""
    inputs = {i.id: i for i in store.all_inputs(consultation_id)}
    current = store.merknad_points(consultation_id)
    pending: dict[tuple[int, str], Point] = {}
    planned = []
    for n, record in enumerate(records, start=2):
        if all(_text(v) == "" for v in record.values()):
            continue  # an empty row Excel left behind

        def refuse(column: str, key: str, row: int = n, **params: object) -> SheetRefused:
            return SheetRefused("points.import.refused", row=row, column=column, reason=t(key, lang, **params))

        ref = _text(record["referanse"])
        match = _REFERENCE.match(ref)
        if not match or int(match.group(1)) not in inputs:
            raise refuse("referanse", "points.import.unknown_reference", ref=ref)
        item = inputs[int(match.group(1))]
        letter = _text(record["punkt"]).lower()
        if len(letter) != 1 or letter not in points.LETTERS:
            raise refuse("punkt", "points.error.letter_invalid", letter=letter)
        if (item.id, letter) in pending:
            raise refuse("punkt", "points.import.twice", ref=ref, letter=letter)
        existing = {p.letter: p for p in current.get(item.id, ())}
        before = existing.get(letter) or Point(item.id, letter)
        hearing = _text(record["krever_ny_horing"]).lower() or NO
        if hearing not in (YES, NO):
            raise refuse("krever_ny_horing", "points.import.yes_no")
        edit = points.PointEdit(
            summary=_text(record["sammendrag"]),
            theme=_text(record["tema"]),
            kind=_text(record["type"]) or PointKind.MERKNAD.value,
            assessment=_text(record["vurdering"]),
            outcome=_text(record["forslag"]) or None,
            plan_change=_text(record["endring_i_planen"]),
            new_hearing=hearing == YES,
        )
        try:
            after = points.checked(item, before, edit)
        except points.InvalidPoint as exc:
            raise SheetRefused(
                "points.import.refused", row=n, column=_COLUMN_OF.get(exc.key, "type"), reason=exc.message(lang)
            ) from None
        change = None
        code = _text(record["innsigelse_status"]).lower()
        if code:
            if code not in STATUS_CODES:
                raise refuse("innsigelse_status", "points.error.status_unknown")
            if after.kind != PointKind.INNSIGELSE:
                raise refuse("innsigelse_status", "points.error.not_innsigelse")
            if STATUS_CODES[code] != (after.status or ObjectionStatus.OPEN):
                try:
                    settled = _date(record["avklart_dato"])
                except ValueError:
                    raise refuse("avklart_dato", "points.import.bad_date") from None
                try:
                    after, change = points.validate_status_change(
                        after,
                        STATUS_CODES[code],
                        settled,
                        _text(record["avklart_referanse"]),
                        t("points.import.note", lang, source=source, row=n),
                    )
                except points.InvalidPoint as exc:
                    raise SheetRefused(
                        "points.import.refused",
                        row=n,
                        column=_COLUMN_OF.get(exc.key, "innsigelse_status"),
                        reason=exc.message(lang),
                    ) from None
        if letter in existing and not _differs(before, after) and change is None:
            continue
        pending[(item.id, letter)] = after
        planned.append(Planned(after, change, _line(before, after, change, letter not in existing, lang)))
    return planned


def import_responses(
    store: Store, consultation_id: str, data: bytes, actor: User, source: str, lang: str = DEFAULT_LANG
) -> list[str]:
    """Read the sheet back into the merknadsbehandling, all or nothing; returns one line per
    change (none when nothing changed)."""
    who = require(store, actor, Role.PLANNER)
    if store.get_consultation(consultation_id) is None:
        raise SheetRefused("cli.unknown_consultation", id=consultation_id)
    planned = plan(store, consultation_id, read_sheet(data), source, lang)
    if planned:
        store.save_points([p.point for p in planned], who.username, [p.change for p in planned if p.change])
    return [p.line for p in planned]


_FIELDS = ("summary", "theme", "kind", "assessment", "outcome", "plan_change", "new_hearing")


def _differs(before: Point, after: Point) -> list[str]:
    return [f for f in _FIELDS if getattr(before, f) != getattr(after, f)]


def _line(before: Point, after: Point, change: StatusChange | None, new: bool, lang: str) -> str:
    label = after.label
    if new:
        return t("points.import.line_new", lang, point=label)
    parts = []
    if fields := _differs(before, after):
        parts.append(t("points.import.line_fields", lang, fields=", ".join(_SHEET_NAME[f] for f in fields)))
    if change is not None:
        parts.append(
            t(
                "points.import.line_status",
                lang,
                status=STATUS_OF[change.after],
                date=change.settled_on.isoformat(),
                reference=change.reference,
            )
        )
    return f"{label}: {'; '.join(parts)}"


_SHEET_NAME = {
    "summary": "sammendrag",
    "theme": "tema",
    "kind": "type",
    "assessment": "vurdering",
    "outcome": "forslag",
    "plan_change": "endring_i_planen",
    "new_hearing": "krever_ny_horing",
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def rows_to_records(rows: Iterable[Sequence[object]]) -> list[dict[str, object]]:
    """Rows in ``COLUMNS`` order as the records ``plan`` reads (tests, scripts)."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
