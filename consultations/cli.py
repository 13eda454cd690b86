"""``python -m consultations …``: the command line for staff and scripts."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from . import assets, downloads, geo
from .auth import create_user
from .config import Settings, load_settings
from .demo import seed_demo
from .errors import InvalidArea, KartinnspillError
from .export import Format, parse_crs
from .i18n import LOCAL_TZ, t, tn
from .permissions import OPERATOR
from .retention import anonymise
from .store import Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m consultations",
        description="Kartinnspill: map-based public consultation. "
        "The database is KARTINNSPILL_DB (default data/kartinnspill.duckdb).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed-demo", help="load the demo data into an empty database")
    sub.add_parser("list", help="one line per consultation")
    exp = sub.add_parser("export", help="export a consultation's inputs")
    exp.add_argument("--consultation", required=True, metavar="ID")
    exp.add_argument("--format", required=True, choices=[f.value for f in Format])
    exp.add_argument(
        "--crs",
        metavar="EPSG:XXXX",
        help="EPSG:25832, EPSG:25833 or EPSG:4326 (default: the municipality's working CRS); "
        "GeoJSON is always WGS84",
    )
    exp.add_argument(
        "--out", required=True, metavar="PATH", help="file path, or - for stdout (csv, geojson)"
    )
    exp.add_argument("--include-names", action="store_true", help="include senders' names")
    rep = sub.add_parser("report", help="the merknadsbehandling report (Word) for the saksframlegg")
    rep.add_argument("--consultation", required=True, metavar="ID")
    rep.add_argument("--out", required=True, metavar="PATH.docx")
    rep.add_argument(
        "--include-names", action="store_true", help="include senders' names (left out by default)"
    )
    sub.add_parser("install-assets", help="copy the self-hosted map assets into static/vendor")
    area = sub.add_parser(
        "import-area", help="check a plan-area file and print its area and bounds as JSON"
    )
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
    anon.add_argument(
        "--months", type=int, default=12, help="retention after the deadline (default 12)"
    )
    user = sub.add_parser("create-user", help="a staff account (planner or admin)")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, help="planner or admin")
    user.add_argument("--email", help="needed for login through the municipality's OIDC")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
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
            args.crs = parse_crs(args.crs) if args.crs else None
        if args.command in ("export", "report") and args.out == "-":
            fmt = getattr(args, "format", "docx")
            if fmt == "docx" or not Format(fmt).streamable:
                print(t("exports.stdout_refused", format=fmt), file=sys.stderr)
                return 2
        store = Store.open(
            settings.db_path, secret=settings.secret, secret_file=settings.secret_file
        )
        try:
            return _run(args, store, settings)
        finally:
            store.close()
    except KartinnspillError as exc:
        print(exc.message(), file=sys.stderr)
        return 2


def _export(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    """``export`` and ``report``: the file (audit-logged by the core), and a line on stderr."""
    if args.command == "report":
        data = downloads.report_file(
            store, args.consultation, include_names=args.include_names,
            profile=settings.profile, actor=OPERATOR,
        )  # fmt: skip
    else:
        fmt = Format(args.format)
        if fmt == Format.GEOJSON and args.crs not in (None, geo.WGS84):
            print(t("exports.geojson_crs_ignored", crs=f"EPSG:{args.crs}"), file=sys.stderr)
        data = downloads.inputs_file(
            store, args.consultation, fmt, crs=args.crs or settings.profile.working_crs,
            include_names=args.include_names, actor=OPERATOR,
        )  # fmt: skip
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
    n = next(x.total_inputs for x in store.listings() if x.consultation.id == args.consultation)
    if args.out != "-":
        print(tn("cli.exported", n, path=args.out), file=sys.stderr)
    return 0


def _restore(backup: Path, target: Path) -> int:
    """Check the backup opens as a Kartinnspill database, then put it in place; the old
    file is kept beside it as ``.before-restore``."""
    if not backup.is_file():
        print(t("cli.backup_missing", path=backup), file=sys.stderr)
        return 2
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


def _run(args: argparse.Namespace, store: Store, settings: Settings) -> int:
    if args.command == "seed-demo":
        if not store.is_empty():
            print(t("cli.not_empty"))
            return 0
        inputs = seed_demo(store)
        print(t("cli.seeded", consultations=len(store.listings()), inputs=inputs))
        return 0
    if args.command == "list":
        for listing in store.listings():
            c = listing.consultation
            print(
                "\t".join(
                    (
                        c.id,
                        c.status.value,
                        c.opens_at.astimezone(LOCAL_TZ).date().isoformat(),
                        c.closes_at.astimezone(LOCAL_TZ).date().isoformat(),
                        str(listing.total_inputs),
                        c.title,
                    )
                )
            )
        return 0
    if args.command in ("export", "report"):
        if store.get_consultation(args.consultation) is None:
            print(t("cli.unknown_consultation", id=args.consultation), file=sys.stderr)
            return 2
        return _export(args, store, settings)
    if args.command == "backup":
        store.backup_to(Path(args.out))
        store.audit("cli", "backup", "database", store.path.name, None, str(args.out))
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
