"""The receipt page: what the resident sent, to print or to download as a PDF."""

from __future__ import annotations

import streamlit as st

from ..config import Settings
from ..i18n import t
from ..receipt import facts, parse_reference, receipt_for, receipt_pdf
from ..store import Store
from .listing import HOME_PAGE
from .safe import labelled_lines, text_block


def show(store: Store, settings: Settings, ref: str, session: str, lang: str) -> None:
    st.page_link(HOME_PAGE, label=t("app.back_home", lang))
    st.title(t("receipt.title", lang), anchor=False)
    input_id = parse_reference(ref)
    receipt = receipt_for(store, input_id, session) if input_id is not None else None
    if receipt is None:  # the same answer for a stranger's reference and for none at all
        st.info(t("receipt.not_found", lang))
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
