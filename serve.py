"""Kartinnspill as it is served: app.py behind the app's HTTP policy (Content-Security-Policy,
framing, no /_stcore/metrics for the public, the signed browser cookie staff logins are
bound to; consultations/http_policy.py).

Run it like the app itself: `streamlit run serve.py [--server.port …]` (`make run`);
Streamlit finds the `app` below and serves app.py through it.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from consultations.config import load_settings
from consultations.http_policy import ResponsePolicy

app = st.App(
    "app.py",
    middleware=[
        Middleware(
            ResponsePolicy,
            settings=load_settings(),
            base_path=config.get_option("server.baseUrlPath"),
        )
    ],
)
