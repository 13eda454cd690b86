"""What one process guarantees with a lock must hold for replicas sharing one PostgreSQL
database: each test opens two stores (two connection pools, as two replicas have) or two
processes on one database.

The races are made deterministic: one replica holds its write open inside ``atomic()``
while the other tries the same thing, so without the database's guarantee the second
would go through.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from consultations.errors import DuplicateText, SupportedFromAddress
from consultations.model import Channel, InputStatus
from consultations.store import MIGRATIONS, Store
from tests.conftest import INSIDE, NOW, make_consultation


@pytest.fixture
def replicas(pg_url):
    """Two stores on one database, as two app processes would have."""
    first, second = Store.open(pg_url), Store.open(pg_url)
    first.add_consultation(make_consultation())
    yield first, second
    first.close()
    second.close()


def _add(
    store: Store,
    text: str = "Fortau langs skoleveien, takk.",
    token: str | None = None,
    address_hash: str | None = None,
):
    return store.add_input(
        consultation_id="test-borgen",
        category="Annet",
        text=text,
        lat=INSIDE[0],
        lon=INSIDE[1],
        east=None,
        north=None,
        age_group=None,
        relation=None,
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash="s",
        token=token,
        created_at=NOW,
        address_hash=address_hash,
    )


def _while_held(holder: Store, hold, attempt) -> object:
    """Run ``attempt`` in another thread while ``holder`` is inside an uncommitted
    ``atomic()`` block that did ``hold``; commit; return what ``attempt`` returned or raised."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(attempt())
        except Exception as exc:  # noqa: BLE001  (the refusal is the answer under test)
            outcome.append(exc)

    with holder.atomic():
        hold()
        other = threading.Thread(target=run)
        other.start()
        time.sleep(0.5)  # the attempt reaches the database and waits there
        assert not outcome, "the second replica went ahead while the first held its write"
    other.join(30)
    return outcome[0]


def test_the_same_form_sent_to_two_replicas_is_stored_once(replicas):
    one, two = replicas
    first: list = []
    again = _while_held(one, lambda: first.append(_add(one, token="tok-1")), lambda: _add(two, token="tok-1"))
    (stored, created), (same, created_again) = first[0], again
    assert created and not created_again and same.id == stored.id
    assert len(two.all_inputs("test-borgen")) == 1


def test_a_repeated_text_from_one_address_is_refused_across_replicas(replicas):
    one, two = replicas
    outcome = _while_held(
        one, lambda: _add(one, token="a", address_hash="adr"), lambda: _add(two, token="b", address_hash="adr")
    )
    assert isinstance(outcome, DuplicateText)
    assert len(two.all_inputs("test-borgen")) == 1


def test_one_support_per_address_and_day_holds_across_replicas(replicas):
    one, two = replicas
    item, _ = _add(one)
    day = date(2026, 11, 27)
    outcome = _while_held(
        one,
        lambda: one.add_support(item.id, "session-1", "adr", day),
        lambda: two.add_support(item.id, "session-2", "adr", day),
    )
    assert isinstance(outcome, SupportedFromAddress)
    assert two.get_input(item.id).supports == 1


def test_a_write_on_one_replica_is_seen_at_once_by_the_others_remembered_reads(replicas):
    one, two = replicas
    assert two.count_published("test-borgen") == 0  # remembered on the second replica
    before = two.data_version
    item, _ = _add(one)
    assert two.data_version != before
    assert two.count_published("test-borgen") == 1
    assert [i.id for i in two.published_inputs("test-borgen", limit=20)] == [item.id]
    one.add_support(item.id, "s1")
    assert two.published_inputs("test-borgen", limit=20)[0].supports == 1


def _together(n: int, script: str, *args: str) -> list[subprocess.CompletedProcess]:
    """``n`` Python processes started at once, each running ``script``."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_replicas_starting_together_on_an_empty_database_migrate_it_once(pg_cluster):
    url = pg_cluster.new_database(template="template1")
    try:
        script = "import sys; from consultations.store import Store; Store.open(sys.argv[1]).close()"
        for done in _together(3, script, url):
            assert done.returncode == 0, done.stderr
        rows = pg_cluster.execute("SELECT version FROM schema_version ORDER BY version", url.rsplit("/", 1)[1])
        assert [r[0] for r in rows] == sorted(MIGRATIONS)  # each once; numbers may have gaps
    finally:
        pg_cluster.drop(url)


def test_replicas_starting_together_seed_the_demo_once(pg_url, tmp_path):
    script = (
        "import sys; from consultations.store import Store; from consultations.demo import seed_demo\n"
        "s = Store.open(sys.argv[1], secret='k' * 40); print(seed_demo(s)); s.close()"
    )
    runs = _together(2, script, pg_url)
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    added = sorted(int(r.stdout.split()[-1]) for r in runs)
    assert added[0] == 0 and added[1] > 0  # one seeded, the other found it done
    store = Store.open(pg_url)
    try:
        listings = store.listings()
        assert len({x.consultation.id for x in listings}) == len(listings)
        assert sum(x.total_inputs for x in listings) == added[1]
    finally:
        store.close()


# -- PostGIS: a geometry for GIS clients, when the database has the extension -------------


def test_with_postgis_every_input_and_area_also_has_a_geometry_for_gis_clients(pg_cluster, pg_url):
    from tests.pg import need_postgis

    need_postgis(pg_cluster)
    store = Store.open(pg_url)
    try:
        store.add_consultation(make_consultation())
        located, _ = _add(store)
        whole, _ = store.add_input(
            consultation_id="test-borgen",
            category="Annet",
            text="Hele området",
            lat=None,
            lon=None,
            east=None,
            north=None,
            age_group=None,
            relation=None,
            channel=Channel.LETTER,
            status=InputStatus.PUBLISHED,
            session_hash=None,
            token=None,
            created_at=NOW,
        )
    finally:
        store.close()
    name = pg_url.rsplit("/", 1)[1]
    rows = {
        r[0]: r[1:]
        for r in pg_cluster.execute(
            """SELECT i.id, ST_X(i.geom), ST_Y(i.geom), ST_SRID(i.geom), ST_Contains(c.area_geom, i.geom)
               FROM inputs i JOIN consultations c ON c.id = i.consultation_id""",
            name,
        )
    }
    assert rows[located.id] == (INSIDE[1], INSIDE[0], 4326, True)
    assert rows[whole.id] == (None, None, None, None)
    (kind,) = pg_cluster.execute("SELECT GeometryType(area_geom) FROM consultations", name)[0]
    assert kind == "MULTIPOLYGON"


# -- rate limits: counted in the database when replicas share it ---------------------------


def test_a_limit_per_address_holds_across_replicas(replicas):
    from consultations.ratelimit import Limit, SharedLimiter

    one, two = (SharedLimiter(store) for store in replicas)
    limit = Limit(burst=3, per_hour=1)
    taken = [limiter.allow([("submit:adr", limit)]) for limiter in (one, two, one, two, one)]
    assert taken == [True, True, True, False, False]
    assert two.allow([("submit:other", limit)])  # another address has its own bucket


def test_all_or_nothing_a_full_check_takes_no_token_when_one_bucket_is_empty(replicas):
    from consultations.ratelimit import Limit, SharedLimiter

    one, two = (SharedLimiter(store) for store in replicas)
    small, large = Limit(burst=1, per_hour=1), Limit(burst=5, per_hour=1)
    assert one.allow([("session:a", small), ("adr:x", large)])
    assert not two.allow([("session:a", small), ("adr:x", large)])  # session empty: adr kept
    assert [two.allow([("adr:x", large)]) for _ in range(5)] == [True] * 4 + [False]


def test_replicas_sending_at_once_get_exactly_the_burst(replicas):
    from concurrent.futures import ThreadPoolExecutor

    from consultations.ratelimit import Limit, SharedLimiter

    limiters = [SharedLimiter(store) for store in replicas]
    limit = Limit(burst=20, per_hour=1)
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda n: limiters[n % 2].allow([("adr:school", limit)]), range(60)))
    assert sum(taken) == 20


SECRET = "k" * 40  # every replica keys its hashes alike (``server.cookieSecret`` too)


def _class_of(store: Store, size: int):
    from datetime import timedelta

    from consultations.children import classes
    from consultations.model import Role
    from tests.conftest import staff

    store.add_consultation(make_consultation())
    return classes.create_class(
        store,
        staff(store, "lena", Role.TEACHER),
        "test-borgen",
        school="Heggedal skole",
        grade="6",
        size=size,
        opens_at=NOW - timedelta(hours=1),
        closes_at=NOW + timedelta(hours=2),
        now=NOW,
    )


# Another replica: its own process (its own memory), on the same database; runs the lines
# of Python it is given with ``store``, ``classes``, ``session`` (the class), ``NOW``,
# ``INSIDE`` and ``outcome(call)`` (prints «ok» or the refusal's key).
_REPLICA = """
import sys
from consultations.children import classes
from consultations.errors import InvalidInput
from consultations.store import Store
from tests.conftest import INSIDE, NOW

def outcome(call):
    try:
        call()
        print("ok")
    except InvalidInput as exc:
        print(exc.key)

store = Store.open(sys.argv[1], secret=sys.argv[2])
session = store.class_session(int(sys.argv[3]))
exec(sys.argv[4])
store.close()
"""


def _on_other_replica(url: str, session, code: str) -> list[str]:
    (done,) = _together(1, _REPLICA, url, SECRET, str(session.id), code)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_class_budget_holds_across_replicas(pg_url):
    """Half the class's budget spent on this replica, the rest on another process's: the
    next input is refused on both (each replica counting in its own memory would let
    each take a whole budget)."""
    from consultations.children import classes
    from consultations.errors import InvalidInput

    store = Store.open(pg_url, secret=SECRET)
    try:
        session = _class_of(store, size=1)  # a class of one: classes.PER_PUPIL inputs at once
        budget = classes.class_budget(session).burst
        half = budget // 2

        def place(pupil: int):
            return classes.submit_place(store, session, *INSIDE, "safe", "", pupil=f"p{pupil}", now=NOW)

        for n in range(half):
            place(n)
        there = _on_other_replica(
            pg_url,
            session,
            (
                f"for n in range({half}, {budget + 1}):\n"
                "    outcome(lambda: classes.submit_place(store, session, *INSIDE, 'safe', '', pupil=f'p{n}', now=NOW))"
            ),
        )
        assert there == ["ok"] * (budget - half) + ["classes.busy"]
        with pytest.raises(InvalidInput) as refused:
            place(budget + 1)
        assert refused.value.key == "classes.busy"
        assert len(store.class_frame("test-borgen")) == budget
    finally:
        store.close()


def test_guessing_class_codes_is_stopped_across_replicas(pg_url):
    """Wrong codes typed on two replicas count together: after the allowance even the right
    code is refused to that browser on either, while another pupil still gets in."""
    from consultations.children import classes
    from consultations.errors import InvalidInput

    store = Store.open(pg_url, secret=SECRET)
    try:
        session = _class_of(store, size=24)
        tries = classes.GUESS_PER_SESSION.burst
        for _ in range(tries // 2):
            with pytest.raises(InvalidInput) as wrong:
                classes.find_class(store, "AAAAAA", session="guesser", now=NOW)
            assert wrong.value.key == "classes.code_unknown"
        there = _on_other_replica(
            pg_url,
            session,
            (
                f"for _ in range({tries - tries // 2}):\n"
                "    outcome(lambda: classes.find_class(store, 'AAAAAA', session='guesser', now=NOW))\n"
                "outcome(lambda: classes.find_class(store, session.code, session='guesser', now=NOW))"
            ),
        )
        assert there == ["classes.code_unknown"] * (tries - tries // 2) + ["classes.too_many_tries"]
        with pytest.raises(InvalidInput) as stopped:
            classes.find_class(store, session.code, session="guesser", now=NOW)
        assert stopped.value.key == "classes.too_many_tries"
        assert classes.find_class(store, session.code, session="pupil", now=NOW).id == session.id
    finally:
        store.close()


# -- the SQL written once: ``?`` placeholders, literals left alone --------------------------


def test_placeholders_become_psycopgs_outside_literals_and_percent_signs_survive(pg_url):
    from consultations.store.postgres_backend import _translate

    assert _translate("SELECT '?', ? WHERE a LIKE '50%' AND b = \"?\"") == (
        "SELECT '?', %s WHERE a LIKE '50%%' AND b = \"?\""
    )
    store = Store.open(pg_url)
    try:
        assert store._rows("SELECT '50% ' || ?, '?', 'it''s ?'", ("x",)) == [("50% x", "?", "it's ?")]
    finally:
        store.close()


def test_a_hoeringsinstans_added_on_two_replicas_at_once_is_listed_once(replicas):
    from consultations.model import SenderType

    one, two = replicas
    outcome = _while_held(
        one,
        lambda: one.add_hearing_party("test-borgen", "Statsforvalteren", SenderType.AUTHORITY, None, None),
        lambda: two.add_hearing_party("test-borgen", "statsforvalteren", SenderType.AUTHORITY, None, None),
    )
    assert outcome is None  # told it is on the list already, nothing written
    assert [p.name for p in two.hearing_parties("test-borgen")] == ["Statsforvalteren"]


def test_one_oidc_account_bound_on_two_replicas_at_once_binds_one_user(replicas):
    from consultations.model import Role

    one, two = replicas
    kari = one.add_user("kari", Role.PLANNER, None)
    ola = one.add_user("ola", Role.PLANNER, None)
    outcome = _while_held(
        one,
        lambda: one.bind_oidc(kari.id, "https://idp", "sub-1"),
        lambda: two.bind_oidc(ola.id, "https://idp", "sub-1"),
    )
    assert outcome is False
    assert two.user_by_oidc("https://idp", "sub-1").id == kari.id
