"""The varslingsliste for the vedtak: everyone who sent a merknad with a name and a postal
or e-mail address, to be told of the decision and of the right to appeal (fvl. § 27, pbl.
§ 1-9) — as a spreadsheet and as a Word mail-merge source (one table, its first row the
field names, the klageadgang text a field of every row so each letter can carry it).

One line per person and address: someone who sent three merknader gets one letter, with
the three references. Inputs a planner found to be no merknad (spam, test, double
registration) are left out. It holds personal data: a staff download, audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from docx import Document

from .. import word
from ..config import Municipality
from ..errors import KartinnspillError
from .export import xml_safe
from ..i18n import t
from ..casework.letters import parse_address
from ..model import reference
from ..casework.review import is_merknad
from ..store import Store


@dataclass(frozen=True)
class Recipient:
    name: str
    street: str
    postcode: str
    place: str
    email: str
    sender_type: str
    references: tuple[str, ...]


def recipients(store: Store, consultation_id: str) -> list[Recipient]:
    """Who gets the vedtak notice, in the order their first merknad came."""
    frame = store.analysis_frame(consultation_id)
    found: dict[tuple[str, str], Recipient] = {}
    for row in frame.itertuples(index=False):
        name, address = _text(row.sender_name), _text(row.sender_address)
        if not (name and address and is_merknad(row.not_merknad)):
            continue
        key = (name.casefold(), " ".join(address.casefold().split()))
        if key in found:
            r = found[key]
            found[key] = Recipient(**{**r.__dict__, "references": (*r.references, reference(int(row.id)))})
            continue
        email = address if "@" in address and " " not in address.strip() else ""
        postal = None if email else parse_address(address)
        street = postal.street if postal else ("" if email else address)
        found[key] = Recipient(
            name,
            street,
            postal.postcode if postal else "",
            postal.place if postal else "",
            email,
            _text(row.sender_type),
            (reference(int(row.id)),),
        )
    return list(found.values())


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _table(store: Store, consultation_id: str, lang: str) -> pd.DataFrame:
    w = lambda key: t(f"letters.notice.{key}", lang)
    klage = w("klageadgang")
    rows = [
        {
            w("name"): r.name,
            w("street"): r.street,
            w("postcode"): r.postcode,
            w("place"): r.place,
            w("email"): r.email,
            w("how"): w("by_email") if r.email else w("by_post"),
            w("sender_type"): t(f"sender_type.{r.sender_type}", lang) if r.sender_type else "",
            w("reference"): ", ".join(r.references),
            "klageadgang": klage,
        }
        for r in recipients(store, consultation_id)
    ]
    columns = [w(k) for k in ("name", "street", "postcode", "place", "email", "how", "sender_type", "reference")]
    return pd.DataFrame(rows, columns=[*columns, "klageadgang"])


def xlsx(store: Store, consultation_id: str, lang: str) -> bytes:
    table = _table(store, consultation_id, lang)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.map(xml_safe).to_excel(writer, sheet_name=t("letters.notice.sheet", lang)[:31], index=False)
    return buffer.getvalue()


def docx(store: Store, consultation_id: str, profile: Municipality, lang: str, now: datetime) -> bytes:
    """A Word mail-merge source: the table alone, its first row the field names."""
    c = store.get_consultation(consultation_id)
    if c is None:
        raise KartinnspillError("cli.unknown_consultation", id=consultation_id)
    table = _table(store, consultation_id, lang)
    doc = Document()
    grid = doc.add_table(rows=1, cols=len(table.columns))
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = name
    for values in table.itertuples(index=False):
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            cell.text = xml_safe(str(value))
    word.dress(
        doc,
        title=t("letters.notice.title", lang, title=c.title),
        author=profile.name,
        lang=lang,
        now=now,
        subject=t("letters.notice.intro", lang),
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
