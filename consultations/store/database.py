"""The ``Database``: the one owner of a store's connections, transactions, migrations and
backups (as Datasette's ``database.py``), and of nothing of the domain.

One per process. It is safe to share between threads (Streamlit sessions): every call
gets its own cursor, and writes are serialised by a lock. What differs between the
databases (connecting, cursors, transactions, locks across processes, the data version,
backups) is the backend's (``backend.Backend``): ``duckdb_backend.py`` for a file,
``postgres_backend.py`` for a ``postgresql://`` URL. The ``Store`` (``core.py``) is a
``Database`` with the domain's queries mixed in, one module per aggregate.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from ..errors import StoreError
from . import migrations
from .audit import _naive
from .backend import Backend, Cursor
from .duckdb_backend import DuckDBBackend
from .postgres_backend import PostgresBackend, is_url

_READS_KEPT = 4_096  # remembered reads between two writes; past that, start over


def _remembered(method: Callable) -> Callable:
    """A read the store remembers until its next write (``data_version``): what every
    resident's page asks on every rerun (the consultation, the list, its counts) is read
    once per change instead of once per rerun. The version is read before the data, so a
    remembered result is never older than the version it is filed under."""
    return _remembering(method, steady=False)


def _steady(method: Callable) -> Callable:
    """A remembered read of what a resident's input or support never changes (the
    consultation, its documents and layers, the address register …): kept across those
    writes (``_transaction(only_inputs=True)``), read again after any other. In a busy
    consultation nearly every write is an input, and every page view after one read these
    again (~6 ms a write, issue 26)."""
    return _remembering(method, steady=True)


_STEADY = object()  # the first part of a steady read's key


def _remembering(method: Callable, steady: bool) -> Callable:
    name = method.__name__

    @functools.wraps(method)
    def read(self: Database, *args, **kwargs):
        if getattr(self._atomic, "cursor", None) is not None:
            # inside atomic(): the block's own writes are not committed, so the version has
            # not moved; a remembered read would miss them
            return method(self, *args, **kwargs)
        version = self.data_version  # first: on PostgreSQL it notices other processes' writes
        key = (
            *((_STEADY, self._steady) if steady else (version,)),
            name,
            *(tuple(a) if isinstance(a, list) else a for a in args),
            *sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()),
        )
        found = self._reads.get(key, _NOTHING)
        if found is _NOTHING:
            found = method(self, *args, **kwargs)
            if len(self._reads) >= _READS_KEPT:
                self._reads.clear()
            self._reads[key] = found
        return type(found)(found) if isinstance(found, list | set) else found  # callers' own copy

    return read


_NOTHING = object()
# One sequence for every store in the process: a version names one state of one database
# (caches keyed on it alone cannot mix up two stores, e.g. the tests' many files).
_VERSIONS = itertools.count(1)
_OPENED: weakref.WeakValueDictionary[Path | str, Database] = weakref.WeakValueDictionary()


def _opened_key(location: Path | str) -> Path | str:
    """How ``Database.opened`` finds a store: a DuckDB file by its resolved path, a
    PostgreSQL database by its URL."""
    return str(location) if is_url(location) else Path(location).resolve()


class Database:
    """Connections, transactions, the data version, migrations and backups of one database."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self.path = backend.path  # the DuckDB file; None on PostgreSQL
        self.backend = backend.name
        self.location = backend.location  # for messages: the file, or the URL without password
        self.label = backend.label  # the audit log's name for it: file or database name
        self.backup_suffix = backend.backup_suffix  # what backup_to writes: .duckdb or .dump
        self._write_lock = threading.Lock()
        self._atomic = threading.local()  # the cursor of this thread's ``atomic()`` block
        self._version = next(_VERSIONS)
        self._steady = self._version  # moves with every write but an input's or a support's
        self._stamp: int | None = None  # the database's change counter behind _version
        self._stamp_lock = threading.Lock()
        self._reads: dict[tuple, object] = {}
        self._migrate()

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, **options: Any) -> Self:
        """Open (creating or upgrading) the database; a clear ``StoreError`` when it can't.
        ``path`` is a DuckDB file, or a ``postgresql://`` URL; ``options`` go to the
        constructor."""
        backend = PostgresBackend(path) if is_url(path) else DuckDBBackend(Path(path))
        try:
            store = cls(backend, **options)
        except BaseException:
            backend.close()
            raise
        store._opened_as = _opened_key(path)
        _OPENED[store._opened_as] = store
        return store

    @staticmethod
    def opened(path: Path | str) -> Any:
        """The store this process has open on ``path``, if any: for code outside a page
        run (the HTTP policy asks it for the map servers in use), which must not open the
        file itself (one process, one connection)."""
        if is_url(path):
            return _OPENED.get(str(path))
        given = Path(path)
        found = _OPENED.get(given)  # asked on every HTTP response: no file system call when exact
        return found if found is not None else _OPENED.get(given.resolve())

    def close(self) -> None:
        key = getattr(self, "_opened_as", None)
        if key is not None and _OPENED.get(key) is self:
            del _OPENED[key]
        with self._write_lock:
            self._backend.close()

    # -- backups -------------------------------------------------------------------------

    @staticmethod
    def check_backup(path: Path, location: Path | str | None = None) -> None:
        """``StoreError`` unless ``path`` is a backup that holds Kartinnspill's tables and
        nothing that runs (no view, macro, function or trigger), at a schema version this
        code reads: a DuckDB file, or a ``pg_dump`` archive when ``location`` (where it
        is to be restored) is a PostgreSQL URL. Nothing in it is run to find out."""
        backend = PostgresBackend if is_url(location) else DuckDBBackend
        backend.check_backup(Path(path))

    @classmethod
    def restore(cls, url: str, backup: Path, keep: Path) -> None:
        """PostgreSQL: replace the database's contents with a ``pg_dump`` backup, after
        ``check_backup``; what it held before is dumped to ``keep`` first. An older
        backup is migrated to this version. (A DuckDB file is restored by copying it.)"""
        cls.check_backup(backup, url)
        store = cls.open(url)
        try:
            store.backup_to(keep)
            with store._write_lock:
                store._backend.restore_from(Path(backup))
        finally:
            store.close()
        cls.open(url).close()

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database while it is open: on DuckDB writes wait and
        the file is copied, on PostgreSQL ``pg_dump`` takes one snapshot."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            self._backend.backup_to(target)

    # -- reading and writing -------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        if (active := getattr(self._atomic, "cursor", None)) is not None:
            yield active  # inside atomic(): reads must see the block's own writes
            return
        with self._backend.cursor() as cur:
            yield cur

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _records(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """The rows as mappings by column name (``rows.py`` builds the model from them)."""
        with self._cursor() as cur:
            return records(cur.execute(sql, params))

    def _value(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self._rows(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def _transaction(self, only_inputs: bool = False) -> Iterator[Cursor]:
        """A write. ``only_inputs``: it changes residents' inputs and supports and nothing
        a steady read (``_steady``) reads; a transaction is that only if every write in it
        says so (an ``atomic()`` block: each inside it)."""
        if (active := getattr(self._atomic, "cursor", None)) is not None:
            if not only_inputs:
                self._atomic.everything = True
            yield active  # part of the enclosing atomic() block: it commits or rolls back
            return
        with self._write_lock:
            self._atomic.everything = not only_inputs
            with self._backend.transaction() as cur:
                yield cur
                stamp = self._backend.bump(cur)
            with self._stamp_lock:
                self._stamp = stamp
                self._version = next(_VERSIONS)
                if self._atomic.everything:
                    self._steady = self._version
                    self._reads.clear()
                else:  # the steady reads stay (a copy: other threads may be adding to it)
                    self._reads = {k: v for k, v in list(self._reads.items()) if k[0] is _STEADY}

    def bound_memory(self, megabytes: int) -> None:
        """Keep the database engine's cache in this process within ``megabytes`` (a batch
        command such as ``archive``: memory that stays bounded however much it reads)."""
        self._backend.bound_memory(megabytes)

    @property
    def data_version(self) -> int:
        """A number that changes with every committed write: the key for caches of what the
        pages read, so a cached listing, count or map is never older than the database.
        Unique in the process across stores. On DuckDB this process is the file's only
        writer; on PostgreSQL other processes write too, so the database's change counter
        is read each time (one indexed one-row query) and a new one moves the version."""
        stamp = self._backend.stamp()
        if stamp is not None and stamp != self._stamp:
            with self._stamp_lock:
                if stamp != self._stamp:  # another process wrote: anything may have changed
                    self._stamp = stamp
                    self._version = next(_VERSIONS)
                    self._steady = self._version
                    self._reads.clear()
        return self._version

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Several commands as one change: every write (and audit entry) inside the block is
        kept, or none is when it raises. Other threads' writes wait until it ends. Inside
        another ``atomic()`` block it is part of that one."""
        if getattr(self._atomic, "cursor", None) is not None:
            yield
            return
        with self._transaction(only_inputs=True) as cur:  # what the block writes decides
            self._atomic.cursor = cur
            try:
                yield
            finally:
                self._atomic.cursor = None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder at a time for a job of several transactions (seeding the demo), across
        every process on the database: replicas starting together do it once."""
        with self._backend.exclusive(name):
            yield

    @property
    def shared(self) -> bool:
        """Whether other processes may use the database too (PostgreSQL): then what a
        process counts in memory (rate limits) must be counted in the database."""
        return self._backend.name == "postgresql"

    def take_tokens(self, checks: Sequence[tuple[str, int, float]], take: bool = True) -> bool:
        """PostgreSQL: one token from the bucket of every ``(key, burst, per_hour)`` in the
        database, or none when one is empty; with ``take=False`` only whether every bucket
        has one (``ratelimit.SharedLimiter``)."""
        return self._backend.take_tokens(checks, take)  # type: ignore[attr-defined]  # SharedBackend only

    # -- migrations ----------------------------------------------------------------------

    def schema_version(self) -> int:
        exists = self._value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'")
        if not exists:
            return 0
        return int(self._value("SELECT coalesce(max(version), 0) FROM schema_version") or 0)

    def _migrate(self) -> None:
        with self._transaction() as cur:
            self._backend.lock(cur, "migrate")  # replicas starting together: one migrates
            cur.execute(migrations.SCHEMA_VERSION_TABLE)
            applied = {int(r[0]) for r in cur.execute("SELECT version FROM schema_version").fetchall()}
            if max(applied, default=0) > migrations.LATEST:
                raise StoreError("store.too_new", path=self.location, found=max(applied), supported=migrations.LATEST)
            # every migration not yet recorded, in order: numbers are reserved for parallel
            # branches, so one may land after a higher one was applied
            for version in sorted(set(migrations.MIGRATIONS) - applied):
                for statement in migrations.MIGRATIONS[version]:
                    cur.execute(self._backend.ddl(statement))
                cur.execute(
                    "INSERT INTO schema_version VALUES (?, ?)",
                    (version, _naive(datetime.now(UTC))),
                )
            self._backend.extend(cur)  # what this database adds (PostGIS columns)


def records(cur: Cursor) -> list[dict[str, Any]]:
    """What the cursor's last statement returned, each row a mapping by column name."""
    names = [column[0] for column in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
