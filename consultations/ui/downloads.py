"""Eksport (planners): every input as CSV, Excel, GeoJSON or GeoPackage, and the Word
report for the saksframlegg — the same files the command line writes. The core builds,
checks and audit-logs each one when it is asked for (``consultations.downloads``)."""

from __future__ import annotations

import streamlit as st

from .. import downloads
from ..config import Settings
from ..export import CRS_CHOICES, Format
from ..i18n import t
from ..model import Consultation, User
from ..report import Order
from ..store import Store

MIME = {
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.GEOJSON: "application/geo+json",
    Format.GPKG: "application/geopackage+sqlite3",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def _file(store: Store, c: Consultation, fmt: Format, crs: int, names: bool, actor: User, lang: str) -> bytes:
    return downloads.inputs_file(store, c.id, fmt, crs=crs, include_names=names, actor=actor, lang=lang)


def _report(
    store: Store, c: Consultation, settings: Settings, names: bool, actor: User, lang: str,
    order: Order | str = Order.THEME, pdf: bool = False,
) -> bytes:  # fmt: skip
    return downloads.report_file(
        store, c.id, include_names=names, profile=settings.profile, actor=actor, lang=lang,
        order=order, pdf=pdf,
    )  # fmt: skip


def view(store: Store, settings: Settings, c: Consultation, user: User, lang: str) -> None:
    d = lambda key, **kw: t(f"downloads.{key}", lang, **kw)  # noqa: E731
    st.caption(d("help"))
    left, right = st.columns(2)
    crs = left.selectbox(
        d("crs"),
        options=sorted(CRS_CHOICES, key=lambda code: code != settings.profile.working_crs),
        format_func=lambda code: f"EPSG:{code}",
        key=f"downloads-{c.id}-crs",
    )
    names = right.checkbox(d("names"), help=t("parties.downloads.names_help", lang), key=f"downloads-{c.id}-names")
    order = st.radio(
        t("report11.downloads.order", lang), options=[o.value for o in Order], horizontal=True,
        format_func=lambda v: t(f"report11.downloads.order_{v}", lang), key=f"downloads-{c.id}-order",
    )  # fmt: skip
    buttons = st.columns(len(Format) + 2)
    for column, fmt in zip(buttons, Format, strict=False):
        column.download_button(
            d(f"format_{fmt.value}"),
            data=lambda fmt=fmt: _file(store, c, fmt, crs, names, user, lang),
            file_name=f"{c.id}-innspill.{fmt.value}",
            mime=MIME[fmt],
            key=f"downloads-{c.id}-{fmt.value}",
        )
    buttons[-2].download_button(
        d("report"),
        data=lambda: _report(store, c, settings, names, user, lang, order),
        file_name=f"{c.id}-merknadsbehandling.docx",
        mime=DOCX,
        type="primary",
        key=f"downloads-{c.id}-report",
    )
    buttons[-1].download_button(
        t("report11.downloads.report_pdf", lang),
        data=lambda: _report(store, c, settings, names, user, lang, order, pdf=True),
        file_name=f"{c.id}-merknadsbehandling.pdf",
        mime=PDF,
        key=f"downloads-{c.id}-report-pdf",
    )
