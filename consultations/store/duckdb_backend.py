"""The embedded backend: one DuckDB file, one process.

DuckDB lets one process hold a file (a second cannot even open it read-only), so what this
process's write lock serialises is serialised for the whole database: no cross-process
locks are needed, and the data version lives in memory.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import StoreError
from . import migrations

NAME = "duckdb"

# Everything a database file can hold that runs or reads something: a backup must hold
# exactly what the migrations create. A view or macro could read server files
# (read_csv('/etc/passwd')) the moment the app queries it.
_CATALOGUE = (
    "SELECT 'table', schema_name, table_name, sql FROM duckdb_tables() WHERE database_name = current_database()",
    "SELECT 'view', schema_name, view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND NOT internal",
    "SELECT 'function', schema_name, function_name, function_type FROM duckdb_functions() WHERE database_name = current_database() AND NOT internal",
    "SELECT 'sequence', schema_name, sequence_name, '' FROM duckdb_sequences() WHERE database_name = current_database()",
    "SELECT 'index', schema_name, index_name, sql FROM duckdb_indexes() WHERE database_name = current_database()",
    "SELECT 'type', schema_name, type_name, '' FROM duckdb_types() WHERE database_name = current_database() AND NOT internal",
    "SELECT 'schema', schema_name, '', '' FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal",
    "SELECT 'database', database_name, '', '' FROM duckdb_databases() WHERE NOT internal AND database_name <> current_database()",
)

_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")


class DuckDBBackend:
    """Connection, cursors, transactions and backups of one DuckDB file."""

    name = NAME
    backup_suffix = ".duckdb"
    # rows a claim takes (the mail outbox): one process per file, its write lock suffices
    skip_locked = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        self.label = path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(str(path))
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                holder = _LOCK_HOLDER.search(text)
                raise StoreError("store.busy", path=path, pid=holder.group(1) if holder else "?") from exc
            raise StoreError("store.unreadable", path=path, reason=text) from exc
        except duckdb.Error as exc:
            raise StoreError("store.unreadable", path=path, reason=str(exc)) from exc
        self._cursor_lock = threading.Lock()
        self._exclusive = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cursor_lock:
            cur = self._conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    # -- dialect hooks ---------------------------------------------------------------

    @staticmethod
    def ddl(statement: str) -> str:
        """A migration's statement as this database runs it: as written."""
        return statement

    @staticmethod
    def extend(cur: object) -> None:
        """What this database adds to the migrated schema: nothing."""

    @staticmethod
    def lock(cur: object, key: str) -> None:
        """Hold ``key`` until the transaction ends: nothing to do, the process's write lock
        already serialises every write to the file."""

    def exclusive(self, key: str) -> threading.Lock:
        """Hold ``key`` outside a transaction (demo seeding): this process is the file's
        only one, so one lock of its own serves every key."""
        return self._exclusive

    @staticmethod
    def bump(cur: object) -> None:
        """Record a write in the database: nothing, the data version lives in memory."""

    def stamp(self) -> None:
        """The database's own change counter: none, this process is the only writer."""

    def bound_memory(self, megabytes: int) -> None:
        """DuckDB keeps every page it has read in its buffer cache, up to its memory_limit
        (80 % of RAM by default): reading a kommuneplan's 500 scans once for the archive
        package took a process from 108 to 587 MB. A batch command bounds it (DuckDB evicts,
        or spills to a temporary file)."""
        with self.cursor() as cur:
            cur.execute(f"SET memory_limit = '{int(megabytes)}MB'")

    @staticmethod
    def insert_frame(cur: duckdb.DuckDBPyConnection, table: str, columns: str, frame) -> None:
        """Many rows at once from a pandas frame whose columns are ``columns``."""
        cur.register("incoming_rows", frame)
        try:
            cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
        finally:
            cur.unregister("incoming_rows")

    @staticmethod
    def frame(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object]):
        return cur.execute(sql, params).df()

    # -- backup and restore ----------------------------------------------------------

    def backup_to(self, target: Path) -> None:
        """The write-ahead log folded into the file, and the file copied (writes wait:
        the caller holds the write lock)."""
        with self.cursor() as cur:
            cur.execute("CHECKPOINT")
        shutil.copyfile(self.path, target)

    @staticmethod
    def check_backup(path: Path) -> None:
        """``StoreError`` unless the file holds exactly the tables, sequences and indexes
        the migrations create for its schema version: no views, macros, extra tables or
        schemas. Only the catalogue is read before that holds, never a user object."""
        try:
            conn = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError("store.unreadable", path=path, reason=str(exc)) from exc
        try:
            found = _catalogue(conn)
            bare = _catalogue_at(0)  # the schema_version table alone
            if not bare <= found or any(kind not in ("table", "sequence", "index") for kind, *_ in found):
                raise StoreError("store.not_a_backup", path=path, what=_first_extra(found, bare))
            row = conn.execute("SELECT coalesce(max(version), 0) FROM main.schema_version").fetchone()
            version = int(row[0])
        finally:
            conn.close()
        if version > migrations.LATEST:
            raise StoreError("store.too_new", path=path, found=version, supported=migrations.LATEST)
        expected = _catalogue_at(version)
        if version < 1 or found != expected:
            raise StoreError("store.not_a_backup", path=path, what=_first_extra(found, expected))


def _catalogue(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, ...]]:
    return {tuple(map(str, row)) for query in _CATALOGUE for row in conn.execute(query).fetchall()}


def _catalogue_at(version: int) -> set[tuple[str, ...]]:
    """The catalogue of a database migrated to ``version``, built in memory."""
    conn = duckdb.connect(":memory:")
    try:
        conn.execute(migrations.SCHEMA_VERSION_TABLE)
        for v in sorted(n for n in migrations.MIGRATIONS if n <= version):
            for statement in migrations.MIGRATIONS[v]:
                conn.execute(statement)
        return _catalogue(conn)
    finally:
        conn.close()


def _first_extra(found: set[tuple[str, ...]], expected: set[tuple[str, ...]]) -> str:
    """What to name in the refusal: an unexpected object, else a missing one."""
    extra = sorted(found - expected) or sorted(expected - found)
    return " ".join(extra[0][:3]) if extra else "?"
