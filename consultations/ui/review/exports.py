"""Eksport (planners): every input as CSV, Excel, GeoJSON or GeoPackage, the Word report
for the saksframlegg and the Fiks Arkiv package — the same files the command line writes. The core builds,
checks and audit-logs each one when it is asked for (``consultations.outputs.downloads``)."""

from __future__ import annotations

import streamlit as st

from ...outputs import downloads
from ...planning import planprocess
from ...config import Settings
from ...outputs.export import Format
from ...i18n import t, tn
from ...outputs.medvirkningsrapport import set_use_of_input
from ...model import Consultation, User
from ...outputs.merknadsbehandling import Order
from ...store import Store
from .. import flash
from .. import medvirkning as medvirkning_ui

MIME = {
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.GEOJSON: "application/geo+json",
    Format.GPKG: "application/geopackage+sqlite3",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
PDF = "application/pdf"


def _file(store: Store, c: Consultation, fmt: Format, crs: int, names: bool, actor: User, lang: str) -> bytes:
    return downloads.inputs_file(store, c.id, fmt, crs=crs, include_names=names, actor=actor, lang=lang)


def _report(
    store: Store,
    c: Consultation,
    settings: Settings,
    names: bool,
    actor: User,
    lang: str,
    order: Order | str = Order.THEME,
    pdf: bool = False,
) -> bytes:
    return downloads.report_file(
        store,
        c.id,
        include_names=names,
        profile=settings.profile,
        actor=actor,
        lang=lang,
        order=order,
        pdf=pdf,
    )


def _medvirkning(store: Store, c: Consultation, settings: Settings, names: bool, actor: User, lang: str) -> bytes:
    return downloads.report_file(
        store,
        c.id,
        include_names=names,
        profile=settings.profile,
        actor=actor,
        lang=lang,
        kind=downloads.ReportKind.MEDVIRKNING,
        tiles=settings.tiles,
    )


def _save_use(store: Store, c: Consultation, key: str, actor: User, lang: str) -> str:
    set_use_of_input(store, c.id, st.session_state.get(key), actor)
    return t("medvirkning.staff.use_saved", lang)


def medvirkning_view(store: Store, settings: Settings, c: Consultation, user: User, names: bool, lang: str) -> None:
    """Early medvirkning: the text on how the inputs will be used, and the report with it."""
    m = lambda key: t(f"medvirkning.staff.{key}", lang)
    where = f"medvirkning-{c.id}"
    st.subheader(m("heading"), anchor=False)
    st.caption(m("help"))
    flash.show(where)
    key = f"downloads-{c.id}-use"
    st.text_area(m("use_label"), value=store.use_of_input(c.id), help=m("use_help"), key=key)
    left, right = st.columns(2)
    left.button(
        m("use_save"), key=f"{key}-save", on_click=flash.run, args=(where, lang, _save_use, store, c, key, user, lang)
    )
    right.download_button(
        m("download"),
        data=lambda: _medvirkning(store, c, settings, names, user, lang),
        file_name=f"{c.id}-medvirkningsrapport.docx",
        mime=DOCX,
        type="primary",
        key=f"downloads-{c.id}-medvirkning",
    )
    medvirkning_ui.staff_view(store, c, user, lang)


def _archive(store: Store, c: Consultation, settings: Settings, actor: User, lang: str) -> bytes:
    return downloads.archive_file(store, c.id, profile=settings.profile, actor=actor, lang=lang)


def view(store: Store, settings: Settings, c: Consultation, user: User, lang: str) -> None:
    d = lambda key, **kw: t(f"downloads.{key}", lang, **kw)
    st.caption(d("help"))
    left, right = st.columns(2)
    crs = left.selectbox(
        d("crs"),
        options=settings.profile.export_choices,  # the working CRS first: the default
        format_func=lambda code: f"EPSG:{code}",
        key=f"downloads-{c.id}-crs",
    )
    names = right.checkbox(d("names"), help=t("parties.downloads.names_help", lang), key=f"downloads-{c.id}-names")
    order = st.radio(
        t("report11.downloads.order", lang),
        options=[o.value for o in Order],
        horizontal=True,
        format_func=lambda v: t(f"report11.downloads.order_{v}", lang),
        key=f"downloads-{c.id}-order",
    )
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
    st.download_button(
        t("archive.download", lang),
        data=lambda: _archive(store, c, settings, user, lang),
        file_name=f"{c.id}-arkiv.zip",
        mime=ZIP,
        help=t("archive.download_help", lang),
        key=f"downloads-{c.id}-archive",
    )
    if planprocess.mode(c.stage) == planprocess.Mode.FORMAL:
        _notice_buttons(store, c, settings, user, lang)
    if photos := store.count_photos(c.id):
        st.download_button(
            f"{t('photo.export', lang)} · {tn('photo.count', photos, lang)}",
            data=lambda: downloads.photos_file(store, c.id, actor=user, lang=lang),
            file_name=f"{c.id}-bilder.zip",
            mime=ZIP,
            key=f"downloads-{c.id}-photos",
        )
    if planprocess.mode(c.stage) == planprocess.Mode.EARLY:
        medvirkning_view(store, settings, c, user, names, lang)


def _notice(store: Store, c: Consultation, settings: Settings, actor: User, lang: str, spreadsheet: bool) -> bytes:
    return downloads.report_file(
        store,
        c.id,
        include_names=True,
        profile=settings.profile,
        actor=actor,
        lang=lang,
        kind=downloads.ReportKind.VARSLINGSLISTE,
        spreadsheet=spreadsheet,
    )


def _notice_buttons(store: Store, c: Consultation, settings: Settings, user: User, lang: str) -> None:
    """The varslingsliste for the vedtak: a spreadsheet and a Word merge list."""
    left, right = st.columns(2)
    left.download_button(
        t("letters.notice.download_xlsx", lang),
        data=lambda: _notice(store, c, settings, user, lang, True),
        file_name=f"{c.id}-varslingsliste.xlsx",
        mime=MIME[Format.XLSX],
        help=t("letters.notice.intro", lang),
        key=f"downloads-{c.id}-notice-xlsx",
    )
    right.download_button(
        t("letters.notice.download_docx", lang),
        data=lambda: _notice(store, c, settings, user, lang, False),
        file_name=f"{c.id}-varslingsliste.docx",
        mime=DOCX,
        key=f"downloads-{c.id}-notice-docx",
    )
