"""The Store: every query the app runs, written once for DuckDB and PostgreSQL.

One ``Store`` per process. It is safe to share between threads (Streamlit sessions): every
call gets its own cursor, and writes are serialised by a lock so a check-then-insert (the
double-submit guard) cannot race. What differs between the databases (connecting, cursors,
transactions, locks across processes, the data version, backups) is the backend's:
``duckdb_backend.py`` for a file, ``postgres_backend.py`` for a ``postgresql://`` URL.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from .. import geo, keys
from . import migrations
from .audit import _audit, _naive, _utc
from .bulk import BulkReads
from .casefile import CaseFileStore
from .duckdb_backend import DuckDBBackend
from .points import PointsStore, sync_objection, sync_response
from .mail import MailStore
from .medvirkning import MedvirkningQueries
from .postgres_backend import PostgresBackend, is_url
from ..errors import Conflict, DuplicateText, NotFound, StoreError, SupportedFromAddress
from ..model import (
    Address,
    Attachment,
    AuditEntry,
    Channel,
    ClassSession,
    Consultation,
    ConsultationListing,
    Contact,
    ContextLayer,
    Document,
    DocumentKind,
    HearingParty,
    Input,
    InputStatus,
    LayerKind,
    MapPoint,
    MerknadRecipient,
    Moderation,
    NotMerknad,
    Objection,
    ObjectionStatus,
    Outcome,
    Photo,
    PlanType,
    Proposer,
    Question,
    Response,
    Role,
    SenderType,
    Shape,
    Stage,
    Status,
    User,
)

_CONSULTATION_COLUMNS = (
    "id, title, summary, body, plan_type, plan_id, stage, status, opens_at, closes_at, "
    "area_geojson, categories, moderation, contact_name, contact_role, contact_email, "
    "contact_phone, is_demo, questions, translations, case_number, announced_on, "
    "announced_where, proposer_name, proposer_consultant, proposer_recipient, proposer_address, "
    "shapes"
)
_N_CONSULTATION = _CONSULTATION_COLUMNS.count(",") + 1
_INPUT_COLUMNS = (
    "i.id, i.consultation_id, i.category, i.text, i.lat, i.lon, i.status, i.channel, "
    "i.created_at, i.age_group, i.relation, i.east, i.north, i.answers, i.sender_type, "
    "i.sender_name, i.hidden_reason, i.duplicate_of, i.sender_address, i.sender_property, "
    "i.objection, i.objection_status, i.not_merknad, i.not_merknad_note, i.drawing, i.measure"
)
_PARTY_COLUMNS = "id, consultation_id, name, sender_type, sent_on, frist, input_id"
_USER_COLUMNS = "id, username, email, role, active"
_SUPPORT_COUNT = "(SELECT count(*) FROM supports s WHERE s.input_id = i.id)"
# A pupil's route or place (classes.py) is never one of the consultation's inputs as
# residents or the ordinary review, exports and reports see them: the class views show
# them, and the public sees only a published class's summary (public.class_result).
_NOT_CLASS = "NOT EXISTS (SELECT 1 FROM class_inputs ci WHERE ci.input_id = i.id)"


class ArchivedInput(Exception):
    """An input that has been sent to the archive is never deleted (arkivlova)."""


@dataclasses.dataclass(frozen=True)
class ArchiveRecord:
    """Where one input stands with the archive."""

    archived_at: datetime | None  # first sent (aware UTC); None: never
    journal_year: int | None = None
    journal_sequence: int | None = None
    journalpost_number: int | None = None
    anonymised_at: datetime | None = None


_READS_KEPT = 4_096  # remembered reads between two writes; past that, start over


def _remembered(method: Callable) -> Callable:
    """A read the store remembers until its next write (``data_version``): what every
    resident's page asks on every rerun (the consultation, the list, its counts) is read
    once per change instead of once per rerun. The version is read before the data, so a
    remembered result is never older than the version it is filed under."""
    name = method.__name__

    @functools.wraps(method)
    def read(self: Store, *args, **kwargs):
        if getattr(self._atomic, "cursor", None) is not None:
            # inside atomic(): the block's own writes are not committed, so the version has
            # not moved; a remembered read would miss them
            return method(self, *args, **kwargs)
        key = (
            self.data_version,
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
_OPENED: weakref.WeakValueDictionary[Path | str, Store] = weakref.WeakValueDictionary()


def _opened_key(location: Path | str) -> Path | str:
    """How ``Store.opened`` finds a store: a DuckDB file by its resolved path, a
    PostgreSQL database by its URL."""
    return str(location) if is_url(location) else Path(location).resolve()


class Store(PointsStore, CaseFileStore, MailStore, MedvirkningQueries, BulkReads):  # the mixins: store/points.py, casefile.py, mail.py, medvirkning.py, bulk.py
    def __init__(
        self,
        backend: DuckDBBackend | PostgresBackend,
        secret: str | None = None,
        secret_file: Path | None = None,
    ) -> None:
        self._backend = backend
        self.path = backend.path  # the DuckDB file; None on PostgreSQL
        self.backend = backend.name
        self.location = backend.location  # for messages: the file, or the URL without password
        self.label = backend.label  # the audit log's name for it: file or database name
        self.backup_suffix = backend.backup_suffix  # what backup_to writes: .duckdb or .dump
        self._write_lock = threading.Lock()
        self._atomic = threading.local()  # the cursor of this thread's ``atomic()`` block
        self._secret_value = secret
        self._secret_file = secret_file or (
            self.path.with_name("secret.key") if self.path else Path("data/secret.key")
        )
        self._root_key: bytes | None = None
        self._keys: dict[str, bytes] = {}
        self._version = next(_VERSIONS)
        self._stamp: int | None = None  # the database's change counter behind _version
        self._stamp_lock = threading.Lock()
        self._reads: dict[tuple, object] = {}
        self._migrate()

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | str, *, secret: str | None = None, secret_file: Path | None = None
    ) -> Store:
        """Open (creating or upgrading) the database; a clear ``StoreError`` when it can't.
        ``path`` is a DuckDB file, or a ``postgresql://`` URL.

        Hashes are keyed by ``secret``, else by the file ``secret_file`` (default
        ``secret.key`` beside the database), made on the first hash if missing."""
        backend = PostgresBackend(path) if is_url(path) else DuckDBBackend(Path(path))
        try:
            store = cls(backend, secret, secret_file)
        except BaseException:
            backend.close()
            raise
        store._opened_as = _opened_key(path)
        _OPENED[store._opened_as] = store
        return store

    @staticmethod
    def opened(path: Path | str) -> Store | None:
        """The store this process has open on ``path``, if any: for code outside a page
        run (the HTTP policy asks it for the map servers in use), which must not open the
        file itself (one process, one connection)."""
        if is_url(path):
            return _OPENED.get(str(path))
        given = Path(path)
        found = _OPENED.get(given)  # asked on every HTTP response: no file system call when exact
        return found if found is not None else _OPENED.get(given.resolve())

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

    def close(self) -> None:
        key = getattr(self, "_opened_as", None)
        if key is not None and _OPENED.get(key) is self:
            del _OPENED[key]
        with self._write_lock:
            self._backend.close()

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the database while it is open: on DuckDB writes wait and
        the file is copied, on PostgreSQL ``pg_dump`` takes one snapshot."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            self._backend.backup_to(target)

    # -- plumbing ----------------------------------------------------------------------

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if (active := getattr(self._atomic, "cursor", None)) is not None:
            yield active  # inside atomic(): reads must see the block's own writes
            return
        with self._backend.cursor() as cur:
            yield cur

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _value(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self._rows(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if (active := getattr(self._atomic, "cursor", None)) is not None:
            yield active  # part of the enclosing atomic() block: it commits or rolls back
            return
        with self._write_lock:
            with self._backend.transaction() as cur:
                yield cur
                stamp = self._backend.bump(cur)
            with self._stamp_lock:
                self._stamp = stamp
                self._version = next(_VERSIONS)
                self._reads.clear()

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
                if stamp != self._stamp:
                    self._stamp = stamp
                    self._version = next(_VERSIONS)
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
        with self._transaction() as cur:
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
        return self._backend.take_tokens(checks, take)

    def schema_version(self) -> int:
        exists = self._value(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        )
        if not exists:
            return 0
        return int(self._value("SELECT coalesce(max(version), 0) FROM schema_version") or 0)

    def _migrate(self) -> None:
        with self._transaction() as cur:
            self._backend.lock(cur, "migrate")  # replicas starting together: one migrates
            cur.execute(migrations.SCHEMA_VERSION_TABLE)
            applied = {int(r[0]) for r in cur.execute("SELECT version FROM schema_version").fetchall()}
            if max(applied, default=0) > migrations.LATEST:
                raise StoreError(
                    "store.too_new", path=self.location, found=max(applied), supported=migrations.LATEST
                )
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

    def hash_session(self, raw: str, consultation_id: str = "") -> str:
        """An anonymous keyed hash of a browser session or network address; the raw value
        is never stored. Each consultation has its own key, so hashes from two
        consultations cannot be matched; ``""`` is for hashes that stay in memory."""
        key = self._keys.get(consultation_id)
        if key is None:
            if self._root_key is None:  # the secret itself is read (or made) on first use
                self._root_key = keys.derive(
                    keys.load_secret(self._secret_value, self._secret_file), ""
                )
            key = self._keys[consultation_id] = keys.derive(self._root_key, consultation_id)
        return keys.keyed_hash(key, raw)

    # -- the address register ------------------------------------------------------------

    def replace_addresses(self, addresses: Sequence[Address], actor: str | None) -> int:
        """The address register, replaced whole in one transaction (a failed import leaves
        the old one); with an ``actor`` (staff, the CLI), in the audit log too. Returns how
        many addresses it now holds."""
        import pandas  # only here: the bulk insert goes through a frame (30,000 rows in ~0.1 s)

        names = _ADDRESS_COLUMNS.split(", ")
        frame = pandas.DataFrame(
            [dataclasses.astuple(a) for a in addresses], columns=names
        ).astype({"gnr": "Int64", "bnr": "Int64"})
        with self._transaction() as cur:
            before = self._count_addresses(cur)
            cur.execute("DELETE FROM addresses")
            self._backend.insert_frame(cur, "addresses", _ADDRESS_COLUMNS, frame)
            after = self._count_addresses(cur)
            if actor:
                _audit(cur, actor, "addresses.import", "addresses", "", json.dumps({"count": before}),
                       json.dumps({"count": after}))  # fmt: skip
        return after

    @staticmethod
    def _count_addresses(cur: duckdb.DuckDBPyConnection) -> int:
        return int(cur.execute("SELECT count(*) FROM addresses").fetchone()[0])

    @_remembered
    def count_addresses(self) -> int:
        return int(self._value("SELECT count(*) FROM addresses") or 0)

    @_remembered
    def search_addresses(self, key: str, limit: int) -> list[Address]:
        """Addresses whose key starts with ``key``, or has a word that does (both as
        places.normalise() spells them): those starting with it first, then the shortest."""
        if not key:
            return []
        rows = self._rows(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses
                 WHERE starts_with(key, ?) OR strpos(key, ?) > 0
                 ORDER BY NOT starts_with(key, ?), length(key), key LIMIT ?""",
            (key, " " + key, key, limit),
        )
        return [_address(r) for r in rows]

    @_remembered
    def addresses_of_property(self, gnr: int, bnr: int, limit: int) -> list[Address]:
        """The addresses on one property (gardsnummer/bruksnummer), in order."""
        rows = self._rows(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses WHERE gnr = ? AND bnr = ?
                 ORDER BY length(key), key LIMIT ?""",
            (gnr, bnr, limit),
        )
        return [_address(r) for r in rows]

    # -- consultations -----------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._value("SELECT count(*) FROM consultations")

    def add_consultation(self, c: Consultation, actor: str | None = None) -> None:
        """A new consultation; with an ``actor`` (staff), written to the audit log too."""
        with self._transaction() as cur:
            placeholders = ", ".join("?" * (_N_CONSULTATION + 1))
            cur.execute(
                f"INSERT INTO consultations ({_CONSULTATION_COLUMNS}, created_at) "
                f"VALUES ({placeholders})",
                (*_consultation_values(c), _naive(datetime.now(UTC))),
            )
            if actor:
                _audit(cur, actor, "consultation.create", "consultation", c.id, None, _snapshot(c))

    def update_consultation(self, c: Consultation, actor: str, old_id: str | None = None) -> None:
        """Replace a consultation's fields, with before/after in the audit log. With
        ``old_id``, the consultation (a draft: no inputs) also gets the new id ``c.id``."""
        old_id = old_id or c.id
        with self._transaction() as cur:
            rows = cur.execute(
                f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?", (old_id,)
            ).fetchall()
            if not rows:
                raise NotFound("consultation_form.unknown", id=old_id)
            before = _consultation(rows[0])
            if old_id != c.id:
                cur.execute("UPDATE consultations SET id = ? WHERE id = ?", (c.id, old_id))
                for table in ("documents", "hearing_parties", "context_layers"):
                    cur.execute(
                        f"UPDATE {table} SET consultation_id = ? WHERE consultation_id = ?",
                        (c.id, old_id),
                    )
                _audit(cur, actor, "consultation.rename", "consultation", c.id, old_id, c.id)
            assignments = ", ".join(f"{col.strip()} = ?" for col in _CONSULTATION_COLUMNS.split(","))
            cur.execute(
                f"UPDATE consultations SET {assignments} WHERE id = ?",
                (*_consultation_values(c), c.id),
            )
            action = (
                f"consultation.status.{c.status.value}"
                if before.status != c.status
                else "consultation.edit"
            )
            _audit(cur, actor, action, "consultation", c.id, _snapshot(before), _snapshot(c))

    def delete_consultation(self, consultation_id: str, actor: str) -> None:
        """Remove a consultation that has no inputs (a draft), with its documents."""
        with self._transaction() as cur:
            rows = cur.execute(
                f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?",
                (consultation_id,),
            ).fetchall()
            if not rows:
                raise NotFound("consultation_form.unknown", id=consultation_id)
            count = cur.execute(
                "SELECT count(*) FROM inputs WHERE consultation_id = ?", (consultation_id,)
            ).fetchall()[0][0]
            if count:
                raise Conflict("lifecycle.has_inputs")
            for table in ("documents", "hearing_parties", "consultation_facts"):
                cur.execute(f"DELETE FROM {table} WHERE consultation_id = ?", (consultation_id,))
            cur.execute("DELETE FROM consultations WHERE id = ?", (consultation_id,))
            _audit(
                cur, actor, "consultation.delete", "consultation", consultation_id,
                _snapshot(_consultation(rows[0])), None,
            )  # fmt: skip

    def consultation_ids(self) -> set[str]:
        return {r[0] for r in self._rows("SELECT id FROM consultations")}

    def input_usage(self, consultation_id: str) -> tuple[list[tuple[float, float]], set[str]]:
        """Where the consultation's inputs are ``(lat, lon)`` and which categories they use:
        what an edit must not orphan."""
        rows = self._rows(
            "SELECT lat, lon, category FROM inputs WHERE consultation_id = ?", (consultation_id,)
        )
        return [(r[0], r[1]) for r in rows if r[0] is not None], {r[2] for r in rows}

    @_remembered
    def get_consultation(self, consultation_id: str) -> Consultation | None:
        rows = self._rows(
            f"SELECT {_CONSULTATION_COLUMNS} FROM consultations WHERE id = ?", (consultation_id,)
        )
        return _consultation(rows[0]) if rows else None

    @_remembered
    def listings(self) -> list[ConsultationListing]:
        """Every consultation with its input counts, soonest deadline first."""
        rows = self._rows(
            f"""SELECT {_CONSULTATION_COLUMNS},
                   (SELECT count(*) FROM inputs i
                     WHERE i.consultation_id = c.id AND i.status = 'published' AND {_NOT_CLASS}),
                   (SELECT count(*) FROM inputs i WHERE i.consultation_id = c.id)
                FROM consultations c ORDER BY closes_at, id"""
        )
        n = _N_CONSULTATION
        return [ConsultationListing(_consultation(r[:n]), int(r[n]), int(r[n + 1])) for r in rows]

    # -- inputs ------------------------------------------------------------------------

    def add_input(
        self,
        *,
        consultation_id: str,
        category: str,
        text: str,
        lat: float | None,
        lon: float | None,
        east: float | None,
        north: float | None,
        age_group: str | None,
        relation: str | None,
        channel: Channel,
        status: InputStatus,
        session_hash: str | None,
        token: str | None,
        created_at: datetime,
        answers: dict[str, object] | None = None,
        sender_type: SenderType | None = None,
        sender_name: str | None = None,
        actor: str | None = None,
        address_hash: str | None = None,
        sender_address: str | None = None,
        sender_property: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        objection: Objection | None = None,
        photos: Sequence[tuple[str, str, bytes, str, bytes]] = (),
        drawing: str | None = None,
        measure: float | None = None,
    ) -> tuple[Input, bool]:
        """Store one input; with a token seen before, return that input and ``False``.

        ``attachments`` are ``(filename, media_type, content)`` and ``photos``
        ``(filename, media_type, content, alt_text, thumbnail)``, already checked; they are
        stored with the input or not at all. With an ``actor`` (staff registering a letter,
        an e-mail …) the audit log gets it too.
        """
        with self._transaction() as cur:
            if address_hash:  # the repeated-text guard holds across processes too
                self._backend.lock(cur, f"inputs:{consultation_id}")
            existing = (
                cur.execute("SELECT id FROM inputs WHERE submission_token = ?", (token,)).fetchall()
                if token
                else []
            )
            if not existing and address_hash:
                repeated = cur.execute(
                    """SELECT count(*) FROM inputs WHERE consultation_id = ? AND text = ?
                       AND address_hash = ?""",
                    (consultation_id, text, address_hash),
                ).fetchall()[0][0]
                if repeated:
                    raise DuplicateText()
            inserted = [] if existing else cur.execute(
                """INSERT INTO inputs (consultation_id, category, text, lat, lon, east, north,
                       age_group, relation, channel, status, session_hash, submission_token,
                       created_at, answers, sender_type, sender_name, address_hash,
                       sender_address, sender_property, objection, objection_status,
                       drawing, measure)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (submission_token) DO NOTHING RETURNING id""",
                (
                    consultation_id, category, text, lat, lon, east, north, age_group,
                    relation, channel.value, status.value, session_hash, token or None,
                    _naive(created_at), json.dumps(answers or {}, ensure_ascii=False),
                    sender_type.value if sender_type else None, sender_name, address_hash,
                    sender_address, sender_property,
                    objection.value if objection else None, _objection_status(objection),
                    drawing, measure,
                ),
            ).fetchall()  # fmt: skip
            if not existing and not inserted:  # another process stored this token meanwhile
                existing = cur.execute(
                    "SELECT id FROM inputs WHERE submission_token = ?", (token,)
                ).fetchall()
            if existing:
                new_id, created = existing[0][0], False
            else:
                new_id, created = inserted[0][0], True
                for filename, media_type, content in attachments:
                    cur.execute(
                        """INSERT INTO input_attachments (input_id, filename, media_type,
                               content, created_at) VALUES (?, ?, ?, ?, ?)""",
                        (new_id, filename, media_type, content, _naive(created_at)),
                    )
                for filename, media_type, content, alt_text, thumbnail in photos:
                    cur.execute(
                        """INSERT INTO input_attachments (input_id, filename, media_type,
                               content, created_at, alt_text, thumbnail) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (new_id, filename, media_type, content, _naive(created_at), alt_text, thumbnail),
                    )
                if actor:
                    _audit(
                        cur, actor, f"input.register.{channel.value}", "input", str(new_id),
                        None, json.dumps({"consultation": consultation_id, "category": category,
                                          "objection": objection.value if objection else None},
                                         ensure_ascii=False),
                    )  # fmt: skip
        stored = self.get_input(int(new_id))
        assert stored is not None
        return stored, created

    def bulk_add_inputs(
        self,
        consultation_id: str,
        rows: Sequence[tuple[str, str, float | None, float | None, float | None, float | None, datetime]],
        channel: Channel,
        status: InputStatus,
    ) -> None:
        """Many inputs in one transaction (imports, synthetic data):
        rows of ``(category, text, lat, lon, east, north, created_at)``."""
        with self._transaction() as cur:
            cur.executemany(
                """INSERT INTO inputs (consultation_id, category, text, lat, lon, east, north,
                       channel, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (consultation_id, cat, text, lat, lon, east, north, channel.value,
                     status.value, _naive(created))
                    for cat, text, lat, lon, east, north, created in rows
                ],
            )  # fmt: skip

    def delete_input(self, input_id: int, actor: str, reason: str) -> None:
        """Remove an input for good (a resident's request), with its supports, themes and
        response; the audit log keeps that it happened, not what it said."""
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT consultation_id, archived_at FROM inputs WHERE id = ?", (input_id,)
            ).fetchall()
            if not rows:
                raise NotFound("planning.error.delete_unknown")
            if rows[0][1] is not None:
                raise ArchivedInput(input_id)
            for table in ("supports", "input_themes", "responses", "input_attachments", "merknad_points",
                          "innsigelse_status_changes"):
                cur.execute(f"DELETE FROM {table} WHERE input_id = ?", (input_id,))
            cur.execute("UPDATE inputs SET duplicate_of = NULL WHERE duplicate_of = ?", (input_id,))
            cur.execute("UPDATE hearing_parties SET input_id = NULL WHERE input_id = ?", (input_id,))
            cur.execute("DELETE FROM inputs WHERE id = ?", (input_id,))
            _audit(
                cur, actor, "input.delete", "input", str(input_id),
                json.dumps({"consultation": rows[0][0]}), json.dumps({"reason": reason}, ensure_ascii=False),
            )  # fmt: skip

    def anonymise(self, consultation_id: str, actor: str) -> int:
        """Remove optional profile data, sender names, session and address hashes and the
        answers to questions from a consultation's inputs; keep the inputs and responses.
        Returns how many inputs were touched."""
        with self._transaction() as cur:
            count = cur.execute(
                "SELECT count(*) FROM inputs WHERE consultation_id = ?", (consultation_id,)
            ).fetchall()[0][0]
            cur.execute(
                """UPDATE inputs SET age_group = NULL, relation = NULL, sender_name = NULL,
                       sender_address = NULL, sender_property = NULL, session_hash = NULL, address_hash = NULL, answers = '{}',
                       submission_token = NULL
                   WHERE consultation_id = ?""",
                (consultation_id,),
            )
            # supports keep their session hashes: random per browser session, and with the
            # inputs' session hashes gone they link to no input any more; address hashes go
            cur.execute(
                """UPDATE supports SET address_hash = NULL, day = NULL WHERE input_id IN
                   (SELECT id FROM inputs WHERE consultation_id = ?)""",
                (consultation_id,),
            )
            _audit(
                cur, actor, "consultation.anonymise", "consultation", consultation_id, None,
                json.dumps({"inputs": count}),
            )  # fmt: skip
        return int(count)

    def anonymise_input(self, input_id: int, text: str, actor: str, reason: str) -> None:
        """What a resident's request to delete does to a merknad already in the archive: the
        text as given (masked by the caller), no sender, profile, answers or hashes; the
        journalpost numbers stay. The audit log keeps who, when and why."""
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT consultation_id FROM inputs WHERE id = ?", (input_id,)
            ).fetchall()
            if not rows:
                raise KeyError(input_id)
            cur.execute(
                """UPDATE inputs SET text = ?, sender_name = NULL, sender_address = NULL,
                       sender_property = NULL, age_group = NULL, relation = NULL,
                       answers = '{}', session_hash = NULL, address_hash = NULL,
                       submission_token = NULL, anonymised_at = ?
                   WHERE id = ?""",
                (text, _naive(datetime.now(UTC)), input_id),
            )
            cur.execute("UPDATE supports SET address_hash = NULL, day = NULL WHERE input_id = ?", (input_id,))
            _audit(
                cur, actor, "input.anonymise", "input", str(input_id),
                json.dumps({"consultation": rows[0][0]}), json.dumps({"reason": reason}, ensure_ascii=False),
            )  # fmt: skip

    # -- the archive (Fiks Arkiv) --------------------------------------------------------

    def mark_archived(
        self, consultation_id: str, input_ids: Sequence[int], at: datetime, actor: str, details: str
    ) -> None:
        """Record that these inputs went to the archive at ``at`` (the first time counts)."""
        with self._transaction() as cur:
            if input_ids:
                cur.execute(
                    """UPDATE inputs SET archived_at = coalesce(archived_at, ?)
                       WHERE consultation_id = ? AND id = ANY(?)""",
                    (_naive(at), consultation_id, list(input_ids)),
                )
            _audit(cur, actor, "consultation.archive", "consultation", consultation_id, None, details)

    def archive_records(self, consultation_id: str) -> dict[int, ArchiveRecord]:
        """Per input of the consultation: when it went to the archive, its journalpost."""
        rows = self._rows(
            """SELECT id, archived_at, journal_year, journal_sequence, journalpost_number,
                      anonymised_at
               FROM inputs WHERE consultation_id = ? ORDER BY id""",
            (consultation_id,),
        )
        return {
            int(r[0]): ArchiveRecord(
                _utc(r[1]) if r[1] else None, r[2], r[3], r[4], _utc(r[5]) if r[5] else None
            )
            for r in rows
        }

    def set_journalposts(
        self,
        consultation_id: str,
        entries: Sequence[tuple[int, int | None, int | None, int | None]],
        actor: str,
        details: str,
        *,
        case_number: str | None = None,
    ) -> None:
        """Store ``(input_id, journalår, sekvensnummer, journalpostnummer)`` from the archive's
        kvittering, and the saksnummer of a case folder it created (``case_number``), all or
        none: an input of another consultation raises ``KeyError``."""
        with self._transaction() as cur:
            if case_number:
                before = cur.execute(
                    "SELECT case_number FROM consultations WHERE id = ?", (consultation_id,)
                ).fetchall()[0][0]
                cur.execute("UPDATE consultations SET case_number = ? WHERE id = ?", (case_number, consultation_id))
                _audit(cur, actor, "consultation.case_number_from_archive", "consultation", consultation_id,
                       before or None, case_number)  # fmt: skip
            for input_id, year, sequence, number in entries:
                found = cur.execute(
                    "SELECT count(*) FROM inputs WHERE id = ? AND consultation_id = ?",
                    (input_id, consultation_id),
                ).fetchall()[0][0]
                if not found:
                    raise KeyError(input_id)
                cur.execute(
                    """UPDATE inputs SET journal_year = ?, journal_sequence = ?,
                           journalpost_number = ?, archived_at = coalesce(archived_at, ?)
                       WHERE id = ?""",
                    (year, sequence, number, _naive(datetime.now(UTC)), input_id),
                )
            _audit(cur, actor, "consultation.archive_receipt", "consultation", consultation_id, None, details)

    def input_with_token(self, token: str) -> Input | None:
        """The input a submission token already stored (a double click), if any."""
        value = self._value("SELECT id FROM inputs WHERE submission_token = ?", (token,))
        return None if value is None else self.get_input(int(value))

    def sent_in_session(self, input_id: int, session_hash: str) -> bool:
        """Whether the input was sent from the browser session with this hash."""
        return bool(
            self._value(
                "SELECT count(*) FROM inputs WHERE id = ? AND session_hash = ?",
                (input_id, session_hash),
            )
        )

    def get_input(self, input_id: int) -> Input | None:
        rows = self._rows(
            f"SELECT {_INPUT_COLUMNS}, {_SUPPORT_COUNT} FROM inputs i WHERE i.id = ?",
            (input_id,),
        )
        return _input(rows[0]) if rows else None

    @_remembered
    def published_inputs(
        self,
        consultation_id: str,
        categories: Sequence[str] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Input]:
        """Published inputs, newest first, optionally only some categories."""
        sql = (
            f"SELECT {_INPUT_COLUMNS}, {_SUPPORT_COUNT} FROM inputs i "
            f"WHERE i.consultation_id = ? AND i.status = 'published' AND {_NOT_CLASS}"
        )
        params: list[object] = [consultation_id]
        if categories:
            sql += " AND i.category = ANY(?)"
            params.append(list(categories))
        sql += " ORDER BY i.created_at DESC, i.id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_input(r) for r in self._rows(sql, params)]

    @_remembered
    def count_published(self, consultation_id: str, categories: Sequence[str] = ()) -> int:
        sql = (
            "SELECT count(*) FROM inputs i WHERE i.consultation_id = ? "
            f"AND i.status = 'published' AND {_NOT_CLASS}"
        )
        params: list[object] = [consultation_id]
        if categories:
            sql += " AND i.category = ANY(?)"
            params.append(list(categories))
        return int(self._value(sql, params) or 0)

    def map_points(self, consultation_id: str) -> list[MapPoint]:
        """Published inputs that have a location (and their drawn route or area, if any):
        what the consultation map draws."""
        rows = self._rows(
            f"""SELECT lat, lon, category, text, id, drawing, measure FROM inputs i
               WHERE consultation_id = ? AND status = 'published' AND lat IS NOT NULL
                 AND {_NOT_CLASS}
               ORDER BY id""",
            (consultation_id,),
        )
        return [MapPoint(*r) for r in rows]

    def all_inputs(self, consultation_id: str) -> list[Input]:
        """Every input whatever its status, oldest first (exports); pupils' are the classes'."""
        rows = self._rows(
            f"SELECT {_INPUT_COLUMNS}, {_SUPPORT_COUNT} FROM inputs i "
            f"WHERE i.consultation_id = ? AND {_NOT_CLASS} ORDER BY i.id",
            (consultation_id,),
        )
        return [_input(r) for r in rows]

    # -- supports ----------------------------------------------------------------------

    def add_support(
        self,
        input_id: int,
        session_hash: str,
        address_hash: str | None = None,
        day: date | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Record one support; ``False`` when this session already supports the input or the
        input is not published. With an ``address_hash`` and a ``day``, a second support
        from that address on that day raises ``SupportedFromAddress`` (a new tab is a new
        session, but not a new resident); a unique index makes it a database rule."""
        with self._transaction() as cur:
            self._backend.lock(cur, f"supports:{input_id}")  # the checks below, across processes
            published = cur.execute(
                f"SELECT count(*) FROM inputs i WHERE id = ? AND status = 'published' AND {_NOT_CLASS}",
                (input_id,),
            ).fetchall()[0][0]
            if not published:
                return False
            if cur.execute(
                "SELECT count(*) FROM supports WHERE input_id = ? AND session_hash = ?",
                (input_id, session_hash),
            ).fetchall()[0][0]:
                return False
            if address_hash and day and cur.execute(
                """SELECT count(*) FROM supports
                   WHERE input_id = ? AND address_hash = ? AND day = ?""",
                (input_id, address_hash, day),
            ).fetchall()[0][0]:
                raise SupportedFromAddress()
            inserted = cur.execute(
                """INSERT INTO supports (input_id, session_hash, created_at, address_hash, day)
                   VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING input_id""",
                (input_id, session_hash, _naive(now or datetime.now(UTC)),
                 address_hash if day else None, day if address_hash else None),
            ).fetchall()  # fmt: skip
            return bool(inserted)

    @_remembered
    def supported_by(self, consultation_id: str, session_hash: str) -> set[int]:
        rows = self._rows(
            """SELECT s.input_id FROM supports s JOIN inputs i ON i.id = s.input_id
               WHERE i.consultation_id = ? AND s.session_hash = ?""",
            (consultation_id, session_hash),
        )
        return {int(r[0]) for r in rows}

    # -- users ---------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        role: Role,
        password_hash: str | None,
        email: str | None = None,
        actor: str = "system",
    ) -> User:
        with self._transaction() as cur:
            user_id = cur.execute(
                """INSERT INTO users (username, email, role, password_hash, active, created_at)
                   VALUES (?, ?, ?, ?, true, ?) RETURNING id""",
                (username, email, role.value, password_hash, _naive(datetime.now(UTC))),
            ).fetchall()[0][0]
            _audit(
                cur, actor, "user.create", "user", username, None,
                json.dumps({"role": role.value, "email": email}),
            )  # fmt: skip
        user = self.get_user(int(user_id))
        assert user is not None
        return user

    def update_user(
        self,
        user_id: int,
        actor: str,
        *,
        role: Role | None = None,
        active: bool | None = None,
        password_hash: str | None = None,
    ) -> User:
        before = self.get_user(user_id)
        if before is None:
            raise NotFound("user.unknown")
        with self._transaction() as cur:
            cur.execute(
                """UPDATE users SET role = coalesce(?, role), active = coalesce(?, active),
                       password_hash = coalesce(?, password_hash) WHERE id = ?""",
                (role.value if role else None, active, password_hash, user_id),
            )
            changes = {"role": role.value if role else None, "active": active,
                       "password": "changed" if password_hash else None}  # fmt: skip
            _audit(
                cur, actor, "user.update", "user", before.username,
                json.dumps({"role": before.role.value, "active": before.active}),
                json.dumps({k: v for k, v in changes.items() if v is not None}),
            )  # fmt: skip
        after = self.get_user(user_id)
        assert after is not None
        return after

    def get_user(self, user_id: int) -> User | None:
        rows = self._rows(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def user_by_email(self, email: str) -> User | None:
        rows = self._rows(
            f"SELECT {_USER_COLUMNS} FROM users WHERE lower(email) = lower(?)", (email,)
        )
        return _user(rows[0]) if rows else None

    def login_record(self, username: str) -> tuple[User, str | None] | None:
        """The user and their password hash, for checking a login."""
        rows = self._rows(
            f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE lower(username) = lower(?)",
            (username,),
        )
        return (_user(rows[0][:5]), rows[0][5]) if rows else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._rows(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")]

    # -- audit log -------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        """An entry for a staff action that changes nothing else (a login, an export …)."""
        with self._transaction() as cur:
            _audit(cur, actor, action, object_type, object_id, before, after)

    def audit_entries(
        self, limit: int | None = None, offset: int = 0, text: str = ""
    ) -> list[AuditEntry]:
        """Newest first; with ``text``, only entries whose action or actor contains it (any
        case); ``limit``/``offset`` give one page of them."""
        where, params = _audit_filter(text)
        sql = (
            "SELECT id, occurred_at, actor, action, object_type, object_id, before, after "
            f"FROM audit_log {where} ORDER BY id DESC"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return [AuditEntry(r[0], _utc(r[1]), *r[2:]) for r in self._rows(sql, params)]

    def count_audit(self, text: str = "") -> int:
        where, params = _audit_filter(text)
        return int(self._value(f"SELECT count(*) FROM audit_log {where}", params) or 0)

    # -- staff logins ----------------------------------------------------------------------

    def login_failures(
        self, keys: Sequence[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], tuple[int, datetime]]:
        """Failure count and time of the last failure per (scope, key), for those whose
        last failure is at or after ``since`` (older ones count as none)."""
        if not keys:
            return {}
        rows = self._rows(
            "SELECT scope, key, failures, last_at FROM login_failures WHERE last_at >= ? AND ("
            + " OR ".join(["(scope = ? AND key = ?)"] * len(keys)) + ")",
            [_naive(since), *(part for k in keys for part in k)],
        )
        return {(r[0], r[1]): (int(r[2]), _utc(r[3])) for r in rows}

    def record_login_failure(
        self,
        keys: Sequence[tuple[str, str]],
        audit_key: tuple[str, str],
        now: datetime,
        since: datetime,
        actor: str,
        details: dict[str, object],
    ) -> int:
        """Count one failed login against every (scope, key) — a count whose last failure
        is before ``since`` starts again at 1 — and keep ONE audit row per ``audit_key``
        while its count runs: the first failure inserts it, later ones update its count.
        Rows idle since before ``since`` are dropped. Returns the ``audit_key`` count."""
        at, cutoff = _naive(now), _naive(since)
        with self._transaction() as cur:
            self._backend.lock(cur, f"login:{audit_key[0]}:{audit_key[1]}")  # one audit row per streak
            cur.execute("DELETE FROM login_failures WHERE last_at < ?", (cutoff,))
            for scope, key in keys:
                cur.execute(
                    """INSERT INTO login_failures (scope, key, failures, last_at)
                       VALUES (?, ?, 1, ?) ON CONFLICT (scope, key) DO UPDATE
                       SET failures = login_failures.failures + 1, last_at = excluded.last_at""",
                    (scope, key, at),
                )
            failures, audit_id = cur.execute(
                "SELECT failures, audit_id FROM login_failures WHERE scope = ? AND key = ?",
                audit_key,
            ).fetchall()[0]
            after = json.dumps({**details, "failures": failures, "last": now.isoformat()})
            if audit_id is None:
                audit_id = cur.execute(
                    """INSERT INTO audit_log (occurred_at, actor, action, object_type, object_id,
                           before, after) VALUES (?, ?, 'login.failed', 'user', ?, NULL, ?)
                       RETURNING id""",
                    (at, actor, actor, after),
                ).fetchall()[0][0]
                cur.execute(
                    "UPDATE login_failures SET audit_id = ? WHERE scope = ? AND key = ?",
                    (audit_id, *audit_key),
                )
            else:
                cur.execute("UPDATE audit_log SET after = ? WHERE id = ?", (after, audit_id))
        return int(failures)

    def clear_login_failures(self, keys: Sequence[tuple[str, str]]) -> None:
        with self._transaction() as cur:
            for scope, key in keys:
                cur.execute("DELETE FROM login_failures WHERE scope = ? AND key = ?", (scope, key))

    def start_staff_session(
        self, token_hash: str, user: User, now: datetime, browser_hash: str
    ) -> None:
        """A login record bound to one browser; only hashes of the token and cookie are kept."""
        with self._transaction() as cur:
            cur.execute(
                """INSERT INTO staff_sessions
                   (token_hash, user_id, started_at, seen_at, ended_at, browser_hash)
                   VALUES (?, ?, ?, ?, NULL, ?)""",
                (token_hash, user.id, _naive(now), _naive(now), browser_hash),
            )

    def staff_session(
        self, token_hash: str
    ) -> tuple[int, datetime, datetime | None, str | None] | None:
        """User id, last activity, end (if ended) and bound browser of a login record."""
        rows = self._rows(
            "SELECT user_id, seen_at, ended_at, browser_hash FROM staff_sessions WHERE token_hash = ?",
            (token_hash,),
        )
        if not rows:
            return None
        user_id, seen, ended, browser_hash = rows[0]
        return int(user_id), _utc(seen), _utc(ended) if ended is not None else None, browser_hash

    def end_staff_session_from_other_browser(
        self, token_hash: str, now: datetime, username: str
    ) -> None:
        """End a login record used from a browser it is not bound to, with the audit row."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                (_naive(now), token_hash),
            )
            _audit(cur, username, "login.other_browser", "user", username, None, None)

    def touch_staff_session(self, token_hash: str, now: datetime) -> None:
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET seen_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                (_naive(now), token_hash),
            )

    def end_staff_sessions(
        self, now: datetime, *, token_hash: str | None = None, user_id: int | None = None,
        keep: str | None = None,
    ) -> None:  # fmt: skip
        """End one login record (``token_hash``) or all of a user's but ``keep``."""
        with self._transaction() as cur:
            if token_hash is not None:
                cur.execute(
                    "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                    (_naive(now), token_hash),
                )
            if user_id is not None:
                cur.execute(
                    """UPDATE staff_sessions SET ended_at = ? WHERE user_id = ?
                       AND ended_at IS NULL AND token_hash <> coalesce(?, '')""",
                    (_naive(now), user_id, keep),
                )

    def change_password(self, user_id: int, password_hash: str, now: datetime, keep: str) -> None:
        """A new password hash; every other login of the user ends; audited (no hash)."""
        user = self.get_user(user_id)
        if user is None:
            raise NotFound("user.unknown")
        with self._transaction() as cur:
            cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
            cur.execute(
                """UPDATE staff_sessions SET ended_at = ? WHERE user_id = ?
                   AND ended_at IS NULL AND token_hash <> ?""",
                (_naive(now), user_id, keep),
            )
            _audit(cur, user.username, "user.password", "user", user.username, None, None)

    # -- OIDC accounts ---------------------------------------------------------------------

    def user_by_oidc(self, issuer: str, subject: str) -> User | None:
        rows = self._rows(
            f"SELECT {_USER_COLUMNS} FROM users WHERE oidc_issuer = ? AND oidc_subject = ?",
            (issuer, subject),
        )
        return _user(rows[0]) if rows else None

    def oidc_binding(self, user_id: int) -> tuple[str, str] | None:
        rows = self._rows(
            "SELECT oidc_issuer, oidc_subject FROM users WHERE id = ? AND oidc_subject IS NOT NULL",
            (user_id,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def bind_oidc(self, user_id: int, issuer: str, subject: str) -> bool:
        """Bind an unbound users row to an OIDC account; ``False`` (nothing changed) when the
        row is already bound or another row has that account."""
        with self._transaction() as cur:
            self._backend.lock(cur, f"oidc:{issuer}")  # the check below, across processes
            taken = cur.execute(
                """SELECT count(*) FROM users WHERE (id = ? AND oidc_subject IS NOT NULL)
                   OR (oidc_issuer = ? AND oidc_subject = ?)""",
                (user_id, issuer, subject),
            ).fetchall()[0][0]
            if taken:
                return False
            cur.execute(
                "UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?",
                (issuer, subject, user_id),
            )
            name = cur.execute("SELECT username FROM users WHERE id = ?", (user_id,)).fetchall()
            _audit(cur, name[0][0], "user.oidc_bind", "user", name[0][0], None,
                   json.dumps({"issuer": issuer, "subject": subject}))  # fmt: skip
        return True

    # -- documents ---------------------------------------------------------------------------

    def add_document(
        self,
        consultation_id: str,
        filename: str,
        content: bytes,
        actor: str | None,
        kind: DocumentKind = DocumentKind.ANNET,
        replaces: Document | None = None,
    ) -> int:
        """A new document; with ``replaces``, that one goes in the same transaction. With an
        ``actor`` (staff), written to the audit log too; the demo seeding has none."""
        with self._transaction() as cur:
            if replaces is not None:
                cur.execute("DELETE FROM documents WHERE id = ?", (replaces.id,))
            doc_id = cur.execute(
                """INSERT INTO documents (consultation_id, filename, content, uploaded_at, kind)
                   VALUES (?, ?, ?, ?, ?) RETURNING id""",
                (consultation_id, filename, content, _naive(datetime.now(UTC)), kind.value),
            ).fetchall()[0][0]
            before = (
                json.dumps({"document": replaces.filename, "kind": replaces.kind.value}, ensure_ascii=False)
                if replaces
                else None
            )
            if actor is None:
                return int(doc_id)
            _audit(
                cur, actor, "document.replace" if replaces else "document.add", "consultation",
                consultation_id, before,
                json.dumps({"document": filename, "kind": kind.value, "bytes": len(content)},
                           ensure_ascii=False),
            )  # fmt: skip
        return int(doc_id)

    @_remembered
    def documents(self, consultation_id: str) -> list[Document]:
        rows = self._rows(
            """SELECT id, consultation_id, filename, octet_length(content), kind FROM documents
               WHERE consultation_id = ? ORDER BY id""",
            (consultation_id,),
        )
        return [_document(r) for r in rows]

    def document(self, document_id: int) -> Document | None:
        rows = self._rows(
            """SELECT id, consultation_id, filename, octet_length(content), kind FROM documents
               WHERE id = ?""",
            (document_id,),
        )
        return _document(rows[0]) if rows else None

    def document_content(self, document_id: int) -> bytes | None:
        value = self._value("SELECT content FROM documents WHERE id = ?", (document_id,))
        return None if value is None else bytes(value)

    def delete_document(self, document_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT consultation_id, filename FROM documents WHERE id = ?", (document_id,)
            ).fetchall()
            if not rows:
                return
            cur.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            _audit(
                cur, actor, "document.delete", "consultation", rows[0][0],
                json.dumps({"document": rows[0][1]}, ensure_ascii=False), None,
            )  # fmt: skip

    # -- context layers (what staff put on a consultation's map under the pins) ------------

    def add_context_layer(self, layer: ContextLayer, actor: str) -> int:
        """A new layer (its ``id`` is ignored), audited in the same transaction."""
        with self._transaction() as cur:
            layer_id = cur.execute(
                """INSERT INTO context_layers (consultation_id, kind, name, legend, attribution,
                       wms_url, wms_layers, geojson, points, lines, areas, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (
                    layer.consultation_id, layer.kind.value, layer.name, layer.legend,
                    layer.attribution, layer.wms_url, layer.wms_layers, layer.geojson,
                    layer.points, layer.lines, layer.areas, _naive(datetime.now(UTC)),
                ),
            ).fetchall()[0][0]
            _audit(
                cur, actor, "context_layer.add", "consultation", layer.consultation_id, None,
                json.dumps(_layer_summary(layer), ensure_ascii=False),
            )  # fmt: skip
        return int(layer_id)

    @_remembered
    def context_layers(self, consultation_id: str) -> list[ContextLayer]:
        rows = self._rows(
            f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [_context_layer(r) for r in rows]

    def context_layer(self, layer_id: int) -> ContextLayer | None:
        rows = self._rows(f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE id = ?", (layer_id,))
        return _context_layer(rows[0]) if rows else None

    @_remembered
    def delete_context_layer(self, layer_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = cur.execute(
                f"SELECT {_LAYER_COLUMNS} FROM context_layers WHERE id = ?", (layer_id,)
            ).fetchall()
            if not rows:
                return
            layer = _context_layer(rows[0])
            cur.execute("DELETE FROM context_layers WHERE id = ?", (layer_id,))
            _audit(
                cur, actor, "context_layer.delete", "consultation", layer.consultation_id,
                json.dumps(_layer_summary(layer), ensure_ascii=False), None,
            )  # fmt: skip

    # -- attachments (files residents send with a merknad) ----------------------------------

    def attachments(self, input_id: int) -> list[Attachment]:
        rows = self._rows(
            """SELECT id, input_id, filename, media_type, octet_length(content)
               FROM input_attachments WHERE input_id = ? ORDER BY id""",
            (input_id,),
        )
        return [Attachment(*r) for r in rows]

    def attachment_content(self, attachment_id: int) -> tuple[Attachment, bytes] | None:
        rows = self._rows(
            """SELECT id, input_id, filename, media_type, octet_length(content), content
               FROM input_attachments WHERE id = ?""",
            (attachment_id,),
        )
        return (Attachment(*rows[0][:5]), bytes(rows[0][5])) if rows else None

    @_remembered
    def published_photos(self, consultation_id: str) -> list[Photo]:
        """The photos of the consultation's published inputs, as thumbnails: what residents
        may see (an input held for moderation or hidden shows none)."""
        rows = self._rows(
            f"""SELECT a.id, a.input_id, a.alt_text, a.thumbnail FROM input_attachments a
               JOIN inputs i ON i.id = a.input_id
               WHERE i.consultation_id = ? AND i.status = 'published' AND a.alt_text IS NOT NULL
                 AND {_NOT_CLASS}
               ORDER BY a.input_id, a.id""",
            (consultation_id,),
        )
        return [Photo(r[0], r[1], r[2], bytes(r[3])) for r in rows]

    @_remembered
    def count_photos(self, consultation_id: str) -> int:
        """Photos sent with the consultation's inputs, whatever their status."""
        return int(
            self._value(
                """SELECT count(*) FROM input_attachments a JOIN inputs i ON i.id = a.input_id
                   WHERE i.consultation_id = ? AND a.alt_text IS NOT NULL""",
                (consultation_id,),
            )
            or 0
        )

    def photo_files(self, consultation_id: str) -> list[tuple[int, str, str, str, bytes]]:
        """Every photo of the consultation's inputs, whatever their status (exports, for
        planners): ``(input_id, filename, media_type, alt_text, content)``."""
        rows = self._rows(
            """SELECT a.input_id, a.filename, a.media_type, a.alt_text, a.content
               FROM input_attachments a JOIN inputs i ON i.id = a.input_id
               WHERE i.consultation_id = ? AND a.alt_text IS NOT NULL ORDER BY a.input_id, a.id""",
            (consultation_id,),
        )
        return [(r[0], r[1], r[2], r[3], bytes(r[4])) for r in rows]


    # -- moderation and merknadsbehandling ---------------------------------------------

    def set_input_status(
        self,
        input_ids: Sequence[int],
        status: InputStatus,
        actor: str,
        reason: str | None = None,
    ) -> int:
        """Publish, hide (with the reason kept) or set pending; one audit entry per input.
        Returns how many inputs changed."""
        changed = 0
        with self._transaction() as cur:
            for input_id in input_ids:
                rows = cur.execute(
                    "SELECT status, hidden_reason FROM inputs WHERE id = ?", (input_id,)
                ).fetchall()
                if not rows or rows[0][0] == status.value:
                    continue
                cur.execute(
                    "UPDATE inputs SET status = ?, hidden_reason = ? WHERE id = ?",
                    (status.value, reason if status == InputStatus.HIDDEN else None, input_id),
                )
                _audit(
                    cur, actor, f"input.{status.value}", "input", str(input_id),
                    json.dumps({"status": rows[0][0]}),
                    json.dumps({"status": status.value, "reason": reason}, ensure_ascii=False),
                )  # fmt: skip
                changed += 1
        return changed

    def set_not_merknad(
        self, input_ids: Sequence[int], kind: NotMerknad | None, note: str | None, actor: str
    ) -> int:
        """Mark inputs as no merknad (``kind`` with a note) or, with ``None``, as merknader
        again; one audit entry per input changed. Returns how many changed."""
        changed = 0
        with self._transaction() as cur:
            for input_id in input_ids:
                rows = cur.execute(
                    "SELECT not_merknad, not_merknad_note FROM inputs WHERE id = ?", (input_id,)
                ).fetchall()
                after = (kind.value if kind else None, note if kind else None)
                if not rows or tuple(rows[0]) == after:
                    continue
                cur.execute(
                    "UPDATE inputs SET not_merknad = ?, not_merknad_note = ? WHERE id = ?",
                    (*after, input_id),
                )
                _audit(
                    cur, actor, "input.not_merknad" if kind else "input.merknad", "input", str(input_id),
                    json.dumps({"not_merknad": rows[0][0], "note": rows[0][1]}, ensure_ascii=False),
                    json.dumps({"not_merknad": after[0], "note": after[1]}, ensure_ascii=False),
                )  # fmt: skip
                changed += 1
        return changed

    def mark_duplicate(self, input_id: int, of_id: int | None, actor: str) -> None:
        """Record that an input repeats another (``None`` clears it)."""
        with self._transaction() as cur:
            cur.execute("UPDATE inputs SET duplicate_of = ? WHERE id = ?", (of_id, input_id))
            _audit(cur, actor, "input.duplicate", "input", str(input_id), None, str(of_id))

    def add_tag(self, input_ids: Sequence[int], theme: str, actor: str) -> None:
        with self._transaction() as cur:
            for input_id in input_ids:
                cur.execute(
                    "INSERT INTO input_themes VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (input_id, theme),
                )
            _audit(
                cur, actor, "input.theme.add", "theme", theme, None,
                json.dumps(list(input_ids)),
            )  # fmt: skip

    def remove_tag(self, input_ids: Sequence[int], theme: str, actor: str) -> None:
        with self._transaction() as cur:
            for input_id in input_ids:
                cur.execute(
                    "DELETE FROM input_themes WHERE input_id = ? AND theme = ?", (input_id, theme)
                )
            _audit(
                cur, actor, "input.theme.remove", "theme", theme,
                json.dumps(list(input_ids)), None,
            )  # fmt: skip

    def tags(self, consultation_id: str) -> dict[int, list[str]]:
        """The tags planners gave each input, by input id (machine themes are ``themes.py``)."""
        rows = self._rows(
            """SELECT t.input_id, t.theme FROM input_themes t JOIN inputs i ON i.id = t.input_id
               WHERE i.consultation_id = ? ORDER BY t.input_id, t.theme""",
            (consultation_id,),
        )
        found: dict[int, list[str]] = {}
        for input_id, theme in rows:
            found.setdefault(int(input_id), []).append(theme)
        return found

    def save_response(self, input_ids: Sequence[int], response: Response, actor: str) -> None:
        """The same answer for one input or a whole group; replaces an earlier answer."""
        now = _naive(datetime.now(UTC))
        with self._transaction() as cur:
            # merknader stored as points share the answer as one felles vurdering
            group = cur.execute("SELECT nextval('point_group_seq')").fetchall()[0][0] if len(input_ids) > 1 else None
            for input_id in input_ids:
                before = cur.execute(
                    "SELECT outcome FROM responses WHERE input_id = ?", (input_id,)
                ).fetchall()
                cur.execute(
                    """INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (input_id) DO UPDATE SET summary = excluded.summary,
                           assessment = excluded.assessment, outcome = excluded.outcome,
                           plan_change = excluded.plan_change, author = excluded.author,
                           updated_at = excluded.updated_at""",
                    (
                        input_id, response.summary, response.assessment, response.outcome.value,
                        response.plan_change, actor, now,
                    ),
                )  # fmt: skip
                _audit(
                    cur, actor, "response.save", "input", str(input_id),
                    before[0][0] if before else None, response.outcome.value,
                )  # fmt: skip
                sync_response(cur, input_id, response, actor, group)

    def responses(self, consultation_id: str) -> dict[int, Response]:
        rows = self._rows(
            """SELECT r.input_id, r.summary, r.assessment, r.outcome, r.plan_change, r.author,
                      r.updated_at
               FROM responses r JOIN inputs i ON i.id = r.input_id
               WHERE i.consultation_id = ?""",
            (consultation_id,),
        )
        return {
            int(r[0]): Response(int(r[0]), r[1], r[2], Outcome(r[3]), r[4], r[5], _utc(r[6]))
            for r in rows
        }

    def set_responses_published(self, consultation_id: str, published: bool, actor: str) -> None:
        """Whether residents see «Slik ble innspillene behandlet»."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE consultations SET responses_published = ? WHERE id = ?",
                (published, consultation_id),
            )
            _audit(
                cur, actor, "responses.publish" if published else "responses.unpublish",
                "consultation", consultation_id, None, None,
            )  # fmt: skip

    def set_use_of_input(self, consultation_id: str, text: str, actor: str) -> None:
        """What staff write about how the inputs will be used (medvirkningsrapport); audited
        with before and after."""
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT use_of_input FROM consultations WHERE id = ?", (consultation_id,)
            ).fetchall()
            if not rows:
                raise NotFound("consultation_form.unknown", id=consultation_id)
            before = rows[0][0] or ""
            if before == text:
                return
            cur.execute("UPDATE consultations SET use_of_input = ? WHERE id = ?", (text, consultation_id))
            _audit(cur, actor, "consultation.use_of_input", "consultation", consultation_id, before, text)

    def use_of_input(self, consultation_id: str) -> str:
        return str(
            self._value("SELECT use_of_input FROM consultations WHERE id = ?", (consultation_id,)) or ""
        )

    @_remembered
    def responses_published(self, consultation_id: str) -> bool:
        return bool(
            self._value(
                "SELECT responses_published FROM consultations WHERE id = ?", (consultation_id,)
            )
        )

    # -- innsigelser and høringsinstanser ----------------------------------------------------

    def set_objection(
        self,
        input_id: int,
        objection: Objection | None,
        status: ObjectionStatus | None,
        actor: str,
    ) -> None:
        """An input's kind (innsigelse, faglig råd or neither) and an innsigelse's status,
        with before and after in the audit log."""
        with self._transaction() as cur:
            rows = cur.execute(
                "SELECT objection, objection_status FROM inputs WHERE id = ?", (input_id,)
            ).fetchall()
            if not rows:
                raise NotFound("planning.error.delete_unknown")
            after = (objection.value if objection else None, status.value if status else None)
            if tuple(rows[0]) == after:
                return
            cur.execute(
                "UPDATE inputs SET objection = ?, objection_status = ? WHERE id = ?",
                (*after, input_id),
            )
            sync_objection(cur, input_id, objection, status, actor)
            action = "input.objection.status" if rows[0][0] == after[0] else "input.objection"
            _audit(
                cur, actor, action, "input", str(input_id),
                json.dumps({"objection": rows[0][0], "status": rows[0][1]}),
                json.dumps({"objection": after[0], "status": after[1]}),
            )  # fmt: skip

    def add_hearing_party(
        self,
        consultation_id: str,
        name: str,
        sender_type: SenderType,
        sent_on: date | None,
        frist: datetime | None,
        actor: str | None = None,
    ) -> HearingParty | None:
        """A høringsinstans on a consultation's list; ``None`` (nothing written) when one of
        that name (in any case) is already on it. With an ``actor``, audited."""
        with self._transaction() as cur:
            self._backend.lock(cur, f"parties:{consultation_id}")  # the check below, across processes
            taken = cur.execute(
                "SELECT count(*) FROM hearing_parties WHERE consultation_id = ? AND lower(name) = lower(?)",
                (consultation_id, name),
            ).fetchall()[0][0]
            if taken:
                return None
            row = cur.execute(
                f"""INSERT INTO hearing_parties (consultation_id, name, sender_type, sent_on, frist,
                        created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING {_PARTY_COLUMNS}""",
                (consultation_id, name, sender_type.value, sent_on,
                 _naive(frist) if frist else None, _naive(datetime.now(UTC))),
            ).fetchall()[0]  # fmt: skip
            party = _party(row)
            if actor:
                _audit(cur, actor, "hearing_party.add", "consultation", consultation_id, None,
                       _party_snapshot(party))  # fmt: skip
        return party

    def hearing_party(self, party_id: int) -> HearingParty | None:
        rows = self._rows(f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party_id,))
        return _party(rows[0]) if rows else None

    def hearing_parties(self, consultation_id: str) -> list[HearingParty]:
        rows = self._rows(
            f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [_party(r) for r in rows]

    def update_hearing_party(self, party: HearingParty, actor: str | None) -> None:
        """Replace a høringsinstans's date sent, own frist and answer; with an ``actor``
        (staff), audited."""
        with self._transaction() as cur:
            rows = cur.execute(
                f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party.id,)
            ).fetchall()
            if not rows:
                raise NotFound("hearing.unknown")
            cur.execute(
                "UPDATE hearing_parties SET sent_on = ?, frist = ?, input_id = ? WHERE id = ?",
                (party.sent_on, _naive(party.frist) if party.frist else None, party.input_id,
                 party.id),
            )  # fmt: skip
            if actor:
                _audit(cur, actor, "hearing_party.edit", "consultation", party.consultation_id,
                       _party_snapshot(_party(rows[0])), _party_snapshot(party))  # fmt: skip

    def delete_hearing_party(self, party_id: int, actor: str) -> None:
        with self._transaction() as cur:
            rows = cur.execute(
                f"SELECT {_PARTY_COLUMNS} FROM hearing_parties WHERE id = ?", (party_id,)
            ).fetchall()
            if not rows:
                return
            cur.execute("DELETE FROM hearing_parties WHERE id = ?", (party_id,))
            party = _party(rows[0])
            _audit(cur, actor, "hearing_party.delete", "consultation", party.consultation_id,
                   _party_snapshot(party), None)  # fmt: skip

    def party_overview(self, unresolved: Sequence[ObjectionStatus]) -> dict[str, tuple[int, int]]:
        """Per consultation: ``(innsigelser with an ``unresolved`` status whose input is not
        hidden, høringsinstanser without an answer)``."""
        rows = self._rows(
            """SELECT c.id,
                   (SELECT count(*) FROM inputs i WHERE i.consultation_id = c.id
                     AND i.objection = ? AND i.status <> ?
                     AND i.objection_status = ANY(?)),
                   (SELECT count(*) FROM hearing_parties hp WHERE hp.consultation_id = c.id
                     AND hp.input_id IS NULL)
               FROM consultations c""",
            (Objection.INNSIGELSE.value, InputStatus.HIDDEN.value, [s.value for s in unresolved]),
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def analysis_frame(self, consultation_id: str):
        """Every input of a consultation as a pandas DataFrame, for summaries and exports:
        one row per input with its supports, planners' tags (list) and response fields."""
        from ..analysis import conform_frame  # the frame's column/type contract

        with self._cursor() as cur:
            return conform_frame(self._backend.frame(
                cur,
                f"""SELECT i.id, i.created_at, i.category, i.text, i.status, i.channel,
                          i.lat, i.lon, i.east, i.north, i.age_group, i.relation, i.answers,
                          i.sender_type, i.sender_name, i.sender_address, i.sender_property,
                          i.session_hash, i.hidden_reason,
                          i.duplicate_of,
                          (SELECT count(*) FROM supports s WHERE s.input_id = i.id) AS supports,
                          (SELECT array_agg(t.theme ORDER BY t.theme) FROM input_themes t
                            WHERE t.input_id = i.id) AS tags,
                          r.summary AS response_summary, r.assessment, r.outcome, r.plan_change,
                          r.author AS response_author, i.objection, i.objection_status,
                          i.not_merknad, i.not_merknad_note,
                          (SELECT max(hp.frist) FROM hearing_parties hp WHERE hp.input_id = i.id)
                              AS party_frist,
                          i.archived_at, i.journal_year, i.journal_sequence, i.journalpost_number,
                          (SELECT count(*) FROM input_attachments a
                            WHERE a.input_id = i.id AND a.alt_text IS NOT NULL) AS photos,
                          i.drawing, i.measure
                   FROM inputs i LEFT JOIN responses r ON r.input_id = i.id
                   WHERE i.consultation_id = ? AND {_NOT_CLASS} ORDER BY i.id""",
                (consultation_id,),
            ))


    # -- school classes (barnetråkk) -------------------------------------------------------

    def add_class_session(
        self,
        *,
        code: str,
        consultation_id: str,
        school: str,
        grade: str,
        size: int,
        lang: str,
        opens_at: datetime,
        closes_at: datetime,
        teacher: User,
        now: datetime,
    ) -> ClassSession:
        """A new class session, audited; ``Conflict`` when the code is taken."""
        with self._transaction() as cur:
            if cur.execute("SELECT count(*) FROM class_sessions WHERE code = ?", (code,)).fetchall()[0][0]:
                raise Conflict("classes.code_taken")
            class_id = cur.execute(
                """INSERT INTO class_sessions (code, consultation_id, school, grade, size, lang,
                       opens_at, closes_at, teacher_id, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (code, consultation_id, school, grade, size, lang, _naive(opens_at),
                 _naive(closes_at), teacher.id, _naive(now)),
            ).fetchall()[0][0]  # fmt: skip
            _audit(
                cur, teacher.username, "class.create", "class", str(class_id), None,
                json.dumps({"consultation": consultation_id, "school": school, "grade": grade,
                            "size": size, "lang": lang, "opens_at": opens_at.isoformat(),
                            "closes_at": closes_at.isoformat()}, ensure_ascii=False),
            )  # fmt: skip
        found = self.class_session(int(class_id))
        assert found is not None
        return found

    def class_session(self, class_id: int) -> ClassSession | None:
        rows = self._rows(f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE id = ?", (class_id,))
        return _class_session(rows[0]) if rows else None

    def class_by_code(self, code: str) -> ClassSession | None:
        rows = self._rows(f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE code = ?", (code,))
        return _class_session(rows[0]) if rows else None

    @_remembered
    def class_sessions(
        self, consultation_id: str | None = None, teacher_id: int | None = None
    ) -> list[ClassSession]:
        """Class sessions, newest first; of one consultation and/or one teacher."""
        sql = f"SELECT {_CLASS_COLUMNS} FROM class_sessions WHERE true"
        params: list[object] = []
        if consultation_id is not None:
            sql += " AND consultation_id = ?"
            params.append(consultation_id)
        if teacher_id is not None:
            sql += " AND teacher_id = ?"
            params.append(teacher_id)
        return [_class_session(r) for r in self._rows(sql + " ORDER BY id DESC", params)]

    def update_class_session(self, class_id: int, actor: str, action: str, **changes: object) -> ClassSession:
        """Set ``closed_at`` or ``published_at`` (a datetime, or None to undo), audited as
        ``action``."""
        allowed = {"closed_at", "published_at"}
        if not changes or set(changes) - allowed:
            raise ValueError(f"only {allowed} change, not {set(changes)}")
        before = self.class_session(class_id)
        if before is None:
            raise NotFound("classes.unknown")
        with self._transaction() as cur:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            values = [_naive(v) if isinstance(v, datetime) else v for v in changes.values()]
            cur.execute(f"UPDATE class_sessions SET {assignments} WHERE id = ?", (*values, class_id))
            _audit(
                cur, actor, action, "class", str(class_id),
                json.dumps({k: _iso(getattr(before, k)) for k in changes}),
                json.dumps({k: _iso(v) for k, v in changes.items()}),
            )  # fmt: skip
        after = self.class_session(class_id)
        assert after is not None
        return after

    def add_class_input(
        self,
        *,
        class_session: ClassSession,
        part: str,
        transport: str | None,
        label: str | None,
        **input_fields,
    ) -> tuple[Input, bool]:
        """A pupil's route or place: one input (``add_input``'s fields) and its class row,
        together or not at all; with a token seen before, the input it stored then."""
        with self.atomic():
            stored, created = self.add_input(consultation_id=class_session.consultation_id, **input_fields)
            if created:
                with self._transaction() as cur:
                    cur.execute(
                        "INSERT INTO class_inputs (input_id, class_id, part, transport, label) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (stored.id, class_session.id, part, transport, label),
                    )
        return stored, created

    def class_parts_sent(self, class_id: int, session_hash: str) -> dict[str, int]:
        """How many routes and places one pupil (a browser session's hash) sent to a class."""
        rows = self._rows(
            """SELECT ci.part, count(*) FROM class_inputs ci JOIN inputs i ON i.id = ci.input_id
               WHERE ci.class_id = ? AND i.session_hash = ? GROUP BY ci.part""",
            (class_id, session_hash),
        )
        return {part: int(n) for part, n in rows}

    def class_frame(self, consultation_id: str):
        """Every pupil input of a consultation's classes as a pandas DataFrame: the input
        (text, place, drawing, status, the pupil's session hash) with its class row and the
        class's school, grade, size and publication."""
        with self._cursor() as cur:
            return self._backend.frame(
                cur,
                """SELECT i.id, i.created_at, i.text, i.status, i.lat, i.lon, i.east, i.north,
                          i.drawing, i.measure, i.session_hash AS pupil,
                          ci.class_id, ci.part, ci.transport, ci.label,
                          cs.school, cs.grade, cs.size, cs.published_at
                   FROM class_inputs ci
                   JOIN inputs i ON i.id = ci.input_id
                   JOIN class_sessions cs ON cs.id = ci.class_id
                   WHERE i.consultation_id = ? ORDER BY i.id""",
                (consultation_id,),
            )

    # -- a staff login carried to a new tab by the browser cookie (auth.resume_session) -------

    def latest_staff_session_of_browser(self, browser_hash: str) -> tuple[str, int, datetime] | None:
        """The running login record last used in the browser with this cookie hash: its token
        hash, user id and last activity."""
        rows = self._rows(
            """SELECT token_hash, user_id, seen_at FROM staff_sessions
               WHERE browser_hash = ? AND ended_at IS NULL ORDER BY seen_at DESC LIMIT 1""",
            (browser_hash,),
        )
        if not rows:
            return None
        token_hash, user_id, seen = rows[0]
        return token_hash, int(user_id), _utc(seen)

    def end_staff_sessions_of_browser(self, browser_hash: str, now: datetime) -> None:
        """End every login record of one browser (a logout ends the login in all its tabs)."""
        with self._transaction() as cur:
            cur.execute(
                "UPDATE staff_sessions SET ended_at = ? WHERE browser_hash = ? AND ended_at IS NULL",
                (_naive(now), browser_hash),
            )

    # -- the nearest address to a point (places.nearest_address) ------------------------------

    def nearest_address(self, east: float, north: float, within: float) -> Address | None:
        """The register's address nearest to (east, north) in the working CRS, at most
        ``within`` metres east and north of it (a box: the caller checks the distance)."""
        rows = self._rows(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses
               WHERE east BETWEEN ? AND ? AND north BETWEEN ? AND ?
               ORDER BY (east - ?) * (east - ?) + (north - ?) * (north - ?), key LIMIT 1""",
            (east - within, east + within, north - within, north + within, east, east, north, north),
        )
        return _address(rows[0]) if rows else None

    # -- a receipt's own address (receipt.py) ------------------------------------------------

    def add_receipt_token(self, input_id: int, token_hash: str) -> None:
        """A receipt address for the input: only the token's hash is kept."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO receipt_tokens (token_hash, input_id, created_at) VALUES (?, ?, ?)",
                (token_hash, input_id, _naive(datetime.now(UTC))),
            )

    def receipt_token_input(self, token_hash: str) -> int | None:
        """The input whose receipt address has this token hash, if any."""
        value = self._value("SELECT input_id FROM receipt_tokens WHERE token_hash = ?", (token_hash,))
        return None if value is None else int(value)

    def receipt_token_of(self, input_id: int) -> bool:
        """Whether the input has a receipt address already."""
        return bool(self._value("SELECT count(*) FROM receipt_tokens WHERE input_id = ?", (input_id,)))


_ADDRESS_COLUMNS = "text, postcode, place, gnr, bnr, lat, lon, east, north, key"


def _address(row: tuple) -> Address:
    return Address(*row)


def _audit_filter(text: str) -> tuple[str, list[object]]:
    """The WHERE clause for the audit log's filter: action or actor contains ``text``."""
    needle = text.strip().lower()
    if not needle:
        return "", []
    return "WHERE strpos(lower(action), ?) > 0 OR strpos(lower(actor), ?) > 0", [needle, needle]


def _consultation_values(c: Consultation) -> tuple:
    return (
        c.id, c.title, c.summary, c.body, c.plan_type.value, c.plan_id, c.stage.value,
        c.status.value, _naive(c.opens_at), _naive(c.closes_at), geo.area_to_geojson(c.area),
        list(c.categories), c.moderation.value,
        c.contact.name, c.contact.role, c.contact.email, c.contact.phone, c.is_demo,
        json.dumps([q.as_dict() for q in c.questions], ensure_ascii=False),
        json.dumps(c.translations, ensure_ascii=False),
        c.case_number, c.announced_on, c.announced_where,
        c.proposer.name, c.proposer.consultant, c.proposer.recipient.value, c.proposer.address,
        json.dumps([shape.value for shape in c.shapes]),
    )  # fmt: skip


def _snapshot(c: Consultation) -> str:
    """A consultation as the audit log keeps it: every field, the area as its bounds."""
    return json.dumps(
        {
            "title": c.title, "summary": c.summary, "body": c.body,
            "plan_type": c.plan_type.value, "plan_id": c.plan_id, "stage": c.stage.value,
            "status": c.status.value, "opens_at": c.opens_at.isoformat(),
            "closes_at": c.closes_at.isoformat(), "area_bounds": geo.bounds(c.area),
            "categories": list(c.categories), "moderation": c.moderation.value,
            "contact": dataclasses.asdict(c.contact),
            "questions": [q.as_dict() for q in c.questions],
            "translations": c.translations, "case_number": c.case_number,
            "announced_on": c.announced_on.isoformat() if c.announced_on else None,
            "announced_where": c.announced_where,
            "proposer": {**dataclasses.asdict(c.proposer), "recipient": c.proposer.recipient.value},
            "shapes": [shape.value for shape in c.shapes],
        },
        ensure_ascii=False,
    )  # fmt: skip


def _user(row: tuple) -> User:
    return User(id=int(row[0]), username=row[1], email=row[2], role=Role(row[3]), active=bool(row[4]))


def _consultation(row: tuple) -> Consultation:
    return Consultation(
        id=row[0],
        title=row[1],
        summary=row[2],
        body=row[3],
        plan_type=PlanType(row[4]),
        plan_id=row[5],
        stage=Stage(row[6]),
        status=Status(row[7]),
        opens_at=_utc(row[8]),
        closes_at=_utc(row[9]),
        area=geo.area_from_geojson(row[10]),
        categories=tuple(row[11]),
        moderation=Moderation(row[12]),
        contact=Contact(*(value or "" for value in row[13:17])),
        is_demo=bool(row[17]),
        questions=tuple(Question.from_dict(q) for q in json.loads(row[18])),
        translations=json.loads(row[19] or "{}"),
        case_number=row[20] or "",
        announced_on=row[21],
        announced_where=row[22] or "",
        proposer=Proposer(
            name=row[23] or "",
            consultant=row[24] or "",
            recipient=MerknadRecipient(row[25] or "kommunen"),
            address=row[26] or "",
        ),
        shapes=tuple(Shape(v) for v in json.loads(row[27])) if row[27] else (Shape.POINT,),
    )


_LAYER_COLUMNS = (
    "id, consultation_id, kind, name, legend, attribution, wms_url, wms_layers, geojson, "
    "points, lines, areas"
)


def _context_layer(row: tuple) -> ContextLayer:
    return ContextLayer(int(row[0]), row[1], LayerKind(row[2]), *row[3:9], *(int(n) for n in row[9:12]))


def _layer_summary(layer: ContextLayer) -> dict[str, object]:
    """A layer as the audit log keeps it: everything but the features themselves."""
    summary = {"layer": layer.name, "kind": layer.kind.value, "legend": layer.legend}
    if layer.kind == LayerKind.WMS:
        summary |= {"url": layer.wms_url, "layers": layer.wms_layers}
    else:
        summary |= {"points": layer.points, "lines": layer.lines, "areas": layer.areas}
    return summary


def _document(row: tuple) -> Document:
    return Document(int(row[0]), row[1], row[2], int(row[3]), DocumentKind(row[4] or "annet"))


def _input(row: tuple) -> Input:
    return Input(
        id=int(row[0]),
        consultation_id=row[1],
        category=row[2],
        text=row[3],
        lat=row[4],
        lon=row[5],
        status=InputStatus(row[6]),
        channel=Channel(row[7]),
        created_at=_utc(row[8]),
        age_group=row[9],
        relation=row[10],
        east=row[11],
        north=row[12],
        answers=json.loads(row[13]),
        sender_type=SenderType(row[14]) if row[14] else None,
        sender_name=row[15],
        hidden_reason=row[16],
        duplicate_of=row[17],
        sender_address=row[18],
        sender_property=row[19],
        objection=Objection(row[20]) if row[20] else None,
        objection_status=ObjectionStatus(row[21]) if row[21] else None,
        not_merknad=NotMerknad(row[22]) if row[22] else None,
        not_merknad_note=row[23],
        drawing=row[24],
        measure=row[25],
        supports=int(row[26]),
    )


def _objection_status(objection: Objection | None) -> str | None:
    """An innsigelse starts open; faglig råd has no status."""
    return ObjectionStatus.OPEN.value if objection == Objection.INNSIGELSE else None


def _party(row: tuple) -> HearingParty:
    return HearingParty(
        id=int(row[0]),
        consultation_id=row[1],
        name=row[2],
        sender_type=SenderType(row[3]),
        sent_on=row[4],
        frist=_utc(row[5]) if row[5] is not None else None,
        input_id=row[6],
    )


def _party_snapshot(p: HearingParty) -> str:
    return json.dumps(
        {"name": p.name, "sender_type": p.sender_type.value,
         "sent_on": p.sent_on.isoformat() if p.sent_on else None,
         "frist": p.frist.isoformat() if p.frist else None, "input_id": p.input_id},
        ensure_ascii=False,
    )  # fmt: skip


_CLASS_COLUMNS = (
    "id, code, consultation_id, school, grade, size, lang, opens_at, closes_at, teacher_id, "
    "created_at, closed_at, published_at"
)


def _class_session(row: tuple) -> ClassSession:
    return ClassSession(
        id=int(row[0]), code=row[1], consultation_id=row[2], school=row[3], grade=row[4],
        size=int(row[5]), lang=row[6], opens_at=_utc(row[7]), closes_at=_utc(row[8]),
        teacher_id=int(row[9]), created_at=_utc(row[10]),
        closed_at=_utc(row[11]) if row[11] else None,
        published_at=_utc(row[12]) if row[12] else None,
    )  # fmt: skip


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
