"""Eksport (planners): every input as CSV, Excel, GeoJSON or GeoPackage, and the Word
report for the saksframlegg — the same files the command line writes."""

from __future__ import annotations

import json

import streamlit as st

from ..config import Settings
from ..export import CRS_CHOICES, Format, export
from ..geo import WGS84
from ..i18n import t
from ..model import Consultation, User
from ..report import build_report
from ..store import Store

MIME = {
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.GEOJSON: "application/geo+json",
    Format.GPKG: "application/geopackage+sqlite3",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(store: Store, c: Consultation, fmt: Format, crs: int, names: bool, actor: str, lang: str) -> bytes:
    crs = WGS84 if fmt == Format.GEOJSON else crs
    data = export(store, c.id, fmt, crs=crs, include_names=names, lang=lang)
    details = {"format": fmt.value, "crs": f"EPSG:{crs}", "include_names": names}
    store.audit(actor, "consultation.export", "consultation", c.id, None, json.dumps(details))
    return data


def _report(store: Store, c: Consultation, settings: Settings, names: bool, actor: str, lang: str) -> bytes:
    data = build_report(store, c.id, include_names=names, profile=settings.profile, lang=lang)
    details = {"format": "docx", "include_names": names}
    store.audit(actor, "consultation.report", "consultation", c.id, None, json.dumps(details))
    return data


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
    names = right.checkbox(d("names"), help=d("names_help"), key=f"downloads-{c.id}-names")
    buttons = st.columns(len(Format) + 1)
    for column, fmt in zip(buttons, Format, strict=False):
        column.download_button(
            d(f"format_{fmt.value}"),
            data=lambda fmt=fmt: _file(store, c, fmt, crs, names, user.username, lang),
            file_name=f"{c.id}-innspill.{fmt.value}",
            mime=MIME[fmt],
            key=f"downloads-{c.id}-{fmt.value}",
        )
    buttons[-1].download_button(
        d("report"),
        data=lambda: _report(store, c, settings, names, user.username, lang),
        file_name=f"{c.id}-merknadsbehandling.docx",
        mime=DOCX,
        type="primary",
        key=f"downloads-{c.id}-report",
    )
