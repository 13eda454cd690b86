"""Files staff take out of the app — every export, the merknadsbehandling report and a
backup of the database. They hold residents' inputs (and, on request, senders' names), so
each is a staff command: the acting user is checked against the store as it is now, the
file is built, and the audit log records who took what, whichever way it was asked for
(a download button or the command line)."""

from __future__ import annotations

import io
import json
import os
import tempfile
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from . import archive, notification
from ..planning import planprocess
from ..casework.class_results import counted
from ..config import Municipality
from .export import Format, class_gpkg, export, photos_zip
from ..geo import WGS84
from ..i18n import DEFAULT_LANG
from .medvirkningsrapport import build_medvirkning_report
from ..model import Role, User
from ..permissions import require
from .merknadsbehandling import Order, ReportUnavailable, build_report, docx_to_pdf
from ..store import Store


class ReportKind(StrEnum):
    """The merknadsbehandling for a formal høring's saksframlegg; the medvirkningsrapport
    (who took part, what was said) for early medvirkning."""

    MERKNADSBEHANDLING = "merknadsbehandling"
    MEDVIRKNING = "medvirkning"
    VARSLINGSLISTE = "varslingsliste"  # who is told of the vedtak: XLSX, or a Word merge list


def inputs_file(
    store: Store,
    consultation_id: str,
    fmt: Format,
    *,
    crs: int,
    include_names: bool,
    actor: User,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """Every input as CSV, Excel, GeoJSON (always WGS84, as the format says) or GeoPackage."""
    who = require(store, actor, Role.PLANNER)
    crs = WGS84 if fmt == Format.GEOJSON else crs
    data = export(store, consultation_id, fmt, crs=crs, include_names=include_names, lang=lang)
    details = {"format": fmt.value, "crs": f"EPSG:{crs}", "include_names": include_names}
    store.audit(who.username, "consultation.export", "consultation", consultation_id, None, json.dumps(details))
    return data


def photos_file(store: Store, consultation_id: str, *, actor: User, lang: str = DEFAULT_LANG) -> bytes:
    """Every photo residents sent, as files in a zip with their alt texts (export.photos_zip)."""
    who = require(store, actor, Role.PLANNER)
    data = photos_zip(store, consultation_id, lang)
    store.audit(
        who.username, "consultation.export", "consultation", consultation_id, None, json.dumps({"format": "photos.zip"})
    )
    return data


def report_file(
    store: Store,
    consultation_id: str,
    *,
    include_names: bool,
    profile: Municipality,
    actor: User,
    lang: str = DEFAULT_LANG,
    kind: ReportKind | str = ReportKind.MERKNADSBEHANDLING,
    order: Order | str = Order.THEME,
    pdf: bool = False,
    spreadsheet: bool = False,
    **options: object,
) -> bytes:
    """The report (Word, or ``pdf`` as LibreOffice renders it): the merknadsbehandling, or
    the medvirkningsrapport (``default_kind`` says which a consultation's phase asks for;
    ``options``: its base map, see ``build_medvirkning_report``)."""
    who = require(store, actor, Role.PLANNER)
    kind = ReportKind(kind)
    if spreadsheet and kind != ReportKind.VARSLINGSLISTE:
        raise ReportUnavailable("letters.notice.xlsx_only")
    if kind == ReportKind.VARSLINGSLISTE:  # the varslingsliste (``spreadsheet``: XLSX)
        if spreadsheet:
            data = notification.xlsx(store, consultation_id, lang)
        else:
            data = notification.docx(store, consultation_id, profile, lang, datetime.now(UTC))
    elif kind == ReportKind.MEDVIRKNING:
        data = build_medvirkning_report(
            store,
            consultation_id,
            profile=profile,
            include_names=include_names,
            lang=lang,
            **options,
        )
    else:
        data = build_report(
            store, consultation_id, include_names=include_names, order=order, profile=profile, lang=lang
        )
    if pdf:
        data = docx_to_pdf(data)
    details = {
        "format": "pdf" if pdf else "xlsx" if spreadsheet else "docx",
        "kind": kind.value,
        "order": Order(order).value,
        "include_names": include_names,
    }
    store.audit(who.username, "consultation.report", "consultation", consultation_id, None, json.dumps(details))
    return data


def archive_file(
    store: Store,
    consultation_id: str,
    *,
    profile: Municipality,
    actor: User,
    since: date | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> bytes:
    """The Fiks Arkiv package (archive.py) as bytes (the review page's download); the
    merknader in it count as sent to the archive from now on, and are never deleted after
    that."""
    buffer = io.BytesIO()
    _archive_into(store, consultation_id, buffer, profile=profile, actor=actor, since=since, lang=lang, now=now)
    return buffer.getvalue()


def write_archive(
    store: Store,
    consultation_id: str,
    path: Path,
    *,
    profile: Municipality,
    actor: User,
    since: date | None = None,
    lang: str = DEFAULT_LANG,
    now: datetime | None = None,
) -> int:
    """``archive_file`` streamed to ``path`` (the ``archive`` command): written entry by
    entry into a file beside it and moved into place only once whole, so memory stays
    bounded however many merknader there are and a refused package leaves no file; the
    merknad PDFs of a large package drawn by ``archive.WORKERS`` processes. Returns how many merknader got a journalpost of their own. ``OSError`` when ``path`` cannot be written."""
    path = Path(path)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        partial = Path(f.name)
        try:
            folders = _archive_into(
                store,
                consultation_id,
                f,
                profile=profile,
                actor=actor,
                since=since,
                lang=lang,
                now=now,
                before_marking=lambda: (f.flush(), os.replace(partial, path)),
                workers=archive.WORKERS,
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return sum(1 for folder in folders if folder.startswith("KI-"))


def _archive_into(
    store: Store,
    consultation_id: str,
    target,
    *,
    profile: Municipality,
    actor: User,
    since: date | None,
    lang: str,
    now: datetime | None,
    before_marking=lambda: None,
    workers: int = 0,
) -> tuple[str, ...]:
    who = require(store, actor, Role.PLANNER)
    now = now or datetime.now(UTC)
    input_ids, folders = archive.write_package(
        store, consultation_id, target, profile=profile, since=since, lang=lang, now=now, workers=workers
    )
    before_marking()  # the package is whole (and in place) before anything counts as sent
    details = {"merknader": len(input_ids), "messages": len(folders), "since": since.isoformat() if since else None}
    store.mark_archived(consultation_id, input_ids, now, who.username, json.dumps(details))
    return folders


def default_kind(store: Store, consultation_id: str) -> ReportKind:
    """The medvirkningsrapport for early medvirkning, the merknadsbehandling for a formal
    høring (the command line's default)."""
    consultation = store.get_consultation(consultation_id)
    if consultation is not None and planprocess.mode(consultation.stage) == planprocess.Mode.EARLY:
        return ReportKind.MEDVIRKNING
    return ReportKind.MERKNADSBEHANDLING


def backup(store: Store, actor: User) -> bytes:
    """A consistent copy of the running database (administrators)."""
    who = require(store, actor, Role.ADMIN)
    with tempfile.TemporaryDirectory(prefix="kartinnspill-backup-") as tmp:
        target = Path(tmp) / f"kartinnspill{store.backup_suffix}"
        store.backup_to(target)
        data = target.read_bytes()
    store.audit(who.username, "backup.download", "database", store.label, None, str(len(data)))
    return data


def classes_file(store: Store, consultation_id: str, *, actor: User, crs: int, lang: str = DEFAULT_LANG) -> bytes:
    """The school classes' routes and places as a GeoPackage (``export.class_gpkg``)."""
    who = require(store, actor, Role.PLANNER)
    data = class_gpkg(counted(store.class_frame(consultation_id)), crs, lang)
    store.audit(
        who.username,
        "consultation.export",
        "consultation",
        consultation_id,
        None,
        json.dumps({"format": "classes.gpkg", "crs": f"EPSG:{crs}"}),
    )
    return data
