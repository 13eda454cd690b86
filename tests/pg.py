"""A throw-away PostgreSQL cluster for tests, and the fixtures that run store tests on both
backends.

``pg_cluster`` (session-scoped) runs ``initdb`` and ``pg_ctl`` in a temporary directory, on a
free loopback port, as the ``postgres`` user when the tests run as root (``initdb`` refuses
root); it makes one database migrated to the latest schema and gives each test a fresh copy
of it (``CREATE DATABASE … TEMPLATE``), dropped after the test. Without PostgreSQL the tests
that need it skip with the reason, except under ``CI=true``, where they fail.

Use in a test module: ``from tests.pg import on_both_backends as store_location`` makes the
conftest's ``store`` (and everything built on it) run once on DuckDB and once on PostgreSQL;
a page test that asks for ``demo_app_on_both_backends`` runs the whole app (AppTest) on the
demo data on each. Their PostgreSQL runs are marked ``postgres`` (tests/conftest.py).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TEMPLATE = "kartinnspill_template"
_SUPERUSER = "postgres"


def _bindir() -> Path | None:
    """Where initdb and pg_ctl are: ``pg_config --bindir``, else Debian's newest version."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (bindir / "initdb").exists():
            return bindir
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def need_postgresql() -> Path:
    """The server's bin directory; skip (fail in CI) when PostgreSQL is not installed."""
    bindir = _bindir()
    if bindir is None:
        reason = "needs PostgreSQL's server programs (initdb, pg_ctl): apt-get install postgresql"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return bindir


def need_postgis(cluster: Cluster) -> None:
    """Skip (fail in CI, where .ci/run installs postgresql-15-postgis-3) without PostGIS."""
    if not cluster.postgis:
        reason = "needs PostGIS for the cluster's PostgreSQL: apt-get install postgresql-15-postgis-3"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One running PostgreSQL server in a directory of its own."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self.postgis = False

    def _as_owner(self, *argv: str | Path) -> list[str]:
        command = [str(a) for a in argv]
        return ["runuser", "-u", _SUPERUSER, "--", *command] if os.geteuid() == 0 else command

    def start(self, durable: bool = False) -> None:
        """Run the server; unless ``durable``, without fsync (tests need no crash safety)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, _SUPERUSER, _SUPERUSER)
        # C collation: text sorts by code point, as in DuckDB; a UTF-8 ctype so lower()
        # knows æøå
        subprocess.run(
            self._as_owner(
                self.bindir / "initdb",
                "-D",
                self.data,
                "-U",
                _SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--lc-collate=C",
                "--lc-ctype=C.UTF-8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        self._options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            self._options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.resume()

    def resume(self) -> None:
        """Run the server (again, after ``stop``) on its data and port."""
        options = self._options
        subprocess.run(
            self._as_owner(
                self.bindir / "pg_ctl", "-D", self.data, "-o", options, "-w", "-l", self.root / "server.log", "start"
            ),
            check=True,
            capture_output=True,
        )

    def running(self) -> bool:
        done = subprocess.run(
            self._as_owner(self.bindir / "pg_ctl", "-D", self.data, "status"), capture_output=True, check=False
        )
        return done.returncode == 0

    def stop(self) -> None:
        subprocess.run(
            self._as_owner(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def make_template(self) -> None:
        """The migrated database every test copies; with PostGIS when it is installed."""
        from consultations.store import Store

        self.execute(f"CREATE DATABASE {TEMPLATE}")
        available = self.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
        if available[0][0]:
            self.execute("CREATE EXTENSION postgis", TEMPLATE)
            self.postgis = True
        Store.open(self.url(TEMPLATE)).close()

    def new_database(self, template: str = TEMPLATE) -> str:
        """A fresh database copied from ``template``; its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def _throwaway_cluster(durable: bool = False) -> Iterator[Cluster]:
    bindir = need_postgresql()
    root = Path(tempfile.mkdtemp(prefix="kartinnspill-pg-"))
    cluster = Cluster(bindir, root)
    try:
        cluster.start(durable)
        cluster.make_template()
        yield cluster
    finally:
        cluster.stop()
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for the whole test session, removed at the end."""
    with _throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of the module's own, which its tests may stop and start again
    (``stop``, ``resume``) without disturbing the session's ``pg_cluster``; durable, so
    what was committed before a stop (``-m immediate``, as a crash) is there after it."""
    with _throwaway_cluster(durable=True) as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh database at the latest schema, dropped after the test."""
    url = pg_cluster.new_database()
    yield url
    pg_cluster.drop(url)


@pytest.fixture(params=["duckdb", "postgres"])
def on_both_backends(request, tmp_path: Path) -> Path | str:
    """Where a store lives: a DuckDB file, then a fresh PostgreSQL database."""
    if request.param == "duckdb":
        return tmp_path / "test.duckdb"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster: Cluster) -> Iterator[str]:
    """The demo data in a PostgreSQL database of its own, seeded once per run: the name of
    the template ``demo_app_on_both_backends`` copies for each test."""
    from consultations.demo import seed_demo
    from consultations.store import Store

    url = pg_cluster.new_database()
    store = Store.open(url)
    seed_demo(store)
    store.close()
    yield url.rsplit("/", 1)[1]
    pg_cluster.drop(url)


@pytest.fixture(params=["duckdb", "postgres"])
def demo_app_on_both_backends(request, monkeypatch) -> Iterator:
    """The whole app under AppTest on a fresh copy of the demo data: on DuckDB (the
    conftest's ``demo_app``), then on PostgreSQL (``KARTINNSPILL_DB=postgresql://…``).
    ``at.store()`` is the app's store, ``at.db_path`` what ``KARTINNSPILL_DB`` names."""
    if request.param == "duckdb":
        yield request.getfixturevalue("demo_app")
        return
    from streamlit.testing.v1 import AppTest

    from consultations.ui import context
    from tests.conftest import APP

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database(template=request.getfixturevalue("pg_demo_template"))
    monkeypatch.setenv("KARTINNSPILL_DB", url)
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.db_path = url
    at.store = lambda: context._store(url, False)
    yield at
    at.store().close()
    context._store.clear()
    cluster.drop(url)


def execute_raw(location: Path | str, sql: str) -> None:
    """Run one statement on the database behind a store, past the store (what an older or
    newer program, or an attacker with the file, could have written)."""
    if isinstance(location, str):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute(sql)
        return
    import duckdb

    conn = duckdb.connect(str(location))
    try:
        conn.execute(sql)
    finally:
        conn.close()


def stored_bytes(location: Path | str) -> bytes:
    """Everything the database behind a store holds, as bytes to search: a DuckDB file's
    own bytes, or PostgreSQL's data as ``pg_dump`` writes it out."""
    if isinstance(location, str):
        from consultations.store.postgres_backend import tool

        done = subprocess.run([tool("pg_dump"), "--data-only", f"--dbname={location}"], capture_output=True, check=True)
        return done.stdout
    return Path(location).read_bytes()
