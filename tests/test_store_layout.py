"""The store stays a house one can find one's way in (issue 23): no module over ~600 lines,
the drivers only in their backend, rows by column name, and both backends doing what the
``Backend`` protocol declares."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from tests.conftest import NOW

from consultations.model import Channel, InputStatus, SenderType
from consultations.store import Store
from consultations.store import rows as record
from consultations.store.backend import Backend, SharedBackend
from consultations.store.duckdb_backend import DuckDBBackend
from consultations.store.postgres_backend import PostgresBackend

STORE = Path(__file__).resolve().parent.parent / "consultations" / "store"
MOST_LINES = 600


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add((node.module or "").partition(".")[0])
    return found


def test_no_store_module_is_longer_than_600_lines():
    lengths = {p.name: len(p.read_text("utf-8").splitlines()) for p in STORE.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > MOST_LINES} == {}


def test_only_each_backend_imports_its_driver():
    for path in STORE.glob("*.py"):
        drivers = _imports(path) & {"duckdb", "psycopg", "psycopg_pool"}
        expected = {"duckdb_backend.py": {"duckdb"}, "postgres_backend.py": {"psycopg", "psycopg_pool"}}
        assert drivers <= expected.get(path.name, set()), path.name


def test_both_backends_have_every_member_the_protocol_declares():
    def members(protocol: type) -> set[str]:
        return {
            name
            for klass in protocol.__mro__
            if klass.__module__ == Backend.__module__
            for name in (*vars(klass), *getattr(klass, "__annotations__", {}))
            if not name.startswith("_")
        }

    assert members(Backend) >= {"cursor", "transaction", "lock", "backup_to", "path", "label"}
    for backend in (DuckDBBackend, PostgresBackend):
        instance_attributes = set(inspect.getsource(backend.__init__).split("self.")[1:])
        missing = {
            name
            for name in members(Backend)
            if not hasattr(backend, name) and not any(a.startswith(f"{name} ") for a in instance_attributes)
        }
        assert missing == set(), backend.__name__
    assert members(SharedBackend) - members(Backend) <= set(vars(PostgresBackend))


def test_rows_become_model_objects_by_column_name_whatever_the_column_order(store, consultation):
    item, _ = store.add_input(
        consultation_id=consultation.id,
        category="Annet",
        text="Trygg skolevei",
        lat=59.826,
        lon=10.414,
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash=None,
        token=None,
        created_at=NOW,
        sender_type=SenderType.ORGANISATION,
        sender_name="Borgen vel",
    )
    party = store.add_hearing_party(consultation.id, "Statsforvalteren", SenderType.ORGANISATION, None, None)
    backwards = ", ".join(reversed(record.CONSULTATION_COLUMNS))
    [found] = store._records(f"SELECT {backwards} FROM consultations")
    assert record.consultation(found) == consultation
    inputs = store._records(
        f"SELECT (SELECT count(*) FROM supports s WHERE s.input_id = i.id) AS supports, "
        f"{', '.join(f'i.{c}' for c in reversed(record.INPUT_COLUMNS))} FROM inputs i"
    )
    assert [record.input_(r) for r in inputs] == [item]
    [found] = store._records(f"SELECT {', '.join(reversed(record.PARTY_COLUMNS))} FROM hearing_parties")
    assert record.party(found) == party


def test_the_store_is_the_database_with_every_aggregate_mixed_in():
    names = [klass.__name__ for klass in Store.__mro__]
    assert names.index("Database") > max(names.index(n) for n in ("ConsultationsStore", "InputsStore", "MailStore"))
