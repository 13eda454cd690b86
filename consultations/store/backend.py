"""What a database backend does for the store (as pygeoapi's ``provider/base.py`` declares
what a provider does): ``duckdb_backend.py`` (one file, one process) and
``postgres_backend.py`` (one database, many processes) implement it, and the store is
written against these protocols alone, never against a driver's own types.

The SQL is written once, with ``?`` placeholders; a backend runs it as written or
translates it (``PostgresBackend``), and its dialect hooks (``ddl``, ``extend``, ``lock``,
``bump`` …) say what differs and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class Cursor(Protocol):
    """One statement at a time on one connection; ``execute`` returns the cursor itself,
    so ``cur.execute(…).fetchall()`` reads the rows (DuckDB's way, which the PostgreSQL
    backend's cursor follows)."""

    @property
    def description(self) -> Sequence[Sequence[Any]] | None:
        """Per column of the last result, a sequence whose first item is its name."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> object: ...

    def fetchall(self) -> list[tuple]: ...

    def fetchone(self) -> tuple | None: ...

    def df(self) -> Any:
        """The last result as a pandas DataFrame."""


@runtime_checkable
class Backend(Protocol):
    """Connection, cursors, transactions, backups and the dialect hooks of one database."""

    name: str  # "duckdb" or "postgresql"
    path: Path | None  # the DuckDB file; None for a server
    location: str  # for messages: the file, or the URL without its password
    label: str  # the audit log's name for it: file or database name
    backup_suffix: str  # what ``backup_to`` writes: .duckdb or .dump
    skip_locked: str  # appended to a claim's SELECT (the mail outbox)

    def close(self) -> None: ...

    def cursor(self) -> AbstractContextManager[Cursor]:
        """A cursor of its own for one call, outside any transaction."""

    def transaction(self) -> AbstractContextManager[Cursor]:
        """A cursor in a transaction: committed when the block ends, rolled back when it raises."""

    def ddl(self, statement: str) -> str:
        """A migration's statement as this database runs it."""

    def extend(self, cur: Cursor) -> None:
        """What this database adds to the migrated schema."""

    def lock(self, cur: Cursor, key: str) -> None:
        """Hold ``key`` until the transaction ends, against every process on the database."""

    def exclusive(self, key: str) -> AbstractContextManager[object]:
        """Hold ``key`` outside a transaction, across several (demo seeding)."""

    def bump(self, cur: Cursor) -> int | None:
        """Record a write in the database's change counter, if it keeps one."""

    def stamp(self) -> int | None:
        """The database's change counter as committed now; None: this process is its only writer."""

    def bound_memory(self, megabytes: int) -> None:
        """Keep what this process's database engine caches within ``megabytes``, if it runs here."""

    def insert_frame(self, cur: Cursor, table: str, columns: str, frame: Any) -> None:
        """Many rows at once from a pandas frame whose columns are ``columns``."""

    def frame(self, cur: Cursor, sql: str, params: Sequence[object]) -> Any:
        """A query's result as a pandas DataFrame."""

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database in ``target``."""

    @staticmethod
    def check_backup(path: Path) -> None:
        """``StoreError`` unless ``path`` is a backup this code may restore."""


class SharedBackend(Backend, Protocol):
    """A database other processes use too (PostgreSQL): what they must share lives in it."""

    def take_tokens(self, checks: Sequence[tuple[str, int, float]], take: bool = True) -> bool:
        """One token from the bucket of every ``(key, burst, per_hour)``, or none."""

    def restore_from(self, backup: Path) -> None:
        """Replace the database's contents with a backup's."""
