"""``python -m consultations …``: the command line for staff and scripts."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from .outputs import archive, downloads
from . import assets, geo, mail_sender
from .participation import places
from .auth import create_user
from .config import Settings, load_settings, mail_settings
from .demo import seed_demo
from .errors import InvalidArea, InvalidInput, KartinnspillError, StoreUnavailable
from .outputs.export import Format, parse_crs
from .casework.points_sheet import import_responses
from .outputs.merknadsbehandling import Order, unassessed_points
from .i18n import DEFAULT_LANG, LANGUAGES, LOCAL_TZ, t, tn
from .participation.attachments import MAX_BYTES as ATTACHMENT_MAX_BYTES
from .planning.importing import import_consultation
from .mail import retry_failed
from .model import REGISTERED_TEXT_MAX, Channel, InputDraft, InputStatus, Objection, SenderType
from .casework.moderation import has_personal_data
from .permissions import OPERATOR, operator
from .casework.retention import anonymise
from .store import Store
from .store.postgres_backend import masked
from .participation.submission import register_input
from .text import excerpt


class _Parser(argparse.ArgumentParser):
    """Refuses bad arguments with one line on stderr (exit 2), as every refusal here does:
    scripts read the reason from the last line."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(t("register_cli.bad_date", value=value)) from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m consultations",
        description="Kartinnspill: map-based public consultation. "
        "The database is KARTINNSPILL_DB: a DuckDB file (default data/kartinnspill.duckdb) "
        "or a postgresql:// URL.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("seed-demo", help="load the demo data into an empty database")
    sub.add_parser(
        "list",
        help="one line per consultation (id, status, opens, closes, inputs, title, "
        "saksnummer when there is one), tab-separated",
    )
    imp = sub.add_parser(
        "import-consultation",
        help="create a consultation from a JSON file, or update the one with its id while it "
        "has no inputs (the builder's rules)",
    )
    imp.add_argument("file", metavar="FILE.json")
    reg = sub.add_parser(
        "register-input",
        help="register a merknad that came by e-mail, letter or meeting; prints its reference",
    )
    reg.add_argument("--consultation", required=True, metavar="ID")
    reg.add_argument("--channel", required=True, choices=[c.value for c in Channel if c != Channel.WEB])
    reg.add_argument("--received", required=True, type=_day, metavar="YYYY-MM-DD")
    reg.add_argument("--sender-type", required=True, choices=[s.value for s in SenderType])
    reg.add_argument("--sender-name", metavar="NAME", help="kept for the case file, never public")
    reg.add_argument(
        "--sender-email",
        metavar="ADDR",
        help="the sender's e-mail address: a receipt naming the reference is sent there, and the "
        "vedtak notice later (never public)",
    )
    reg.add_argument(
        "--sender-lang",
        choices=list(LANGUAGES),
        default=DEFAULT_LANG,
        help="the language of the mails to the sender (default nb)",
    )
    reg.add_argument(
        "--innsigelse",
        action="store_true",
        help="an authority's (or another municipality's) innsigelse: stored as open",
    )
    reg.add_argument(
        "--faglig-raad",
        action="store_true",
        help="an authority's faglig råd; with --innsigelse too when the letter holds both",
    )
    reg.add_argument(
        "--sender-address",
        metavar="ADDRESS",
        help='postal address with a four-digit postnummer, "Gate 1, 1384 Asker"; kept for the case file, never public',
    )
    reg.add_argument(
        "--sender-property",
        metavar="GNR/BNR",
        help="the sender's gnr/bnr (12/345); kept for the case file, never public",
    )
    reg.add_argument(
        "--journalpost",
        metavar="NUMBER",
        help="the journalpost postmottak already gave the letter (25/4711-12): the archive package refers to it",
    )
    reg.add_argument(
        "--original",
        metavar="PATH",
        help="the letter as received (PDF, JPEG or PNG): the hoveddokument in the archive package",
    )
    reg.add_argument(
        "--category",
        metavar="NAME",
        help="one of the consultation's categories (default: its last one, «Annet»)",
    )
    reg.add_argument("--lat", type=float, metavar="LAT")
    reg.add_argument("--lon", type=float, metavar="LON")
    reg.add_argument("--text-file", required=True, metavar="PATH", help="the text, UTF-8")
    reg.add_argument(
        "--attachment",
        action="append",
        default=[],
        metavar="PATH",
        help="a file sent with the merknad: PDF, JPEG or PNG, at most 3 (repeat the option)",
    )
    imr = sub.add_parser(
        "import-responses",
        help="read the sheet «Merknadspunkter» of an export --format xlsx back: create and update "
        "merknadspunkter (a new punkt letter splits a merknad) under the review page's rules; one "
        "line per change, all or nothing; audited as KARTINNSPILL_ACTOR (default cli)",
    )
    imr.add_argument("--consultation", required=True, metavar="ID")
    imr.add_argument("file", metavar="FILE.xlsx")
    exp = sub.add_parser("export", help="export a consultation's inputs")
    exp.add_argument("--consultation", required=True, metavar="ID")
    exp.add_argument("--format", required=True, choices=[f.value for f in Format])
    exp.add_argument(
        "--crs",
        metavar="EPSG:XXXX",
        help="one of the profile's export CRSs, e.g. EPSG:25832, EPSG:25833 or EPSG:4326 "
        "(default: the municipality's working CRS); "
        "GeoJSON is always WGS84",
    )
    exp.add_argument("--out", required=True, metavar="PATH", help="file path, or - for stdout (csv, geojson)")
    exp.add_argument("--include-names", action="store_true", help="include senders' names")
    rep = sub.add_parser(
        "report",
        help="the merknadsbehandling for the saksframlegg (formal høring) or the "
        "medvirkningsrapport (early medvirkning): Word, or PDF with .pdf as the suffix",
    )
    rep.add_argument("--consultation", required=True, metavar="ID")
    rep.add_argument(
        "--out",
        required=True,
        metavar="FILE.docx|FILE.pdf|FILE.xlsx",
        help="FILE.xlsx only for --kind varslingsliste (its .docx is a Word merge list)",
    )
    rep.add_argument(
        "--kind",
        choices=[k.value for k in downloads.ReportKind],
        help="default: medvirkning for an early-phase consultation, merknadsbehandling for a formal one",
    )
    rep.add_argument(
        "--order",
        choices=[o.value for o in Order],
        default=Order.THEME.value,
        help="within each sender group: by theme (else category; the default) or by category",
    )
    rep.add_argument(
        "--include-names",
        action="store_true",
        help="private persons' names, for the internal version (left out by default)",
    )
    arc = sub.add_parser(
        "archive",
        help="the Fiks Arkiv package for the municipality's archive: a zip with one folder per "
        "message (arkivmelding.xml and its files), one journalpost per merknad and the "
        "merknadsbehandling; the merknader count as sent to the archive from then on",
    )
    arc.add_argument("--consultation", required=True, metavar="ID")
    arc.add_argument("--out", required=True, metavar="FILE.zip")
    arc.add_argument(
        "--since",
        type=_day,
        metavar="YYYY-MM-DD",
        help="only merknader not sent to the archive before this day",
    )
    rcp = sub.add_parser(
        "archive-receipt",
        help="read the archive's kvittering(er) (arkivmelding.opprett.kvittering) and store each "
        "merknad's journalpost number; all or nothing",
    )
    rcp.add_argument("--consultation", required=True, metavar="ID")
    rcp.add_argument("files", nargs="+", metavar="FILE.xml")
    adr = sub.add_parser(
        "import-addresses",
        help="replace the address register the place search uses with Kartverket's «Adresser» "
        "CSV (semicolons; columns adresseTekst, postnummer, poststed, gardsnummer, bruksnummer, "
        "EPSG-kode, Nord, Øst), or GeoJSON/GeoPackage with those names as properties; all or "
        "nothing",
    )
    adr.add_argument("file", metavar="FILE.csv|FILE.geojson|FILE.gpkg")
    mail = sub.add_parser(
        "send-mail",
        help="send the mail outbox over KARTINNSPILL_SMTP_URL; prints «sent N, waiting M, failed K»",
    )
    mail.add_argument(
        "--once", action="store_true", help="one round, then exit: every waiting mail is tried now, backing off or not"
    )
    mail.add_argument(
        "--retry-failed",
        action="store_true",
        help="first put every failed mail back in the queue "
        "(audited; not one the server may already have, see the Drift page)",
    )
    sub.add_parser("install-assets", help="copy the self-hosted map assets into static/vendor")
    area = sub.add_parser("import-area", help="check a plan-area file and print its area and bounds as JSON")
    area.add_argument("file", metavar="FILE", help="GeoJSON, GeoPackage, KML or zipped Shapefile")
    area.add_argument("--layer", metavar="NAME", help="the layer (or shapefile) to use")
    area.add_argument("--crs", metavar="EPSG:XXXX", help="the file's CRS, when it has none")
    backup = sub.add_parser("backup", help="a consistent copy of the database (app stopped)")
    backup.add_argument("--out", required=True, metavar="PATH")
    restore = sub.add_parser("restore", help="replace the database with a backup (app stopped)")
    restore.add_argument("backup", metavar="PATH")
    anon = sub.add_parser(
        "anonymise", help="remove profile data, sender names and session hashes of a closed consultation"
    )
    anon.add_argument("--consultation", required=True, metavar="ID")
    anon.add_argument("--months", type=int, default=12, help="retention after the deadline (default 12)")
    user = sub.add_parser("create-user", help="a staff account (teacher, planner or admin)")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, help="teacher, planner or admin")
    user.add_argument("--email", help="needed for login through the municipality's OIDC")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "install-assets":
            n = assets.install()
            print(tn("cli.assets_installed", n, path=assets.VENDOR))
            return 0
        if args.command == "import-area":  # needs no database
            return _import_area(args)
        settings = load_settings()
        if args.command == "restore":
            return _restore(Path(args.backup), settings.db_path)
        if args.command == "export":  # refuse a bad choice before opening the database
            args.crs = parse_crs(args.crs, settings.profile.export_choices) if args.crs else None
        if args.command in ("export", "report") and args.out == "-":
            fmt = getattr(args, "format", "docx")
            if fmt == "docx" or not Format(fmt).streamable:
                print(t("exports.stdout_refused", format=fmt), file=sys.stderr)
                return 2
        store = Store.open(settings.db_path, secret=settings.secret, secret_file=settings.secret_file)
        try:
            return _run(args, store, settings)
        finally:
            store.close()
    except StoreUnavailable as exc:  # the operator needs the reason, a visitor never sees it
        print(f"{exc.message()} ({exc.detail()})", file=sys.stderr)
        return 2
    except KartinnspillError as exc:
        print(exc.message(), file=sys.stderr)
        return 2


def _export(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    """``export`` and ``report``: the file (audit-logged by the core), and a line on stderr."""
    if args.command == "report":
        data = downloads.report_file(
            store,
            args.consultation,
            include_names=args.include_names,
            profile=settings.profile,
            actor=OPERATOR,
            order=args.order,
            kind=args.kind or downloads.default_kind(store, args.consultation),
            pdf=Path(args.out).suffix.lower() == ".pdf",
            spreadsheet=Path(args.out).suffix.lower() == ".xlsx",
        )
    else:
        fmt = Format(args.format)
        if fmt == Format.GEOJSON and args.crs not in (None, geo.WGS84):
            print(t("exports.geojson_crs_ignored", crs=f"EPSG:{args.crs}"), file=sys.stderr)
        data = downloads.inputs_file(
            store,
            args.consultation,
            fmt,
            crs=args.crs or settings.profile.working_crs,
            include_names=args.include_names,
            actor=OPERATOR,
        )
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(t("exports.cannot_write", path=args.out, reason=reason), file=sys.stderr)
            return 2
    if args.command == "report" and (args.kind or downloads.default_kind(store, args.consultation)) == (
        downloads.ReportKind.MERKNADSBEHANDLING
    ):
        for label, point in unassessed_points(store, args.consultation):  # one line each, exit 0
            summary = point.summary or excerpt(store.get_input(point.input_id).text, 60)
            print(t("points.cli.unassessed", point=label, summary=summary), file=sys.stderr)
    n = next(x.total_inputs for x in store.listings() if x.consultation.id == args.consultation)
    if args.out != "-":
        print(tn("cli.exported", n, path=args.out), file=sys.stderr)
    return 0


def _import_responses(args: argparse.Namespace, store: Store) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(t("points.import.cannot_read", path=args.file, reason=exc.strerror or str(exc)), file=sys.stderr)
        return 2
    actor = operator(os.environ.get("KARTINNSPILL_ACTOR"))
    lines = import_responses(store, args.consultation, data, actor, Path(args.file).name)
    for line in lines:
        print(line)
    print(tn("points.import.done", len(lines)), file=sys.stderr)
    return 0


def _restore(backup: Path, target: Path | str) -> int:
    """Check the backup opens as a Kartinnspill database, then put it in place; the old
    file is kept beside it as ``.before-restore`` (on PostgreSQL: a dump of the old
    contents beside the backup)."""
    if not backup.is_file():
        print(t("cli.backup_missing", path=backup), file=sys.stderr)
        return 2
    if isinstance(target, str):  # a postgresql:// URL
        keep = backup.with_name(backup.name + ".before-restore")
        Store.restore(target, backup, keep)
        print(t("cli.restored_database", path=masked(target), backup=backup, kept=keep))
        return 0
    Store.check_backup(backup)  # exactly Kartinnspill's tables: no views over server files
    Store.open(backup).close()  # refuses a file that is not a (readable, not newer) store
    if target.exists():
        Store.open(target).close()  # refuses while the app holds the database
        shutil.copyfile(target, target.with_name(target.name + ".before-restore"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup, target)
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        wal.unlink()  # a log of the replaced file must not be replayed onto the backup
    print(t("cli.restored", path=target, backup=backup))
    return 0


def _import_area(args: argparse.Namespace) -> int:
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise InvalidArea("area.cannot_open", path=args.file) from exc
    area = geo.read_area(data, Path(args.file).name, layer=args.layer, crs=args.crs)
    summary = {
        "area_km2": round(area.area_km2, 3),
        "bounds": [round(v, 6) for v in area.bounds],
        "source_crs": area.source_crs,
        "features": len(area.features),
    }
    print(json.dumps(summary))
    return 0


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            raw = f.read(4 * REGISTERED_TEXT_MAX + 1)  # UTF-8: at most 4 bytes a character
        return raw.decode("utf-8")
    except OSError as exc:
        raise InvalidInput("register_cli.cannot_read", path=path, reason=exc.strerror or exc) from None
    except UnicodeDecodeError:
        raise InvalidInput("register_cli.not_utf8", path=path) from None


def _read_attachment(path: str) -> tuple[str, bytes]:
    """A file named on the command line, read no further than the attachment limit (the
    core refuses what is larger, or not a PDF, JPEG or PNG)."""
    try:
        with open(path, "rb") as f:
            return Path(path).name, f.read(ATTACHMENT_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInput("register_cli.cannot_read_attachment", path=path, reason=exc.strerror or exc) from None


def _check_register_args(args: argparse.Namespace) -> None:
    """What the command line can refuse before the database is touched."""
    if (args.lat is None) != (args.lon is None):
        raise InvalidInput("register_cli.lat_lon_together")


def _register_input(args: argparse.Namespace, store: Store) -> int:
    """``register-input``: as the staff page registers a letter; the reference alone on
    stdout, remarks on stderr."""
    _check_register_args(args)
    text = _read_text(args.text_file)
    files = [_read_attachment(path) for path in args.attachment]
    original = _read_attachment(args.original) if args.original else None
    consultation = store.get_consultation(args.consultation)
    if consultation is None:
        raise InvalidInput("input.unknown_consultation")
    category = args.category or consultation.categories[-1]
    stored = register_input(
        store,
        consultation.id,
        InputDraft(category=category, text=text, lat=args.lat, lon=args.lon),
        channel=Channel(args.channel),
        sender_type=SenderType(args.sender_type),
        sender_name=args.sender_name,
        received_at=args.received,
        actor=OPERATOR,
        objection=Objection.INNSIGELSE if args.innsigelse else None,
        attachments=files,
        original=original,
        sender_address=args.sender_address,
        sender_property=args.sender_property,
        journalpost=args.journalpost,
        also_advice=args.faglig_raad,
        sender_email=args.sender_email,
        lang=args.sender_lang,
    )
    if not args.category:
        print(t("register_cli.default_category", category=category), file=sys.stderr)
    if has_personal_data(stored.text):
        print(t("register_cli.personal_data", reference=stored.reference), file=sys.stderr)
    if stored.status == InputStatus.PENDING:
        print(t("letters.cli_pending", reference=stored.reference), file=sys.stderr)
    print(stored.reference)
    return 0


def _send_mail(args: argparse.Namespace, store: Store) -> int:
    """``send-mail``: what is due, sent; the outbox's state on stdout. A server that does
    not answer is no error (the mail waits, exit 0); no server set is (exit 1).
    ``--retry-failed`` first puts the failed mails back in the queue."""
    if args.retry_failed:
        n = retry_failed(store, operator(os.environ.get("KARTINNSPILL_ACTOR")))
        print(tn("mail24b.retry.done", n), file=sys.stderr)
    smtp = mail_settings()
    if smtp is None:
        print(mail_sender.report(store, 0).line())
        print(t("mail.cli.not_configured"), file=sys.stderr)
        return 1
    if args.once:
        print(mail_sender.run_once(store, smtp, eager=True).line())
        return 0
    stop = threading.Event()
    try:
        while not stop.is_set():
            report = mail_sender.run_once(store, smtp)
            print(report.line(), flush=True)
            stop.wait(smtp.poll_seconds)
    except KeyboardInterrupt:
        pass
    return 0


# The store's cache while the archive command runs: the package is ≤ 1 GB of memory at a
# kommuneplan's 10,000 merknader only if what the store has read does not stay (issue 26).
ARCHIVE_STORE_MB = 256


def _archive(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    """``archive``: the package, streamed to a file beside the target and moved into place
    only once it is whole (audited by the core)."""
    store.bound_memory(ARCHIVE_STORE_MB)
    try:
        n = downloads.write_archive(
            store, args.consultation, Path(args.out), profile=settings.profile, actor=OPERATOR, since=args.since
        )
    except OSError as exc:
        raise archive.InvalidArchive("archive.cannot_write", path=args.out, reason=exc.strerror or exc) from None
    print(tn("archive.written", n, path=args.out), file=sys.stderr)
    return 0


def _archive_receipt(args: argparse.Namespace, store: Store) -> int:
    receipts = []
    for path in args.files:
        try:
            with open(path, "rb") as f:
                receipts.append(f.read(archive.RECEIPT_MAX_BYTES + 1))
        except OSError as exc:
            raise archive.InvalidArchive("archive.cannot_read", path=path, reason=exc.strerror or exc) from None
    n = archive.record_receipts(store, args.consultation, receipts, actor=OPERATOR)
    print(tn("archive.receipt_done", n))
    return 0


def _run(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    if args.command == "seed-demo":
        if not store.is_empty():
            print(t("cli.not_empty"))
            return 0
        inputs = seed_demo(store)
        if not inputs:  # another process seeded it in the meantime
            print(t("cli.not_empty"))
            return 0
        print(t("cli.seeded", consultations=len(store.listings()), inputs=inputs))
        return 0
    if args.command == "list":
        for listing in store.listings():
            c = listing.consultation
            columns = [
                c.id,
                c.status.value,
                c.opens_at.astimezone(LOCAL_TZ).date().isoformat(),
                c.closes_at.astimezone(LOCAL_TZ).date().isoformat(),
                str(listing.total_inputs),
                c.title,
            ]
            print("\t".join(columns + ([c.case_number] if c.case_number else [])))
        return 0
    if args.command == "import-consultation":
        saved, warnings = import_consultation(
            store,
            Path(args.file),
            kommunenummer=settings.profile.kommunenummer,
            known_parties=(
                *settings.profile.hearing_parties,
                *((a, SenderType.AUTHORITY) for a in settings.profile.authorities),
            ),
        )
        for key, values in warnings:
            print(t(key, **values), file=sys.stderr)
        print(t("import.done", id=saved.id, status=saved.status.value), file=sys.stderr)
        return 0
    if args.command == "register-input":
        return _register_input(args, store)
    if args.command == "send-mail":
        return _send_mail(args, store)
    if args.command == "import-addresses":
        n = places.import_address_file(store, OPERATOR, Path(args.file), settings.profile.working_crs)
        print(tn("addresses.imported", n))
        return 0
    if args.command in ("export", "report"):
        if store.get_consultation(args.consultation) is None:
            print(t("cli.unknown_consultation", id=args.consultation), file=sys.stderr)
            return 2
        return _export(args, store, settings)
    if args.command == "import-responses":
        return _import_responses(args, store)
    if args.command == "archive":
        return _archive(args, store, settings)
    if args.command == "archive-receipt":
        return _archive_receipt(args, store)
    if args.command == "backup":
        store.backup_to(Path(args.out))
        store.audit("cli", "backup", "database", store.label, None, str(args.out))
        print(t("cli.backed_up", path=args.out))
        return 0
    if args.command == "anonymise":
        n = anonymise(store, args.consultation, OPERATOR, retention=timedelta(days=30 * args.months))
        print(tn("retention.done", n, id=args.consultation))
        return 0
    if args.command == "create-user":
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
        user = create_user(store, args.username, args.role, password, args.email, actor="cli")
        print(t("user.created", username=user.username, role=t(f"role.{user.role.value}")))
        return 0
    raise AssertionError(args.command)
