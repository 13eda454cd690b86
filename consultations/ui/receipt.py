"""The receipt page: what the resident sent, to print or to download as a PDF."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from ..config import Settings
from ..i18n import t
from ..participation.receipt import facts, parse_reference, receipt_by_token, receipt_for, receipt_pdf
from ..store import Store
from .listing import HOME_PAGE
from .safe import labelled_lines, text_block

ADDRESS_PARAM = "kvittering"  # /kvittering?kvittering=<token>: the receipt's own address


def show(store: Store, settings: Settings, ref: str, session: str, lang: str, token: str = "") -> None:
    """The receipt by its own address (``token``), or by reference for the session that sent it."""
    st.page_link(HOME_PAGE, label=t("app.back_home", lang))
    st.title(t("receipt.title", lang), anchor=False)
    if token:
        receipt = receipt_by_token(store, token)
    else:
        input_id = parse_reference(ref)
        receipt = receipt_for(store, input_id, session) if input_id is not None else None
    if receipt is None:  # the same answer for a stranger's reference and for none at all
        st.info(t("receipt_address.not_found", lang))
        return
    labelled_lines(facts(receipt, lang))
    st.markdown(f"**{t('receipt.text', lang)}**")
    with st.container(border=True):
        text_block(receipt.text)
    st.download_button(
        t("receipt.download_pdf", lang),
        data=lambda: receipt_pdf(receipt, settings.profile.name, lang),
        file_name=f"kvittering-{receipt.reference}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        key="receipt-pdf",
    )
    st.caption(t("receipt.print_hint", lang))


def keep_receipt_address(token: str, lang: str) -> None:
    """The receipt's own address in full, to copy or bookmark, and why to keep it."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    st.caption(t("receipt_address.keep", lang))
    st.code(f"{base}/kvittering?{urlencode({ADDRESS_PARAM: token})}", language=None, wrap_lines=True)
