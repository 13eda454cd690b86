"""In-process probe for bench/soak.py: put this directory on the server's PYTHONPATH and
set KARTINNSPILL_SOAK_PROBE to a file; Python imports this module at start-up and a daemon
thread appends one JSON line every KARTINNSPILL_SOAK_PROBE_EVERY seconds (default 10):
the gc counters, Python's allocated blocks, glibc's
heap in use and held free (mallinfo2), DuckDB's own memory (its allocator is not glibc's:
``duckdb_memory()`` of the server's connection), every collection's pause by generation
since the last line (wall and CPU time, from gc.callbacks), Streamlit's session counts.

With KARTINNSPILL_SOAK_TRACEMALLOC=N, tracemalloc (N frames) runs from start-up and every
line also carries the 15 allocation sites that grew most since the first line.

Every line also has the sizes of what a long-running server could keep adding to
(``_lengths``: Streamlit's media files, lazy dataframe sources, uploads, sessions kept for
reconnection and its per-session bookkeeping, st.cache_* entries, the app's lru caches,
pyarrow's pool, open file descriptors). With KARTINNSPILL_SOAK_SQL set it counts the
statements the DuckDB store runs (``sql``: the 12 most frequent), to find the reads a page
view repeats (what grew in issue 26: docs/perf/perf.md).

A file named like the probe's plus `.collect` asks for one experiment: RSS before and
after a full gc.collect() and after malloc_trim(0), written to `.collected`.

Nothing here is imported by the app or the tests; without the variable it does nothing.

It never calls gc.get_objects() while the server runs: the list it returns holds a reference
to every tuple another thread is still filling, whose ``_PyTuple_Resize`` then fails
(«SystemError: Objects/tupleobject.c:927: bad argument to internal function», seen inside
pandas in a page run during the soaks of issue 26; tests/test_heard_threads.py).
"""

from __future__ import annotations

import os

if os.environ.get("KARTINNSPILL_SOAK_PROBE"):
    import gc
    import json
    import sys
    import threading
    import time

    _path = os.environ["KARTINNSPILL_SOAK_PROBE"]
    _every = float(os.environ.get("KARTINNSPILL_SOAK_PROBE_EVERY", "10"))
    _frames = int(os.environ.get("KARTINNSPILL_SOAK_TRACEMALLOC", "0") or 0)
    _pauses: dict[int, list[tuple[float, float]]] = {0: [], 1: [], 2: []}  # (wall, CPU)
    _started: list[float] = [0.0, 0.0]

    if _frames:
        import tracemalloc

        tracemalloc.start(_frames)

    def _on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            _started[:] = time.perf_counter(), time.thread_time()
        else:
            _pauses[info["generation"]].append((time.perf_counter() - _started[0], time.thread_time() - _started[1]))

    gc.callbacks.append(_on_gc)

    def _sessions() -> dict:
        if "streamlit.runtime" not in sys.modules:
            return {}  # not a Streamlit server (yet): importing it here would take seconds
        try:
            from streamlit.runtime import Runtime

            if not Runtime.exists():
                return {}
            mgr = Runtime.instance()._session_mgr
            return {
                "sessions": mgr.num_sessions(),
                "active_sessions": mgr.num_active_sessions(),
            }
        except Exception as exc:  # noqa: BLE001 - a probe never breaks the server
            return {"sessions_error": repr(exc)[:120]}

    def _malloc() -> dict:
        """glibc's own account (mallinfo2): what the C heap hands out, and what it holds
        free without giving it back to the system (fragmentation, per-thread arenas)."""
        try:
            import ctypes

            class _Info(ctypes.Structure):
                _fields_ = [
                    (n, ctypes.c_size_t)
                    for n in (
                        "arena",
                        "ordblks",
                        "smblks",
                        "hblks",
                        "hblkhd",
                        "usmblks",
                        "fsmblks",
                        "uordblks",
                        "fordblks",
                        "keepcost",
                    )
                ]

            libc = ctypes.CDLL("libc.so.6")
            libc.mallinfo2.restype = _Info
            info = libc.mallinfo2()
            return {
                "malloc_used_mb": (info.uordblks + info.hblkhd) / 2**20,
                "malloc_free_mb": info.fordblks / 2**20,
            }
        except (OSError, AttributeError):
            return {}

    def _duckdb() -> dict:
        """What DuckDB's buffer manager holds (MB), summed over its memory tags, on the
        server's store (``store.database._OPENED``: gc.get_objects() misses frozen objects)."""
        core = sys.modules.get("consultations.store.database") or sys.modules.get("consultations.store.core")
        if core is None or not hasattr(core, "_OPENED"):
            return {}
        try:
            store = next(iter(list(core._OPENED.values())), None)
            conn = getattr(getattr(store, "_backend", None), "_conn", None)
            if conn is None:
                return {}
            cur = conn.cursor()
            try:
                used = cur.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0]
                try:  # its buffer pool's eviction queues: dead nodes are C heap duckdb_memory() omits
                    nodes, dead = cur.execute(
                        "SELECT sum(approximate_size), sum(dead_nodes) FROM duckdb_eviction_queues()"
                    ).fetchall()[0]
                except Exception:  # noqa: BLE001 - DuckDB before 1.5 has no such function
                    nodes = dead = None
            finally:
                cur.close()
            return {"duckdb_mb": (used or 0) / 2**20, "duckdb_queue_nodes": nodes, "duckdb_dead_nodes": dead}
        except Exception as exc:  # noqa: BLE001 - a probe never breaks the server
            return {"duckdb_error": repr(exc)[:120]}

    def _lengths() -> dict:
        """The sizes of what a long-running server could keep adding to: Streamlit's
        runtime registries (media files, lazy dataframe sources, sessions kept for
        reconnection, per-session bookkeeping), its st.cache_data / st.cache_resource
        entries, the app's own lru caches, pyarrow's pool, open file descriptors, threads."""
        out: dict = {"fds": len(os.listdir("/proc/self/fd"))}
        if "pyarrow" in sys.modules:
            pa = sys.modules["pyarrow"]
            out["arrow_mb"] = pa.total_allocated_bytes() / 2**20
        try:
            if "streamlit.runtime" in sys.modules:
                from streamlit.runtime import Runtime

                if Runtime.exists():
                    rt = Runtime.instance()
                    mgr = rt._session_mgr
                    out["st_media"] = len(rt._media_file_mgr._file_metadata)
                    out["st_media_sessions"] = len(rt._media_file_mgr._files_by_session_and_coord)
                    dfm = getattr(rt, "_dataframe_source_mgr", None)
                    if dfm is not None:
                        out["st_df_sources"] = len(dfm._sources)
                        out["st_df_sessions"] = len(dfm._sources_by_session_and_coord)
                    upl = getattr(rt, "_uploaded_file_mgr", None)
                    if upl is not None and hasattr(upl, "file_storage"):
                        out["st_upload_sessions"] = len(upl.file_storage)
                    out["st_stored"] = len(getattr(mgr._session_storage, "_cache", ()))
                    for name in ("_session_connect_times", "_session_user_labels", "_nonresumable_session_ids"):
                        if hasattr(mgr, name):
                            out["st" + name] = len(getattr(mgr, name))
            caching = sys.modules.get("streamlit.runtime.caching")
            if caching is not None:
                for kind in ("cache_data_api", "cache_resource_api"):
                    api = sys.modules.get(f"streamlit.runtime.caching.{kind}")
                    caches = None
                    for attr in ("_data_caches", "_resource_caches"):
                        caches = getattr(api, attr, None) or caches
                    fns = getattr(caches, "_function_caches", {}) if caches is not None else {}
                    out[kind] = sum(
                        len(getattr(getattr(c, "storage", None), "_mem_cache", ()) or getattr(c, "_mem_cache", ()))
                        for c in list(fns.values())
                    )
        except Exception as exc:  # noqa: BLE001 - a probe never breaks the server
            out["lengths_error"] = repr(exc)[:160]
        for module, names in (
            ("consultations.participation.public", ("_masked",)),
            ("consultations.ui.maps", None),
            ("consultations.compounds", None),
        ):
            mod = sys.modules.get(module)
            if mod is None:
                continue
            for name, value in list(vars(mod).items()):
                if (names is None or name in names) and hasattr(value, "cache_info"):
                    out[f"lru:{module.rsplit('.', 1)[-1]}.{name}"] = value.cache_info().currsize
        return out

    def _rss_mb() -> float:
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmRSS:")) / 1024

    def _experiment() -> dict:
        """What a collection would give back now: RSS before, after gc.collect(), and
        after glibc's malloc_trim(0) returns the free heap to the system."""
        import ctypes

        before = _rss_mb()
        started = time.perf_counter()
        freed = gc.collect()
        took = time.perf_counter() - started
        collected = _rss_mb()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        return {
            "rss_before": before,
            "unreachable": freed,
            "collect_s": took,
            "rss_after_collect": collected,
            "rss_after_trim": _rss_mb(),
            **_malloc(),
        }

    _sql_counts: dict[str, int] = {}

    def _count_sql() -> None:
        """With KARTINNSPILL_SOAK_SQL set: count the statements the DuckDB store runs (the
        first 90 characters of each), to find the reads a page view repeats."""
        mod = sys.modules.get("consultations.store.duckdb_backend")
        if mod is None or getattr(mod.DuckDBBackend.cursor, "_soak_counted", False):
            return
        import contextlib

        original = mod.DuckDBBackend.cursor

        class _Counted:
            def __init__(self, cur) -> None:
                self._cur = cur

            def execute(self, sql, *args, **kwargs):
                key = " ".join(str(sql).split())[:90]
                _sql_counts[key] = _sql_counts.get(key, 0) + 1
                return self._cur.execute(sql, *args, **kwargs)

            def __getattr__(self, name):
                return getattr(self._cur, name)

        @contextlib.contextmanager
        def cursor(self):
            with original(self) as cur:
                yield _Counted(cur)

        cursor._soak_counted = True
        mod.DuckDBBackend.cursor = cursor

    def _loop() -> None:
        first = None
        while True:
            time.sleep(_every)
            if os.environ.get("KARTINNSPILL_SOAK_SQL"):
                _count_sql()
            if os.path.exists(_path + ".collect"):  # bench/soak.py --collect-at-end
                os.remove(_path + ".collect")
                with open(_path + ".collected", "w") as f:
                    f.write(json.dumps(_experiment()))
            pauses = {g: _pauses[g][:] for g in _pauses}
            for g, taken in pauses.items():
                del _pauses[g][: len(taken)]
            line = {
                "t": time.time(),
                "count": gc.get_count(),
                "collections": [s["collections"] for s in gc.get_stats()],
                "frozen": gc.get_freeze_count(),
                "gc_enabled": gc.isenabled(),
                "threads": threading.active_count(),
                "py_blocks": sys.getallocatedblocks(),
                **_malloc(),
                **_duckdb(),
                # per generation: collections, wall s, longest wall s, CPU s (the thread's
                # own time: what other processes on a busy machine add is left out)
                "pauses": {
                    g: [
                        len(p),
                        sum(w for w, _ in p),
                        max((w for w, _ in p), default=0.0),
                        sum(c for _, c in p),
                    ]
                    for g, p in pauses.items()
                },
                **_sessions(),
                **_lengths(),
            }
            if _sql_counts:
                line["sql"] = sorted(_sql_counts.items(), key=lambda kv: -kv[1])[:12]
            if _frames:
                snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
                line["traced_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
                if first is None:
                    first = snap
                else:
                    line["grown"] = [
                        [str(s.traceback).strip()[-160:], s.size_diff, s.count_diff]
                        for s in snap.compare_to(first, "lineno")[:15]
                    ]
            with open(_path, "a") as f:
                f.write(json.dumps(line) + "\n")

    threading.Thread(target=_loop, name="soak-probe", daemon=True).start()
