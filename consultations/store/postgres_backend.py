"""The shared backend: one PostgreSQL database, any number of processes and machines.

What one process guarantees with a lock on DuckDB is a database guarantee here: writes
that check before they insert take a transaction-scoped advisory lock (``lock``), the
data version is a one-row counter bumped in every write transaction (``bump``) and read
before a remembered read (``stamp``), and migrations and demo seeding run under an
advisory lock so that replicas starting together do them once.

The SQL is written once, with ``?`` placeholders, in ``core.py``; ``_translate`` turns it
into psycopg's ``%s`` style.
"""

from __future__ import annotations

import functools
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from ..errors import StoreError, StoreUnavailable
from . import migrations

NAME = "postgresql"
SCHEMES = ("postgresql://", "postgres://")
POOL_SIZE = 8  # connections per process; a Streamlit process has a few busy threads at most
# Seconds a call waits for a connection: statements take milliseconds, so a wait this long
# means the database is gone (or overwhelmed), and the visitor is told so instead of waiting
POOL_WAIT = 10.0
# … and while the last call found the database gone, only this long: during an outage every
# page says «try again shortly» at once instead of after POOL_WAIT
OUTAGE_WAIT = 1.0
CONNECT_WAIT = 10  # seconds a new connection may take (libpq waits forever by default)
# The pool retries a lost connection with doubling waits (1, 2, 4 … s); after this many
# seconds it gives the attempt up, and the next call starts a new one at once. Measured
# here (bench/outage_bench.py): with psycopg_pool's default of 300 s the store answered
# again 7-8 s after a server that had been away 5-20 s was back; with 5 s, within about 1 s
RECONNECT_WAIT = 5.0
# What says the server went away rather than that a statement failed: connection exceptions
# (class 08) and the server shutting down or starting (57P01-57P03); psycopg's own client-side
# connection errors have no SQLSTATE
_GONE = ("08", "57P01", "57P02", "57P03")

# The database's change counter (not a migration: DuckDB keeps its version in memory).
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS data_version "
    "(one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), version BIGINT NOT NULL)"
)
_GEOMETRY_COLUMNS = (
    (
        "inputs",
        "geom",
        (
            "geometry(Point, 4326) GENERATED ALWAYS AS (CASE WHEN lon IS NOT NULL "
            "AND lat IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"
        ),
    ),
    (
        "consultations",
        "area_geom",
        (
            "geometry(MultiPolygon, 4326) GENERATED ALWAYS AS "
            "(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(area_geojson), 4326))) STORED"
        ),
    ),
)
# Residents' rate limits when several processes serve them (ratelimit.SharedLimiter): one
# token bucket per key, refilled by the database's clock
_BUCKET_TABLE = (
    "CREATE TABLE IF NOT EXISTS rate_buckets "
    "(key VARCHAR PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at DOUBLE PRECISION NOT NULL)"
)
_OWN_TABLES = {"schema_version", "data_version", "rate_buckets"}  # beside the migrations' tables
_BUCKETS_KEPT = 86_400.0  # seconds idle before a bucket goes (every default limit is full by then)
# DuckDB's names for types PostgreSQL spells otherwise (whole words, in migrations only)
_TYPES = ((re.compile(r"\bDOUBLE\b(?! PRECISION)"), "DOUBLE PRECISION"), (re.compile(r"\bBLOB\b"), "BYTEA"))
# What a backup may hold (pg_restore --list): tables, their data, sequences, indexes and
# keys, and the PostGIS extension; never a function, view, trigger or rule, which would
# run the moment the app touches the table.
_BACKUP_KINDS = {
    "TABLE",
    "TABLE DATA",
    "SEQUENCE",
    "SEQUENCE SET",
    "SEQUENCE OWNED BY",
    "DEFAULT",
    "INDEX",
    "CONSTRAINT",
    "EXTENSION",
    "COMMENT",
}
_TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (?P<rest>.*)$")
# left out of a restore: the extension is the database's (made by its owner, maybe not by
# the app's role), and so is PostGIS's own table of reference systems
_NOT_RESTORED = {"EXTENSION", "COMMENT"}


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


def masked(url: str) -> str:
    """The URL as messages and logs may show it: no password."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PostgresBackend:
    """A connection pool on one database, and the dialect hooks the store asks for."""

    name = NAME
    backup_suffix = ".dump"  # pg_dump's custom format, read back by pg_restore
    # rows a claim takes (the mail outbox): replicas claim disjoint rows without waiting
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = masked(url)
        self.path = None
        self.label = str(conninfo_to_dict(url).get("dbname", ""))
        try:
            psycopg.connect(url, connect_timeout=CONNECT_WAIT).close()  # a clear reason when it can't
        except psycopg.Error as exc:
            raise StoreError("store.unreadable", path=self.location, reason=_reason(exc)) from exc
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            timeout=POOL_WAIT,
            reconnect_timeout=RECONNECT_WAIT,
            open=False,
            name="kartinnspill",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_WAIT},
        )
        self._pool.open(wait=True, timeout=30)
        self._lost = False  # the last call found the server gone (a flag: a race is harmless)
        try:
            with self.transaction() as cur:
                self.lock(cur, "setup")  # two replicas starting together: one creates it
                cur.execute(_VERSION_TABLE)
                cur.execute("INSERT INTO data_version VALUES (true, 1) ON CONFLICT DO NOTHING")
                cur.execute(_BUCKET_TABLE)
        except BaseException:
            self._pool.close()
            raise

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def cursor(self) -> Iterator[_Cursor]:
        with self._answering(), self._connection() as conn, conn.cursor() as cur:
            yield _Cursor(cur)

    @contextmanager
    def transaction(self) -> Iterator[_Cursor]:
        with self._answering(), self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield _Cursor(cur)

    def _connection(self):
        return self._pool.connection(timeout=OUTAGE_WAIT if self._lost else POOL_WAIT)

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """``StoreUnavailable`` when the server went away during the block. The pool drops
        the broken connection and reconnects in the background, so the store works again
        by itself once the server is back; the idle connections, broken too, are checked
        now rather than handed one by one to the next callers."""
        try:
            yield
        except psycopg.OperationalError as exc:
            if not isinstance(exc, PoolTimeout) and not (exc.sqlstate or "08").startswith(_GONE):
                raise
            self._lost = True
            if not isinstance(exc, PoolTimeout):
                self._pool.check()
            raise StoreUnavailable(self.location, _reason(exc)) from exc
        self._lost = False

    # -- dialect hooks ---------------------------------------------------------------

    @staticmethod
    def ddl(statement: str) -> str:
        """A migration's statement in PostgreSQL's type names."""
        for pattern, name in _TYPES:
            statement = pattern.sub(name, statement)
        return statement

    @staticmethod
    def extend(cur: _Cursor) -> None:
        """With PostGIS in the database (its owner ran ``CREATE EXTENSION postgis``), a
        geometry beside the plain columns for GIS clients (QGIS, FME …): each input's point
        and each consultation's area in EPSG:4326, computed by the database from what the
        app writes (generated columns), so no code path can leave them out of step."""
        if not cur.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'").fetchone()[0]:
            return
        for table, column, definition in _GEOMETRY_COLUMNS:
            cur.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")
        cur.execute("CREATE INDEX IF NOT EXISTS inputs_geom ON inputs USING gist (geom)")

    @staticmethod
    def lock(cur: _Cursor, key: str) -> None:
        """Hold ``key`` until the transaction ends, against every process on the database."""
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        """Hold ``key`` across several transactions (demo seeding), on a connection of its own."""
        with self._pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    @staticmethod
    def bump(cur: _Cursor) -> int:
        """Count this write transaction; the last statement before COMMIT, so the row lock
        that orders every writer on the database is held for the commit alone."""
        return int(cur.execute("UPDATE data_version SET version = version + 1 RETURNING version").fetchone()[0])

    @staticmethod
    def bound_memory(megabytes: int) -> None:
        """Nothing: PostgreSQL caches in its own server processes, bounded by its settings."""

    def stamp(self) -> int:
        """The database's change counter as committed now (one indexed one-row read)."""
        with self.cursor() as cur:
            return int(cur.execute("SELECT version FROM data_version").fetchone()[0])

    def take_tokens(self, checks: Sequence[tuple[str, int, float]], take: bool = True) -> bool:
        """One token from the bucket of every ``(key, burst, per_hour)``, or none when one
        is empty: ``RateLimiter.allow`` with the buckets in the database, so a limit holds
        however many replicas reach it. With ``take=False`` only whether every bucket has
        a token (``RateLimiter.available``), writing nothing. Its own transaction, which
        does not move the data version (no page's data changed)."""
        keys = sorted({key for key, _, _ in checks})
        with self.transaction() as cur:
            now = float(cur.execute("SELECT extract(epoch FROM clock_timestamp())").fetchone()[0])
            if take:
                for key, burst, _ in checks:
                    cur.execute(
                        "INSERT INTO rate_buckets VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (key, float(burst), now)
                    )
            found = {
                r[0]: (float(r[1]), float(r[2]))
                for r in cur.execute(  # in key order: two processes never wait on each other
                    "SELECT key, tokens, at FROM rate_buckets WHERE key = ANY(?) ORDER BY key"
                    + (" FOR UPDATE" if take else ""),
                    (keys,),
                ).fetchall()
            }
            tokens = {}
            for key, burst, per_hour in checks:
                held, at = found.get(key, (float(burst), now))  # no bucket yet: a full one
                tokens[key] = min(float(burst), held + max(0.0, now - at) * per_hour / 3600)
            allowed = all(value >= 1 for value in tokens.values())
            if not take:
                return allowed
            for key, value in tokens.items():
                cur.execute(
                    "UPDATE rate_buckets SET tokens = ?, at = ? WHERE key = ?",
                    (value - 1 if allowed else value, now, key),
                )
            if random.random() < 0.01:  # now and then, forget idle buckets
                cur.execute("DELETE FROM rate_buckets WHERE at < ?", (now - _BUCKETS_KEPT,))
        return allowed

    @staticmethod
    def insert_frame(cur: _Cursor, table: str, columns: str, frame) -> None:
        """Many rows at once from a pandas frame whose columns are ``columns`` (COPY)."""
        with cur.raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
                copy.write_row(row)

    @staticmethod
    def frame(cur: _Cursor, sql: str, params: Sequence[object]):
        return cur.execute(sql, params).df()

    # -- backup and restore ----------------------------------------------------------

    def backup_to(self, target: Path) -> None:
        """``pg_dump`` in its custom format: one consistent snapshot, writes go on."""
        _run_tool(
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--exclude-table-data=rate_buckets",
            f"--file={target}",
            url=self.url,
        )

    def restore_from(self, backup: Path) -> None:
        """Replace the database's tables with the backup's (one transaction); the data
        version moves past both, so no replica keeps a read from before."""
        before = self.stamp()
        wanted = [
            line
            for line, kind, _, name in _toc(_run_tool("pg_restore", "--list", str(backup)))
            if kind not in _NOT_RESTORED and name != "spatial_ref_sys"
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".list") as chosen:
            chosen.write("\n".join(wanted) + "\n")
            chosen.flush()
            _run_tool(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={chosen.name}",
                str(backup),
                url=self.url,
            )
        with self.transaction() as cur:
            cur.execute(_VERSION_TABLE)
            cur.execute(
                """INSERT INTO data_version VALUES (true, ?) ON CONFLICT (one)
                   DO UPDATE SET version = greatest(data_version.version, excluded.version) + 1""",
                (before + 1,),
            )

    @staticmethod
    def check_backup(path: Path) -> None:
        """``StoreError`` unless the file is a ``pg_dump`` archive holding only tables,
        their data, sequences, indexes and keys — no function, view, trigger or rule — of
        tables the migrations make, at a schema version this code can read."""
        try:
            listing = _run_tool("pg_restore", "--list", str(path))
        except StoreError as exc:
            raise StoreError("store.not_a_backup", path=path, what=exc.params["reason"]) from exc
        tables = _tables_at(migrations.LATEST) | _OWN_TABLES | {"spatial_ref_sys"}
        for line, kind, _schema, name in _toc(listing):
            if kind not in _BACKUP_KINDS:
                raise StoreError("store.not_a_backup", path=path, what=f"{kind.lower()} {name}")
            if kind in ("TABLE", "TABLE DATA") and name not in tables:
                raise StoreError("store.not_a_backup", path=path, what=f"table {name}")
            if kind == "EXTENSION" and name != "postgis":
                raise StoreError("store.not_a_backup", path=path, what=f"extension {name}")
        version = _backup_version(path)
        if version > migrations.LATEST:
            raise StoreError("store.too_new", path=path, found=version, supported=migrations.LATEST)
        if version < 1:
            raise StoreError("store.not_a_backup", path=path, what="schema_version")


class _Cursor:
    """A psycopg cursor that takes the store's SQL as written (``?`` placeholders) and
    answers like DuckDB's (``execute`` returns itself, ``df()`` gives a frame)."""

    __slots__ = ("raw",)

    def __init__(self, raw: psycopg.Cursor) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[object] = ()) -> _Cursor:
        self.raw.execute(_translate(sql), tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self.raw.executemany(_translate(sql), rows)

    @property
    def description(self):
        """Per column of the last result its name first (``Database._records`` reads it)."""
        return self.raw.description

    def fetchall(self) -> list[tuple]:
        return self.raw.fetchall()

    def fetchone(self) -> tuple | None:
        return self.raw.fetchone()

    def df(self):
        import pandas  # only for the analysis frame

        names = [c.name for c in self.raw.description or ()]
        return pandas.DataFrame.from_records(self.raw.fetchall(), columns=names)


@functools.lru_cache(maxsize=1024)
def _translate(sql: str) -> str:
    """``?`` → ``%s`` outside string literals and quoted names; every ``%`` doubled, as
    psycopg reads ``%`` anywhere in a query that has parameters (even inside a literal)."""
    out: list[str] = []
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


def _toc(listing: str) -> list[tuple[str, str, str, str]]:
    """``pg_restore --list`` as ``(line, kind, schema, name)``: kinds have spaces
    («TABLE DATA»), so the longest known one is taken; an unknown kind is its first word."""
    entries = []
    for line in listing.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        found = _TOC_ENTRY.match(line)
        rest = found["rest"] if found else line
        kind = max((k for k in _BACKUP_KINDS if rest.startswith(k + " ")), key=len, default=rest.split(" ")[0])
        schema, name, *_ = [*rest[len(kind) :].split(), "", ""]
        entries.append((line, kind, schema, name))
    return entries


def _tables_at(version: int) -> set[str]:
    """The tables the migrations up to ``version`` create (and do not drop)."""
    made: set[str] = set()
    for v in range(1, version + 1):
        for statement in migrations.MIGRATIONS.get(v, ()):
            if found := re.match(r"\s*CREATE TABLE (?:IF NOT EXISTS )?(\w+)", statement, re.IGNORECASE):
                made.add(found.group(1).lower())
            elif found := re.match(r"\s*DROP TABLE (?:IF EXISTS )?(\w+)", statement, re.IGNORECASE):
                made.discard(found.group(1).lower())
    return made


def _backup_version(path: Path) -> int:
    """The highest schema version recorded in a backup, read from its data alone."""
    text = _run_tool("pg_restore", "--data-only", "--table=schema_version", "--file=-", str(path))
    versions = [0]
    copying = False
    for line in text.splitlines():
        if line.startswith("COPY ") and " schema_version " in f" {line} ".replace("public.", " "):
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line.split("\t")[0].isdigit():
            versions.append(int(line.split("\t")[0]))
    return max(versions)


def tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else in the server's bin directory."""
    found = shutil.which(name)
    if found:
        return found
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bindir / name).exists():
            return str(bindir / name)
    raise StoreError("store.unreadable", path=name, reason=f"{name} is not installed")


def _run_tool(name: str, *args: str, url: str | None = None) -> str:
    """Run a client program; the password goes through the environment, never argv."""
    env = dict(os.environ)
    if url is not None:
        params = conninfo_to_dict(url)
        if password := params.pop("password", None):
            env["PGPASSWORD"] = str(password)
        args = (*args, f"--dbname={make_conninfo(**params)}")
    done = subprocess.run([tool(name), *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise StoreError("store.unreadable", path=name, reason=(done.stderr.strip().splitlines() or ["?"])[-1])
    return done.stdout


def _reason(exc: psycopg.Error) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
