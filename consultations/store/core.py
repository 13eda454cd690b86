"""The Store: every query the app runs, written once for DuckDB and PostgreSQL.

One ``Store`` per process, safe to share between threads. It is a ``Database``
(``database.py``: connections, transactions, migrations, backups) with the queries of
each aggregate mixed in, one module each: consultations and their documents and layers,
inputs and supports, casework, høringsinstanser, staff and the audit log, the archive,
school classes, the address register, merknadspunkter, the case file, mail and the
medvirkning report. Rows become model objects by column name in ``rows.py``.
"""

from __future__ import annotations

from pathlib import Path

from .. import keys
from .addresses import AddressesStore
from .archive import ArchivedInput, ArchiveStore
from .backend import Backend
from .bulk import BulkReads
from .casefile import CaseFileStore
from .casework import CaseworkStore
from .class_schools import ClassSchoolStore
from .classes import ClassesStore
from .consultations import ConsultationsStore
from .database import Database
from .inputs import InputsStore
from .mail import MailStore
from .medvirkning import MedvirkningQueries
from .parties import HearingPartiesStore
from .points import PointsStore
from .rows import ArchiveRecord
from .staff import StaffStore

__all__ = ["ArchiveRecord", "ArchivedInput", "Store"]


class Store(
    ConsultationsStore,
    InputsStore,
    CaseworkStore,
    HearingPartiesStore,
    StaffStore,
    ArchiveStore,
    ClassesStore,
    ClassSchoolStore,
    AddressesStore,
    PointsStore,
    CaseFileStore,
    MailStore,
    MedvirkningQueries,
    BulkReads,
    Database,  # last: the mixins' queries run on its connections and transactions
):
    def __init__(
        self,
        backend: Backend,
        secret: str | None = None,
        secret_file: Path | None = None,
    ) -> None:
        self._secret_value = secret
        self._secret_file = secret_file or (
            backend.path.with_name("secret.key") if backend.path else Path("data/secret.key")
        )
        self._root_key: bytes | None = None
        self._keys: dict[str, bytes] = {}
        super().__init__(backend)

    @classmethod
    def open(cls, path: Path | str, *, secret: str | None = None, secret_file: Path | None = None) -> Store:
        """Open (creating or upgrading) the database; a clear ``StoreError`` when it can't.
        ``path`` is a DuckDB file, or a ``postgresql://`` URL.

        Hashes are keyed by ``secret``, else by the file ``secret_file`` (default
        ``secret.key`` beside the database), made on the first hash if missing."""
        return super().open(path, secret=secret, secret_file=secret_file)

    def hash_session(self, raw: str, consultation_id: str = "") -> str:
        """An anonymous keyed hash of a browser session or network address; the raw value
        is never stored. Each consultation has its own key, so hashes from two
        consultations cannot be matched; ``""`` is for hashes that stay in memory."""
        key = self._keys.get(consultation_id)
        if key is None:
            if self._root_key is None:  # the secret itself is read (or made) on first use
                self._root_key = keys.derive(keys.load_secret(self._secret_value, self._secret_file), "")
            key = self._keys[consultation_id] = keys.derive(self._root_key, consultation_id)
        return keys.keyed_hash(key, raw)
