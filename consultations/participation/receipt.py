"""The receipt («kvittering») a resident gets for a web merknad: on screen and as a PDF.

Only the browser session that sent an input gets its receipt by reference: the input's
stored session hash must be the hash of the asking session. Anyone else asking for a
reference — however many they try — gets ``None``, the same as for a reference that does
not exist.

The receipt also has its own address (``issue_address``): an unguessable token (192 random
bits, not the KI number) that the sending session gets once and the resident is told to
keep. Whoever has the address opens the receipt on any device, in any tab, after any
reload; only the token's SHA-256 is stored, so the database alone gives no address away.

The PDF is made here with fpdf2 (pure Python, maintained, flowing text with page breaks)
in DejaVu Sans, the font matplotlib ships (already a dependency), so every Norwegian
letter and most of Unicode prints. Matplotlib's own PDF backend was the alternative but
draws figures, not documents: no line wrapping, no page breaks, and ``$…$`` in a
resident's text would be read as mathematics. The resident's text goes in as plain text
(fpdf2's markdown off): nothing in it is markup, and fpdf2 encodes it as glyph codes, so
no character can end a string or add a PDF operator.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF

from ..i18n import DEFAULT_LANG, format_date, t
from ..model import Channel, Input, reference
from ..pdf_fonts import FILES, FONT_DIR, font_files
from ..pdfa import pdfa_2b
from ..store import Store
from ..word import language_tag

_REFERENCE_PREFIX = "KI-"


@dataclass(frozen=True)
class Receipt:
    reference: str
    consultation_title: str
    case_number: str
    received_at: datetime
    text: str
    attachments: tuple[str, ...]
    sender_name: str | None = None
    closes_at: datetime | None = None  # the frist
    contact: str = ""  # the kontaktperson: name, e-mail, phone


def parse_reference(value: str) -> int | None:
    """The input id in «KI-000123»; ``None`` for anything else."""
    value = value.strip().upper()
    digits = value[len(_REFERENCE_PREFIX) :]
    if not value.startswith(_REFERENCE_PREFIX) or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits) if len(digits) <= 9 else None


def receipt_for(store: Store, input_id: int, session: str) -> Receipt | None:
    """The receipt of a web input sent from the browser session ``session``; ``None`` for
    every other session and for inputs that do not exist or came another way."""
    item = store.get_input(input_id)
    if item is None or item.channel != Channel.WEB:
        return None
    if not store.sent_in_session(input_id, store.hash_session(session, item.consultation_id)):
        return None
    return _receipt(store, item)


TOKEN_BYTES = 24  # 192 random bits: no one finds an address by trying
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # token_urlsafe(24): 32 characters


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_address(store: Store, input_id: int, session: str) -> str | None:
    """A new token for the receipt's own address (``/kvittering?kvittering=<token>``), for the
    session that sent the web input; ``None`` for any other session."""
    if receipt_for(store, input_id, session) is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    store.add_receipt_token(input_id, _token_hash(token))
    return token


def receipt_by_token(store: Store, token: str) -> Receipt | None:
    """The receipt whose address has ``token``; ``None`` for anything else."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    input_id = store.receipt_token_input(_token_hash(token))
    item = store.get_input(input_id) if input_id is not None else None
    return _receipt(store, item) if item is not None else None


def _receipt(store: Store, item: Input) -> Receipt:
    consultation = store.get_consultation(item.consultation_id)
    return Receipt(
        reference=reference(item.id),
        consultation_title=consultation.title if consultation else item.consultation_id,
        case_number=consultation.case_number if consultation else "",
        received_at=item.created_at,
        text=item.text,
        attachments=tuple(a.filename for a in store.attachments(item.id)),
        sender_name=item.sender_name,
        closes_at=consultation.closes_at if consultation else None,
        contact=", ".join(
            p for p in (consultation.contact.name, consultation.contact.email, consultation.contact.phone) if p
        )
        if consultation
        else "",
    )


def facts(receipt: Receipt, lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """The receipt's lines as (label, value), the same on screen and on paper."""
    lines = [
        (t("receipt.reference", lang), receipt.reference),
        (t("receipt.consultation", lang), receipt.consultation_title),
    ]
    if receipt.case_number:
        lines.append((t("receipt.case_number", lang), receipt.case_number))
    lines.append((t("receipt.received", lang), format_date(receipt.received_at, lang, with_time=True)))
    if receipt.closes_at is not None:
        lines.append((t("receipt_more.frist", lang), format_date(receipt.closes_at, lang, with_time=True)))
    if receipt.sender_name:
        lines.append((t("receipt.sender", lang), receipt.sender_name))
    names = ", ".join(receipt.attachments) if receipt.attachments else t("receipt.no_attachments", lang)
    lines.append((t("receipt.attachments", lang), names))
    return lines


def a4_document(title: str, author: str, texts: Iterable[str] | None = None) -> FPDF:
    """An empty A4 page in DejaVu Sans (regular and bold), ready for text; given every
    ``texts`` it will draw, in the compact cut of the font when that has them all
    (``pdf_fonts``: the same glyphs, read in a fraction of the time)."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Kartinnspill")
    files = (
        font_files([title, author, *texts])
        if texts is not None
        else {style: FONT_DIR / name for style, name in FILES.items()}
    )
    pdf.add_font("DejaVu", "", str(files[""]))
    pdf.add_font("DejaVu", "B", str(files["B"]))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    return pdf


def receipt_pdf(receipt: Receipt, municipality: str, lang: str = DEFAULT_LANG) -> bytes:
    """The receipt as an A4 PDF: heading, the facts, and the merknad's text in full."""
    pdf = a4_document(t("receipt.title", lang), municipality)
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, t("receipt.title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, municipality, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in facts(receipt, lang):
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 6, t("receipt.text", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, receipt.text, new_x="LMARGIN", new_y="NEXT", markdown=False)
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 6, t("receipt_more.next_heading", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width, 5, t("receipt_more.next", lang), new_x="LMARGIN", new_y="NEXT", markdown=False)
    if receipt.contact:
        pdf.ln(2)
        pdf.multi_cell(
            width,
            5,
            t("receipt_more.contact", lang, contact=receipt.contact),
            new_x="LMARGIN",
            new_y="NEXT",
            markdown=False,
        )
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(width, 4, t("receipt.footer", lang), new_x="LMARGIN", new_y="NEXT")
    return pdfa_2b(
        bytes(pdf.output()), title=t("receipt.title", lang), author=municipality, lang=language_tag(lang)
    )  # PDF/A-2b, as the archive keeps it
