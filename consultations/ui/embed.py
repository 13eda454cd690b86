"""A consultation embedded in the municipality's page (``?embed=true``): the page without
the app's navigation, telling the frame its height; and the builder's ready snippet."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st
from streamlit import config

from ..participation import embed
from ..config import Settings
from ..i18n import t
from ..model import Consultation


def embedded() -> bool:
    """Whether the page was asked for with ``?embed=true`` (Streamlit keeps that parameter
    to itself: it is not among ``st.query_params``)."""
    return bool(st.context.is_embedded)


def follow_height(settings: Settings) -> None:
    """In a frame of an allowed origin, keep telling it the page's height."""
    if embedded() and settings.frame_ancestors:
        st.html(f"<script>{embed.height_script(settings.frame_ancestors)}</script>", unsafe_allow_javascript=True)


def _origin() -> str:
    """The app's address as the staff member's browser reached it (with the base path);
    without a browser (AppTest) this machine's."""
    url = urlsplit(st.context.url or "")
    base = config.get_option("server.baseUrlPath").strip("/")
    if url.scheme and url.netloc:
        origin = f"{url.scheme}://{url.netloc}"
    else:
        origin = f"http://localhost:{config.get_option('server.port')}"
    return origin + (f"/{base}" if base else "")


def builder_section(settings: Settings, c: Consultation | None, lang: str) -> None:
    """«Bygg inn på nettsiden»: the snippet to paste, and whether the site may frame it."""
    st.subheader(t("embed.heading", lang), anchor=False)
    if c is None:
        st.caption(t("embed.after_save", lang))
        return
    st.caption(t("embed.help", lang))
    title = t("embed.frame_title", lang, title=c.title, publisher=settings.profile.name)
    st.code(embed.snippet(_origin(), c.id, title), language="html")
    if settings.frame_ancestors:
        st.caption(t("embed.allowed", lang, origins=", ".join(settings.frame_ancestors)))
    else:
        st.warning(t("embed.none_allowed", lang))
