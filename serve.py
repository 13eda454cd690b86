"""Kartinnspill as it is served: app.py behind the app's HTTP policy (Content-Security-Policy,
framing, no /_stcore/metrics for the public, the signed browser cookie staff logins are
bound to; consultations/http_policy.py), with the plain HTTP addresses beside the pages:
OGC API – Features, open data and feeds (consultations/web.py).

Run it like the app itself: `streamlit run serve.py [--server.port …]` (`make run`);
Streamlit finds the `app` below and serves app.py through it.
"""

from functools import partial

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from streamlit import config

from consultations.config import load_settings
from consultations.planning.context_layers import map_origins_at
from consultations.http_policy import ResponsePolicy
from consultations.mail_routes import routes as mail_routes
from consultations.store import Store
from consultations.tcp_nodelay import no_delay
from consultations.ui.upload_budget import UploadBudget
from consultations.ui.warmup import Warmup, public_pages, self_url
from consultations.web import routes

settings = load_settings()
# uvicorn imports this file after binding the port and before accepting: every connection
# then sends at once instead of waiting for the browser's delayed ACK (tcp_nodelay.py)
no_delay(config.get_option("server.port"))
# a DuckDB file by its resolved path (as Store.opened files it), a PostgreSQL URL as it is
_database = settings.db_path if isinstance(settings.db_path, str) else settings.db_path.resolve()
# ready (READY_PATH, HAProxy's health check) once this process has run its pages itself
warmup = Warmup(
    self_url(
        config.get_option("server.address"), config.get_option("server.port"), config.get_option("server.baseUrlPath")
    ),
    lambda: public_pages(Store.opened(_database)),
    enabled=settings.warmup,
)
app = st.App(
    "app.py",
    # the plain HTTP addresses (web.py), and List-Unsubscribe's one-click address (RFC 8058)
    routes=[
        *routes(settings, config.get_option("server.baseUrlPath")),
        *mail_routes(partial(Store.opened, _database)),
        warmup.route(config.get_option("server.baseUrlPath")),
    ],
    middleware=[
        Middleware(
            ResponsePolicy,
            settings=settings,
            base_path=config.get_option("server.baseUrlPath"),
            # the WMS hosts of the shown consultation's context layers, from the store the app has open
            map_origins=partial(map_origins_at, _database, loopback=settings.wms_loopback),
        ),
        # what one session and one address may keep in memory as uploads (security N3)
        Middleware(UploadBudget, settings=settings, base_path=config.get_option("server.baseUrlPath")),
        # Streamlit sends its 2.5 MB of scripts and fonts uncompressed: a phone on a school's
        # Wi-Fi gets a third of it (bench/page_weight_bench.py); level 6, not 9: less CPU
        Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
    ],
)
warmup.start()
