from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Polygon

from consultations.config import load_profile
from consultations.model import (
    Consultation,
    Moderation,
    PlanType,
    Role,
    Stage,
    Status,
    User,
)
from consultations.store import Store
from tests.pg import in_ci, own_cluster, pg_cluster, pg_demo_template, pg_url  # noqa: F401  (the PostgreSQL fixtures)

# A small square around Borgen, Asker (lon/lat).
BORGEN_SQUARE = MultiPolygon([Polygon([(10.405, 59.822), (10.422, 59.822), (10.422, 59.830), (10.405, 59.830)])])
BORGEN = "borgen-tettstedsutvikling"  # demo consultations
HEGGEDAL = "heggedal-tettstedsutvikling"
SLEMMESTAD = "slemmestad-detaljregulering-kai"  # demo: a detaljregulering on offentlig ettersyn
PASSWORD = "riktig-hest-batteri"  # of the staff accounts the page tests log in with
INSIDE = (59.826, 10.414)  # lat, lon
OUTSIDE = (59.90, 10.60)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def make_consultation(cid: str = "test-borgen", **changes) -> Consultation:
    fields = dict(
        id=cid,
        title="Testhøring Borgen",
        summary="En høring for tester.",
        body="## Bakgrunn\nTekst.",
        plan_type=PlanType.TETTSTEDSUTVIKLING,
        plan_id="",
        stage=Stage.IDEFASE,
        status=Status.PUBLISHED,
        opens_at=NOW - timedelta(days=10),
        closes_at=NOW + timedelta(days=30),
        area=BORGEN_SQUARE,
        categories=load_profile("asker").categories,
        moderation=Moderation.POST,
    )
    fields.update(changes)
    return Consultation(**fields)


@pytest.fixture(autouse=True)
def maps_show_every_write(monkeypatch):
    """Tests read a map right after writing as another session: the shared map's lag of up
    to ``maps.MAP_FRESHNESS`` behind other people's inputs is tested where it is named."""
    from consultations.ui import maps

    monkeypatch.setattr(maps, "MAP_FRESHNESS", 0.0)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no submissions counted against its sessions."""
    from consultations.ratelimit import LIMITER

    LIMITER.reset()
    yield
    LIMITER.reset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def store_location(db_path: Path) -> Path | str:
    """Where ``store`` lives: a DuckDB file; a module that imports
    ``tests.pg.on_both_backends as store_location`` runs on PostgreSQL too."""
    return db_path


@pytest.fixture(scope="session")
def migrated_duckdb(tmp_path_factory) -> Path:
    """An empty DuckDB database at the latest schema, made once per test run: ``store``
    starts a new DuckDB file as a copy of it (migrating a new file runs every migration
    and checkpoints, ~0.1 s of CPU and a few fsyncs, for each of about a thousand tests)."""
    path = tmp_path_factory.mktemp("migrated") / "empty.duckdb"
    Store.open(path).close()
    return path


@pytest.fixture
def store(store_location: Path | str, request):
    if isinstance(store_location, Path) and not store_location.exists():
        shutil.copyfile(request.getfixturevalue("migrated_duckdb"), store_location)
    s = Store.open(store_location)
    yield s
    s.close()


@pytest.fixture
def consultation(store: Store) -> Consultation:
    c = make_consultation()
    store.add_consultation(c)
    return c


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def app_on_copy_of(seeded: Path, tmp_path: Path, monkeypatch):
    """An AppTest of the whole app on a copy of ``seeded`` (the app's store holds its file
    for the whole process, so each test gets its own). ``at.store()`` is the app's store."""
    from streamlit.testing.v1 import AppTest

    from consultations.ui import context

    db = tmp_path / "app.duckdb"
    db.write_bytes(seeded.read_bytes())
    monkeypatch.setenv("KARTINNSPILL_DB", str(db))
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.db_path = db
    at.store = lambda: context._store(str(db), False)
    return at


def hold_database(db_path: Path) -> subprocess.Popen:
    """Another process that holds the database file until its stdin closes
    (``holder.communicate("")``)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def log_in_as(at, user_id: int):
    """Leave in ``at``'s session what a login through the form leaves: the token of a new
    login record in the app's store (the one ``KARTINNSPILL_DB`` names)."""
    from consultations.auth import start_session
    from consultations.ui import context
    from consultations.ui.auth import TOKEN_KEY

    store = context._store(str(context._settings().db_path), False)
    # AppTest has no websocket connection: the app binds its logins to NO_CONNECTION
    at.session_state[TOKEN_KEY] = start_session(store, store.get_user(user_id), context.NO_CONNECTION)
    return at


def staff(store: Store, username: str = "kari", role: Role = Role.PLANNER) -> User:
    """The staff account ``username`` (created with ``role`` the first time; no password:
    commands need the row, not a login)."""
    found = store.login_record(username)
    return found[0] if found else store.add_user(username, role, None)


def formal_hearing(store: Store, plan_id: str, closes: datetime):
    """An offentlig ettersyn (seven weeks, closed at ``closes``) with the planner who
    registers its letters, and ``letter(text, sender_type, name, **kw)``: a letter received
    two days before the frist, registered by her; its input id."""
    from consultations.model import Channel, InputDraft
    from consultations.participation.submission import register_input

    c = make_consultation(
        "kai",
        plan_id=plan_id,
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="24/1234",
        opens_at=closes - timedelta(weeks=7),
        closes_at=closes,
    )
    store.add_consultation(c)
    planner = staff(store)

    def letter(text, sender_type, name, **kw) -> int:
        return register_input(
            store,
            c.id,
            InputDraft("Annet", text),
            channel=Channel.LETTER,
            sender_type=sender_type,
            sender_name=name,
            received_at=(closes - timedelta(days=2)).date(),
            actor=planner,
            now=NOW,
            **kw,
        ).id

    return c, planner, letter


@pytest.fixture
def kari(store: Store) -> User:
    """A planner."""
    return staff(store, "kari", Role.PLANNER)


@pytest.fixture
def ola(store: Store) -> User:
    """An administrator."""
    return staff(store, "ola", Role.ADMIN)


def pdf_lines(data: bytes) -> list[str]:
    """The text a PDF shows, one string per text-showing operator, read back through each
    font's ToUnicode map (two-byte Identity-H codes, as fpdf2 writes them): what a reader
    copying from the page would get, without poppler."""
    import io
    import re

    import pikepdf

    lines: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            maps = {}
            for name, font in page.Resources.Font.items():
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                table: dict[int, str] = {}
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
                for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                    for lo, hi, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
                        first = int(dst, 16)
                        for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                            table[code] = chr(first + i)
                maps[str(name)] = table
            font = None
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tf":
                    font = maps.get(str(operands[0]), {})
                elif str(op) in ("Tj", "TJ"):
                    parts = operands[0] if str(op) == "TJ" else [operands[0]]
                    raw = b"".join(bytes(p) for p in parts if isinstance(p, pikepdf.String))
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                    lines.append("".join(font.get(c, "\ufffd") for c in codes))
    return lines


def one_page_pdf(text: str = "Plankart") -> bytes:
    """A small, harmless PDF as qpdf writes it (passes ``documents.check_pdf``)."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def attach_required_documents(store: Store, consultation_id: str) -> None:
    """The documents the consultation's stage asks for before it may be published."""
    from consultations.planning import planprocess

    c = store.get_consultation(consultation_id)
    for kind in planprocess.required_documents(c.plan_type, c.stage):
        store.add_document(c.id, f"{kind.value}.pdf", one_page_pdf(kind.value), "test", kind)


# -- the merknadsbehandling report read back (docx and, through LibreOffice, PDF) -----------

REPORT_HEADER = ["Nr", "Mottatt", "Avsender", "Merknad", "Kommunedirektørens vurdering", "Kommunedirektørens forslag"]


def _cell_text(tc) -> str:
    from docx.oxml.ns import qn

    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))


def report_tables(document) -> list[list[list[str]]]:
    """Every merknad table of a report (the rows after its header), each row its distinct
    cells: a group answer spanning the table is one cell."""
    found = []
    for table in document.tables:
        rows = [[_cell_text(tc) for tc in row._tr.tc_lst] for row in table.rows]
        if rows and rows[0] == REPORT_HEADER:
            found.append(rows[1:])
    return found


def report_rows(document) -> dict[str, list[str]]:
    """The merknad rows of a report's body, by reference."""
    return {row[0]: row for rows in report_tables(document) for row in rows if len(row) == len(REPORT_HEADER)}


def docx_text(document) -> str:
    """All the text of a .docx, paragraphs and table cells, in document order."""
    from docx.oxml.ns import qn

    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def need_office_tools() -> None:
    """Skip without LibreOffice and pdftotext (Debian libreoffice-writer-nogui,
    poppler-utils), except in CI, where ``.ci/run`` installs them: fail."""
    import shutil

    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install libreoffice-writer-nogui poppler-utils)"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


def pdf_text(data: bytes) -> str:
    """A PDF's text as ``pdftotext -layout`` reads it."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo data in a database file, made once per test run (seeding it costs ~6 s of
    CPU; 23 test modules use it). Read it, or copy it per test (``app_on_copy_of``): never
    write to it."""
    from consultations.demo import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store.open(path)
    seed_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_app(demo_db, tmp_path, monkeypatch):
    """An AppTest of the whole app on a fresh copy of the demo data."""
    from consultations.ui import context

    yield app_on_copy_of(demo_db, tmp_path, monkeypatch)
    context._store.clear()


@pytest.fixture(scope="module")
def seeded(demo_db, tmp_path_factory) -> Path:
    """The demo data with the planner «kari» (password ``PASSWORD``), made once per module
    (argon2 is slow). A module with data of its own defines its own ``seeded``: ``app`` then
    runs on that."""
    from consultations.auth import create_user

    path = tmp_path_factory.mktemp("seeded") / "seed.duckdb"
    path.write_bytes(demo_db.read_bytes())
    store = Store.open(path)
    create_user(store, "kari", "planner", PASSWORD)
    store.close()
    return path


@pytest.fixture
def app(seeded, tmp_path, monkeypatch):
    """An AppTest of the whole app on a fresh copy of ``seeded``."""
    from consultations.ui import context

    yield app_on_copy_of(seeded, tmp_path, monkeypatch)
    context._store.clear()


def log_in(at, page: str, username: str = "kari", password: str = PASSWORD):
    """Open a staff ``page`` and log in through its form (``log_in_as`` skips the form)."""
    at.switch_page(page)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


@pytest.fixture(scope="module")
def staff_db(demo_db, tmp_path_factory):
    """The demo data with the planner «kari» and the admin «ada» (password ``PASSWORD``):
    ``(path, {"kari": id, "ada": id})``, made once per module (argon2 is slow)."""
    from consultations.auth import create_user

    path = tmp_path_factory.mktemp("staff") / "staff.duckdb"
    path.write_bytes(demo_db.read_bytes())
    store = Store.open(path)
    ids = {
        "kari": create_user(store, "kari", Role.PLANNER, PASSWORD).id,
        "ada": create_user(store, "ada", Role.ADMIN, PASSWORD, email="ada@asker.kommune.no").id,
    }
    store.close()
    return path, ids


@pytest.fixture
def staff_app_db(staff_db, tmp_path, monkeypatch):
    """A copy of ``staff_db`` per test, which the app opens: ``(path, ids)``."""
    from consultations.ui import context

    seeded, ids = staff_db
    path = tmp_path / "app.duckdb"
    path.write_bytes(seeded.read_bytes())
    monkeypatch.setenv("KARTINNSPILL_DB", str(path))
    monkeypatch.setenv("KARTINNSPILL_TILES", "none")
    monkeypatch.delenv("KARTINNSPILL_DEMO", raising=False)
    context._store.clear()
    context._settings.clear()
    yield path, ids
    context._store.clear()


def app_store(path) -> Store:
    """The store the app has open on ``path``."""
    from consultations.ui import context

    return context._store(str(path), False)


def open_page(page: str, user_id: int | None = None, cid: str | None = None):
    """A staff ``page`` (of the consultation ``cid``), logged in as ``user_id`` if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    if user_id is not None:
        log_in_as(at, user_id)
    if cid:
        at.query_params["id"] = cid
    at.switch_page(page)
    return at.run()


def click(at, label: str):
    """Click the page's button labelled ``label`` and run the page."""
    next(b for b in at.button if b.label == label).click()
    return at.run()


def folium_args(at) -> list[dict]:
    """What each st_folium map sends to the browser (script, asset links, options)."""
    import json

    return [
        json.loads(e.proto.json_args) for e in at.get("component_instance") if "st_folium" in e.proto.component_name
    ]


def need_cluster_tools() -> None:
    """Skip without HAProxy and PostgreSQL (Debian haproxy, postgresql), except in CI, where
    ``.ci/run`` installs them: fail."""
    from tests.live_server import cluster_missing

    reason = cluster_missing()
    if reason:
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


def _first_page_on_each_replica(run) -> None:
    """Each replica's first page (its imports, the demo data) at once, straight to the
    replica, so a test's own steps do not wait for them one after the other."""
    import threading

    from bench.wire import Session

    def first_page(port: int) -> None:
        session = Session(f"http://127.0.0.1:{port}", open_timeout=120)
        try:
            session.run("id=borgen-tettstedsutvikling", timeout=120)
        finally:
            session.close()

    threads = [threading.Thread(target=first_page, args=(r["port"],)) for r in run.state()["replicas"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.fixture(scope="module")
def start_cluster():
    """Factory: ``start_cluster(replicas=2, env=None, restart=False)`` -> a ready
    ``ClusterRun`` (tests/live_server.py): PostgreSQL, the replicas and HAProxy as
    `make cluster` starts them, in a data directory of its own. Stopped at the module's end."""
    import shutil
    import tempfile

    from tests.live_server import launch_cluster

    need_cluster_tools()
    runs = []

    def start(replicas: int = 2, env: dict[str, str] | None = None, restart: bool = False):
        # under /tmp itself, searchable by the postgres user (pytest's own tmp dir is 0700)
        top = Path(tempfile.mkdtemp(prefix="kartinnspill-cluster-"))
        top.chmod(0o711)
        run = launch_cluster(top / "data", replicas=replicas, env=env, restart=restart)
        runs.append((run, top))
        run.wait_ready()
        _first_page_on_each_replica(run)
        return run

    yield start
    for run, top in runs:
        run.stop()
        shutil.rmtree(top, ignore_errors=True)


# -- test tiers ---------------------------------------------------------------------------
# `make test-fast` runs what none of these marks: the tier a developer runs before each
# commit. A test is marked by what it uses — its fixtures, and the names its code (and the
# test helpers and fixtures it calls, followed through tests/) refers to — so a test file
# needs no marker line of its own. tests/browser/conftest.py marks `browser` by path.
TIERS = {
    "postgres": {"pg_cluster", "pg_url", "own_cluster", "need_postgresql"},
    "cluster": {"need_cluster_tools", "start_cluster", "launch_cluster", "LocalPostgres"},
    "office": {"need_office_tools"},
    "pages": {"AppTest"},
    "server": {"launch", "running", "server_command"},  # tests/live_server.py: `streamlit run serve.py`
}
# `cli`: the command line run as an operator runs it, `python -m consultations …` in a
# process of its own (each such run imports the whole app: ~2–4 s of CPU).
CLI = {"executable", "str:consultations"}


# `slow`: tests that take seconds of CPU on their own where the size or the whole document is
# the point (measured with --durations on the fast tier; README «Developing»). By file, the
# test functions (every parametrisation), or "*" for the whole file. `make test` runs them.
SLOW = {
    # each builds a whole archive package: a PDF/A per merknad and the merknadsbehandling
    # (~2.5 s of CPU); the fast tier keeps one whole package checked against KS's schema
    "tests/test_archive.py": {
        "test_the_merknadsbehandling_goes_as_an_outgoing_document_of_the_type_the_profile_says",
        "test_a_private_persons_name_is_screened_as_the_profile_says_and_an_authoritys_is_not",
        "test_since_sends_only_the_merknader_not_yet_sent_to_the_archive",
        "test_a_receipt_that_does_not_validate_or_names_a_foreign_reference_is_refused_and_nothing_changes",
        "test_a_receipt_round_trip_sets_the_journalpost_numbers_shown_to_planners_and_in_exports",
        "test_a_registered_letters_original_is_the_hoveddokument_and_the_apps_pdf_a_vedlegg",
        "test_the_merknad_pdf_holds_the_text_in_full_and_a_map_only_where_there_is_a_position",
        "test_the_store_never_deletes_an_archived_merknad_whoever_asks",
        "test_anonymising_a_consultation_keeps_archived_merknader_and_their_journalpost_numbers",
        "test_an_input_marked_as_not_a_merknad_is_not_sent_to_the_archive_nor_marked_as_sent",
        "test_deleting_an_archived_merknad_anonymises_the_apps_copy_and_keeps_its_journalpost",
        "test_a_letter_already_journalfoert_gets_no_new_journalpost_and_the_report_refers_to_it",
        "test_each_merknad_is_an_incoming_journalpost_with_its_reference_received_date_and_documents",
        "test_the_receipt_for_a_new_case_folder_writes_its_saksnummer_onto_the_consultation_audited",
        "test_skjerming_follows_the_content_with_a_masked_public_variant_never_a_name_alone",
        "test_klassering_by_the_plan_id_and_the_senders_gnr_bnr_and_the_postal_address_split",
    },
    # 2,000 inputs from sixteen threads: the number is the point
    "tests/test_store.py": {"test_sixteen_threads_sending_2000_inputs_and_supports_store_each_exactly_once"},
    # the 695-merknad merknadsbehandling, its PDF and XLSX
    "tests/test_report_full.py": "*",
    # seeds the whole demo twice (the point: the same drawings each time; ~12 s of CPU);
    # the file's other tests read the run's one demo_db
    "tests/test_demo_drawings.py": {"test_the_demo_drawings_are_the_same_every_time"},
}


def _mark_slow(items: list[pytest.Item]) -> None:
    """Mark ``SLOW``'s tests; a name there that no collected test of its file has is an error
    (a renamed test would otherwise leave the table quietly)."""
    found: dict[str, set[str]] = {}
    for item in items:
        path = item.path.relative_to(Path(__file__).resolve().parent.parent).as_posix()
        names = SLOW.get(path)
        if names is None:
            continue
        name = getattr(item, "originalname", item.name)
        found.setdefault(path, set()).add(name)
        if names == "*" or name in names:
            item.add_marker(pytest.mark.slow)
    for path, names in found.items():
        listed = SLOW[path]
        whole_file = listed != "*" and len(names) > len(listed)  # not one test picked by its id
        if whole_file and (missing := listed - names):
            raise pytest.UsageError(f"tests/conftest.py SLOW names tests {path} does not have: {sorted(missing)}")


def _names_used(item: pytest.Item) -> set[str]:
    """Every name the test's code, its fixtures' code and the test helpers they call refer
    to (a helper is followed when it is a function defined under tests/), and every string
    constant in that code as ``str:<text>``."""
    import types

    names: set[str] = set(item.fixturenames)
    seen: set[types.CodeType] = set()
    todo: list[tuple[types.CodeType, dict]] = []

    def add(func) -> None:
        func = getattr(func, "__func__", func)
        code = getattr(func, "__code__", None)
        if code is not None and code not in seen:
            seen.add(code)
            todo.append((code, getattr(func, "__globals__", {})))

    add(getattr(item, "function", None))
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        add(defs[-1].func)
    while todo:
        code, globs = todo.pop()
        for const in code.co_consts:
            if isinstance(const, str):
                names.add(f"str:{const}")
            elif isinstance(const, types.CodeType) and const not in seen:
                seen.add(const)
                todo.append((const, globs))
        for name in code.co_names:
            names.add(name)
            found = globs.get(name)
            if isinstance(found, types.FunctionType) and found.__module__.startswith("tests"):
                add(found)
    return names


BOTH_BACKENDS = {("tests.pg", "on_both_backends"), ("tests.pg", "demo_app_on_both_backends")}


def _on_postgres(item: pytest.Item) -> bool:
    """A test's PostgreSQL run of a fixture on both backends (``BOTH_BACKENDS``: tests/pg.py)."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return False
    for name, defs in item._fixtureinfo.name2fixturedefs.items():
        func = defs[-1].func
        if (func.__module__, func.__name__) in BOTH_BACKENDS and callspec.params.get(name) == "postgres":
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = _names_used(item)
        for mark, uses in TIERS.items():
            if names & uses or (mark == "postgres" and _on_postgres(item)):
                item.add_marker(getattr(pytest.mark, mark))
        if CLI <= names:
            item.add_marker(pytest.mark.cli)
    _mark_slow(items)
