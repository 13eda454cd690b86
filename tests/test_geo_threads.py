"""Plan areas are shared by every session's script thread, and GEOS's prepared geometries
are not thread-safe: geo must never prepare a geometry it is given (a viral consultation
aborted a replica with «malloc_consolidate(): unaligned fastbin chunk detected»)."""

import math
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import shapely
from shapely.geometry import Polygon

from consultations import geo

ROOT = Path(__file__).resolve().parent.parent


def wavy_area(vertices: int = 2000) -> Polygon:
    """A plan area with many vertices, fresh from WKB (as the store reads one)."""
    ring = [
        (
            10.4 + 0.02 * math.cos(2 * math.pi * i / vertices) * (1 + 0.3 * math.sin(14 * math.pi * i / vertices)),
            59.8 + 0.01 * math.sin(2 * math.pi * i / vertices),
        )
        for i in range(vertices)
    ]
    return shapely.from_wkb(Polygon(ring).wkb)


def test_point_tests_leave_the_given_area_unprepared():
    area = wavy_area()
    assert geo.contains(area, 59.8, 10.4)
    assert not geo.contains(area, 59.9, 10.4)
    assert geo.contains_many(area, [(59.8, 10.4), (59.9, 10.4), (59.8, 10.419)]) == [True, False, True]
    assert geo.contains_many(area, []) == []
    points = geo.random_points(area, 20, random.Random(1))
    assert all(geo.contains_many(area, points))
    assert not shapely.is_prepared(area)


def test_the_same_answers_as_a_prepared_area():
    area = wavy_area(300)
    rng = random.Random(3)
    points = [(59.8 + rng.uniform(-0.012, 0.012), 10.4 + rng.uniform(-0.03, 0.03)) for _ in range(500)]
    own = shapely.from_wkb(area.wkb)
    shapely.prepare(own)
    expected = [bool(shapely.intersects_xy(own, lon, lat)) for lat, lon in points]
    assert geo.contains_many(area, points) == expected
    assert [geo.contains(area, lat, lon) for lat, lon in points] == expected
    assert 0 < sum(expected) < len(points)


def test_many_threads_testing_points_on_one_fresh_area_at_once_do_not_crash_the_process():
    """Eight threads released together on a new area, 300 times over, in a process of its
    own (a heap corruption aborts it: before the fix this ended with SIGABRT every time)."""
    script = textwrap.dedent(
        f"""
        import random, sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from consultations import geo
        from test_geo_threads import wavy_area

        for _ in range(300):
            area = wavy_area()
            start = threading.Barrier(8)

            def resident(n):
                rng = random.Random(n)
                start.wait()
                for _ in range(4):
                    geo.contains(area, 59.8 + rng.uniform(-0.01, 0.01), 10.4 + rng.uniform(-0.02, 0.02))
                geo.contains_many(area, [(59.8, 10.4), (59.81, 10.41)])
                geo.random_points(area, 2, rng)

            threads = [threading.Thread(target=resident, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        print("unharmed")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "unharmed"


def test_every_transformation_runs_on_one_long_lived_thread(monkeypatch):
    """pyproj builds its transformation again on each new thread (~8 ms), and Streamlit runs
    each rerun on a new one: geo runs them all on its own thread instead."""
    import threading

    seen: list[str] = []

    class Recording:
        def transform(self, x, y):
            seen.append(threading.current_thread().name)
            return x, y

    monkeypatch.setattr(geo, "_transformer", lambda source, target: Recording())

    def rerun():
        geo.to_working_crs(10.41, 59.82)
        geo.project_area(wavy_area(40), 25832)

    for _ in range(3):
        thread = threading.Thread(target=rerun)
        thread.start()
        thread.join()
    assert len(seen) == 6 and len(set(seen)) == 1 and seen[0].startswith("kartinnspill-proj")


def test_reprojections_give_what_pyproj_gives():
    from pyproj import Transformer

    direct = Transformer.from_crs(4326, 25832, always_xy=True)
    area = wavy_area(50)
    x, y = direct.transform(*area.exterior.xy)
    projected = geo.project_area(area, 25832)
    assert projected.exterior.coords[:] == list(zip(x, y, strict=True))
    assert geo.area_km2(area) == projected.area / 1e6
    assert geo.to_working_crs(10.41, 59.82) == tuple(round(v, 2) for v in direct.transform(10.41, 59.82))
